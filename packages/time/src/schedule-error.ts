/**
 * Why a schedule cannot be stored: a stable code (the server's error taxonomy uses the same
 * codes and answers them with a 400), the request field at fault and a message that says how to
 * fix it. This package knows nothing of HTTP; the server turns a ScheduleError into its own
 * coded error.
 */
export type ScheduleErrorCode = 'INVALID_CRON' | 'INVALID_TIMEZONE' | 'INVALID_SCHEDULE' | 'SCHEDULE_IN_PAST';

export class ScheduleError extends Error {
  readonly code: ScheduleErrorCode;
  readonly field: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ScheduleErrorCode,
    message: string,
    options: { field: string; details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScheduleError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}
