import { describe, it, expect } from 'vitest';
import { CronSyntaxError, explainCron } from '../src/index.js';

describe('explainCron', () => {
  it.each([
    ['0 0 8 * * ?', 'at 08:00:00 every day'],
    ['0 0 8,20 * * ?', 'at 08:00:00 and 20:00:00 every day'],
    ['0/15 * * * * ?', 'every 15 seconds'],
    ['*/15 * * * * ?', 'every 15 seconds'],
    ['* * * * * ?', 'every second'],
    ['0 * * * * ?', 'every minute'],
    ['0 0 * * * ?', 'every hour'],
    ['0 30 * * * ?', 'at minute 30 of every hour'],
    ['0 0 */2 * * ?', 'every 2 hours'],
    ['0 30 1/4 * * ?', 'every 4 hours from 01:30:00'],
    ['0 0 1,5,9,13,17 * * ?', 'at 01:00:00, 05:00:00, 09:00:00, 13:00:00 and 17:00:00 every day'],
    ['10 0/5 * * * ?', 'at second 10 every 5 minutes'],
    ['0/10 0-5 * * * ?', 'every 10 seconds during minutes 0 through 5'],
    ['* 0/10 9 * * ?', 'every second during every 10th minute between 09:00 and 09:59'],
    ['0 0 9-17 ? * MON-FRI', 'every hour from 09:00:00 through 17:00:00 on Monday through Friday'],
    ['0 0/5 14 * * ?', 'every 5 minutes between 14:00 and 14:59'],
    ['0 15 10 L * ?', 'at 10:15:00 on the last day of the month'],
    ['0 15 10 L-2 * ?', 'at 10:15:00 on the last day of the month minus 2 days'],
    ['0 15 10 ? * 6L', 'at 10:15:00 on the last Friday of the month'],
    ['0 15 10 ? * 6#3', 'at 10:15:00 on the third Friday of the month'],
    ['0 0 12 15W * ?', 'at 12:00:00 on the weekday nearest the 15th of the month'],
    ['0 0 12 LW * ?', 'at 12:00:00 on the weekday nearest the last day of the month'],
    ['0 0 12 1,15 * ?', 'at 12:00:00 on the 1st and 15th of the month'],
    ['0 0 12 1 JAN,JUL ?', 'at 12:00:00 on the 1st of the month in January and July'],
    ['0 0 0 1 1 ? 2026', 'at 00:00:00 on the 1st of the month in January in 2026'],
    ['30 8 * * 1-5', 'at 08:30:00 on Monday through Friday'],
    ['0 0 1,15 * 5', 'at 00:00:00 on the 1st and 15th of the month or on Friday'],
    ['*/5 * * * *', 'every 5 minutes'],
    ['@daily', 'at 00:00:00 every day'],
  ])('%s -> %s', (expression, text) => {
    expect(explainCron(expression)).toBe(text);
  });

  it('throws the parser error for a bad expression', () => {
    expect(() => explainCron('0 0 25 * * ?')).toThrow(CronSyntaxError);
  });
});
