/**
 * Glue jobs: the script travels with the trigger and runs here as XXL-JOB's ScriptJobHandler
 * runs it: written once per (jobId, glueUpdatetime) to a file, executed as
 * `interpreter file params shardIndex shardTotal`, stdout and stderr into the log, exit code 0
 * for success. The signal kills the process.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TaskContext } from './task.js';
import type { XxlTriggerParam } from '@kairos/protocol';

const INTERPRETERS: Record<string, { command: string; suffix: string }> = {
  GLUE_SHELL: { command: 'bash', suffix: '.sh' },
  GLUE_PYTHON: { command: 'python3', suffix: '.py' },
  GLUE_NODEJS: { command: process.execPath, suffix: '.js' },
};

const glueDir = join(tmpdir(), `kairos-sdk-glue-${process.pid}`);

export async function runGlue(trigger: XxlTriggerParam, context: TaskContext): Promise<string> {
  const interpreter = INTERPRETERS[trigger.glueType];
  if (!interpreter) throw new Error(`glueType[${trigger.glueType}] is not valid.`);
  await mkdir(glueDir, { recursive: true });
  const file = join(glueDir, `${trigger.jobId}_${trigger.glueUpdatetime}${interpreter.suffix}`);
  // The admin strips \r from shell sources on save; do it here too for sources from elsewhere.
  const source =
    trigger.glueType === 'GLUE_SHELL'
      ? (trigger.glueSource ?? '').replace(/\r/g, '')
      : (trigger.glueSource ?? '');
  await writeFile(file, source, { mode: 0o700 });
  const child = spawn(
    interpreter.command,
    [file, context.params, String(context.shardIndex), String(context.shardTotal)],
    { stdio: ['ignore', 'pipe', 'pipe'], signal: context.signal, killSignal: 'SIGKILL' },
  );
  createInterface({ input: child.stdout }).on('line', (line) => context.log(line));
  createInterface({ input: child.stderr }).on('line', (line) => context.log(line));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (error) => (context.signal.aborted ? resolve(null) : reject(error)));
    child.on('close', (exit) => resolve(exit));
  });
  if (code !== 0) throw new Error(`script exit value(${code}) is failed`);
  return `script exit value(0)`;
}
