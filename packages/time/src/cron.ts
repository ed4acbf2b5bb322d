/**
 * Cron expressions, parsed into sorted value sets and day rules for the walk in cron-walk.ts.
 *
 * Two dialects, told apart by the number of fields:
 *
 * - Quartz, 6 or 7 fields: `second minute hour day-of-month month day-of-week [year]`.
 *   Day-of-week is 1-7 with 1 = SUN. Beyond `*`, lists, ranges and steps (`0/15`, `10-40/10`,
 *   and `*` followed by `/5`) it has `?` (no constraint), `L` (the last day; alone in
 *   day-of-week it is 7 = SAT), `L-3` (three days before the last day), `15W` (the weekday
 *   nearest the 15th, never leaving the month), `LW` (the last weekday), `6L` (the last
 *   Friday), `6#3` (the third Friday). Quartz insists on `?` in one
 *   of the two day fields; we also take `*` there, because people write `0 0 8 * * *` and mean
 *   "every day", but refuse specific values in both, which Quartz leaves undefined.
 * - Classic crontab, 5 fields: `minute hour day-of-month month day-of-week`, second 0,
 *   day-of-week 0-7 with 0 and 7 = Sunday. When both day fields are restricted a day matching
 *   either fires (Vixie cron's OR rule); as in Vixie, a field written with a leading `*` (even a
 *   stepped one) counts as unrestricted for that rule. `@daily` and friends are accepted.
 *
 * Names (JAN-DEC, SUN-SAT) work in either dialect, in any letter case. Ranges may wrap around
 * (`FRI-MON`, `22-2` in hours) except in the year field. Errors are CronSyntaxError naming the
 * field and the reason.
 */

export type CronFieldName = 'second' | 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

export class CronSyntaxError extends Error {
  /** The field at fault, or 'expression' when the expression as a whole is (wrong field count). */
  readonly fieldName: CronFieldName | 'expression';

  constructor(fieldName: CronFieldName | 'expression', reason: string) {
    super(fieldName === 'expression' ? reason : `${fieldName}: ${reason}`);
    this.name = 'CronSyntaxError';
    this.fieldName = fieldName;
  }
}

/** The allowed values of one numeric field. */
export interface CronField {
  readonly min: number;
  readonly max: number;
  /** Allowed values, ascending. */
  readonly values: readonly number[];
  /** ceil[v - min] is the smallest allowed value >= v, or -1; the walk's "jump to next". */
  readonly ceil: Int16Array;
  /** Every value is allowed. */
  readonly all: boolean;
}

export interface DayOfMonthRule {
  /** Bit d set for each plainly named day d (1-31). */
  readonly days: number;
  /** `L` (offset 0), `L-3` (offset 3); with weekday, `LW` / `L-3W`: the nearest weekday to it. */
  readonly fromLast: readonly { readonly offset: number; readonly weekday: boolean }[];
  /** `15W`: the weekday nearest the 15th without leaving the month. */
  readonly nearestWeekday: readonly number[];
}

export interface DayOfWeekRule {
  /** Bit w set for each weekday w (0 = Sunday ... 6 = Saturday) that matches every week. */
  readonly weekdays: number;
  /** `6L`: the last Friday of the month, stored as weekdays 0-6. */
  readonly lastOfMonth: readonly number[];
  /** `6#3`: the third Friday. */
  readonly nth: readonly { readonly weekday: number; readonly n: number }[];
  /** monthMasks[w] has bit d set (1-31) where day d matches `weekdays` in a month starting on weekday w. */
  readonly monthMasks: readonly number[];
}

export interface CronExpression {
  /** The expression as given, trimmed. */
  readonly source: string;
  readonly dialect: 'quartz' | 'crontab';
  readonly second: CronField;
  readonly minute: CronField;
  readonly hour: CronField;
  readonly month: CronField;
  /** null: any year. */
  readonly year: CronField | null;
  /** null: unconstrained (`*` or `?`). */
  readonly dayOfMonth: DayOfMonthRule | null;
  /** null: unconstrained (`*` or `?`). */
  readonly dayOfWeek: DayOfWeekRule | null;
  /** 'or' only for crontab with both day fields restricted (Vixie); otherwise both must match. */
  readonly dayCombine: 'and' | 'or';
}

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The value of names[0]. */
  readonly nameBase?: number;
  readonly wraps: boolean;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59, wraps: true };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, wraps: true };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, wraps: true };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31, wraps: true };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1, wraps: true };
const QUARTZ_DOW: FieldSpec = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: DAY_NAMES,
  nameBase: 1,
  wraps: true,
};
const CRONTAB_DOW: FieldSpec = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  names: DAY_NAMES,
  nameBase: 0,
  wraps: true,
};
const YEAR: FieldSpec = { name: 'year', min: 1970, max: 2199, wraps: false };

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

// ---------------------------------------------------------------- numeric fields

function parseValue(spec: FieldSpec, text: string): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) {
      throw new CronSyntaxError(spec.name, `${value} is out of range ${spec.min}-${spec.max}`);
    }
    return value;
  }
  if (spec.names !== undefined) {
    const index = spec.names.indexOf(text.toUpperCase());
    if (index >= 0) return index + (spec.nameBase ?? 0);
    const first = spec.names[0] ?? '';
    const last = spec.names[spec.names.length - 1] ?? '';
    throw new CronSyntaxError(spec.name, `"${text}" is neither a number nor a name (${first}-${last})`);
  }
  throw new CronSyntaxError(spec.name, `"${text}" is not a number`);
}

/** Adds one list item (`*`, `5`, `1-5`, `*` + `/10`, `0/15`, `10-40/10`) to `into`. */
function addItem(spec: FieldSpec, item: string, into: boolean[]): void {
  const parts = item.split('/');
  if (parts.length > 2) throw new CronSyntaxError(spec.name, `"${item}" has more than one "/"`);
  const [range = '', stepText] = parts;
  const span = spec.max - spec.min + 1;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText))
      throw new CronSyntaxError(spec.name, `step "${stepText}" in "${item}" is not a whole number`);
    step = Number(stepText);
    if (step < 1) throw new CronSyntaxError(spec.name, `step in "${item}" must be at least 1`);
    if (step > span)
      throw new CronSyntaxError(
        spec.name,
        `step ${step} in "${item}" is larger than the range ${spec.min}-${spec.max}`,
      );
    if (range === '')
      throw new CronSyntaxError(
        spec.name,
        `"${item}": a step needs a start, e.g. "*/${step}" or "${spec.min}/${step}"`,
      );
  }
  let lo: number;
  let hi: number;
  if (range === '*') {
    lo = spec.min;
    hi = spec.max;
  } else if (range.includes('-')) {
    const bounds = range.split('-');
    if (bounds.length !== 2 || bounds[0] === '' || bounds[1] === '') {
      throw new CronSyntaxError(spec.name, `"${range}" is not a range like "1-5"`);
    }
    lo = parseValue(spec, bounds[0]!);
    hi = parseValue(spec, bounds[1]!);
    if (hi < lo) {
      if (!spec.wraps) throw new CronSyntaxError(spec.name, `range ${range} runs backwards`);
      hi += span; // FRI-MON, 22-2: wrap past the maximum, folded back below.
    }
  } else {
    lo = parseValue(spec, range);
    hi = stepText === undefined ? lo : spec.max;
  }
  for (let v = lo; v <= hi; v += step) into[((v - spec.min) % span) + spec.min] = true;
}

function toField(spec: FieldSpec, allowed: boolean[]): CronField {
  const values: number[] = [];
  for (let v = spec.min; v <= spec.max; v++) if (allowed[v] === true) values.push(v);
  // One slot past max so that "max + 1" (the carry case in the walk) answers -1.
  const ceil = new Int16Array(spec.max - spec.min + 2).fill(-1);
  let next = -1;
  for (let v = spec.max; v >= spec.min; v--) {
    if (allowed[v] === true) next = v;
    ceil[v - spec.min] = next;
  }
  return { min: spec.min, max: spec.max, values, ceil, all: values.length === spec.max - spec.min + 1 };
}

function splitList(spec: FieldSpec, text: string): string[] {
  const items = text.split(',');
  if (items.some((item) => item === '')) throw new CronSyntaxError(spec.name, `empty item in list "${text}"`);
  return items;
}

function parseField(spec: FieldSpec, text: string): CronField {
  if (text === '?')
    throw new CronSyntaxError(spec.name, '"?" is only allowed in day-of-month and day-of-week');
  const allowed: boolean[] = [];
  for (const item of splitList(spec, text)) addItem(spec, item, allowed);
  return toField(spec, allowed);
}

/** The smallest allowed value >= v, or -1 when there is none. */
export function ceilOf(field: CronField, v: number): number {
  const i = v - field.min;
  if (i < 0) return field.values[0] ?? -1;
  return field.ceil[i] ?? -1;
}

// ---------------------------------------------------------------- day fields

const QUARTZ_ONLY = 'L, W and # are Quartz syntax: use 6 fields, seconds first (e.g. "0 0 12 ? * 6#3")';

function parseDayOfMonth(text: string, dialect: CronExpression['dialect']): DayOfMonthRule {
  let days = 0;
  const fromLast: { offset: number; weekday: boolean }[] = [];
  const nearestWeekday: number[] = [];
  for (const raw of splitList(DAY_OF_MONTH, text)) {
    const item = raw.toUpperCase();
    const last = /^L(?:-(\d+))?(W?)$/.exec(item);
    const near = /^(\d+)W$/.exec(item);
    if ((last !== null || near !== null || /[LW#]/.test(item)) && dialect === 'crontab') {
      throw new CronSyntaxError('day-of-month', `"${raw}": ${QUARTZ_ONLY}`);
    }
    if (last !== null) {
      const offset = last[1] === undefined ? 0 : Number(last[1]);
      if (offset > 30)
        throw new CronSyntaxError('day-of-month', `"${raw}": the offset from the last day must be 0-30`);
      fromLast.push({ offset, weekday: last[2] === 'W' });
    } else if (near !== null) {
      nearestWeekday.push(parseValue(DAY_OF_MONTH, near[1]!));
    } else {
      const allowed: boolean[] = [];
      addItem(DAY_OF_MONTH, raw, allowed);
      allowed.forEach((on, day) => {
        if (on) days |= 1 << day;
      });
    }
  }
  return { days, fromLast, nearestWeekday };
}

function parseDayOfWeek(text: string, dialect: CronExpression['dialect']): DayOfWeekRule {
  const spec = dialect === 'quartz' ? QUARTZ_DOW : CRONTAB_DOW;
  // Quartz counts 1 = SUN, crontab 0 (and 7) = Sunday; inside, 0 = Sunday always.
  const toWeekday = (value: number): number => (dialect === 'quartz' ? value - 1 : value % 7);
  let weekdays = 0;
  const lastOfMonth: number[] = [];
  const nth: { weekday: number; n: number }[] = [];
  for (const raw of splitList(spec, text)) {
    const item = raw.toUpperCase();
    const lastOf = /^(\w+)L$/.exec(item);
    const nthOf = /^(\w+)#(\d+)$/.exec(item);
    if (dialect === 'crontab' && (item === 'L' || lastOf !== null || item.includes('#'))) {
      throw new CronSyntaxError('day-of-week', `"${raw}": ${QUARTZ_ONLY}`);
    }
    if (item === 'L') {
      weekdays |= 1 << 6; // Quartz: "L" alone in day-of-week is 7, Saturday.
    } else if (lastOf !== null) {
      lastOfMonth.push(toWeekday(parseValue(spec, lastOf[1]!)));
    } else if (nthOf !== null) {
      const n = Number(nthOf[2]);
      if (n < 1 || n > 5)
        throw new CronSyntaxError('day-of-week', `"${raw}": the occurrence after # must be 1-5`);
      nth.push({ weekday: toWeekday(parseValue(spec, nthOf[1]!)), n });
    } else {
      const allowed: boolean[] = [];
      addItem(spec, raw, allowed);
      allowed.forEach((on, value) => {
        if (on) weekdays |= 1 << toWeekday(value);
      });
    }
  }
  const monthMasks: number[] = [];
  for (let first = 0; first < 7; first++) {
    let mask = 0;
    for (let day = 1; day <= 31; day++) if (weekdays & (1 << ((first + day - 1) % 7))) mask |= 1 << day;
    monthMasks.push(mask);
  }
  return { weekdays, lastOfMonth, nth, monthMasks };
}

// ---------------------------------------------------------------- the expression

function build(source: string, text: string): CronExpression {
  const fields = text.split(/\s+/);
  let dialect: CronExpression['dialect'];
  let parts: { sec: string; min: string; hour: string; dom: string; mon: string; dow: string; year: string };
  if (fields.length === 5) {
    const [min, hour, dom, mon, dow] = fields as [string, string, string, string, string];
    dialect = 'crontab';
    parts = { sec: '0', min, hour, dom, mon, dow, year: '*' };
  } else if (fields.length === 6 || fields.length === 7) {
    const [sec, min, hour, dom, mon, dow, year = '*'] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    dialect = 'quartz';
    parts = { sec, min, hour, dom, mon, dow, year };
  } else {
    throw new CronSyntaxError('expression', `expected 5, 6 or 7 fields, got ${fields.length}`);
  }

  const second = parseField(SECOND, parts.sec);
  const minute = parseField(MINUTE, parts.min);
  const hour = parseField(HOUR, parts.hour);
  const dayOfMonth = parts.dom === '*' || parts.dom === '?' ? null : parseDayOfMonth(parts.dom, dialect);
  const month = parseField(MONTH, parts.mon);
  const dayOfWeek = parts.dow === '*' || parts.dow === '?' ? null : parseDayOfWeek(parts.dow, dialect);
  const year = parts.year === '*' ? null : parseField(YEAR, parts.year);

  let dayCombine: CronExpression['dayCombine'] = 'and';
  if (dialect === 'quartz' && dayOfMonth !== null && dayOfWeek !== null) {
    throw new CronSyntaxError(
      'day-of-week',
      `both day-of-month ("${parts.dom}") and day-of-week ("${parts.dow}") name days; put "?" in one of them`,
    );
  }
  if (dialect === 'crontab' && dayOfMonth !== null && dayOfWeek !== null) {
    // Vixie cron: a field starting with "*" does not count as a restriction for the OR rule.
    dayCombine = parts.dom.startsWith('*') || parts.dow.startsWith('*') ? 'and' : 'or';
  }
  return Object.freeze({
    source,
    dialect,
    second,
    minute,
    hour,
    month,
    year,
    dayOfMonth,
    dayOfWeek,
    dayCombine,
  });
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, CronExpression>();

/**
 * Parses a Quartz (6-7 fields) or crontab (5 fields) expression. Results are cached by the
 * exact string (at most 1000, oldest evicted first), so callers may parse on every use.
 *
 * @example
 * parseCron('0 15 10 ? * 6L'); // 10:15:00 on the last Friday of every month
 * parseCron('*\/5 * * * *');    // crontab: every 5 minutes, at second 0
 * @throws CronSyntaxError naming the field, e.g. "day-of-month: 32 is out of range 1-31"
 */
export function parseCron(expression: string): CronExpression {
  const hit = cache.get(expression);
  if (hit !== undefined) return hit;
  if (typeof expression !== 'string') throw new CronSyntaxError('expression', 'expected a string');
  const source = expression.trim();
  if (source === '') throw new CronSyntaxError('expression', 'the expression is empty');
  let text = source;
  if (source.startsWith('@')) {
    const expanded = MACROS[source.toLowerCase()];
    if (expanded === undefined) {
      throw new CronSyntaxError(
        'expression',
        `unknown macro "${source}"; known: ${Object.keys(MACROS).join(', ')}`,
      );
    }
    text = expanded;
  }
  const parsed = build(source, text);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(expression, parsed);
  return parsed;
}
