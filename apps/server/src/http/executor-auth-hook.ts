/**
 * The pull-mode executor endpoints (/api/v1/executor/…) authenticate the executor by its app's
 * token before the request's body is read: an unauthenticated request gets 401, whatever its body
 * (not 400 for a malformed one), and the body of a caller who is not an executor is never parsed.
 * The handlers read the app proven here (executorAppOf).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ExecutorAuthError } from '../job-types/executor/app-auth.js';
import type { Executors } from '../job-types/executor/index.js';
import { KairosError } from '../errors.js';
import type { AppRecord } from '../store/records.js';

export const EXECUTOR_PREFIX = '/api/v1/executor/';

const proven = new WeakMap<FastifyRequest, AppRecord>();

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function installExecutorAuthentication(app: FastifyInstance, executors: Executors): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith(EXECUTOR_PREFIX)) return;
    try {
      proven.set(
        request,
        await executors.auth.verify(
          header(request, 'xxl-job-appname'),
          header(request, 'xxl-job-access-token'),
        ),
      );
    } catch (error) {
      if (error instanceof ExecutorAuthError) throw new KairosError('UNAUTHORIZED', error.message);
      throw error;
    }
  });
}

/** The app the executor proved in onRequest; undefined when the hook is not installed. */
export const executorAppOf = (request: FastifyRequest): AppRecord | undefined => proven.get(request);
