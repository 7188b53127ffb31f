/**
 * Writes a container's stdout and stderr into its log file in the CRI format (./format.ts), as a
 * runtime's shim does: each complete line becomes an F record; a line longer than the maximum is
 * cut into P records of that size followed by an F record with the rest; output still waiting for
 * its newline when a stream ends is written as an F record. Each record gets the time it was
 * read. `reopen()` closes the file and opens the path again (the log manager renamed the file to
 * rotate it: ReopenContainerLog).
 *
 * Invariants: bytes are never lost or reordered within a stream; a record is written with one
 * write call, so a reader never sees half of one; a failing disk never throws into the runtime:
 * the error is kept in `lastError` and the output dropped.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CONTAINER_LOG_MAX_LINE_BYTES } from '../../params.ts';
import { nowNs } from '../clock.ts';
import { formatLogRecord, type LogStream } from './format.ts';

export interface LogWriterOptions {
  maxLineBytes?: number;
  /** Nanoseconds since the epoch (tests fix it). */
  now?: () => bigint;
}

export class ContainerLogWriter {
  private fd: number | undefined;
  private readonly pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private readonly maxLineBytes: number;
  private readonly now: () => bigint;
  lastError: Error | undefined;

  constructor(
    readonly path: string,
    options: LogWriterOptions = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? CONTAINER_LOG_MAX_LINE_BYTES;
    this.now = options.now ?? nowNs;
    this.open();
  }

  private open(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a', 0o640);
    } catch (error) {
      this.lastError = error as Error;
      this.fd = undefined;
    }
  }

  private emit(stream: LogStream, content: Buffer, partial: boolean): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, formatLogRecord({ timestamp: this.now(), stream, partial, content }));
    } catch (error) {
      this.lastError = error as Error;
    }
  }

  /** Output the container wrote on `stream`. */
  write(stream: LogStream, chunk: Buffer): void {
    let buffer = this.pending[stream].length ? Buffer.concat([this.pending[stream], chunk]) : chunk;
    for (;;) {
      const newline = buffer.indexOf(0x0a);
      const lineEnd = newline < 0 ? buffer.length : newline;
      if (lineEnd >= this.maxLineBytes) {
        this.emit(stream, buffer.subarray(0, this.maxLineBytes), true);
        buffer = buffer.subarray(this.maxLineBytes);
        continue;
      }
      if (newline < 0) break;
      this.emit(stream, buffer.subarray(0, newline), false);
      buffer = buffer.subarray(newline + 1);
    }
    this.pending[stream] = Buffer.from(buffer);
  }

  /** The stream ended: what waits for a newline is written as a full line. */
  end(stream: LogStream): void {
    if (this.pending[stream].length > 0) this.emit(stream, this.pending[stream], false);
    this.pending[stream] = Buffer.alloc(0);
  }

  /** Close the file and open the path again (after the log manager renamed it). */
  reopen(): void {
    this.closeFile();
    this.open();
  }

  /** Flush both streams and close the file; later writes are dropped. */
  close(): void {
    this.end('stdout');
    this.end('stderr');
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    this.fd = undefined;
  }
}
