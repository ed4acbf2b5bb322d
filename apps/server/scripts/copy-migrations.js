/**
 * Copies the SQL migrations next to the compiled store (src/store/migrations to
 * dist/store/migrations): tsc emits only JavaScript, and migrate.ts reads the .sql files at run
 * time relative to its own module. Run after `tsc -b`; replaces the previous copy so that a file
 * removed from the sources does not linger in dist.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/store/migrations/', import.meta.url));
const to = fileURLToPath(new URL('../dist/store/migrations/', import.meta.url));

if (!existsSync(from)) {
  console.error(`copy-migrations: ${from} does not exist`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('~') });
console.log('copy-migrations: copied src/store/migrations to dist/store/migrations');
