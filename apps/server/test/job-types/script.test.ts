import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobConfig } from '../../src/job-types/job-config.js';
import { JobFailure } from '../../src/job-types/job-type.js';
import type { JobType } from '../../src/job-types/job-type.js';
import { createScriptJobType, scriptJobType } from '../../src/job-types/script.js';
import type { ScriptConfig, ScriptOutput } from '../../src/job-types/script.js';
import { makeRun } from './job-context.js';

function run(
  config: Record<string, unknown>,
  options: { input?: unknown; type?: JobType<ScriptConfig> } = {},
) {
  const type = options.type ?? scriptJobType;
  const test = makeRun(parseJobConfig(type, config), options);
  return { ...test, result: type.run(test.context) };
}

async function outputOf(result: Promise<{ output: unknown }>): Promise<ScriptOutput> {
  return (await result).output as ScriptOutput;
}

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(JobFailure);
  return error as JobFailure;
}

/** Running means not gone and not a zombie waiting for a reaper (a container's init may never reap). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const valueAfter = (text: string | undefined, key: string): string =>
  (text ?? '').startsWith(`${key}=`) ? (text ?? '').slice(key.length + 1) : '';

const leftovers: number[] = [];
afterEach(() => {
  // A failed assertion must not leave a sleeping process behind for the next test.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
});

describe('script job type', () => {
  it('runs a shell script with args, streaming each line to the log', async () => {
    const { result, logs } = run({
      language: 'shell',
      source: 'echo "hello $1"\necho "second line: $2"\nprintf "no newline"',
      args: ['world', 'two words'],
    });
    const output = await outputOf(result);

    expect(output).toEqual({
      exitCode: 0,
      stdout: 'hello world\nsecond line: two words\nno newline',
      stdoutTruncated: false,
    });
    expect(logs.filter((line) => line.stream === 'stdout').map((line) => line.text)).toEqual([
      'hello world',
      'second line: two words',
      'no newline',
    ]);
    expect(logs[0]?.text).toMatch(/^started shell script \(pid \d+\)$/);
    expect(logs.at(-1)?.text).toMatch(/^script exited with code 0 after \d+ ms$/);
  });

  it('gives a python script its env, the KAIROS_* variables and the input on stdin', async () => {
    const source = [
      'import json, os, sys',
      'print(json.dumps({',
      '  "argv": sys.argv[1:],',
      '  "greeting": os.environ["GREETING"],',
      '  "stdin": json.load(sys.stdin),',
      '  "envInput": json.loads(os.environ["KAIROS_INPUT"]),',
      '  "ids": [os.environ["KAIROS_RUN_ID"], os.environ["KAIROS_TASK_ID"], os.environ["KAIROS_ATTEMPT"]],',
      '  "tmpIsCwd": os.environ["TMPDIR"] == os.getcwd(),',
      '  "leaked": os.environ.get("KAIROS_TEST_SERVER_SECRET"),',
      '}))',
    ].join('\n');
    process.env.KAIROS_TEST_SERVER_SECRET = 'must-not-reach-scripts';
    try {
      const { result } = run(
        { language: 'python', source, args: ['--day', 'monday'], env: { GREETING: 'hi' } },
        { input: { day: 'monday', n: [1, 2] } },
      );
      const output = await outputOf(result);
      expect(JSON.parse(output.stdout)).toEqual({
        argv: ['--day', 'monday'],
        greeting: 'hi',
        stdin: { day: 'monday', n: [1, 2] },
        envInput: { day: 'monday', n: [1, 2] },
        ids: ['41', '7', '1'],
        tmpIsCwd: true,
        leaked: null,
      });
    } finally {
      delete process.env.KAIROS_TEST_SERVER_SECRET;
    }
  });

  it('runs node scripts in either module syntax', async () => {
    const esm = run(
      {
        language: 'node',
        source:
          "import { readFileSync } from 'node:fs';\nconst input = JSON.parse(readFileSync(0, 'utf8'));\nconsole.log(input.n * 2, process.argv.slice(2).join(','));",
        args: ['a', 'b'],
      },
      { input: { n: 21 } },
    );
    expect((await outputOf(esm.result)).stdout).toBe('42 a,b\n');

    const commonJs = run({
      language: 'node',
      source: "const os = require('node:os');\nconsole.log(typeof os.tmpdir);",
    });
    expect((await outputOf(commonJs.result)).stdout).toBe('function\n');
  });

  it('passes a null input when the run has none', async () => {
    const { result } = run({ language: 'shell', source: 'echo "env=$KAIROS_INPUT stdin=$(cat)"' });
    expect((await outputOf(result)).stdout).toBe('env=null stdin=null\n');
  });

  it('gives an input over 64 KiB on stdin only', async () => {
    const big = { text: 'z'.repeat(100 * 1024) };
    const { result, logs } = run(
      {
        language: 'node',
        source:
          "const stdin = require('node:fs').readFileSync(0, 'utf8');\nconsole.log(process.env.KAIROS_INPUT === undefined, JSON.parse(stdin).text.length);",
      },
      { input: big },
    );
    expect((await outputOf(result)).stdout).toBe(`true ${100 * 1024}\n`);
    expect(logs.some((line) => line.text.includes('KAIROS_INPUT is not set'))).toBe(true);
  });

  it('fails on a non-zero exit, retryably, with the last stderr line in the message', async () => {
    const { result, logs } = run({
      language: 'shell',
      source: 'echo "partial work"\necho "warning: slow" >&2\necho "fatal: disk full" >&2\nexit 3',
    });
    const failure = await failureOf(result);

    expect(failure.retryable).toBe(true);
    expect(failure.error).toEqual({
      type: 'exit',
      exitCode: 3,
      signal: null,
      message: 'script exited with code 3: fatal: disk full',
    });
    expect(failure.output).toEqual({ exitCode: 3, stdout: 'partial work\n', stdoutTruncated: false });
    expect(logs.filter((line) => line.stream === 'stderr').map((line) => line.text)).toEqual([
      'warning: slow',
      'fatal: disk full',
    ]);
  });

  it('reports a script killed by a signal', async () => {
    const failure = await failureOf(run({ language: 'shell', source: 'kill -KILL $$' }).result);
    expect(failure.error).toMatchObject({ type: 'exit', exitCode: null, signal: 'SIGKILL' });
    expect(failure.error.message).toBe('script was killed by SIGKILL');
  });

  it('keeps the last 64 KiB of stdout and logs a huge line in pieces', async () => {
    const { result, logs } = run({
      language: 'node',
      source: "process.stdout.write('x'.repeat(100 * 1024) + '\\nEND\\n');",
    });
    const output = await outputOf(result);

    expect(output.stdoutTruncated).toBe(true);
    expect(output.stdout).toHaveLength(64 * 1024);
    expect(output.stdout.endsWith('xx\nEND\n')).toBe(true);
    const stdout = logs.filter((line) => line.stream === 'stdout');
    expect(stdout.map((line) => line.text.length)).toEqual([
      16384, 16384, 16384, 16384, 16384, 16384, 4096, 3,
    ]);
  });

  it('kills the whole process group on abort, grandchild included, and removes the temp dir', async () => {
    const { result, controller, waitForLog, logs } = run({
      language: 'shell',
      source: 'echo "dir=$PWD"\nsleep 30 &\necho "grandchild=$!"\nwait',
    });
    const grandchildLine = await waitForLog((line) => line.text.startsWith('grandchild='));
    const grandchild = Number(valueAfter(grandchildLine.text, 'grandchild'));
    leftovers.push(grandchild);
    const dir = valueAfter(logs.find((line) => line.text.startsWith('dir='))?.text, 'dir');
    expect(isRunning(grandchild)).toBe(true);
    expect(existsSync(dir)).toBe(true);

    const before = performance.now();
    controller.abort({ kind: 'cancel' });
    await expect(result).rejects.toEqual({ kind: 'cancel' });

    // SIGTERM was enough: no wait for the 2 s grace.
    expect(performance.now() - before).toBeLessThan(1500);
    expect(isRunning(grandchild)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(logs.some((line) => line.text.startsWith('run aborted (cancel): sending SIGTERM'))).toBe(true);
  });

  it('sends SIGKILL after the grace when the group ignores SIGTERM', async () => {
    const type = createScriptJobType({ killGraceMs: 300 });
    const { result, controller, waitForLog, logs } = run(
      { language: 'shell', source: 'trap \'\' TERM\nsleep 30 &\necho "grandchild=$!"\nwait' },
      { type },
    );
    const grandchild = Number(
      valueAfter((await waitForLog((l) => l.text.startsWith('grandchild='))).text, 'grandchild'),
    );
    leftovers.push(grandchild);

    const before = performance.now();
    controller.abort({ kind: 'timeout' });
    await expect(result).rejects.toEqual({ kind: 'timeout' });

    // This test is about time: the kill must wait for the grace, and not much longer.
    const elapsed = performance.now() - before;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(isRunning(grandchild)).toBe(false);
    expect(logs.some((line) => line.text.includes('sent SIGKILL'))).toBe(true);
  });

  it('ends processes a successful script left running instead of waiting for them', async () => {
    // The background sleep holds stdout open: without the cleanup the run would wait 30 s.
    const { result, logs } = run({ language: 'shell', source: 'sleep 30 &\necho "grandchild=$!"' });
    const output = await outputOf(result);
    const grandchild = Number(valueAfter(output.stdout.trim(), 'grandchild'));
    leftovers.push(grandchild);

    expect(output.exitCode).toBe(0);
    expect(isRunning(grandchild)).toBe(false);
    expect(logs.some((line) => line.text.startsWith('the script exited and left processes running'))).toBe(
      true,
    );
  });

  it('removes the temp dir after a successful run', async () => {
    const { result } = run({ language: 'shell', source: 'echo "$PWD"\ntouch "$TMPDIR/scratch"' });
    const dir = (await outputOf(result)).stdout.trim();
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses to run, without retry, when the interpreter is missing', async () => {
    const type = createScriptJobType({ interpreters: { python: 'kairos-no-such-python3' } });
    const failure = await failureOf(run({ language: 'python', source: 'print(1)' }, { type }).result);

    expect(failure.retryable).toBe(false);
    expect(failure.error).toEqual({
      type: 'config',
      message:
        'python scripts need kairos-no-such-python3, which is not installed on this server (not found on its PATH)',
    });
    expect(await type.validate?.({ language: 'python', source: 'print(1)' })).toEqual([
      'python scripts need kairos-no-such-python3, which is not installed on this server (not found on its PATH); runs will fail until it is',
    ]);
    expect(await type.validate?.({ language: 'shell', source: 'true' })).toEqual([]);
  });

  it('does not start when the run is already aborted', async () => {
    const test = makeRun(parseJobConfig(scriptJobType, { language: 'shell', source: 'echo never' }));
    test.controller.abort({ kind: 'shutdown' });
    await expect(scriptJobType.run(test.context)).rejects.toEqual({ kind: 'shutdown' });
    expect(test.logs).toEqual([]);
  });
});
