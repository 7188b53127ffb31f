/**
 * Exercise 04-controllers/08-cronjob-schedule: when does a CronJob run next? The CronJob
 * controller calls nextScheduleTime to decide whether a Job is due and when to look again.
 *
 * A schedule has five fields, separated by spaces:
 *
 *   minute (0-59)  hour (0-23)  day of month (1-31)  month (1-12 or JAN-DEC)  day of week (0-6 or SUN-SAT)
 *
 * Each field is a comma-separated list of: `*` (or `?`) for every value; a number or name; a
 * range `a-b`; any of those with a step `/n` (a star then `/15`: 0, 15, 30, 45; `a/n` means from
 * a to the maximum). Names are case-insensitive. Or the whole schedule is a descriptor: @yearly (or
 * @annually) `0 0 1 1 *`, @monthly `0 0 1 * *`, @weekly `0 0 * * 0`, @daily (or @midnight)
 * `0 0 * * *`, @hourly `0 * * * *`.
 *
 * Read: lessons/core/04-controllers/11-jobs-cronjobs.md
 * Check: npx kubelings check 04-controllers/08-cronjob-schedule
 * Upstream: github.com/robfig/cron/v3 (parser.go, spec.go), which kube-controller-manager uses.
 */
import { NotImplemented } from '#engine/errors.ts';

const PAGE = 'lessons/core/04-controllers/11-jobs-cronjobs.md';
const todo = (what: string) => new NotImplemented('04-controllers/08-cronjob-schedule', PAGE, what);

/**
 * The first time strictly after `after` (ms since the epoch, UTC) that `schedule` names, in ms
 * (whole minutes), or undefined when there is none within the next 5 years (`0 0 30 2 *`).
 *
 * Day of month and day of week: when both are restricted (neither written as `*` or `?`, a step
 * above 1 counting as restricted), a day matches if EITHER matches; otherwise both must.
 *
 * Throws an Error, with robfig/cron's message, for a schedule it cannot read:
 *   `expected exactly 5 fields, found 4: [* * * *]`, `unrecognized descriptor: @fortnightly`,
 *   `end of range (60) above maximum (59): 60`, `beginning of range (0) below minimum (1): 0`,
 *   `beginning of range (5) beyond end of range (1): 5-1`, `step of range should be a positive
 *   number: 0-59/0`, `failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax`.
 */
export function nextScheduleTime(schedule: string, after: number): number | undefined {
  // TODO
  throw todo('nextScheduleTime()');
}
