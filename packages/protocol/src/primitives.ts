/** Building blocks of the API's shapes: instants, dates, ids and namespace names. */
import { z } from 'zod';

export const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 instant, e.g. 2026-03-15T06:00:00Z',
});
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: 'is not a real calendar date',
    },
  );
export const id = z.number().int().positive();
export const namespaceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 lowercase letters, digits, "_" or "-"');
