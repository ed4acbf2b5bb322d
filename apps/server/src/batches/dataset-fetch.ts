/**
 * Fetches a dataset from a URL through the outbound policy of the batch's namespace (every
 * connection, redirects included, is checked at connect time: see outbound/guarded-transport.ts),
 * with a size limit and a timeout. Every failure is a 400 naming the URL's field.
 */
import { fetch } from 'undici';
import { KairosError } from '../errors.js';
import { guardedDispatcher } from '../outbound/guarded-transport.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import { findDestinationRefusal } from '../outbound/outbound-policy.js';

const FETCH_TIMEOUT_MS = 30_000;

export async function fetchDataset(
  url: string,
  options: { guards: GuardSource; namespaceId: number; limitBytes: number; field: string },
): Promise<string> {
  const { field, limitBytes } = options;
  const guard = await options.guards.guardNow(options.namespaceId);
  const problem = guard.urlProblem(url);
  if (problem !== undefined) {
    throw new KairosError('DESTINATION_REFUSED', `${field}: ${problem}`, { field });
  }
  const dispatcher = guardedDispatcher(guard);
  try {
    const response = await fetch(url, {
      dispatcher,
      redirect: 'follow',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new KairosError('VALIDATION_ERROR', `${field}: ${url} answered HTTP ${response.status}`, {
        field,
      });
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limitBytes) {
      await response.body?.cancel();
      throw tooLarge(field, limitBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > limitBytes) throw tooLarge(field, limitBytes);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof KairosError) throw error;
    const refused = findDestinationRefusal(error);
    if (refused) throw new KairosError('DESTINATION_REFUSED', `${field}: ${refused.reason}`, { field });
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const reason = cause ?? (error instanceof Error ? error.message : String(error));
    throw new KairosError('VALIDATION_ERROR', `${field}: fetching ${url} failed (${reason})`, { field });
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

const tooLarge = (field: string, limitBytes: number): KairosError =>
  new KairosError(
    'VALIDATION_ERROR',
    `${field}: the dataset is larger than the limit of ${limitBytes} bytes`,
    {
      field,
    },
  );
