/**
 * Contract: run logs (append, page by seq) and the migration ledger (recorded once, and a
 * database newer than the code refused with a message that says what to do).
 */
import { describe, expect, it } from 'vitest';
import { StoreOpenError } from '../../../src/store/store-open-error.js';
import type { RunLogRecord } from '../../../src/store/store.js';
import { runInput, seed, taskInput, type ContractContext } from './context.js';

export function defineLogAndMigrationContract(ctx: ContractContext): void {
  describe('run logs', () => {
    it('appends logs and pages them by seq, per run', async () => {
      const store = ctx.store;
      const task = await store.createTask(taskInput(await seed(store)));
      const { run: a } = await store.insertRun(runInput(task));
      const { run: b } = await store.insertRun(runInput(task));
      const streams = ['stdout', 'stderr', 'system'] as const;
      const entries: Omit<RunLogRecord, 'seq'>[] = [];
      for (let i = 0; i < 2_500; i++) {
        entries.push({
          runId: i % 5 === 0 ? b.id : a.id,
          at: 10_000 + i,
          stream: streams[i % 3] ?? 'stdout',
          text: `line ${i}`,
        });
      }
      await store.appendRunLogs(entries.slice(0, 1_200));
      await store.appendRunLogs(entries.slice(1_200));
      await store.appendRunLogs([]);

      const pages: RunLogRecord[][] = [];
      let after = 0;
      for (;;) {
        const page = await store.listRunLogs(a.id, after, 700);
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1]?.seq ?? after;
      }
      expect(pages.map((p) => p.length)).toEqual([700, 700, 600]);
      const all = pages.flat();
      const expected = entries.filter((e) => e.runId === a.id);
      expect(all.map(({ seq: _seq, ...rest }) => rest)).toEqual(expected);
      const seqs = all.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(await store.listRunLogs(b.id, 0, 10_000)).toHaveLength(500);
      expect(await store.listRunLogs(999_999, 0, 10)).toEqual([]);
    });
  });

  describe('migrations', () => {
    it('records each migration once in kairos_migrations', async () => {
      const ledger = await ctx.database.query(
        'SELECT version, name, applied_at FROM kairos_migrations ORDER BY version',
      );
      expect(ledger[0]).toMatchObject({ version: 1, name: 'init' });
      await ctx.store.close();
      const reopened = await ctx.database.open();
      expect(await reopened.countTasks()).toBe(0);
      expect(
        await ctx.database.query('SELECT version, name, applied_at FROM kairos_migrations ORDER BY version'),
      ).toEqual(ledger);
    });

    it('refuses a database migrated by a newer Kairos', async () => {
      const ledger = await ctx.database.query('SELECT version FROM kairos_migrations');
      const known = Math.max(...ledger.map((row) => Number(row.version)));
      await ctx.store.close();
      await ctx.database.query(
        "INSERT INTO kairos_migrations (version, name, applied_at) VALUES (9999, 'future', 0)",
      );
      const error = await ctx.database.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreOpenError);
      expect((error as Error).message).toBe(
        `The database schema is at version 9999 but this Kairos knows only up to ${known}: ` +
          'upgrade Kairos, or point it at another database.',
      );
    });
  });
}
