/**
 * Two batches over the same items compared item by item (a regression check after a replay
 * against another workflow version): per item both statuses, whether the results are equal, the
 * tokens and cost deltas and a verdict; totals over all items. Items are paired by seq and read in
 * pages, both batches in step, so a batch of 100,000 items is never held in memory at once.
 */
import { isDeepStrictEqual } from 'node:util';
import type { BatchComparison, BatchItemComparison, ItemVerdict } from '@kairos/protocol';
import type { BatchItemRecord, BatchItemStatus, BatchStore } from '../store/batch-store.js';

/** Items read per page while the totals are summed. */
const PAGE = 1000;
const ENDED: readonly BatchItemStatus[] = ['succeeded', 'failed', 'invalid', 'cancelled'];

const round = (n: number): number => Math.round(n * 1e7) / 1e7;
const delta = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : round(b - a);

/** What a run's output is compared on (its job type's result: a Dify run's `outputs`). */
export type ResultOf = (output: unknown) => unknown;

export function verdictOf(baseline: BatchItemStatus, candidate: BatchItemStatus): ItemVerdict {
  if (!ENDED.includes(baseline) || !ENDED.includes(candidate)) return 'pending';
  const before = baseline === 'succeeded';
  const after = candidate === 'succeeded';
  if (!before && after) return 'improved';
  if (before && !after) return 'regressed';
  return 'unchanged';
}

export function compareItem(a: BatchItemRecord, b: BatchItemRecord, resultOf: ResultOf): BatchItemComparison {
  const verdict = verdictOf(a.status, b.status);
  const outputEqual =
    verdict !== 'pending' &&
    a.status === b.status &&
    isDeepStrictEqual(resultOf(a.output ?? null), resultOf(b.output ?? null));
  const side = (item: BatchItemRecord) => ({
    status: item.status,
    runId: item.runId,
    tokens: item.tokens,
    cost: item.cost,
  });
  return {
    seq: a.seq,
    baseline: side(a),
    candidate: side(b),
    outputEqual,
    tokensDelta: delta(a.tokens, b.tokens),
    costDelta: delta(a.cost, b.cost),
    verdict,
  };
}

type ItemStore = Pick<BatchStore, 'listBatchItems'>;

/** Pairs of items with the same seq, in seq order, after `afterSeq`, up to `limit` pairs. */
async function pairs(
  store: ItemStore,
  baselineId: number,
  candidateId: number,
  afterSeq: number,
  limit: number,
): Promise<{ pairs: [BatchItemRecord, BatchItemRecord][]; more: boolean }> {
  const out: [BatchItemRecord, BatchItemRecord][] = [];
  let after = afterSeq;
  for (;;) {
    const left = await store.listBatchItems(baselineId, { afterSeq: after, limit: PAGE });
    if (left.length === 0) return { pairs: out, more: false };
    const last = left[left.length - 1]!.seq;
    const right = await store.listBatchItems(candidateId, { afterSeq: after, limit: PAGE });
    const bySeq = new Map(right.filter((i) => i.seq <= last).map((i) => [i.seq, i]));
    for (const item of left) {
      const other = bySeq.get(item.seq);
      if (!other) continue;
      if (out.length === limit) return { pairs: out, more: true };
      out.push([item, other]);
    }
    if (left.length < PAGE) return { pairs: out, more: false };
    after = last;
  }
}

export async function compareBatches(
  store: ItemStore,
  baselineId: number,
  candidateId: number,
  page: { afterSeq: number; limit: number },
  resultOf: ResultOf,
): Promise<BatchComparison> {
  const totals = {
    items: 0,
    improved: 0,
    regressed: 0,
    unchanged: 0,
    pending: 0,
    outputsDiffer: 0,
    tokens: { baseline: 0, candidate: 0, delta: 0 },
    cost: { baseline: 0, candidate: 0, delta: 0 },
  };
  let after = 0;
  for (;;) {
    const chunk = await pairs(store, baselineId, candidateId, after, PAGE);
    for (const [a, b] of chunk.pairs) {
      const compared = compareItem(a, b, resultOf);
      totals.items++;
      totals[compared.verdict]++;
      if (compared.verdict !== 'pending' && !compared.outputEqual) totals.outputsDiffer++;
      totals.tokens.baseline += a.tokens ?? 0;
      totals.tokens.candidate += b.tokens ?? 0;
      totals.cost.baseline += a.cost ?? 0;
      totals.cost.candidate += b.cost ?? 0;
    }
    if (!chunk.more) break;
    after = chunk.pairs[chunk.pairs.length - 1]![0].seq;
  }
  totals.tokens.delta = totals.tokens.candidate - totals.tokens.baseline;
  totals.cost = {
    baseline: round(totals.cost.baseline),
    candidate: round(totals.cost.candidate),
    delta: round(totals.cost.candidate - totals.cost.baseline),
  };
  const shown = await pairs(store, baselineId, candidateId, page.afterSeq, page.limit);
  const items = shown.pairs.map(([a, b]) => compareItem(a, b, resultOf));
  const last = items[items.length - 1];
  return {
    baselineId,
    candidateId,
    totals,
    items,
    nextAfterSeq: shown.more && last ? last.seq : null,
  };
}
