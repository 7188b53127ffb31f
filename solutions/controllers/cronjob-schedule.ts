/**
 * Exercise 04-controllers/08-cronjob-schedule (reference): the next time a CronJob's schedule names,
 * after github.com/robfig/cron/v3 (parser.go: ParseStandard, getField, getRange, parseDescriptor;
 * spec.go: SpecSchedule.Next, dayMatches), which kube-controller-manager's CronJob controller and
 * the apiserver's validation use. Times are UTC (a CronJob without spec.timeZone, on a
 * controller-manager running in UTC).
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** One field: the values it allows, and whether it was written as * (or ?) with no step above 1. */
interface Field {
  values: Set<number>;
  star: boolean;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseNumber(expr: string): number {
  if (!/^-?\d+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseValue(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseNumber(expr);
}

/** getRange: `*`, `?`, `a`, `a-b`, each optionally `/step`; `a/step` means a up to the maximum. */
function parseRange(expr: string, b: Bounds, field: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseValue(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseValue(lowAndHigh[1]!, b);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1]!);
    if (step <= 0) throw new Error(`step of range should be a positive number: ${expr}`);
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  for (let v = start; v <= end; v += step) field.values.add(v);
  field.star ||= star;
}

/** getField: a comma-separated list of ranges. */
function parseField(text: string, b: Bounds): Field {
  const field: Field = { values: new Set(), star: false };
  for (const expr of text.split(',')) parseRange(expr, b, field);
  return field;
}

interface Schedule {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

function parseSchedule(spec: string): Schedule {
  let text = spec.trim();
  if (text.startsWith('@')) {
    const standard = DESCRIPTORS[text];
    if (!standard) throw new Error(`unrecognized descriptor: ${text}`);
    text = standard;
  }
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return {
    minute: parseField(fields[0]!, MINUTES),
    hour: parseField(fields[1]!, HOURS),
    dom: parseField(fields[2]!, DOM),
    month: parseField(fields[3]!, MONTHS),
    dow: parseField(fields[4]!, DOW),
  };
}

/** dayMatches: both day fields restricted → either may match; one written as * → both must. */
function dayMatches(s: Schedule, t: Date): boolean {
  const dom = s.dom.values.has(t.getUTCDate());
  const dow = s.dow.values.has(t.getUTCDay());
  return s.dom.star || s.dow.star ? dom && dow : dom || dow;
}

export function nextScheduleTime(schedule: string, after: number): number | undefined {
  const s = parseSchedule(schedule);
  // Start at the first whole minute strictly after `after`.
  let t = new Date((Math.floor(after / 60_000) + 1) * 60_000);
  const yearLimit = t.getUTCFullYear() + 5;
  const at = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(Date.UTC(y, mo, d, h, mi));
  for (;;) {
    if (t.getUTCFullYear() > yearLimit) return undefined;
    if (!s.month.values.has(t.getUTCMonth() + 1)) {
      t = at(t.getUTCFullYear(), t.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(s, t)) {
      t = at(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1);
      continue;
    }
    if (!s.hour.values.has(t.getUTCHours())) {
      t = at(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1);
      continue;
    }
    if (!s.minute.values.has(t.getUTCMinutes())) {
      t = at(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes() + 1);
      continue;
    }
    return t.getTime();
  }
}
