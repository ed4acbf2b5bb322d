/**
 * The files `kairos apply -f` reads: YAML (or JSON) files, each holding one or more definition
 * documents (`---` between them), a directory standing for its .yaml, .yml and .json files in
 * name order. Each document keeps its parsed tree so that a field the server refuses
 * (`documents.3.tasks.1.app`) is shown at its file, line and column (the `yaml` library's node
 * ranges and LineCounter).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { CliError } from './args.js';
import { readAll } from './load-file.js';

export interface DefinitionFile {
  /** As the user knows it: relative to the working directory. */
  label: string;
  /** Which document of the file (from 0). */
  index: number;
  document: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

const EXTENSIONS = /\.(ya?ml|json)$/i;

/**
 * The documents of every file or directory given, in order (`-` is stdin); an unreadable or
 * malformed file throws naming it.
 */
export async function loadDefinitionFiles(
  paths: string[],
  cwd: string,
  stdin?: AsyncIterable<string | Uint8Array>,
): Promise<DefinitionFile[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push('-');
      continue;
    }
    const full = resolve(cwd, path);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new CliError('INVALID_FILE', `cannot read ${path}: no such file or directory`);
    if (info.isDirectory()) {
      const names = (await readdir(full)).filter((n) => EXTENSIONS.test(n)).sort();
      if (names.length === 0)
        throw new CliError('INVALID_FILE', `${path} holds no .yaml, .yml or .json file`);
      files.push(...names.map((n) => join(full, n)));
    } else files.push(full);
  }
  const documents: DefinitionFile[] = [];
  for (const file of files) {
    const near = relative(cwd, file);
    const label = file === '-' ? 'stdin' : near && !near.startsWith('..') ? near : file;
    let text: string;
    if (file === '-') {
      if (!stdin) throw new CliError('INVALID_FILE', 'cannot read stdin (-f -): no input stream');
      text = await readAll(stdin);
    } else text = await readFile(file, 'utf8');
    const lines = new LineCounter();
    const parsed = parseAllDocuments(text, {
      lineCounter: lines,
      prettyErrors: false,
    });
    if (!Array.isArray(parsed)) continue; // an empty file
    let index = 0;
    for (const document of parsed) {
      const problem = document.errors[0];
      if (problem) {
        const { line, col } = lines.linePos(problem.pos[0]);
        throw new CliError(
          'INVALID_FILE',
          `${label}:${line}:${col}: not valid YAML: ${problem.message.split('\n')[0]}`,
        );
      }
      const value: unknown = document.toJS();
      if (value === null || value === undefined) continue;
      documents.push({ label, index: index++, document, lines, value });
    }
  }
  if (documents.length === 0)
    throw new CliError('INVALID_FILE', `no definition document in ${paths.join(', ')}`);
  return documents;
}

/**
 * Where a dotted path (`tasks.1.schedule.calendar`) is written in a document: the key of the
 * deepest field found (an unknown field's own key; a missing field's parent), as line:column.
 */
export function positionOf(file: DefinitionFile, path: string): { line: number; col: number } {
  let node: unknown = file.document.contents;
  let at: Node | undefined = node as Node | undefined;
  for (const segment of path.split('.').filter(Boolean)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      at = (pair.key as Node | null) ?? at;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      at = item as Node;
      node = item;
    } else break;
  }
  const offset = at?.range?.[0] ?? 0;
  return file.lines.linePos(offset);
}

/**
 * An error of `POST /apply` whose field names a document (`documents.N.…`) as the file, line
 * and field it is about: `kairos.yaml:14:7: tasks.1.app: no app "x" …`.
 */
export function locateField(
  files: DefinitionFile[],
  field: string,
  message: string,
): { where: string; field: string; message: string } | undefined {
  const match = /^documents\.(\d+)(?:\.(.*))?$/.exec(field);
  const file = match ? files[Number(match[1])] : undefined;
  if (!match || !file) return undefined;
  const inner = match[2] ?? '';
  const { line, col } = positionOf(file, inner);
  const reason = message.startsWith(`${field}:`) ? message.slice(field.length + 1).trim() : message;
  const which = file.index > 0 ? ` (document ${file.index + 1})` : '';
  return { where: `${file.label}:${line}:${col}${which}`, field: inner, message: reason };
}
