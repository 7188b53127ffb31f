/**
 * Wall-clock time in nanoseconds since the epoch, as the CRI counts timestamps (createdAt,
 * startedAt, finishedAt, log lines). Date gives milliseconds; the monotonic clock adds the digits
 * below, anchored to Date once per process, so that readings never go backwards within a process
 * (two log lines written in a row keep their order).
 */
const anchorWallNs = BigInt(Date.now()) * 1_000_000n;
const anchorMonoNs = process.hrtime.bigint();
let lastNs = 0n;

export function nowNs(): bigint {
  let ns = anchorWallNs + (process.hrtime.bigint() - anchorMonoNs);
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

/** A Date for a nanosecond timestamp (milliseconds kept). */
export function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

/** Nanoseconds for a Date. */
export function dateToNs(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}
