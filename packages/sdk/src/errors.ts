/**
 * Errors a task handler throws to control what Kairos does next.
 */

/**
 * Thrown by a handler when trying again cannot help (bad input, a record that does not exist):
 * the run fails without retries, whatever the task's retry policy says. Any other error is
 * retried by the policy.
 *
 * @example
 *   defineTask('charge', async ({ params }) => {
 *     const order = await orders.find(params);
 *     if (!order) throw new NonRetryableError(`order ${params} does not exist`);
 *     return charge(order);
 *   });
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export const isNonRetryable = (error: unknown): boolean =>
  error instanceof NonRetryableError || (error instanceof Error && error.name === 'NonRetryableError');
