/**
 * The built-in `script` job type: each run writes the task's source to a fresh temporary
 * directory and runs it there with sh, python3 or the server's own node. The script leads its
 * own process group, so timeout and cancel stop everything it started, and the directory is
 * removed whatever happens.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { JobFailure } from './job-type.js';
import type { JobContext, JobOutcome, JobType } from './job-type.js';
import { processGroupAlive, terminateProcessGroup } from './process-group.js';

const KIB = 1024;
export const SCRIPT_MAX_SOURCE_BYTES = 256 * KIB;
/** The output keeps the end of stdout, where a script's summary usually is. */
export const SCRIPT_STDOUT_TAIL_BYTES = 64 * KIB;
/** Between SIGTERM and SIGKILL. */
export const SCRIPT_KILL_GRACE_MS = 2000;
/** Larger inputs reach the script on stdin only: Linux refuses one env string over 128 KiB (E2BIG). */
export const SCRIPT_MAX_INPUT_ENV_BYTES = 64 * KIB;
/** A longer run of output without a newline is logged in pieces, so a line cannot grow without bound. */
const MAX_LOG_LINE_CHARS = 16 * KIB;

export const SCRIPT_LANGUAGES = ['shell', 'python', 'node'] as const;
export type ScriptLanguage = (typeof SCRIPT_LANGUAGES)[number];

const SOURCE_FILES: Record<ScriptLanguage, string> = {
  shell: 'script.sh',
  python: 'script.py',
  // .js with no package.json around: Node's module syntax detection runs CommonJS and ESM alike.
  node: 'script.js',
};

const noNul = z.string().regex(/^[^\0]*$/, 'must not contain a NUL character');
const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be a variable name: letters, digits and "_", not starting with a digit',
  )
  .refine((name) => !name.startsWith('KAIROS_'), 'KAIROS_* names are reserved for the variables Kairos sets');

export const ScriptConfig = z.strictObject({
  language: z.enum(SCRIPT_LANGUAGES, { error: `must be one of ${SCRIPT_LANGUAGES.join(', ')}` }),
  source: z
    .string()
    .min(1, 'must not be empty')
    .refine((source) => Buffer.byteLength(source) <= SCRIPT_MAX_SOURCE_BYTES, 'must be at most 256 KiB'),
  args: z.array(noNul).max(1000, 'must have at most 1000 items').optional(),
  env: z.record(envName, noNul).optional(),
});
export type ScriptConfig = z.output<typeof ScriptConfig>;

export interface ScriptOutput {
  /** null when the script was killed by a signal. */
  exitCode: number | null;
  /** The last SCRIPT_STDOUT_TAIL_BYTES of stdout. */
  stdout: string;
  stdoutTruncated: boolean;
}

export interface ScriptJobOptions {
  /** Interpreter per language: a name looked up on the base PATH, or an absolute path. */
  interpreters?: Partial<Record<ScriptLanguage, string>>;
  /** What every script inherits. Default: PATH, HOME and LANG from the server's environment. */
  baseEnv?: Record<string, string>;
  killGraceMs?: number;
}

/** The script job type; options exist for main.ts (base env) and tests (missing interpreter, grace). */
export function createScriptJobType(options: ScriptJobOptions = {}): JobType<ScriptConfig> {
  const interpreters: Record<ScriptLanguage, string> = {
    shell: 'sh',
    python: 'python3',
    node: process.execPath,
    ...options.interpreters,
  };
  const graceMs = options.killGraceMs ?? SCRIPT_KILL_GRACE_MS;
  const baseEnv = (): Record<string, string> => options.baseEnv ?? serverBaseEnv();

  return {
    name: 'script',
    configSchema: ScriptConfig,
    async validate(config) {
      const name = interpreters[config.language];
      const found = await findExecutable(name, baseEnv().PATH ?? '');
      return found === undefined
        ? [`${missingInterpreter(config.language, name)}; runs will fail until it is`]
        : [];
    },
    async run(context) {
      const name = interpreters[context.config.language];
      const env = baseEnv();
      const interpreter = await findExecutable(name, env.PATH ?? '');
      if (interpreter === undefined) {
        throw new JobFailure(
          { type: 'config', message: missingInterpreter(context.config.language, name) },
          { retryable: false },
        );
      }
      context.signal.throwIfAborted();
      const dir = await mkdtemp(join(tmpdir(), 'kairos-script-'));
      try {
        const file = join(dir, SOURCE_FILES[context.config.language]);
        await writeFile(file, context.config.source, { mode: 0o600 });
        return await runScript(context, { interpreter, file, dir, baseEnv: env, graceMs });
      } finally {
        // maxRetries: a process killed a moment ago may still be closing files in the directory.
        // A failure to clean up is logged, not allowed to replace the run's own result.
        await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch((error: unknown) =>
          context.log(
            'system',
            `could not remove the script's temporary directory: ${(error as Error).message}`,
          ),
        );
      }
    },
  };
}

export const scriptJobType: JobType<ScriptConfig> = createScriptJobType();

/**
 * Only these pass from the server's environment: a script needs PATH to find its tools, while
 * the rest (database URL, API tokens) must not leak into user code. Read here rather than in
 * main.ts because each run should see the environment the server has now.
 */
function serverBaseEnv(): Record<string, string> {
  const env: Record<string, string> = { LANG: 'C.UTF-8' };
  for (const name of ['PATH', 'HOME', 'LANG'] as const) {
    const value = process.env[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  return env;
}

function missingInterpreter(language: ScriptLanguage, name: string): string {
  return `${language} scripts need ${name}, which is not installed on this server (not found on its PATH)`;
}

async function findExecutable(name: string, path: string): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [name]
    : path
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return undefined;
}

interface ScriptPaths {
  interpreter: string;
  file: string;
  dir: string;
  baseEnv: Record<string, string>;
  graceMs: number;
}

async function runScript(context: JobContext<ScriptConfig>, paths: ScriptPaths): Promise<JobOutcome> {
  const { config, signal, log } = context;
  const input = JSON.stringify(context.input ?? null);
  const env: Record<string, string> = {
    ...paths.baseEnv,
    // The run's own directory: whatever the script leaves in $TMPDIR is removed with it.
    TMPDIR: paths.dir,
    // Python block-buffers a pipe; unbuffered, its lines reach the run log as they are printed.
    ...(config.language === 'python' ? { PYTHONUNBUFFERED: '1' } : {}),
    ...config.env,
    KAIROS_RUN_ID: String(context.runId),
    KAIROS_TASK_ID: String(context.taskId),
    KAIROS_ATTEMPT: String(context.attempt),
  };
  if (Buffer.byteLength(input) <= SCRIPT_MAX_INPUT_ENV_BYTES) env.KAIROS_INPUT = input;
  else log('system', 'the input is larger than 64 KiB: KAIROS_INPUT is not set; read the input from stdin');

  const started = performance.now();
  const child = spawn(paths.interpreter, [paths.file, ...(config.args ?? [])], {
    cwd: paths.dir,
    env,
    detached: true, // setsid(): the script leads a new process group (see process-group.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  context.effect();
  // Listening before anything can happen: on a failed spawn these never settle, which is harmless.
  const closed = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (exitCode, exitSignal) => resolve({ exitCode, signal: exitSignal }));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  const pid = child.pid;
  if (spawnError !== undefined || pid === undefined) {
    const code = (spawnError as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
    const message = `could not start ${paths.interpreter}: ${spawnError?.message ?? 'no process id'}`;
    // ENOENT: the interpreter vanished since it was found; like a missing one, a retry cannot help.
    if (code === 'ENOENT') throw new JobFailure({ type: 'config', message }, { retryable: false });
    throw new JobFailure({ type: 'spawn', code, message });
  }
  log('system', `started ${config.language} script (pid ${pid})`);

  child.on('error', (error) => log('system', `child process error: ${error.message}`));

  // EPIPE when the script exits without reading its stdin: expected, not a failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);

  const stdoutTail = new TailBuffer(SCRIPT_STDOUT_TAIL_BYTES);
  const stdoutLines = new LineLogger((text) => log('stdout', text));
  const stderrLines = new LineLogger((text) => log('stderr', text));
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutTail.push(chunk);
    stdoutLines.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => stderrLines.push(chunk));

  let termination: Promise<void> | undefined;
  const terminate = (why: string): void => {
    if (termination !== undefined) return;
    log('system', `${why}: sending SIGTERM to process group ${pid}`);
    termination = terminateProcessGroup(pid, paths.graceMs, () =>
      log('system', `still running ${paths.graceMs} ms after SIGTERM: sent SIGKILL`),
    ).catch((error: unknown) => {
      // Caught here: it may fail before anyone awaits it, and an unhandled rejection ends the server.
      log('system', `could not signal process group ${pid}: ${(error as Error).message}`);
    });
  };
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    terminate(`run aborted (${describeAbort(signal.reason)})`);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();

  try {
    await exited;
    // Background processes outlive the script otherwise, and one holding stdout open would keep
    // the run waiting for 'close' until its timeout.
    if (termination === undefined && (await processGroupAlive(pid))) {
      terminate('the script exited and left processes running');
    }
    const result = await closed;
    await termination;
    stdoutLines.end();
    stderrLines.end();

    const durationMs = Math.round(performance.now() - started);
    const how =
      result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    log('system', `script ${how} after ${durationMs} ms`);
    if (aborted) throw signal.reason;

    const { text, truncated } = stdoutTail.text();
    const output: ScriptOutput = { exitCode: result.exitCode, stdout: text, stdoutTruncated: truncated };
    if (result.exitCode === 0) return { output };
    const lastError = stderrLines.lastLine();
    throw new JobFailure(
      {
        type: 'exit',
        exitCode: result.exitCode,
        signal: result.signal,
        message: `script ${how}${lastError === '' ? '' : `: ${lastError.slice(0, 500)}`}`,
      },
      { output },
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function describeAbort(reason: unknown): string {
  const kind = (reason as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? kind : 'aborted';
}

/** Keeps the last `limit` bytes of a stream. */
class TailBuffer {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #kept = 0;
  #seen = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    this.#seen += chunk.length;
    // Drop whole chunks that lie entirely before the last `limit` bytes.
    for (
      let first = this.#chunks[0];
      first !== undefined && this.#kept - first.length >= this.#limit;
      first = this.#chunks[0]
    ) {
      this.#chunks.shift();
      this.#kept -= first.length;
    }
  }

  text(): { text: string; truncated: boolean } {
    let bytes = Buffer.concat(this.#chunks);
    if (bytes.length > this.#limit) bytes = bytes.subarray(bytes.length - this.#limit);
    const truncated = this.#seen > this.#limit;
    // A cut inside a UTF-8 character leaves continuation bytes (10xxxxxx) first: skip them.
    let start = 0;
    while (truncated && start < 3 && start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
    return { text: bytes.subarray(start).toString('utf8'), truncated };
  }
}

/** Turns a byte stream into log lines (without their newline). */
class LineLogger {
  readonly #write: (text: string) => void;
  readonly #decoder = new StringDecoder('utf8');
  #partial = '';
  #last = '';

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  push(chunk: Buffer): void {
    const lines = (this.#partial + this.#decoder.write(chunk)).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#emit(line);
    while (this.#partial.length > MAX_LOG_LINE_CHARS) {
      this.#emit(this.#partial.slice(0, MAX_LOG_LINE_CHARS));
      this.#partial = this.#partial.slice(MAX_LOG_LINE_CHARS);
    }
  }

  end(): void {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    if (rest !== '') this.#emit(rest);
  }

  /** The last non-blank line, for the failure message. */
  lastLine(): string {
    return this.#last;
  }

  #emit(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() !== '') this.#last = text;
    if (text.length <= MAX_LOG_LINE_CHARS) return this.#write(text);
    for (let at = 0; at < text.length; at += MAX_LOG_LINE_CHARS)
      this.#write(text.slice(at, at + MAX_LOG_LINE_CHARS));
  }
}
