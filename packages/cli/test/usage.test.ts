import { afterEach, describe, expect, it, vi } from 'vitest';
import { kairos } from './harness.js';

const COMMANDS = ['apps', 'tasks', 'runs', 'calendars', 'cron'];

describe('top level', () => {
  it('prints the help with --help and exits 0', async () => {
    const r = await kairos(['--help']);
    expect(r.code).toBe(0);
    for (const name of [...COMMANDS, 'server']) expect(r.stdout).toContain(`  ${name} `);
    expect(r.stdout).toContain('KAIROS_URL');
    expect(r.stdout).toContain('KAIROS_TOKEN');
    expect(r.stderr).toBe('');
  });

  it('prints the help on stderr and exits 2 without a command', async () => {
    const r = await kairos([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage:');
    expect(r.stdout).toBe('');
  });

  it('answers `help <command>`', async () => {
    const r = await kairos(['help', 'tasks']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kairos tasks create -f FILE');
  });

  it('refuses an unknown command with exit 2 and a hint', async () => {
    const r = await kairos(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown command 'frobnicate' (one of: server, apps, tasks, runs, dead-letters, batches, calendars, workflows, nodes, executors, contacts, contact-groups, alert-rules, alerts, secrets, budgets, pools, tokens, audit, cron, import, export, apply, backup, dev)\n" +
        "Run 'kairos --help' for usage.\n",
    );
  });

  it('refuses a command flag before the command', async () => {
    const r = await kairos(['--limit', '5', 'tasks', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--limit' before the command");
  });

  it('refuses a global flag without its value', async () => {
    const r = await kairos(['tasks', 'list', '--url']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--url <value>' argument missing");
  });
});

describe('--help of every command', () => {
  it.each(COMMANDS)('%s --help shows usage, examples and the environment', async (name) => {
    const r = await kairos([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage:');
    expect(r.stdout).toContain(`kairos ${name} `);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('KAIROS_URL');
    expect(r.stdout).toContain('KAIROS_TOKEN');
    expect(r.stderr).toBe('');
  });

  it('answers --help after a subcommand and despite other mistakes', async () => {
    const r = await kairos(['tasks', 'run', '--bogus', '-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--idempotency-key');
  });

  it('answers --help before the command', async () => {
    const r = await kairos(['--help', 'runs']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kairos runs logs <id> [--follow]');
  });

  describe('server --help', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('shows its usage and examples, then the settings the server reads', async () => {
      // The settings list is the server's own text: its entry point prints it, the CLI copies it.
      const r = await kairos(['server', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage:');
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('KAIROS_URL');
      expect(r.stdout).toContain('KAIROS_TOKEN');
      expect(r.stdout).toContain('KAIROS_CONFIG');
    });
  });
});

describe('usage errors exit 2 and point at the command help', () => {
  const cases: [string[], string][] = [
    [
      ['tasks'],
      'missing subcommand: kairos tasks <create|list|get|run|enable|disable|update|delete|next-fires>',
    ],
    [['tasks', 'launch'], "unknown subcommand 'tasks launch'"],
    [['tasks', 'list', '--bogus'], "unknown option '--bogus'"],
    [['tasks', 'get'], 'missing <id>'],
    [['tasks', 'get', '1', '2'], 'unexpected argument: 2'],
    [['tasks', 'list', '--limit', 'ten'], "--limit must be a whole number, got 'ten'"],
    [['tasks', 'list', '--enabled', 'maybe'], "--enabled must be true or false, got 'maybe'"],
    [['tasks', 'run', '1', '--input', '{day:1}'], '--input must be JSON'],
    [['tasks', 'create'], 'tasks create needs -f FILE'],
    [['tasks', 'update', '42'], 'tasks update needs -f FILE'],
    [['tasks', 'list', '--json=yes'], "option '--json' does not take an argument"],
    [['runs', 'list', '--task', 'abc'], "--task must be a whole number, got 'abc'"],
    [['runs', 'logs'], 'missing <id>'],
    [['apps', 'create', '--max-concurrency', '1.5'], '--max-concurrency must be a whole number'],
    [['calendars', 'create'], 'calendars create needs -f FILE'],
    [['cron'], 'missing subcommand: kairos cron <explain>'],
    [['cron', 'explain'], 'missing <expression>'],
    [
      ['tasks', 'list', '--url', 'not a url'],
      "--url / KAIROS_URL must be an absolute URL such as http://127.0.0.1:8080, got 'not a url'",
    ],
    [
      ['tasks', 'list', '--url', 'ftp://example.com'],
      "--url / KAIROS_URL must be an http:// or https:// URL, got 'ftp://example.com'",
    ],
  ];

  it.each(cases)('%j', async (argv, message) => {
    const r = await kairos(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${message}`);
    expect(r.stderr).toContain(`Run 'kairos ${argv[0]} --help' for usage.`);
  });

  it('refuses a bad KAIROS_URL from the environment too', async () => {
    const r = await kairos(['apps', 'list'], { env: { KAIROS_URL: '127.0.0.1:8080' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("got '127.0.0.1:8080'");
  });
});
