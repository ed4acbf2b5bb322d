/**
 * The XXL-JOB admin endpoints that executors call (reference xxl-job.md §1.4, §1.8):
 * `POST /api/registry`, `/api/registryRemove`, `/api/callback`, also under `/xxl-job-admin/api/`
 * (the context path of admins up to 3.4.0). They follow the protocol, not the REST API's rules:
 * always HTTP 200 with `{code, msg, content, data}` (both envelope keys, so 2.x and 3.3+
 * executors read it), the body parsed as JSON whatever its content type, and authentication by
 * the XXL-JOB-ACCESS-TOKEN (+ 3.5's XXL-JOB-APPNAME) header instead of the admin bearer token.
 */
import type { XxlReturn } from '@kairos/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ExecutorAuthError } from '../../job-types/executor/app-auth.js';
import { callbackItems } from '../../job-types/executor/callbacks.js';
import { refuseExecutorAddress } from '../../job-types/executor/executor-address.js';
import type { Executors } from '../../job-types/executor/index.js';

export const XXL_ADMIN_PREFIXES = ['/api', '/xxl-job-admin/api'] as const;

/** Both envelope keys, so that 2.x (content) and 3.3+ (data) executors read the answer. */
type Envelope = Required<XxlReturn<null>>;

const ok = (msg: string | null = null): Envelope => ({ code: 200, msg, content: null, data: null });
const fail = (msg: string): Envelope => ({ code: 500, msg, content: null, data: null });

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function xxlAdminRoutes(app: FastifyInstance, executors: Executors): void {
  void app.register(async (scope) => {
    // The body is read as text and parsed here: executors send `application/json;charset=UTF-8`,
    // sometimes an empty body or another label, and the answer to garbage must be the protocol's.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    // Authenticated before the body is read: an unauthenticated caller learns nothing of how
    // its body would be parsed, and sends nothing Kairos reads.
    scope.addHook('onRequest', async (request, reply) => {
      try {
        await executors.auth.verifyBeforeBody(header(request, 'xxl-job-access-token'));
      } catch (error) {
        if (error instanceof ExecutorAuthError) return send(reply, fail(error.message));
        throw error;
      }
    });

    for (const prefix of XXL_ADMIN_PREFIXES) {
      scope.post(`${prefix}/:uri`, { config: { public: true } }, async (request, reply) =>
        send(reply, await handle(request, executors)),
      );
    }
  });
}

function send(reply: FastifyReply, envelope: Envelope): FastifyReply {
  return reply.status(200).header('content-type', 'application/json;charset=UTF-8').send(envelope);
}

async function handle(request: FastifyRequest, executors: Executors): Promise<Envelope> {
  const uri = (request.params as { uri: string }).uri;
  if (uri !== 'registry' && uri !== 'registryRemove' && uri !== 'callback') {
    return fail(`invalid request, uri-mapping(${uri}) not found.`);
  }
  const text = typeof request.body === 'string' ? request.body.trim() : '';
  if (text === '') return fail('invalid request, requestBody empty.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail('invalid request, requestBody is not JSON.');
  }
  const token = header(request, 'xxl-job-access-token');
  const appName = header(request, 'xxl-job-appname');
  try {
    if (uri === 'callback') return await callback(body, token, appName, executors);
    return await registry(uri, body, token, appName, executors);
  } catch (error) {
    if (error instanceof ExecutorAuthError) return fail(error.message);
    request.log.error({ err: error }, 'XXL-JOB admin request failed');
    return fail(`Kairos could not process the request: ${(error as Error).message}`);
  }
}

async function registry(
  uri: 'registry' | 'registryRemove',
  body: unknown,
  token: string | undefined,
  appNameHeader: string | undefined,
  executors: Executors,
): Promise<Envelope> {
  const param = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const group = param.registryGroup;
  const key = param.registryKey;
  const value = param.registryValue;
  if (![group, key, value].every((v) => typeof v === 'string' && v.trim() !== '')) {
    return fail('Illegal Argument: registryGroup, registryKey and registryValue must be non-blank strings.');
  }
  if (group !== 'EXECUTOR')
    return fail(`Illegal Argument: registryGroup must be EXECUTOR, not ${String(group)}.`);
  const appName = (key as string).trim();
  if (appNameHeader !== undefined && appNameHeader !== appName) {
    return fail(`invalid request, XXL-JOB-APPNAME (${appNameHeader}) differs from registryKey (${appName}).`);
  }
  const app = await executors.auth.verify(appName, token);
  const address = (value as string).trim();
  const refusal = refuseExecutorAddress(address, executors.guards.guardFor(app.namespaceId));
  if (refusal !== undefined) return fail(`Illegal Argument: registryValue ${refusal}.`);
  if (uri === 'registryRemove') {
    await executors.registry.remove(app.id, address, 'push');
    return ok();
  }
  // A 3.5 executor names its app in XXL-JOB-APPNAME; it is triggered on /trigger with that header.
  const protocol = appNameHeader !== undefined ? 'xxl35' : 'xxl';
  await executors.registry.register(app.id, address, 'push', protocol, executors.auth.seal(token));
  return ok();
}

async function callback(
  body: unknown,
  token: string | undefined,
  appName: string | undefined,
  executors: Executors,
): Promise<Envelope> {
  const items = callbackItems(body);
  if (items === undefined) {
    return fail('invalid request, the callback body must be an array or {"callbackList": [...]}.');
  }
  const report = await executors.callbacks.apply(items, { token, appName });
  if (report.unauthorised) return fail('The access token is wrong.');
  // Success even when items were skipped: an executor re-sends a failed batch forever, and the
  // skipped ones (unknown, repeated) would never succeed.
  return ok(
    report.skipped.length === 0 ? null : `applied ${report.applied}; ignored: ${report.skipped.join('; ')}`,
  );
}
