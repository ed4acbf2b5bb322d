/**
 * What a command is handed: the process's streams and environment (injected, so tests run the
 * CLI in-process), the global flags typed before the command, and the API client built from them.
 */
import { createClient } from '@kairos/protocol';
import type { FetchLike, KairosClient } from '@kairos/protocol';
import { DEFAULT_URL, UsageError } from './args.js';
import type { GlobalFlags } from './args.js';
import { timeFormat } from './time-format.js';
import type { TimeFormat } from './time-format.js';

export interface TextSink {
  write(chunk: string): unknown;
}

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: TextSink;
  stderr: TextSink;
  /** Read by `-f -`. */
  stdin?: AsyncIterable<string | Uint8Array> | undefined;
  /** Relative `-f` paths resolve against it; default: the process's working directory. */
  cwd?: string | undefined;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: FetchLike | undefined;
  /** Waits between polls (`tasks run --wait`, `runs logs --follow`); tests pass an instant one. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  pollIntervalMs?: number | undefined;
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  /** The command prints its own `--help` (it is passed through rather than answered by the dispatcher). */
  ownHelp?: boolean;
  /** Answers the exit code. Throws UsageError (exit 2) or anything else (exit 1). */
  run(args: string[], ctx: CommandContext): Promise<number>;
}

export interface Settings {
  url: string;
  token: string | undefined;
  json: boolean;
}

export class CommandContext {
  readonly io: CliIo;
  private readonly prefix: GlobalFlags;
  /** Settings of the last client built; lets the error printer hint at a missing token. */
  lastSettings: Settings | undefined;

  constructor(io: CliIo, prefix: GlobalFlags) {
    this.io = io;
    this.prefix = prefix;
  }

  /** Flags after the command win over flags before it, which win over the environment. */
  settings(flags: GlobalFlags): Settings {
    const url = flags.url ?? this.prefix.url ?? (this.io.env['KAIROS_URL'] || DEFAULT_URL);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url / KAIROS_URL must be an absolute URL such as ${DEFAULT_URL}, got '${url}'`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError(`--url / KAIROS_URL must be an http:// or https:// URL, got '${url}'`);
    }
    const token = flags.token ?? this.prefix.token ?? (this.io.env['KAIROS_TOKEN'] || undefined);
    const settings = { url, token, json: this.json(flags) };
    this.lastSettings = settings;
    return settings;
  }

  /**
   * The zone times are shown in: `--tz` (after, then before the command), else KAIROS_TZ;
   * undefined shows the server's UTC instants as they are.
   */
  zone(flags: GlobalFlags): string | undefined {
    const zone = flags.tz ?? this.prefix.tz ?? (this.io.env['KAIROS_TZ'] || undefined);
    if (zone === undefined) return undefined;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      throw new UsageError(`--tz / KAIROS_TZ must be an IANA time zone such as Asia/Shanghai, got '${zone}'`);
    }
    return zone;
  }

  /** Formats the API's instants in the zone asked for (see zone()). */
  times(flags: GlobalFlags): TimeFormat {
    return timeFormat(this.zone(flags));
  }

  /** Whether `--json` was given, before or after the command (offline commands need no URL). */
  json(flags: GlobalFlags): boolean {
    return flags.json ?? this.prefix.json ?? false;
  }

  client(settings: Settings): KairosClient {
    return createClient({ baseUrl: settings.url, token: settings.token, fetch: this.io.fetch });
  }

  /** Writes lines to stdout. */
  print(...lines: string[]): void {
    for (const line of lines) this.io.stdout.write(`${line}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Writes one line of JSON (a stream of entries, e.g. followed logs). */
  printJsonLine(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  sleep(ms: number): Promise<void> {
    if (this.io.sleep) return this.io.sleep(ms);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  get pollIntervalMs(): number {
    return this.io.pollIntervalMs ?? 1000;
  }
}

/** One dispatch level below a command: `kairos tasks <sub> ...`. */
export async function dispatchSubcommand(
  command: string,
  args: string[],
  ctx: CommandContext,
  subcommands: Record<string, (args: string[], ctx: CommandContext) => Promise<number>>,
): Promise<number> {
  const [sub, ...rest] = args;
  const names = Object.keys(subcommands).join(', ');
  if (sub === undefined || sub.startsWith('-')) {
    throw new UsageError(`missing subcommand: kairos ${command} <${names.replace(/, /g, '|')}>`);
  }
  const handler = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (!handler) throw new UsageError(`unknown subcommand '${command} ${sub}' (one of: ${names})`);
  return handler(rest, ctx);
}
