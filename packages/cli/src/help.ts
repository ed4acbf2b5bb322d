/** The parts of every `--help` that are the same for every command. */
import { DEFAULT_URL } from './args.js';

export const GLOBAL_FLAGS_HELP = `Global flags (before or after the command):
  --url URL        the Kairos server (default ${DEFAULT_URL})
  --token TOKEN    API token; prefer KAIROS_TOKEN, since flags show in the process list
  --json           print the server's JSON answer unchanged, for scripts
  --tz ZONE        show times in this IANA zone (e.g. Asia/Shanghai) instead of UTC
  -h, --help       show this help`;

export const ENV_HELP = `Environment:
  KAIROS_URL       the server's address, used when --url is not given
  KAIROS_TOKEN     the API token, sent as "Authorization: Bearer <token>"
  KAIROS_TZ        the zone times are shown in, used when --tz is not given`;

export const EXIT_HELP = `Exit status: 0 done, 1 the request failed (message on stderr), 2 usage error.`;

/** Assembles a command's help: its own text, then the shared flags, environment and exit codes. */
export const commandHelp = (text: string): string =>
  `${text.trim()}\n\n${GLOBAL_FLAGS_HELP}\n\n${ENV_HELP}\n\n${EXIT_HELP}\n`;
