/**
 * Reads a container's CRI log file for `kubectl logs`, as the kubelet's ReadLogs does
 * (pkg/kubelet/kuberuntime/logs/logs.go): `tail` counts lines (records) from the end, `since`
 * skips older records, `limitBytes` stops after that many bytes (cutting the last line),
 * `timestamps` puts each record's time in front of it, and `follow` keeps reading new records until
 * the container is no longer running. Each record's content goes to the sink of its stream; a P
 * record's content is passed without a newline, so that the parts of a long line join up.
 *
 * Follow survives rotation: when the path names a new file (the log manager renamed the old one
 * and the runtime reopened), the old file is read to its end and the new one from its start.
 * Malformed lines are skipped (as upstream does, which only logs them). `--previous` is the
 * caller's choice of path (the previous container instance's own log file).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTAINER_LOG_FOLLOW_POLL_MS } from '../../params.ts';
import { formatLogTimestamp, parseLogRecord, type LogStream } from './format.ts';

export interface LogReadOptions {
  /** Lines from the end; undefined or negative: all. */
  tail?: number;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** Nanoseconds since the epoch: records before it are skipped. */
  since?: bigint;
  follow?: boolean;
  timestamps?: boolean;
  /** Ends a follow (or a long read) early. */
  signal?: AbortSignal;
  /** How often a follower looks for new lines, in ms. */
  pollMs?: number;
}

export type LogSink = (stream: LogStream, bytes: Buffer) => void;

const BLOCK = 64 * 1024;

/** The byte offset where the last `lines` lines of the file start (a final newline ends the last line). */
async function tailStart(file: FileHandle, size: number, lines: number): Promise<number> {
  if (lines < 0) return 0;
  if (lines === 0) return size;
  const buffer = Buffer.alloc(BLOCK);
  let position = size;
  let seen = 0;
  while (position > 0) {
    const length = Math.min(BLOCK, position);
    position -= length;
    await file.read(buffer, 0, length, position);
    for (let i = length - 1; i >= 0; i--) {
      if (buffer[i] !== 0x0a || position + i === size - 1) continue;
      if (++seen === lines) return position + i + 1;
    }
  }
  return 0;
}

/** Reads the log at `path` into `sink`; resolves when done (for follow: when the container stopped). */
export async function readContainerLog(path: string, options: LogReadOptions, sink: LogSink, isRunning: () => boolean | Promise<boolean> = () => false): Promise<void> {
  const pollMs = options.pollMs ?? CONTAINER_LOG_FOLLOW_POLL_MS;
  let file = await open(path, 'r');
  let remaining = options.limitBytes !== undefined && options.limitBytes >= 0 ? options.limitBytes : Infinity;
  const tail = options.tail ?? -1;
  let lines = tail >= 0 && !options.follow ? tail : Infinity;
  try {
    let inode = (await file.stat()).ino;
    let offset = tail >= 0 ? await tailStart(file, (await file.stat()).size, tail) : 0;
    let carry = Buffer.alloc(0);
    let stopAtEnd = false;
    let drained = false;
    const buffer = Buffer.alloc(BLOCK);

    /** Handles complete lines; returns false once a limit is reached. */
    const consume = (line: Buffer): boolean => {
      if (lines <= 0 || remaining <= 0) return false;
      let record;
      try {
        record = parseLogRecord(line);
      } catch {
        return true;
      }
      if (options.since !== undefined && record.timestamp < options.since) return true;
      let out = record.partial ? record.content : Buffer.concat([record.content, Buffer.from('\n')]);
      if (options.timestamps) out = Buffer.concat([Buffer.from(`${formatLogTimestamp(record.timestamp)} `), out]);
      if (out.length > remaining) out = out.subarray(0, remaining);
      remaining -= out.length;
      lines--;
      sink(record.stream, out);
      return lines > 0 && remaining > 0;
    };

    for (;;) {
      if (options.signal?.aborted) return;
      const { bytesRead } = await file.read(buffer, 0, BLOCK, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        let data = carry.length ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : Buffer.from(buffer.subarray(0, bytesRead));
        for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a)) {
          if (!consume(data.subarray(0, newline + 1))) return;
          data = data.subarray(newline + 1);
        }
        carry = Buffer.from(data);
        continue;
      }
      // At the end of the file.
      if (!options.follow || stopAtEnd) {
        if (carry.length > 0 && !options.follow) consume(carry);
        return;
      }
      const rotated = await stat(path).then(
        (s) => s.ino !== inode,
        () => false,
      );
      if (rotated && !drained) {
        // Writes may have reached the old file after the read above: read it to its end once more.
        drained = true;
        continue;
      }
      drained = false;
      if (rotated) {
        await file.close();
        file = await open(path, 'r');
        inode = (await file.stat()).ino;
        offset = 0;
        carry = Buffer.alloc(0);
        continue;
      }
      if (!(await isRunning())) {
        // One more pass picks up what was written just before the container ended.
        stopAtEnd = true;
        continue;
      }
      await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await file.close().catch(() => undefined);
  }
}
