/**
 * Errors below HTTP routing, where Node's HTTP parser gives up on a connection (malformed
 * framing, a bad Content-Length, headers too large, a client too slow to send its headers or its
 * request): answered in the API's error shape, then the connection is closed. Fastify's default
 * answers `{"error":"Bad Request","message":"Client Error","statusCode":400}` instead.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { KairosError } from '../errors.js';
import { errorBody } from './error-handler.js';

function errorFor(code: string | undefined): KairosError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new KairosError('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new KairosError(
        'REQUEST_TIMEOUT',
        'the request (headers and body) did not arrive in time; see headersTimeoutMs and requestTimeoutMs',
      );
    default:
      return new KairosError('BAD_REQUEST', `the request is not valid HTTP/1.1 (${code ?? 'parse error'})`);
  }
}

/** Fastify's clientErrorHandler. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = errorFor(error.code);
  const body = JSON.stringify(errorBody(known));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status] ?? 'Error'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
