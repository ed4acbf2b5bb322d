// Runs every benchmark, on SQLite and (when --database-url or DATABASE_URL is given) PostgreSQL,
// each in its own process, and prints one JSON line per benchmark.
//   npm run bench                       SQLite only
//   npm run bench -- --database-url postgres://postgres@127.0.0.1:5432/test
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flags, resetPostgres } from './support.js';

const opts = flags();
const pgUrl = opts['database-url'] ?? process.env.DATABASE_URL;
const only = opts.only?.split(',');
const benches = [
  ['lateness.js', []],
  ['throughput.js', []],
  ['idle-scale.js', []],
  ['executors.js', []],
  ['dify.js', []],
];
for (const store of pgUrl ? [undefined, pgUrl] : [undefined]) {
  for (const [file, args] of benches) {
    if (only && !only.includes(file.replace('.js', ''))) continue;
    const extra = store ? ['--database-url', await resetPostgres(store)] : [];
    const out = execFileSync(
      process.execPath,
      [fileURLToPath(new URL(file, import.meta.url)), ...args, ...extra],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    process.stdout.write(out);
  }
}
