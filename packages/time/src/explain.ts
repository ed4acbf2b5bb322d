/**
 * Cron in plain English for the console and the CLI: "at 08:00:00 every day", "every 15
 * seconds", "at 10:15:00 on the last Friday of the month". It reads the parsed value sets, so
 * `0/15` and `0,15,30,45` read the same. Meant to help a person check what they typed, not to
 * round-trip: unusual combinations fall back to listing values.
 */
import { type CronExpression, type CronField, parseCron } from './cron.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const NTH = ['first', 'second', 'third', 'fourth', 'fifth'];

type Shape =
  | { kind: 'all' }
  | { kind: 'one'; value: number }
  | { kind: 'step'; start: number; step: number }
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'list'; values: readonly number[] };

/** Recognises the forms people write: every value, one value, a step to the end, a range. */
function shapeOf(values: readonly number[], min: number, max: number): Shape {
  const first = values[0] ?? min;
  const last = values[values.length - 1] ?? min;
  if (values.length === max - min + 1) return { kind: 'all' };
  if (values.length === 1) return { kind: 'one', value: first };
  const step = (values[1] ?? first) - first;
  const even = values.every((v, i) => v === first + i * step);
  if (even && step === 1) return { kind: 'range', lo: first, hi: last };
  if (even && last + step > max && first < step + min) return { kind: 'step', start: first, step };
  return { kind: 'list', values };
}

const shape = (field: CronField): Shape => shapeOf(field.values, field.min, field.max);

const pad = (n: number): string => String(n).padStart(2, '0');
const clock = (h: number, m: number, s: number): string => `${pad(h)}:${pad(m)}:${pad(s)}`;

function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

const plural = (n: number, unit: string): string => (n === 1 ? unit : `${n} ${unit}s`);

/** "every 15 seconds", "at second 30", "at seconds 0, 10 and 20", for seconds and minutes. */
function unitPhrase(s: Shape, unit: 'second' | 'minute'): string {
  switch (s.kind) {
    case 'all':
      return `every ${unit}`;
    case 'one':
      return `at ${unit} ${s.value}`;
    case 'step':
      return `every ${plural(s.step, unit)}${s.start === 0 ? '' : ` from ${unit} ${s.start}`}`;
    case 'range':
      return `every ${unit} from ${unit} ${s.lo} through ${s.hi}`;
    case 'list':
      return `at ${unit}s ${listing(s.values.map(String))}`;
  }
}

/** Minutes as the frame for a sub-minute repeat: "every 10 seconds during minutes 0 through 5". */
function duringMinutes(s: Exclude<Shape, { kind: 'all' }>): string {
  switch (s.kind) {
    case 'one':
      return `during minute ${s.value}`;
    case 'step':
      return `during every ${ordinal(s.step)} minute${s.start === 0 ? '' : ` from minute ${s.start}`}`;
    case 'range':
      return `during minutes ${s.lo} through ${s.hi}`;
    case 'list':
      return `during minutes ${listing(s.values.map(String))}`;
  }
}

function hourPhrase(s: Shape): string {
  switch (s.kind) {
    case 'all':
      return '';
    case 'one':
      return `between ${pad(s.value)}:00 and ${pad(s.value)}:59`;
    case 'step':
      return `every ${plural(s.step, 'hour')}${s.start === 0 ? '' : ` from ${pad(s.start)}:00`}`;
    case 'range':
      return `between ${pad(s.lo)}:00 and ${pad(s.hi)}:59`;
    case 'list':
      return `during hours ${listing(s.values.map(pad))}`;
  }
}

function timePhrase(expr: CronExpression): { text: string; clockTimes: boolean } {
  const sec = shape(expr.second);
  const min = shape(expr.minute);
  const hour = shape(expr.hour);
  if (sec.kind === 'one' && min.kind === 'one') {
    const [s, m] = [sec.value, min.value];
    // Up to three times a day reads best as the times themselves ("at 08:00:00 and 20:00:00").
    if (hour.kind !== 'all' && expr.hour.values.length <= 3) {
      return { text: `at ${listing(expr.hour.values.map((h) => clock(h, m, s)))}`, clockTimes: true };
    }
    switch (hour.kind) {
      case 'all':
        if (s === 0)
          return { text: m === 0 ? 'every hour' : `at minute ${m} of every hour`, clockTimes: false };
        return { text: `at minute ${m}, second ${s} of every hour`, clockTimes: false };
      case 'step': {
        const from = hour.start === 0 && m === 0 && s === 0 ? '' : ` from ${clock(hour.start, m, s)}`;
        return { text: `every ${plural(hour.step, 'hour')}${from}`, clockTimes: false };
      }
      case 'range':
        return {
          text: `every hour from ${clock(hour.lo, m, s)} through ${clock(hour.hi, m, s)}`,
          clockTimes: false,
        };
      default:
        return { text: `at ${listing(expr.hour.values.map((h) => clock(h, m, s)))}`, clockTimes: true };
    }
  }
  const parts: string[] = [];
  if (sec.kind !== 'one' || sec.value !== 0) parts.push(unitPhrase(sec, 'second'));
  // "every 15 seconds" already says every minute; "at second 30" still needs it said.
  if (sec.kind === 'one') parts.push(unitPhrase(min, 'minute'));
  else if (min.kind !== 'all') parts.push(duringMinutes(min));
  parts.push(hourPhrase(hour));
  return { text: parts.filter((p) => p !== '').join(' '), clockTimes: false };
}

function dayOfMonthPhrases(expr: CronExpression): string[] {
  const rule = expr.dayOfMonth;
  if (rule === null) return [];
  const phrases: string[] = [];
  const days: number[] = [];
  for (let d = 1; d <= 31; d++) if (rule.days & (1 << d)) days.push(d);
  const s = shapeOf(days, 1, 31);
  if (days.length > 0) {
    if (s.kind === 'step')
      phrases.push(`every ${plural(s.step, 'day')} from the ${ordinal(s.start)} of the month`);
    else if (s.kind === 'range')
      phrases.push(`from the ${ordinal(s.lo)} through the ${ordinal(s.hi)} of the month`);
    else if (s.kind !== 'all') phrases.push(`on the ${listing(days.map(ordinal))} of the month`);
  }
  for (const { offset, weekday } of rule.fromLast) {
    const day = `the last day of the month${offset === 0 ? '' : ` minus ${plural(offset, 'day')}`}`;
    phrases.push(weekday ? `on the weekday nearest ${day}` : `on ${day}`);
  }
  for (const day of rule.nearestWeekday)
    phrases.push(`on the weekday nearest the ${ordinal(day)} of the month`);
  return phrases;
}

function dayOfWeekPhrases(expr: CronExpression): string[] {
  const rule = expr.dayOfWeek;
  if (rule === null) return [];
  const phrases: string[] = [];
  const weekdays: number[] = [];
  for (let w = 0; w < 7; w++) if (rule.weekdays & (1 << w)) weekdays.push(w);
  const s = shapeOf(weekdays, 0, 6);
  if (weekdays.length === 7) phrases.push('on every day of the week');
  else if (s.kind === 'range' && s.hi - s.lo >= 2)
    phrases.push(`on ${WEEKDAYS[s.lo]} through ${WEEKDAYS[s.hi]}`);
  else if (weekdays.length > 0) phrases.push(`on ${listing(weekdays.map((w) => WEEKDAYS[w] ?? ''))}`);
  for (const w of rule.lastOfMonth) phrases.push(`on the last ${WEEKDAYS[w]} of the month`);
  for (const { weekday, n } of rule.nth)
    phrases.push(`on the ${NTH[n - 1]} ${WEEKDAYS[weekday]} of the month`);
  return phrases;
}

function monthPhrase(expr: CronExpression): string {
  const s = shape(expr.month);
  const name = (m: number): string => MONTHS[m - 1] ?? String(m);
  if (s.kind === 'all') return '';
  if (s.kind === 'range') return `from ${name(s.lo)} through ${name(s.hi)}`;
  return `in ${listing(expr.month.values.map(name))}`;
}

function yearPhrase(expr: CronExpression): string {
  if (expr.year === null) return '';
  const s = shape(expr.year);
  if (s.kind === 'range') return `from ${s.lo} through ${s.hi}`;
  if (s.kind === 'step') return `every ${plural(s.step, 'year')} from ${s.start}`;
  return `in ${listing(expr.year.values.map(String))}`;
}

/**
 * A plain-English reading of a cron expression (either dialect).
 *
 * @example
 * explainCron('0 15 10 ? * 6L'); // "at 10:15:00 on the last Friday of the month"
 * explainCron('0/15 * * * * ?'); // "every 15 seconds"
 * @throws CronSyntaxError when the expression does not parse
 */
export function explainCron(expression: string): string {
  const expr = parseCron(expression);
  const time = timePhrase(expr);
  const dom = dayOfMonthPhrases(expr);
  const dow = dayOfWeekPhrases(expr);
  let days: string;
  if (dom.length === 0 && dow.length === 0) days = time.clockTimes ? 'every day' : '';
  else if (expr.dayCombine === 'or') days = [...dom, ...dow].join(' or ');
  else days = [...dom, ...dow].join(' and ');
  return [time.text, days, monthPhrase(expr), yearPhrase(expr)].filter((p) => p !== '').join(' ');
}
