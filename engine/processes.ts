/**
 * Whether a process still runs, for files that name their owner's pid (the etcd data folder's lock,
 * the cluster daemon's pid file, the stub folders of a `pack check`).
 */

/** True while `pid` runs: signal 0 checks without sending anything (EPERM: it runs as someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
