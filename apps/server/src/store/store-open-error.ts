/**
 * The store could not be opened. The message always says what to fix (a directory's
 * permissions, DATABASE_URL, a corrupt file, a schema newer than this build); main.ts prints it
 * and exits instead of showing a stack trace.
 */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreOpenError';
  }
}

/** The reason of an underlying error, for messages: `EACCES: permission denied, open '…'` etc. */
export function reasonOf(error: unknown): string {
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  if (error instanceof AggregateError && error.errors.length > 0)
    return error.errors.map(reasonOf).join('; ');
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
  }
  return String(error);
}
