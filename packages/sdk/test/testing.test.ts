/**
 * `@kairos/sdk/testing`: a handler runs without a server; NonRetryableError is reported as such.
 */
import { describe, expect, it } from 'vitest';
import { defineTask, NonRetryableError } from '@kairos/sdk';
import { runTask } from '@kairos/sdk/testing';

describe('runTask', () => {
  it('runs a handler with params, shard and log', async () => {
    const task = defineTask('hello', ({ params, shardIndex, shardTotal, log }) => {
      log(`hello ${params}`);
      return { shard: `${shardIndex}/${shardTotal}` };
    });
    expect(await runTask(task, { params: 'world', shardIndex: 1, shardTotal: 3 })).toEqual({
      status: 'succeeded',
      output: '{"shard":"1/3"}',
      error: undefined,
      retryable: false,
      logs: ['hello world'],
    });
  });

  it('reports failures, NonRetryableError and timeouts', async () => {
    const failing = defineTask('f', () => {
      throw new Error('boom');
    });
    expect(await runTask(failing)).toMatchObject({
      status: 'failed',
      retryable: true,
      error: { message: 'boom' },
    });
    const refusing = defineTask('r', () => {
      throw new NonRetryableError('no such order');
    });
    expect(await runTask(refusing)).toMatchObject({ status: 'failed', retryable: false });
    const slow = defineTask(
      's',
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
    );
    expect(await runTask(slow, { timeoutMs: 20 })).toMatchObject({
      status: 'failed',
      error: { message: 'stopped' },
    });
  });

  it('refuses bad definitions', () => {
    expect(() => defineTask('', () => 1)).toThrow('the name must be a non-empty string');
    expect(() => defineTask('x', undefined as never)).toThrow('the handler must be a function');
  });
});
