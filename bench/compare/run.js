// Kairos side by side with the job systems its users would otherwise pick, on this machine, in
// one run, systems alternating: Kairos on SQLite and on PostgreSQL, BullMQ on the Redis at
// 127.0.0.1:6379, pg-boss on the PostgreSQL, and a bare Node process (the floor) where one
// applies. Each measure runs in a process of its own per system. Prints one JSON document with
// every figure, the ratios and the targets of the issue, met or not.
//   npm run bench:compare [-- --quick] [--rounds 1] [--only throughput-batch,firing,...]
//                         [--database-url postgres://postgres@127.0.0.1:5432/test]
// The peers are this folder's own dependencies, installed here on first use (npm ci).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resetPostgres } from '../support.js';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opts = {};
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--quick') continue;
  opts[argv[i].replace(/^--/, '')] = argv[++i];
}
const databaseUrl = opts['database-url'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const rounds = Number(opts.rounds ?? 1);
const only = opts.only?.split(',');
const progress = (message) => process.stderr.write(`[compare] ${message}\n`);

if (!existsSync(here('./node_modules/bullmq'))) {
  progress('installing the peers (bench/compare/package.json) …');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: here('.'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const KAIROS = ['kairos-sqlite', 'kairos-postgres'];
const measures = [
  {
    name: 'throughput-batch',
    file: './throughput.js',
    systems: [...KAIROS, 'bullmq', 'pg-boss'],
    args: ['--mode', 'batch', '--runs', quick ? 5000 : 20_000],
  },
  {
    name: 'throughput-single',
    file: './throughput.js',
    systems: ['floor', ...KAIROS, 'bullmq'],
    args: ['--mode', 'single', '--runs', quick ? 3000 : 10_000],
  },
  {
    name: 'scheduled',
    file: './scheduled.js',
    systems: [...KAIROS, 'bullmq'],
    args: ['--tasks', quick ? 2000 : 4000, '--seconds', quick ? 5 : 10],
  },
  {
    name: 'firing',
    file: './firing.js',
    systems: ['floor', ...KAIROS, 'bullmq'],
    args: ['--tasks', 1000, '--seconds', quick ? 10 : 60],
  },
  {
    name: 'defined-tasks',
    file: '../idle-scale.js',
    systems: KAIROS,
    args: ['--tasks', quick ? 100_000 : 1_000_000, '--idle-seconds', 5],
  },
];

const started = Date.now();
const figures = {};
for (const measure of measures) {
  if (only && !only.includes(measure.name)) continue;
  figures[measure.name] = {};
  for (let round = 0; round < rounds; round++) {
    // Alternate: each round starts with the next system.
    const order = measure.systems.map((_, i) => measure.systems[(i + round) % measure.systems.length]);
    for (const system of order) {
      progress(`${measure.name} · ${system} · round ${round + 1}/${rounds}`);
      const figure = await runOne(measure, system);
      // Each figure as it comes, so that a run stopped half way still reports what it measured.
      progress(`figure ${JSON.stringify(figure)}`);
      (figures[measure.name][system] ??= []).push(figure);
    }
  }
}

const best = (measure, system, pick, higherIsBetter = true) => {
  const values = (figures[measure]?.[system] ?? []).map(pick).filter((v) => typeof v === 'number');
  if (values.length === 0) return null;
  return higherIsBetter ? Math.max(...values) : Math.min(...values);
};
const ratio = (a, b) => (a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100);
const targets = [];
const target = (name, value, goal, met) =>
  targets.push({ name, value, target: goal, met: value === null ? null : met(value) });

for (const k of KAIROS) {
  const rps = (m, s) => best(m, s, (f) => f.runsPerSecond);
  target(
    `${k} batch-triggered runs/s ÷ BullMQ addBulk`,
    ratio(rps('throughput-batch', k), rps('throughput-batch', 'bullmq')),
    '≥ 1.0',
    (v) => v >= 1,
  );
  target(
    `${k} single triggers/s`,
    best('throughput-single', k, (f) => f.triggersPerSecond),
    '≥ 3000',
    (v) => v >= 3000,
  );
  target(
    `${k} single triggers/s ÷ the floor (a bare server storing each trigger, same client)`,
    ratio(
      best('throughput-single', k, (f) => f.triggersPerSecond),
      best('throughput-single', 'floor', (f) => f.triggersPerSecond),
    ),
    'reported beside the 3,000/s target (what a bare server accepts from the same client)',
    () => null,
  );
  target(
    `${k} scheduled runs/s ÷ BullMQ job schedulers`,
    ratio(rps('scheduled', k), rps('scheduled', 'bullmq')),
    '≥ 1.0',
    (v) => v >= 1,
  );
  const finishP99 = (s) => best('scheduled', s, (f) => f.slotToFinishMs.p99, false);
  target(
    `${k} scheduled p99 slot→finish ÷ BullMQ's`,
    ratio(finishP99(k), finishP99('bullmq')),
    'reported beside the runs/s target (how late the runs of the window ended)',
    () => null,
  );
  const p99 = (s) => best('firing', s, (f) => f.slotToArrivalMs.p99, false);
  target(
    `${k} firing p99 slot→arrival ÷ bare-fetch floor`,
    ratio(p99(k), p99('floor')),
    '≤ 1.5',
    (v) => v <= 1.5,
  );
  target(
    `${k} firing: slots missed`,
    best('firing', k, (f) => f.missedSlots, false),
    '0',
    (v) => v === 0,
  );
  target(
    `${k} RSS MB while firing 1,000 tasks/s`,
    best('firing', k, (f) => f.rssMB, false),
    '≤ 200',
    (v) => v <= 200,
  );
  target(
    `${k} RSS while firing ÷ the floor's (a bare process firing the same requests with fetch)`,
    ratio(
      best('firing', k, (f) => f.rssMB, false),
      best('firing', 'floor', (f) => f.rssMB, false),
    ),
    'reported beside the 200 MB target',
    () => null,
  );
  target(
    `${k} RSS MB with defined tasks`,
    best('defined-tasks', k, (f) => f.rssMB, false),
    '≤ 1024 (at 1,000,000)',
    (v) => v <= 1024,
  );
}
const pgOverSqlite = (measure, pick, higherIsBetter) => {
  const sqlite = best(measure, 'kairos-sqlite', pick, higherIsBetter);
  const postgres = best(measure, 'kairos-postgres', pick, higherIsBetter);
  // A cost ratio either way: > 1 means PostgreSQL is slower (or bigger).
  return higherIsBetter ? ratio(sqlite, postgres) : ratio(postgres, sqlite);
};
for (const [measure, pick, higherIsBetter] of [
  ['throughput-batch', (f) => f.runsPerSecond, true],
  ['throughput-single', (f) => f.triggersPerSecond, true],
  ['scheduled', (f) => f.runsPerSecond, true],
  ['firing', (f) => f.slotToArrivalMs.p99, false],
  ['defined-tasks', (f) => f.rssMB, false],
])
  target(
    `PostgreSQL cost ÷ SQLite: ${measure}`,
    pgOverSqlite(measure, pick, higherIsBetter),
    '≤ 1.5',
    (v) => v <= 1.5,
  );

console.log(
  JSON.stringify(
    {
      bench: 'compare',
      quick,
      rounds,
      minutes: Math.round((Date.now() - started) / 6000) / 10,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      figures,
      targets,
    },
    null,
    2,
  ),
);

async function runOne(measure, system) {
  const db = system === 'bullmq' || system === 'floor' ? [] : ['--database-url', databaseUrl];
  // idle-scale.js takes no --system: SQLite unless given a (fresh) PostgreSQL schema.
  const idle = system === 'kairos-postgres' ? ['--database-url', await resetPostgres(databaseUrl)] : [];
  const args = measure.file === '../idle-scale.js' ? idle : ['--system', system, ...db];
  const out = execFileSync(process.execPath, [here(measure.file), ...measure.args.map(String), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
    // The node's error log lines (pino, on stdout) come before the figures' line.
    maxBuffer: 512 * 1024 * 1024,
  });
  const line = out.toString().trim().split('\n').at(-1);
  return JSON.parse(line);
}
