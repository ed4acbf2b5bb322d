/**
 * The error taxonomy: every failure the API can report has a stable code, an HTTP status and,
 * where a request field is at fault, the field's dotted path. Mapped to HTTP in one place
 * (http/error-handler.ts).
 */

export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_CRON: 400,
  INVALID_TIMEZONE: 400,
  INVALID_SCHEDULE: 400,
  SCHEDULE_IN_PAST: 400,
  INVALID_CONFIG: 400,
  INVALID_JSON: 400,
  UNKNOWN_JOB_TYPE: 400,
  /** An outbound destination the destination policy refuses (outbound/outbound-policy.ts). */
  DESTINATION_REFUSED: 400,
  /** JSON nested deeper than the server parses (http/json-body.ts). */
  JSON_TOO_DEEP: 400,
  /** A request the HTTP layer cannot read (a bad URL escape, framing). */
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  BATCH_NOT_FOUND: 404,
  CALENDAR_NOT_FOUND: 404,
  NAMESPACE_NOT_FOUND: 404,
  SECRET_NOT_FOUND: 404,
  POOL_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  APP_NAME_TAKEN: 409,
  NAME_TAKEN: 409,
  RUN_ALREADY_FINISHED: 409,
  IN_USE: 409,
  BACKUP_NOT_SUPPORTED: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** A path segment longer than the router accepts (100 characters). */
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Request headers larger than the server accepts. */
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  LAST_ADMIN: 409,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class KairosError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KairosError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Normalises anything thrown into an Error with a message; used once at every boundary. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

export const notFound = (
  code: Extract<
    ErrorCode,
    'TASK_NOT_FOUND' | 'APP_NOT_FOUND' | 'RUN_NOT_FOUND' | 'CALENDAR_NOT_FOUND' | 'NAMESPACE_NOT_FOUND'
  >,
  what: string,
  id: string | number,
): KairosError => new KairosError(code, `${what} ${id} does not exist`);
