/**
 * The simulator refuses a run request as Dify does: in Dify's order, with its codes, messages and
 * headers, and with the refusals an app's faults ask for. Over HTTP, on a real simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifySim, type DifySim } from '../src/index.js';

let sim: DifySim;
beforeAll(async () => {
  sim = await startDifySim({ port: 0, stepMs: 1 });
});
afterAll(() => sim.close());

const good = { inputs: { article: 'text' }, user: 'kairos', response_mode: 'blocking' };

async function post(
  key: string,
  body: unknown,
  options: { path?: string; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const res = await fetch(`${sim.url}${options.path ?? '/v1/workflows/run'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': options.contentType ?? 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    retryAfter: res.headers.get('retry-after'),
  };
}

describe('a run request the simulator refuses', () => {
  it('not JSON, not an object, a chat app', async () => {
    expect(await post('app-simple', good, { contentType: 'text/plain' })).toMatchObject({
      status: 415,
      body: { code: 'unsupported_media_type', status: 415 },
    });
    expect(await post('app-simple', [1])).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(await post('app-chat', good)).toMatchObject({ status: 400, body: { code: 'not_workflow_app' } });
  });

  it('the fields: user, inputs, response_mode, workflow id, the form', async () => {
    expect(await post('app-simple', { ...good, user: '' })).toEqual({
      status: 400,
      body: { code: 'invalid_param', message: 'Arg user must be provided.', status: 400, params: 'user' },
      retryAfter: null,
    });
    expect(await post('app-simple', { ...good, inputs: [] })).toMatchObject({
      status: 400,
      body: { code: 'invalid_param', params: 'inputs' },
    });
    expect(await post('app-simple', { ...good, response_mode: 'later' })).toMatchObject({
      status: 400,
      body: { message: 'response_mode must be blocking or streaming' },
    });
    expect(await post('app-simple', good, { path: '/v1/workflows/nope/run' })).toMatchObject({
      status: 400,
      body: { code: 'bad_request', message: "Invalid workflow_id format: 'nope'. " },
    });
    expect(await post('app-simple', { ...good, inputs: {} })).toMatchObject({
      status: 400,
      body: { message: 'article is required in input form' },
    });
    expect(await post('app-simple', { ...good, inputs: { article: 'a', tone: 'grim' } })).toMatchObject({
      status: 400,
      body: { message: 'tone in input form must be one of the following: ["neutral","upbeat"]' },
    });
  });

  it('the faults, before the fields are read', async () => {
    const cases: [string, number, string, string | null][] = [
      ['http400', 400, 'invalid_param', null],
      ['http404', 404, 'not_found', null],
      ['retry-after', 429, 'too_many_requests', '30'],
      ['quota-retry-after', 429, 'rate_limit_error', '120'],
      ['http429', 429, 'too_many_requests', null],
      ['quota', 429, 'rate_limit_error', null],
      ['http500', 500, 'internal_server_error', null],
    ];
    for (const [fault, status, code, retryAfter] of cases) {
      const answer = await post(`app-simple+${fault}`, { ...good, user: '' });
      expect({ fault, ...answer }).toMatchObject({ fault, status, body: { code, status }, retryAfter });
    }
  });

  it('a good request runs', async () => {
    const answer = await post('app-simple', good);
    expect(answer).toMatchObject({ status: 200, body: { data: { status: 'succeeded' } } });
  });
});
