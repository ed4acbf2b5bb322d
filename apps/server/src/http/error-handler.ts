/**
 * The one place errors become HTTP answers: `{"error":{"code","message","field"}}`. A request the
 * server cannot handle is a 4xx that says why; only real faults are 500s, and they are logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { KairosError } from '../errors.js';
import { InvalidCursorError } from '../store/pagination.js';

export function errorBody(error: KairosError): { error: { code: string; message: string; field?: string } } {
  return {
    error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
  };
}

export function toKairosError(error: unknown, bodyLimit: number): KairosError | undefined {
  if (error instanceof KairosError) return error;
  if (error instanceof InvalidCursorError) {
    return new KairosError('VALIDATION_ERROR', 'cursor: is not a cursor this API gave out', {
      field: 'cursor',
    });
  }
  const e = error as Partial<FastifyError> & { type?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return new KairosError(
      'PAYLOAD_TOO_LARGE',
      `request body is larger than the limit of ${bodyLimit} bytes`,
    );
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.statusCode === 415) {
    return new KairosError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new KairosError(
      'INVALID_JSON',
      'the body is empty but Content-Type says application/json: send {} or drop the header',
    );
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError || e.statusCode === 400) {
    return new KairosError('INVALID_JSON', `the body is not valid JSON: ${e.message ?? 'parse error'}`);
  }
  return undefined;
}

export function installErrorHandler(
  app: { setErrorHandler: (h: (error: unknown, req: FastifyRequest, reply: FastifyReply) => void) => void },
  bodyLimit: number,
): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toKairosError(error, bodyLimit);
    if (known) {
      void reply.status(known.status).send(errorBody(known));
      return;
    }
    request.log.error({ err: error }, 'unhandled error');
    void reply
      .status(500)
      .send(errorBody(new KairosError('INTERNAL', 'internal error; the server log has the details')));
  });
}
