/** What to tell a person about a failed API call: the server's own message, with its code. */
import { KairosApiError } from '@kairos/protocol';

export function errorMessage(error: unknown): string {
  if (error instanceof KairosApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The field a validation error names, e.g. `schedule.expression`. */
export const errorField = (error: unknown): string | undefined =>
  error instanceof KairosApiError ? error.field : undefined;

export const isUnauthorized = (error: unknown): boolean =>
  error instanceof KairosApiError && error.status === 401;

/** The message of a validation error when it names `field`, for that field's `error` prop. */
export const errorOnField = (error: unknown, field: string): string | undefined =>
  errorField(error) === field ? errorMessage(error) : undefined;
