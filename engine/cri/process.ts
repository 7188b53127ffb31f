/**
 * A container's process, from spawn to its recorded end: started in a session and process group
 * of its own (inside its cgroup first, when it has one: StartContainer returns once it is in),
 * its stdout and stderr written to its log and handed to its attach sessions, its stdin a pipe
 * when the config asks for one (else /dev/null); when its main process ends, the rest of its group,
 * its cgroup and its exec processes are killed (as the kernel kills a PID namespace whose PID 1
 * ended), its last output is flushed, and the record says how it ended: exit code (128 + signal
 * when killed), reason OOMKilled when the cgroup's OOM killer struck, else Completed for 0 and
 * Error for the rest. Stopping sends the stop signal to the main process, then SIGKILL to all of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BuiltinImage } from '../images/catalog.ts';
import { CONTAINER_KILL_WAIT_MS, CONTAINER_OUTPUT_DRAIN_MS } from '../params.ts';
import { cgroupPids, type ContainerCgroup } from './cgroups/driver.ts';
import { nowNs } from './clock.ts';
import { CriError } from './errors.ts';
import { ContainerLogWriter } from './logs/writer.ts';
import { isLive, processStartTime, signalGroup, signalProcess } from './procfs.ts';
import type { ContainerRecord } from './state.ts';
import type { CpuSample } from './stats.ts';

/** A container as the runtime holds it: its record and, while it runs, its process. */
export interface LiveContainer {
  record: ContainerRecord;
  image: BuiltinImage;
  child?: ChildProcess;
  writer?: ContainerLogWriter;
  cgroup?: ContainerCgroup;
  /** The environment it started with (exec uses it too). */
  env?: Record<string, string>;
  /** Resolves once the container is EXITED (its output written). */
  exited?: Promise<void>;
  execs: Set<ChildProcess>;
  lastCpu?: CpuSample;
  /** The write end of its stdin pipe, while it has one (config.stdin; Attach writes to it). */
  stdin?: Writable;
  /** Runs on a pseudo-terminal (./terminal.ts): its main process is script(1). */
  terminal?: boolean;
  /** Who receives its output as it comes, besides its log (the Attach sessions: ./attach.ts). */
  attached?: Set<OutputListener>;
}

/** Receives a container's output chunks as its process writes them. */
export type OutputListener = (stream: 'stdout' | 'stderr', chunk: Buffer) => void;

/**
 * Spawns the container's process (argv already wrapped to join its cgroup, if any); `save` is
 * called whenever the record changed. Throws (a sentence) when the process cannot be spawned.
 */
export async function startContainerProcess(entry: LiveContainer, argv: string[], env: Record<string, string>, save: (record: ContainerRecord) => void): Promise<void> {
  const { record } = entry;
  const writer = new ContainerLogWriter(record.logPath);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: record.workDir,
    env,
    detached: true,
    // With `stdin: true` the process gets a pipe held open until an attach closes it (stdinOnce) or it ends.
    // On a terminal it always gets one (never written without stdin): an empty stdin would be an end-of-file typed on it.
    stdio: [record.config.stdin || entry.terminal ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(entry.image.program ? {} : { argv0: (record.config.command?.[0] ?? record.config.args?.[0] ?? entry.image.defaultArgs[0]) as string }),
  });
  if (child.pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    writer.close();
    throw new Error(`failed to start ${argv[0]}: ${error.message}`);
  }
  const pid = child.pid;
  entry.child = child;
  entry.writer = writer;
  entry.env = env;
  record.pid = pid;
  record.pidStartTime = processStartTime(pid);
  record.startedAt = nowNs();
  record.state = 'CONTAINER_RUNNING';
  save(record);
  const attached = new Set<OutputListener>();
  entry.attached = attached;
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // the process may exit or close its stdin while input is on the way
    if (record.config.stdin) entry.stdin = child.stdin;
  }
  const output = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    writer.write(stream, chunk);
    for (const listener of attached) listener(stream, chunk);
  };
  child.stdout!.on('data', output('stdout'));
  child.stderr!.on('data', output('stderr'));
  child.stdout!.on('end', () => writer.end('stdout'));
  child.stderr!.on('end', () => writer.end('stderr'));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let ended = false;
  entry.exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      void recordExit(entry, code, signal, closed, save).finally(resolve);
    });
  });
  // As runc's start does, return once the process is inside its cgroup (the join command's first step).
  const cgroup = entry.cgroup;
  if (cgroup) {
    const last = dirname(cgroup.procsFiles.at(-1)!);
    const until = Date.now() + CONTAINER_KILL_WAIT_MS;
    while (!ended && !cgroupPids([last]).includes(pid) && Date.now() < until) await sleep(2);
  }
}

/** The main process ended: kill the rest, flush the log, record how it ended. */
async function recordExit(entry: LiveContainer, code: number | null, signal: NodeJS.Signals | null, closed: Promise<void>, save: (record: ContainerRecord) => void): Promise<void> {
  const { record } = entry;
  const finishedAt = nowNs();
  signalGroup(record.pid, 'SIGKILL');
  for (const exec of entry.execs) if (exec.pid) signalGroup(exec.pid, 'SIGKILL');
  const oom = entry.cgroup ? entry.cgroup.oomKills() > 0 : false;
  if (entry.cgroup) await entry.cgroup.destroy();
  const drained = await Promise.race([closed.then(() => true), sleep(CONTAINER_OUTPUT_DRAIN_MS).then(() => false)]);
  if (!drained) {
    entry.child?.stdout?.destroy();
    entry.child?.stderr?.destroy();
  }
  entry.writer?.close();
  record.finishedAt = finishedAt;
  record.exitCode = code ?? 128 + (osConstants.signals[signal ?? 'SIGKILL'] ?? 9);
  record.reason = oom ? 'OOMKilled' : record.exitCode === 0 ? 'Completed' : 'Error';
  record.message = '';
  record.pid = 0;
  record.state = 'CONTAINER_EXITED';
  entry.child?.stdin?.destroy();
  entry.stdin = undefined;
  entry.child = undefined;
  entry.cgroup = undefined;
  save(record);
}

/** SIGKILL to the container's group, cgroup and exec processes. */
export function killContainerNow(entry: LiveContainer): void {
  const { pid, pidStartTime } = entry.record;
  if (pid > 0 && isLive(pid, pidStartTime)) {
    signalGroup(pid, 'SIGKILL');
    signalProcess(pid, 'SIGKILL');
  }
  for (const p of entry.cgroup?.pids() ?? []) signalProcess(p, 'SIGKILL');
  for (const exec of entry.execs) if (exec.pid) signalGroup(exec.pid, 'SIGKILL');
}

/** The signal StopContainer sends first: the config's, else the image's. */
export function stopSignalOf(entry: LiveContainer): NodeJS.Signals {
  const asked = entry.record.config.stopSignal;
  return (asked && asked !== 'RUNTIME_DEFAULT' ? asked : entry.image.stopSignal) as NodeJS.Signals;
}

/** Stop signal, `timeoutMs` of grace (none: SIGKILL at once), SIGKILL; resolves once it has exited. */
export async function stopContainerProcess(entry: LiveContainer, timeoutMs: number): Promise<void> {
  const { record } = entry;
  const exited = entry.exited;
  if (!exited) return;
  if (record.state !== 'CONTAINER_RUNNING') return exited;
  if (timeoutMs > 0) {
    signalProcess(record.pid, stopSignalOf(entry));
    if (await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])) return;
  }
  killContainerNow(entry);
  if (!(await Promise.race([exited.then(() => true), sleep(CONTAINER_KILL_WAIT_MS).then(() => false)]))) {
    throw new CriError('DeadlineExceeded', `container "${record.id}" (pid ${record.pid}) did not end within ${CONTAINER_KILL_WAIT_MS / 1000} s of SIGKILL`);
  }
}
