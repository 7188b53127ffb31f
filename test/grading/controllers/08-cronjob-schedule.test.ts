/**
 * Hidden suite for 04-controllers/08-cronjob-schedule: the next time a cron schedule names, as
 * github.com/robfig/cron/v3 computes it for kube-controller-manager's CronJob controller (its
 * spec_test.go TestNext and TestNextWithTz cases, parser_test.go TestParseScheduleErrors and
 * TestStandardSpecSchedule), then random schedules against a minute-by-minute search written
 * independently here.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { hint, useSeed } from '#grading';

const c = await loadComponent('controllers');
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? 'none' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const next = (schedule: string, after: string) => iso(c.nextScheduleTime(schedule, at(after)));

describe('the next minute a schedule names', () => {
  test('* * * * *: the next whole minute, strictly after', hint('A run at exactly `after` is not "next": start from the following minute'), () => {
    expect(next('* * * * *', '2024-03-10T10:00:00Z'), '* * * * * after 10:00:00').toBe('2024-03-10T10:01:00Z');
    expect(next('* * * * *', '2024-03-10T10:00:59.999Z'), '* * * * * after 10:00:59.999').toBe('2024-03-10T10:01:00Z');
  });

  test('a fixed minute and hour: today if still to come, else tomorrow', () => {
    expect(next('30 2 * * *', '2024-03-10T01:00:00Z'), '30 2 * * * after 01:00').toBe('2024-03-10T02:30:00Z');
    expect(next('30 2 * * *', '2024-03-10T02:30:00Z'), '30 2 * * * after 02:30').toBe('2024-03-11T02:30:00Z');
    expect(next('59 23 * * *', '2024-12-31T23:59:00Z'), '59 23 * * * after the last minute of the year').toBe('2025-01-01T23:59:00Z');
  });

  test('lists, ranges and steps: */15, 5/15 (from 5 to the maximum), 1-10/3, 0,30', hint("a/n means a, a+n, ... up to the field's maximum"), () => {
    expect(next('*/15 * * * *', '2024-03-10T10:16:00Z'), '*/15 after 10:16').toBe('2024-03-10T10:30:00Z');
    expect(next('5/15 * * * *', '2024-03-10T10:36:00Z'), '5/15 after 10:36').toBe('2024-03-10T10:50:00Z');
    expect(next('5/15 * * * *', '2024-03-10T10:51:00Z'), '5/15 after 10:51').toBe('2024-03-10T11:05:00Z');
    expect(next('1-10/3 * * * *', '2024-03-10T10:05:00Z'), '1-10/3 after 10:05').toBe('2024-03-10T10:07:00Z');
    expect(next('1-10/3 * * * *', '2024-03-10T10:10:00Z'), '1-10/3 after 10:10 (the range ends at 10, not at 59)').toBe('2024-03-10T11:01:00Z');
    expect(next('0,30 9-17 * * *', '2024-03-10T17:30:00Z'), '0,30 9-17 after 17:30').toBe('2024-03-11T09:00:00Z');
  });

  test('? means the same as * (robfig/cron accepts it in any field)', hint('getRange treats "?" like "*"'), () => {
    expect(next('0 0 ? * 1', '2024-03-10T00:00:00Z'), '0 0 ? * 1 after Sunday March 10 (Mondays only)').toBe('2024-03-11T00:00:00Z');
  });

  test('month and weekday names, in any case', () => {
    expect(next('0 0 1 jun *', '2024-03-10T00:00:00Z'), '0 0 1 jun *').toBe('2024-06-01T00:00:00Z');
    expect(next('0 9 * * MON-fri', '2024-03-09T12:00:00Z'), '0 9 * * MON-fri after Saturday noon').toBe('2024-03-11T09:00:00Z');
  });

  test('day of month and day of week both restricted: either; one of them *: both', hint('0 0 13 * 5 runs on every 13th AND on every Friday; 0 0 * * 5 only on Fridays'), () => {
    expect(next('0 0 13 * 5', '2024-03-10T00:00:00Z'), '0 0 13 * 5 after Sunday March 10 (Friday is the 15th)').toBe('2024-03-13T00:00:00Z');
    expect(next('0 0 13 * 5', '2024-03-13T00:00:00Z'), '0 0 13 * 5 after the 13th').toBe('2024-03-15T00:00:00Z');
    expect(next('0 0 * * 5', '2024-03-10T00:00:00Z'), '0 0 * * 5').toBe('2024-03-15T00:00:00Z');
    expect(next('0 0 1 * *', '2024-03-10T00:00:00Z'), '0 0 1 * *').toBe('2024-04-01T00:00:00Z');
  });

  test('a step above 1 makes a * field count as restricted', hint('robfig/cron clears its star bit for */2: the day fields are then ORed'), () => {
    expect(next('0 0 */2 * 1', '2024-03-10T00:00:00Z'), '0 0 */2 * 1 after March 10 (odd days or Mondays)').toBe('2024-03-11T00:00:00Z');
    expect(next('0 0 */1 * 1', '2024-03-10T00:00:00Z'), '0 0 */1 * 1 (the same as *: Mondays only)').toBe('2024-03-11T00:00:00Z');
    expect(next('0 0 */1 * 1', '2024-03-11T00:00:00Z'), '0 0 */1 * 1 after Monday March 11').toBe('2024-03-18T00:00:00Z');
  });

  test(
    'months without that day are skipped; February 29 waits for a leap year; a day that never comes gives none',
    hint('Try month by month, day by day: April has no 31st; search at most 5 years'),
    () => {
      expect(next('0 0 31 * *', '2024-01-31T00:00:00Z'), '0 0 31 * * after January 31').toBe('2024-03-31T00:00:00Z');
      expect(next('0 0 29 2 *', '2024-03-01T00:00:00Z'), '0 0 29 2 * after March 2024').toBe('2028-02-29T00:00:00Z');
      expect(next('0 0 30 2 *', '2024-03-01T00:00:00Z'), '0 0 30 2 *').toBe('none');
    },
  );

  test('descriptors: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually', () => {
    const after = '2024-03-10T10:20:00Z';
    expect(
      ['@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually'].map((d) => `${d} ${next(d, after)}`),
      `each after ${after} (a Sunday)`,
    ).toEqual([
      '@hourly 2024-03-10T11:00:00Z',
      '@daily 2024-03-11T00:00:00Z',
      '@midnight 2024-03-11T00:00:00Z',
      '@weekly 2024-03-17T00:00:00Z',
      '@monthly 2024-04-01T00:00:00Z',
      '@yearly 2025-01-01T00:00:00Z',
      '@annually 2025-01-01T00:00:00Z',
    ]);
  });

  test("schedules cron cannot read are refused with robfig/cron's messages", hint("Check the number of fields, each value against its field's bounds, the order of a range, and the step"), () => {
    const error = (s: string) => {
      try {
        c.nextScheduleTime(s, at('2024-03-10T00:00:00Z'));
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(error('* * * *'), '"* * * *"').toBe('expected exactly 5 fields, found 4: [* * * *]');
    expect(error('@fortnightly'), '"@fortnightly"').toBe('unrecognized descriptor: @fortnightly');
    expect(error('60 * * * *'), '"60 * * * *"').toBe('end of range (60) above maximum (59): 60');
    expect(error('0 0 0 * *'), '"0 0 0 * *"').toBe('beginning of range (0) below minimum (1): 0');
    expect(error('5-1 * * * *'), '"5-1 * * * *"').toBe('beginning of range (5) beyond end of range (1): 5-1');
    expect(error('0-59/0 * * * *'), '"0-59/0 * * * *"').toBe('step of range should be a positive number: 0-59/0');
    expect(error('0 0 * * 7'), '"0 0 * * 7"').toBe('end of range (7) above maximum (6): 7');
    expect(error('x * * * *'), '"x * * * *"').toBe('failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
    // parser.go mustParseInt: strconv.Atoi of the whole text, then "negative number (%d) not allowed";
    // getRange: "too many hyphens", "too many slashes".
    expect(error('5x * * * *'), '"5x * * * *"').toBe('failed to parse int from 5x: strconv.Atoi: parsing "5x": invalid syntax');
    expect(error('x5 * * * *'), '"x5 * * * *"').toBe('failed to parse int from x5: strconv.Atoi: parsing "x5": invalid syntax');
    expect(error('*/-1 * * * *'), '"*/-1 * * * *"').toBe('negative number (-1) not allowed: -1');
    expect(error('1-2-3 * * * *'), '"1-2-3 * * * *"').toBe('too many hyphens: 1-2-3');
    expect(error('*/2/3 * * * *'), '"*/2/3 * * * *"').toBe('too many slashes: */2/3');
  });
});

/** An independent reading of a field: the set of values it names (and whether it counts as *). */
function field(text: string, min: number, max: number, names: string[] = []): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  const value = (v: string) => (names.includes(v.toLowerCase()) ? names.indexOf(v.toLowerCase()) + min : Number(v));
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let lo: number;
    let hi: number;
    if (range === '*') {
      [lo, hi] = [min, max];
      if (step === 1) star = true;
    } else if (range!.includes('-')) {
      [lo, hi] = range!.split('-').map(value) as [number, number];
    } else {
      lo = value(range!);
      hi = stepText ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

/** The next match, minute by minute: slow, obvious, and independent of the code under test. */
function scan(schedule: string, after: number, limitMinutes: number): number | undefined {
  const [mi, h, dom, mo, dow] = schedule.split(' ');
  const f = { mi: field(mi!, 0, 59), h: field(h!, 0, 23), dom: field(dom!, 1, 31), mo: field(mo!, 1, 12), dow: field(dow!, 0, 6) };
  for (let t = (Math.floor(after / 60_000) + 1) * 60_000, n = 0; n < limitMinutes; t += 60_000, n++) {
    const d = new Date(t);
    const dayOk = f.dom.star || f.dow.star ? f.dom.values.has(d.getUTCDate()) && f.dow.values.has(d.getUTCDay()) : f.dom.values.has(d.getUTCDate()) || f.dow.values.has(d.getUTCDay());
    if (f.mi.values.has(d.getUTCMinutes()) && f.h.values.has(d.getUTCHours()) && dayOk && f.mo.values.has(d.getUTCMonth() + 1)) return t;
  }
  return undefined;
}

test('random schedules agree with a minute-by-minute search', hint('Compare with the rules one minute at a time: which field is off?'), ({ task }) => {
  const part = (min: number, max: number) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min, max }).map(String),
      fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.integer({ min: 2, max: 7 }).map((s) => `*/${s}`),
      fc.tuple(fc.integer({ min, max }), fc.integer({ min: 2, max: 9 })).map(([a, s]) => `${a}/${s}`),
      fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 3 }).map((v) => v.join(',')),
    );
  const schedule = fc.tuple(part(0, 59), part(0, 23), fc.oneof(fc.constant('*'), part(1, 28)), fc.constant('*'), part(0, 6)).map((f) => f.join(' '));
  const start = fc.integer({ min: at('2023-01-01T00:00:00Z'), max: at('2026-12-31T00:00:00Z') });
  fc.assert(
    fc.property(schedule, start, (s, after) => {
      const want = scan(s, after, 60 * 24 * 70);
      if (want === undefined) return;
      expect(iso(c.nextScheduleTime(s, after)), `nextScheduleTime("${s}", ${iso(after)})`).toBe(iso(want));
    }),
    { seed: useSeed(task), numRuns: 150 },
  );
});
