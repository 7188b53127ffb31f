/**
 * The CRI container log format (kubernetes/cri-api, the kubelet's pkg/kubelet/kuberuntime/logs):
 * one record per line, `<RFC3339Nano timestamp> <stream> <tag> <content>\n`, e.g.
 *   2016-10-06T00:17:09.669794202Z stdout F log content 1
 *   2016-10-06T00:17:09.669794203Z stderr P the first part of a long line
 * The tag is F for a full line (its newline was the record's end) and P for a part of a longer
 * line that the next records continue; content is the bytes as the container wrote them, without
 * the newline. Timestamps are written with exactly nine fraction digits in UTC (the kubelet's
 * RFC3339NanoFixed) and read leniently (fewer digits, a zone offset).
 */

export type LogStream = 'stdout' | 'stderr';

export interface CriLogRecord {
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  stream: LogStream;
  /** True for a P record: the line goes on in the next record. */
  partial: boolean;
  content: Buffer;
}

/** 2016-10-06T00:17:09.669794202Z for a nanosecond timestamp. */
export function formatLogTimestamp(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const seconds = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  const fraction = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${fraction}Z`;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds for an RFC3339 timestamp with up to nine fraction digits; throws when malformed. */
export function parseLogTimestamp(text: string): bigint {
  const match = TIMESTAMP.exec(text);
  const ms = match ? Date.parse(`${match[1]}${match[3]}`) : NaN;
  if (!match || Number.isNaN(ms)) throw new Error(`unexpected timestamp format: "${text}" is not RFC3339 with up to nine fraction digits`);
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** One record as a line of the log file, newline included. */
export function formatLogRecord(record: CriLogRecord): Buffer {
  const head = `${formatLogTimestamp(record.timestamp)} ${record.stream} ${record.partial ? 'P' : 'F'} `;
  return Buffer.concat([Buffer.from(head), record.content, Buffer.from('\n')]);
}

/** A line of a CRI log file (its newline optional) as a record; throws a sentence when malformed. */
export function parseLogRecord(line: Buffer): CriLogRecord {
  let rest = line[line.length - 1] === 0x0a ? line.subarray(0, line.length - 1) : line;
  const field = (what: string): string => {
    const space = rest.indexOf(0x20);
    if (space < 0) throw new Error(`${what} is not found`);
    const value = rest.subarray(0, space).toString('latin1');
    rest = rest.subarray(space + 1);
    return value;
  };
  const timestamp = parseLogTimestamp(field('timestamp'));
  const stream = field('stream type');
  if (stream !== 'stdout' && stream !== 'stderr') throw new Error(`unexpected stream type "${stream}"`);
  const tags = field('log tag').split(':');
  return { timestamp, stream, partial: tags[0] === 'P', content: Buffer.from(rest) };
}
