/**
 * The one place errors become HTTP answers: `{"error":{"code","message","field"}}`, `field` the
 * dotted path of the request field at fault or null. A request the server cannot handle is a 4xx
 * that says why, including the framework's own refusals (a bad URL escape, an over-long path
 * segment, a body it cannot read, a connection-level error: see client-errors.ts); only real
 * faults are 500s, and they are logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { KairosError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { InvalidCursorError } from '../store/pagination.js';

export interface ErrorBody {
  error: { code: string; message: string; field: string | null };
}

export function errorBody(error: KairosError): ErrorBody {
  return { error: { code: error.code, message: error.message, field: error.field ?? null } };
}

/** Codes for framework errors that carry only a status. */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

export function toKairosError(error: unknown, bodyLimit: number): KairosError | undefined {
  if (error instanceof KairosError) return error;
  if (error instanceof InvalidCursorError) {
    return new KairosError('VALIDATION_ERROR', 'cursor: is not a cursor this API gave out', {
      field: 'cursor',
    });
  }
  const e = error as Partial<FastifyError> & { type?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new KairosError(
        'PAYLOAD_TOO_LARGE',
        `request body is larger than the limit of ${bodyLimit} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new KairosError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new KairosError(
        'INVALID_JSON',
        'the body is empty but Content-Type says application/json: send {} or drop the header',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new KairosError('INVALID_JSON', `the body is not valid JSON: ${e.message ?? 'parse error'}`);
    case 'FST_ERR_BAD_URL':
      return new KairosError(
        'BAD_REQUEST',
        'the URL holds an invalid percent-escape (such as %zz or a lone %)',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new KairosError('URI_TOO_LONG', 'a path segment is longer than 100 characters');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new KairosError('BAD_REQUEST', 'the Content-Length header does not match the body');
  }
  if (error instanceof SyntaxError) {
    return new KairosError('INVALID_JSON', `the body is not valid JSON: ${error.message}`);
  }
  const status = e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = CODE_OF_STATUS[status] ?? 'BAD_REQUEST';
    return new KairosError(code, e.message ?? 'the request cannot be processed');
  }
  return undefined;
}

/** Answers an error (thrown by a route, a hook or the framework) in the documented shape. */
export function replyWithError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  bodyLimit: number,
): void {
  // A route may set a limit of its own (RouteSpec.bodyLimit): the refusal names the one applied.
  const known = toKairosError(error, request.routeOptions?.bodyLimit ?? bodyLimit);
  if (known) {
    void reply.status(known.status).send(errorBody(known));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply
    .status(500)
    .send(errorBody(new KairosError('INTERNAL', 'internal error; the server log has the details')));
}

export function installErrorHandler(
  app: { setErrorHandler: (h: (error: unknown, req: FastifyRequest, reply: FastifyReply) => void) => void },
  bodyLimit: number,
): void {
  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply, bodyLimit));
}
