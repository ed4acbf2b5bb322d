/**
 * GET /api/v1/backup: a consistent copy of a SQLite server's database, taken online (the server
 * keeps scheduling) into a temporary file and streamed to the caller, who restores it by placing
 * it as `kairos.db` in an empty data directory (docs/production.md). Through the server rather
 * than on the file: the backup needs no access to the server's disk, works while it holds its
 * lock, and goes through the same authentication as the rest of the API. A PostgreSQL server
 * answers 409: back it up with pg_dump.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KairosError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { RouteTable } from './route-table.js';

export function backupRoute(routes: RouteTable, store: Store): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/backup',
      summary: "Download a copy of the server's SQLite database, taken online",
      tag: 'backup',
      // The whole database, every namespace's: for an admin of all of them.
      access: { role: 'admin', namespace: 'server' },
    },
    async ({ reply }) => {
      if (!store.backupTo) {
        throw new KairosError(
          'BACKUP_NOT_SUPPORTED',
          'this server keeps its data in PostgreSQL: back it up with pg_dump (see docs/production.md, "Backups")',
        );
      }
      const dir = await mkdtemp(join(tmpdir(), 'kairos-backup-'));
      const file = join(dir, 'kairos.db');
      try {
        await store.backupTo(file);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const stream = createReadStream(file);
      const cleanup = () => void rm(dir, { recursive: true, force: true });
      stream.once('close', cleanup);
      // The file itself, not JSON: the route answers on the raw response.
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'application/vnd.sqlite3',
        'content-disposition': 'attachment; filename="kairos.db"',
      });
      stream.pipe(reply.raw);
    },
  );
}
