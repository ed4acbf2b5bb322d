/**
 * A fuzz pass over every route of the OpenAPI document: each operation gets path parameters of
 * odd shapes, query values of the wrong type, and bodies of the wrong type, huge, deeply nested,
 * invalid UTF-8, empty, or sent with the wrong content type. Not one answer may be a 5xx, and
 * every error must be in the documented shape {"error":{"code","message","field"}}.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createApp, startTestNode } from '../support/test-node.js';

interface Operation {
  parameters?: { name: string; in: 'path' | 'query' }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
}
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
}

/** A value of another type than the schema asks for. */
function wrongTypeOf(schema: JsonSchema | undefined): unknown {
  switch (schema?.type) {
    case 'string':
      return 12345;
    case 'number':
    case 'integer':
      return 'not a number';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return ['not', 'an', 'object'];
    default:
      return null;
  }
}

interface Probe {
  label: string;
  body?: string | Buffer;
  contentType?: string;
  query?: string;
}

function probesFor(operation: Operation): Probe[] {
  const query = (operation.parameters ?? [])
    .filter((p) => p.in === 'query')
    .map((p) => `${encodeURIComponent(p.name)}=%zz${'9'.repeat(30)}`)
    .join('&');
  const probes: Probe[] = [{ label: 'no body' }];
  if (query) probes.push({ label: 'bad query', query });
  probes.push({ label: 'query with a bad escape', query: 'limit=%' });
  const schema = operation.requestBody?.content['application/json'].schema;
  const json = 'application/json';
  const wrongFields = Object.fromEntries(
    Object.entries(schema?.properties ?? {}).map(([name, property]) => [name, wrongTypeOf(property)]),
  );
  probes.push(
    { label: 'wrong field types', body: JSON.stringify(wrongFields), contentType: json },
    { label: 'an array', body: '[1,2,3]', contentType: json },
    { label: 'a string', body: '"text"', contentType: json },
    { label: 'null', body: 'null', contentType: json },
    { label: 'not JSON', body: '{"a":', contentType: json },
    { label: 'empty JSON', body: '', contentType: json },
    { label: 'deep', body: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, contentType: json },
    { label: 'deep objects', body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, contentType: json },
    { label: 'huge', body: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}`, contentType: json },
    {
      label: 'invalid UTF-8',
      body: Buffer.concat([
        Buffer.from('{"name":"'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
      contentType: json,
    },
    { label: 'wrong content type', body: '<a/>', contentType: 'application/xml' },
    { label: 'form', body: 'name=x', contentType: 'application/x-www-form-urlencoded' },
    { label: 'proto pollution', body: '{"__proto__":{"admin":true}}', contentType: json },
  );
  return probes;
}

const PATH_VALUES = ['1', '999999', 'x', '-1', '0', 'a'.repeat(300), '%F0%9F%92%A9', '..%2F..%2Fetc'];

describe('fuzzing every route of the OpenAPI document', () => {
  it('answers no 5xx and every error in the documented shape', async () => {
    const node = await startTestNode();
    await createApp(node);
    const document = (await (await fetch(`${node.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        path,
        method: method.toUpperCase(),
        operation,
      })),
    );
    expect(operations.length).toBeGreaterThan(40);

    const failures: string[] = [];
    let answers = 0;
    for (const { path, method, operation } of operations) {
      // Live streams answer 200 and stay open: their ids are left unknown (404).
      const streaming = path.endsWith('/stream');
      for (const value of streaming ? ['999999'] : PATH_VALUES) {
        const url = path.replace(/\{\w+\}/g, value);
        for (const probe of value === '1' ? probesFor(operation) : [{ label: 'no body' } as Probe]) {
          const target = `${node.url}${url}${probe.query ? `?${probe.query}` : ''}`;
          const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
          if (probe.contentType) headers['content-type'] = probe.contentType;
          const sendsBody = probe.body !== undefined && method !== 'GET' && method !== 'DELETE';
          const response = await fetch(target, {
            method,
            headers,
            ...(sendsBody ? { body: probe.body } : {}),
          });
          const text = await response.text();
          answers++;
          const what = `${method} ${url.slice(0, 80)} (${probe.label}) -> ${response.status}`;
          if (response.status >= 500) failures.push(`${what}: ${text.slice(0, 200)}`);
          if (response.status >= 400 && !documentedError(text))
            failures.push(`${what}: ${text.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(answers).toBeGreaterThan(500);
  }, 120_000);
});

function documentedError(text: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  const error = (body as { error?: Record<string, unknown> }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    typeof error.message === 'string' &&
    (error.field === null || typeof error.field === 'string') &&
    Object.keys(error).every((key) => ['code', 'message', 'field', 'details'].includes(key))
  );
}
