/**
 * The machine's processes as tests look for them: by command line, read from /proc (Linux). For the
 * tests that check a helper process, a server or a grader child started and ended as it should.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** A process's command line (arguments joined by NUL), '' once it is gone. */
export const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return ''; // gone meanwhile
  }
};

/** The pids of the running processes whose command line passes `test` (this process excluded). */
export function pidsWithCmdline(test: (cmdline: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .map(Number)
    .filter((pid) => test(cmdline(pid)));
}
