/**
 * Reads what is given with `-f`, a file or stdin with `-f -`: one document (JSON or YAML, the
 * format taken from the extension .json, .yaml, .yml or else from the content), or JSON lines.
 * What the content must hold is for the server to judge.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError } from './args.js';
import type { CliIo } from './context.js';

export async function loadDocument(path: string, io: CliIo): Promise<Record<string, unknown>> {
  const { label, text } = await readText(path, io);
  const ext = path === '-' ? '' : extname(path).toLowerCase();
  const asJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[{[]/.test(text));
  let value: unknown;
  try {
    value = asJson ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? '';
    throw new CliError('INVALID_FILE', `${label} is not valid ${asJson ? 'JSON' : 'YAML'}: ${message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError('INVALID_FILE', `${label} must hold one object (a mapping), not ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** JSON lines: one object per non-blank line, with its line number (from 1). */
export async function loadJsonLines(
  path: string,
  io: CliIo,
): Promise<{ line: number; value: Record<string, unknown> }[]> {
  const { label, text } = await readText(path, io);
  const lines: { line: number; value: Record<string, unknown> }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new CliError(
        'INVALID_FILE',
        `${label} line ${i + 1} is not valid JSON: ${(err as Error).message}`,
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError(
        'INVALID_FILE',
        `${label} line ${i + 1} must hold one object, not ${describe(value)}`,
      );
    }
    lines.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  return lines;
}

/** The text of a file, or of stdin with `-` (empty: refused). */
export async function readText(path: string, io: CliIo): Promise<{ label: string; text: string }> {
  const label = path === '-' ? 'stdin' : path;
  let text: string;
  if (path === '-') {
    if (!io.stdin) throw new CliError('INVALID_FILE', 'cannot read stdin (-f -): no input stream');
    text = await readAll(io.stdin);
  } else {
    try {
      text = await readFile(resolve(io.cwd ?? process.cwd(), path), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
      throw new CliError('INVALID_FILE', `cannot read ${label}: ${reason}`);
    }
  }
  if (text.trim() === '') throw new CliError('INVALID_FILE', `${label} is empty`);
  return { label, text };
}

export async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream)
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
