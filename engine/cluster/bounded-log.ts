/**
 * A component process's log file with a size bound within a run (logs/NAME.log, supervisor.ts):
 * the supervisor reads the process's stdout and stderr and writes them here. Once the file would
 * pass `maxBytes`, the whole lines that fit are written (or the line under way is finished), the
 * file becomes NAME.log.old (replacing the one before) and a new NAME.log begins, so a component that logs without end (a learner's debug
 * line in a hot loop) holds at most about twice `maxBytes` of disk, however long the cluster runs.
 *
 *   const log = new BoundedLog('logs/kube-scheduler.log', COMPONENT_LOG_MAX_BYTES);
 *   log.write(chunk);  // bytes as they come from the pipe
 *   log.close();
 *
 * Invariants: bytes are written in the order they come, none dropped but those of the file an
 * overflow replaces; a file is cut at a line's end, unless a line runs past `maxBytes` on its own
 * (then it is cut where the file is full); NAME.log never holds more than `maxBytes` plus the rest
 * of the line under way when the limit came, at most one chunk (a pipe read, 64 KiB). Writes are
 * synchronous (no buffer grows in the supervisor); a write or rotation that fails (disk full, the
 * folder removed) is reported once through `onError`, never thrown at the supervisor, and after a
 * failed rotation the file grows on rather than lose output.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';

/** The file that holds the part of a run's log a size rotation moved away. */
export function overflowFile(file: string): string {
  return `${file}.old`;
}

export class BoundedLog {
  private fd: number | undefined;
  private size: number;
  /** The file ends with a newline (or is empty): a new file may begin here. */
  private atLineEnd = true;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.fd = openSync(file, 'a+', 0o600);
    this.size = fstatSync(this.fd).size;
    if (this.size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, this.size - 1);
      this.atLineEnd = last[0] === 10;
    }
  }

  write(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0 && this.fd !== undefined) {
      if (this.size + rest.length <= this.maxBytes) {
        this.append(rest);
        return;
      }
      // The whole lines that still fit, then a new file for the rest.
      const room = this.maxBytes - this.size;
      const fits = room > 0 ? rest.lastIndexOf(10, room - 1) : -1;
      if (fits >= 0) {
        this.append(rest.subarray(0, fits + 1));
        rest = rest.subarray(fits + 1);
        if (!this.rotate()) break;
        continue;
      }
      if (this.size > 0 && (this.atLineEnd || this.size >= this.maxBytes)) {
        if (!this.rotate()) break;
        continue;
      }
      // An empty file, or one with a line under way: that line goes here whole (or all there is of it).
      const end = rest.indexOf(10);
      const cut = end >= 0 ? end + 1 : rest.length;
      this.append(rest.subarray(0, cut));
      rest = rest.subarray(cut);
    }
    // A rotation failed (reported): keep the output rather than loop; the bound no longer holds.
    if (rest.length > 0 && this.fd !== undefined) this.append(rest);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(bytes: Buffer): void {
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd!, bytes, done);
      this.size += bytes.length;
      if (bytes.length > 0) this.atLineEnd = bytes[bytes.length - 1] === 10;
    } catch (error) {
      this.fail(`cannot write ${this.file}: ${(error as Error).message}`);
    }
  }

  /** Moves the file to NAME.log.old and opens a new one; false (reported) when that fails. */
  private rotate(): boolean {
    try {
      closeSync(this.fd!);
      renameSync(this.file, overflowFile(this.file));
      this.fd = openSync(this.file, 'a', 0o600);
      this.size = 0;
      this.atLineEnd = true;
      return true;
    } catch (error) {
      this.fail(`cannot rotate ${this.file}: ${(error as Error).message}`);
      try {
        this.fd = openSync(this.file, 'a', 0o600);
        this.size = fstatSync(this.fd).size;
      } catch {
        this.fd = undefined; // nowhere to write: the rest of the run's output is dropped
      }
      return false;
    }
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onError(message);
  }
}
