/**
 * A batch's results as a download, one line per item in order: JSONL (the item as the API shows
 * it) or CSV (csv-stringify; input and output as JSON text in their cells). Items are read a page
 * at a time, so a 100,000-item download holds one page in memory.
 */
import { stringify } from 'csv-stringify/sync';
import type { BatchItemStatus, BatchStore } from '../store/batch-store.js';
import { presentItem } from './batch-present.js';

const PAGE = 1000;
export const CSV_COLUMNS = [
  'seq',
  'status',
  'attempt',
  'run_id',
  'tokens',
  'cost',
  'error',
  'input',
  'output',
];

const jsonCell = (value: unknown): string =>
  value === null || value === undefined ? '' : JSON.stringify(value);

export async function* batchResults(
  store: Pick<BatchStore, 'listBatchItems'>,
  batchId: number,
  format: 'jsonl' | 'csv',
  statuses?: BatchItemStatus[],
): AsyncGenerator<string> {
  if (format === 'csv') yield stringify([CSV_COLUMNS]);
  let afterSeq = 0;
  for (;;) {
    const items = await store.listBatchItems(batchId, { statuses, afterSeq, limit: PAGE });
    if (items.length === 0) return;
    afterSeq = items[items.length - 1]!.seq;
    if (format === 'jsonl') {
      yield items.map((item) => `${JSON.stringify(presentItem(item))}\n`).join('');
    } else {
      yield stringify(
        items.map((item) => [
          item.seq,
          item.status,
          item.attempt,
          item.runId ?? '',
          item.tokens ?? '',
          item.cost ?? '',
          item.error?.message ?? '',
          jsonCell(item.input),
          jsonCell(item.output),
        ]),
      );
    }
    if (items.length < PAGE) return;
  }
}
