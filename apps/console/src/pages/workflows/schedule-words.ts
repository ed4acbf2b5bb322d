/** A workflow's schedule in a few words, as the lists show it. */
import type { Schedule } from '@kairos/protocol';

export function scheduleWords(s: Schedule): string {
  switch (s.type) {
    case 'cron':
      return `cron ${s.expression} (${s.timezone})`;
    case 'fixed_rate':
      return `every ${s.intervalSeconds} s`;
    case 'fixed_delay':
      return `${s.delaySeconds} s after each run`;
    case 'one_time':
      return `once at ${s.at}`;
    case 'api':
      return 'on demand';
  }
}
