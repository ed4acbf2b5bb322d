/**
 * Argument parsing shared by every command: Node's `util.parseArgs` in strict mode, the global
 * flags every command accepts, and the two kinds of failure the CLI reports (usage: exit 2;
 * everything else: exit 1).
 */
import { parseArgs } from 'node:util';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Accepted before the command (`kairos --json tasks list`) and after it (`kairos tasks list --json`). */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  tz: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export interface GlobalFlags {
  url?: string | undefined;
  token?: string | undefined;
  json?: boolean | undefined;
  /** The IANA zone times are shown in (`--tz`, else KAIROS_TZ); UTC ISO instants when absent. */
  tz?: string | undefined;
}

/** A mistake in how the command was typed: unknown flag or command, missing argument. Exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the CLI detects itself (unreadable file, bad cron offline). Exit 1, printed like an API error. */
export class CliError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.field = field;
  }
}

/** Node's parseArgs messages, shortened to the part a user needs ("unknown option '--foo'"). */
function usageFromParseError(err: unknown): never {
  if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    const firstLine = err.message.split('\n')[0] ?? err.message;
    const first = (firstLine.split('. To specify')[0] ?? firstLine).replace(/\.$/, '');
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1));
  }
  throw err;
}

export interface ParsedArgs<O extends OptionSpec> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };
  positionals: string[];
  globals: GlobalFlags;
}

/**
 * Parses a command's arguments strictly; the global flags are accepted too and returned apart.
 * `positionals` names the expected positional arguments, for the message when one is missing.
 */
export function parseCommandArgs<O extends OptionSpec>(
  args: string[],
  options: O,
  positionals: readonly string[] = [],
  extraHint = '',
): ParsedArgs<O> {
  let parsed: {
    values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    usageFromParseError(err);
  }
  if (parsed.positionals.length < positionals.length) {
    const missing = positionals.slice(parsed.positionals.length);
    throw new UsageError(`missing ${missing.map((p) => `<${p}>`).join(' ')}`);
  }
  // A last name ending in "..." (`run-id...`) takes every further positional.
  const variadic = positionals.at(-1)?.endsWith('...') === true;
  if (!variadic && parsed.positionals.length > positionals.length) {
    const extra = parsed.positionals.slice(positionals.length);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}${extraHint}`);
  }
  const { url, token, json, help: _help, ...rest } = parsed.values;
  // A command with a --tz of its own (cron explain: the schedule's zone) keeps it as its flag.
  const ownTz = Object.hasOwn(options, 'tz');
  const { tz, ...withoutTz } = rest;
  return {
    values: (ownTz ? rest : withoutTz) as ParsedArgs<O>['values'],
    positionals: parsed.positionals,
    globals: {
      url: typeof url === 'string' ? url : undefined,
      token: typeof token === 'string' ? token : undefined,
      json: json === true ? true : undefined,
      tz: !ownTz && typeof tz === 'string' ? tz : undefined,
    },
  };
}

/**
 * Splits `[global flags] <command> [rest]`. Only global flags may come before the command, so
 * the first positional is the command whatever the command's own flags are.
 */
export function splitCommand(argv: string[]): {
  globals: GlobalFlags & { help?: boolean };
  command?: string;
  rest: string[];
} {
  const { tokens } = parseArgs({
    args: argv,
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let commandIndex = argv.length;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      commandIndex = token.index;
      break;
    }
    if (token.kind === 'option-terminator') {
      commandIndex = token.index + 1;
      break;
    }
    if (!(token.name in GLOBAL_OPTIONS)) {
      throw new UsageError(
        `unknown option '${token.rawName}' before the command (command flags go after it)`,
      );
    }
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.slice(0, commandIndex).filter((a) => a !== '--'),
      options: GLOBAL_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usageFromParseError(err);
  }
  return {
    globals: {
      url: typeof values.url === 'string' ? values.url : undefined,
      token: typeof values.token === 'string' ? values.token : undefined,
      json: values.json === true ? true : undefined,
      tz: typeof values.tz === 'string' ? values.tz : undefined,
      help: values.help === true,
    },
    command: argv[commandIndex],
    rest: argv.slice(commandIndex + 1),
  };
}

/** True when `--help`/`-h` appears among a command's flags (before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** A whole number for a flag such as `--limit`; range checks are the server's. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a whole number, got '${value}'`);
  return Number(value);
}

/** A positional id: digits are sent as a number, anything else (an app name) as given. */
export function idOrName(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function jsonFlag(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new UsageError(
      `--${name} must be JSON (${(err as Error).message}), e.g. --${name} '{"day":"2026-03-15"}'`,
    );
  }
}
