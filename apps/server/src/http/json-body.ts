/**
 * JSON request bodies, parsed with Fastify's own parser (which refuses `__proto__` and
 * `constructor.prototype` keys) after one linear scan that refuses nesting deeper than
 * MAX_JSON_DEPTH: JSON.parse accepts any depth, but the code that walks a value afterwards (zod,
 * the store's serialisation) recurses, and a body nested 10,000 deep exhausted the stack (a 500).
 */
import type { FastifyInstance } from 'fastify';
import { KairosError } from '../errors.js';

/** Arrays and objects nested deeper than this are refused (a 400 naming the limit). */
export const MAX_JSON_DEPTH = 64;

/** The depth of the deepest array or object in JSON text, scanning until it exceeds `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

export function tooDeep(limit = MAX_JSON_DEPTH): KairosError {
  return new KairosError(
    'JSON_TOO_DEEP',
    `the body nests arrays and objects more than ${limit} levels deep; the limit is ${limit}`,
  );
}

/**
 * Makes JSON the one body type the API reads (Fastify also reads text/plain, which then failed
 * validation as "expected object"; it is a 415 now), parsed with the depth check.
 */
export function installJsonBodyParser(app: FastifyInstance, limit = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepthExceeds(text, limit)) {
      done(tooDeep(limit), undefined);
      return;
    }
    void parse(request, text, done);
  });
}
