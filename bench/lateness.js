// What each latency layer buys: 1,000 http tasks firing at the same second, every second, the ms
// from each slot to its request arriving at a receiver in another process (p50, p99), with every
// layer on, with all of them off, and with each one off in turn; beside the floor (a bare Node
// process calling fetch() 1,000 times at each second) measured in the same run. Configurations
// alternate round by round; each runs in a process of its own (bench/compare/firing.js).
//   node bench/lateness.js [--tasks 1000] [--seconds 10] [--rounds 2] [--database-url URL]
//                          [--layers share,timer-spin,claim-pacing]
// warm-connections is not in the default list: http tasks go through fetch, whose connections it
// does not open (bench/dify.js --latency-off warm-connections measures it on Dify runs).
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { flags, round } from './support.js';

const opts = flags();
const tasks = Number(opts.tasks ?? 1000);
const seconds = Number(opts.seconds ?? 10);
const rounds = Number(opts.rounds ?? 2);
const databaseUrl = opts['database-url'];
const layers = (opts.layers ?? 'share,timer-spin,claim-pacing').split(',');
const system = databaseUrl ? 'kairos-postgres' : 'kairos-sqlite';
const progress = (message) => process.stderr.write(`[lateness] ${message}\n`);

// `off`: the layers turned off ('none': every layer on).
const configurations = [
  { name: 'floor', system: 'floor' },
  { name: 'all on', system, off: 'none' },
  { name: 'all off', system, off: 'all' },
  ...layers.map((layer) => ({ name: `without ${layer}`, system, off: layer })),
];

const figures = Object.fromEntries(configurations.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < configurations.length; i++) {
    const c = configurations[(i + r) % configurations.length];
    const load = round(loadavg()[0]);
    progress(`${c.name} · round ${r + 1}/${rounds} · load ${load}`);
    const args = [
      fileURLToPath(new URL('./compare/firing.js', import.meta.url)),
      ...['--system', c.system, '--tasks', tasks, '--seconds', seconds].map(String),
      ...(c.off === undefined ? [] : ['--latency-off', c.off]),
      ...(databaseUrl && c.system !== 'floor' ? ['--database-url', databaseUrl] : []),
    ];
    const out = execFileSync(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const figure = JSON.parse(out.toString().trim().split('\n').at(-1));
    const entry = {
      p50: figure.slotToArrivalMs.p50,
      p99: figure.slotToArrivalMs.p99,
      max: figure.slotToArrivalMs.max,
      missedSlots: figure.missedSlots,
      rssMB: figure.rssMB,
      loadBefore: load,
    };
    progress(`figure ${JSON.stringify(entry)}`);
    figures[c.name].push(entry);
  }
}

// Each configuration's p99 over the floor's p99 of the same round.
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : round(a / b));
const summary = Object.fromEntries(
  configurations.map((c) => {
    const runs = figures[c.name];
    return [
      c.name,
      {
        p50: runs.map((f) => f.p50),
        p99: runs.map((f) => f.p99),
        missedSlots: runs.map((f) => f.missedSlots),
        p99OverFloor: runs.map((f, i) => ratio(f.p99, figures.floor[i]?.p99 ?? null)),
      },
    ];
  }),
);
console.log(
  JSON.stringify({
    bench: 'lateness',
    store: databaseUrl ? 'postgres' : 'sqlite',
    tasks,
    seconds,
    rounds,
    loadAverageAtEnd: loadavg().map((l) => round(l)),
    summary,
    figures,
  }),
);
