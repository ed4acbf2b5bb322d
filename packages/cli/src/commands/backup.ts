/**
 * `kairos backup <file>`: a consistent copy of a SQLite server's database, taken online through
 * the API (GET /api/v1/backup) and written to FILE (first to FILE.partial, renamed when whole, so
 * an interrupted download never looks like a backup).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CliError, parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { commandHelp } from '../help.js';

const HELP = commandHelp(`
Usage:
  kairos backup <file> [--force]

Copies the server's SQLite database while it runs (SQLite's online backup: scheduling goes on,
the copy is the database as of one instant) and writes it to FILE. To restore: stop the server,
put FILE as kairos.db in an empty data directory, start the server on that directory (see
docs/production.md, "Backups"). A server on PostgreSQL answers BACKUP_NOT_SUPPORTED: use pg_dump.

Flags:
  --force   replace FILE if it exists

Examples:
  kairos backup kairos-$(date +%F).db
  KAIROS_DATA_DIR=./restored kairos server   # after: mkdir restored && cp kairos-….db restored/kairos.db
`);

async function run(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, globals } = parseCommandArgs(args, { force: { type: 'boolean' } }, ['file']);
  const file = resolve(ctx.io.cwd ?? process.cwd(), positionals[0] ?? '');
  if (existsSync(file) && !values.force) {
    throw new CliError(
      'FILE_EXISTS',
      `${file} exists: choose another name, or pass --force to replace it`,
      'file',
    );
  }
  const settings = ctx.settings(globals);
  const response = await ctx.client(settings).backup();
  if (!response.body) throw new CliError('INVALID_RESPONSE', 'the server answered the backup without a body');
  const partial = `${file}.partial`;
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      createWriteStream(partial),
    );
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw new CliError('BACKUP_FAILED', `writing ${file} failed: ${(error as Error).message}`, 'file');
  }
  const { size } = await stat(file);
  if (settings.json) ctx.printJson({ file, bytes: size });
  else ctx.print(`backup written to ${file} (${size} bytes)`);
  return 0;
}

export const backupCommand: Command = {
  name: 'backup',
  summary: "copy a SQLite server's database to a file, online",
  help: HELP,
  run,
};
