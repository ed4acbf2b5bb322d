/**
 * A dataset's text to batch items: JSONL (one JSON object per line) or CSV (a header row, then
 * one item per row, with csv-parse). A line or row that cannot become an input is an item of its
 * own with its error (`invalid`: reported, never run); the others run. Parsing yields to the event
 * loop every few milliseconds, so a 100,000-line upload does not hold up runs due meanwhile.
 */
import { setImmediate } from 'node:timers';
import { parse } from 'csv-parse';
import { KairosError } from '../errors.js';
import type { NewBatchItem } from '../store/batch-store.js';

/** Work between two turns of the event loop, in ms. */
const SLICE_MS = 4;
/** Characters handed to the CSV parser at a time. */
const CSV_CHUNK = 64 * 1024;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export type ItemCheck = (input: Record<string, unknown>) => string | undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function itemOf(seq: number, where: string, input: Record<string, unknown>, check?: ItemCheck): NewBatchItem {
  const problem = check?.(input);
  return problem === undefined
    ? { seq, input, error: null }
    : { seq, input, error: { type: 'invalid_item', message: `${where}: ${problem}` } };
}

/** JSONL: blank lines are skipped; every other line is one item (line numbers in messages). */
export async function parseJsonl(text: string, check?: ItemCheck): Promise<NewBatchItem[]> {
  const items: NewBatchItem[] = [];
  const lines = text.split('\n');
  let sliceAt = performance.now();
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') {
      const seq = items.length + 1;
      const where = `line ${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        items.push({
          seq,
          input: null,
          error: { type: 'invalid_item', message: `${where}: not JSON (${reason})` },
        });
        continue;
      }
      if (!isObject(value)) {
        const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
        items.push({
          seq,
          input: null,
          error: { type: 'invalid_item', message: `${where}: must be a JSON object of inputs, not ${kind}` },
        });
      } else items.push(itemOf(seq, where, value, check));
    }
    if (performance.now() - sliceAt >= SLICE_MS) {
      await nextTurn();
      sliceAt = performance.now();
    }
  }
  return items;
}

/**
 * CSV with a header row naming the inputs; values stay strings. A row with more or fewer fields
 * than the header, or one the parser cannot read (a broken quote), is an invalid item. A header
 * that is empty or repeats a name refuses the whole dataset (`field`).
 */
export async function parseCsv(text: string, field: string, check?: ItemCheck): Promise<NewBatchItem[]> {
  const items: NewBatchItem[] = [];
  let header: string[] | undefined;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    info: true,
  });
  parser.on('skip', (error: Error & { lines?: number }) => {
    if (header === undefined) return;
    items.push({
      seq: items.length + 1,
      input: null,
      error: {
        type: 'invalid_item',
        message: `line ${error.lines ?? '?'}: not a CSV row (${error.message})`,
      },
    });
  });
  const feeding = (async () => {
    for (let at = 0; at < text.length; at += CSV_CHUNK) {
      parser.write(text.slice(at, at + CSV_CHUNK));
      await nextTurn();
    }
    parser.end();
  })();
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (header === undefined) {
      header = record.map((name) => name.trim());
      const empty = header.findIndex((name) => name === '');
      if (empty >= 0) {
        throw new KairosError(
          'VALIDATION_ERROR',
          `${field}: the CSV header's column ${empty + 1} has no name`,
          {
            field,
          },
        );
      }
      const repeated = header.find((name, i) => header!.indexOf(name) !== i);
      if (repeated !== undefined) {
        throw new KairosError('VALIDATION_ERROR', `${field}: the CSV header names "${repeated}" twice`, {
          field,
        });
      }
      continue;
    }
    const seq = items.length + 1;
    const where = `line ${info.lines}`;
    if (record.length !== header.length) {
      items.push({
        seq,
        input: null,
        error: {
          type: 'invalid_item',
          message: `${where}: has ${record.length} field(s); the header has ${header.length} (${header.join(', ')})`,
        },
      });
      continue;
    }
    const input: Record<string, unknown> = {};
    header.forEach((name, i) => (input[name] = record[i]));
    items.push(itemOf(seq, where, input, check));
  }
  await feeding;
  return items;
}

/**
 * The list at `path` (dotted, `result.rows`; empty: the output itself) of a run's output; an
 * element that is not an object becomes `{ [as]: element }`.
 */
export function itemsOfOutput(
  output: unknown,
  path: string,
  as: string,
  field: string,
  check?: ItemCheck,
): NewBatchItem[] {
  let value: unknown = output;
  const steps = path === '' ? [] : path.split('.');
  for (const [i, step] of steps.entries()) {
    if (!isObject(value) && !Array.isArray(value)) {
      const at = steps.slice(0, i).join('.') || 'the output';
      throw new KairosError('VALIDATION_ERROR', `${field}: ${at} has no field "${step}"`, { field });
    }
    value = (value as Record<string, unknown>)[step];
  }
  if (!Array.isArray(value)) {
    const what = value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value;
    throw new KairosError(
      'VALIDATION_ERROR',
      `${field}: ${path || 'the output'} of the run is ${what}, not a list of items`,
      { field },
    );
  }
  return value.map((element, index) =>
    itemOf(index + 1, `element ${index}`, isObject(element) ? element : { [as]: element }, check),
  );
}
