import { describe, expect, it } from 'vitest';
import { callExecutor } from '../../src/job-types/executor/xxl-protocol.js';
import { startHttpTarget } from '../support/http-target.js';

const options = { accessToken: 'token-for-tests', appName: 'app', timeoutMs: 400 };

describe('callExecutor', () => {
  it('counts the timeout from when a call has a connection, not while it waits for one of the busy ones', async () => {
    // Every answer takes 250 ms; 130 calls at once on an agent of 64 connections per executor:
    // the last ones wait ~500 ms for a connection, and still each is answered in time.
    const executor = await startHttpTarget((_req, res) => {
      setTimeout(() => res.end('{"code":200,"msg":null}'), 250);
    });
    const target = { address: executor.url, protocol: 'xxl' as const };
    const startedAt = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 130 }, (_, i) => callExecutor(target, '/beat', { i }, options)),
    );
    expect(replies.every((r) => r.code === 200)).toBe(true);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(options.timeoutMs);
    expect(executor.requests).toHaveLength(130);
  });

  it('still times out a call the executor does not answer', async () => {
    const executor = await startHttpTarget(() => {
      // never answers
    });
    const target = { address: executor.url, protocol: 'xxl' as const };
    await expect(callExecutor(target, '/beat', {}, options)).rejects.toThrow(/did not answer within 400 ms/);
  });
});
