/**
 * cleanupOrphans(root): after the process that owned a runtime died without shutting it down
 * (`kill -9` of the kubelet or of `cluster up`'s supervisor), kill everything it started and remove
 * its cgroups, from what its state folder says. Three nets, so that nothing slips through:
 *   1. each container's and exec's recorded pid, checked against its recorded start time (a reused
 *      pid is never killed), with its whole process group;
 *   2. every process listed in the runtime's cgroups (which catches children that left the group);
 *   3. on Linux, every process whose environment carries this root's KUBELINGS_RUNTIME_ID (which
 *      catches them even where cgroups are not used).
 * Then the records say what happened: running containers become exited (137, killed), ready
 * sandboxes not ready (their addresses stay reserved until StopPodSandbox releases them), and the
 * owner record goes. Refuses while the owner still runs, unless forced.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTAINER_KILL_WAIT_MS } from '../params.ts';
import { nowNs } from './clock.ts';
import { cgroupPids, killCgroupDirs } from './cgroups/driver.ts';
import { CriError } from './errors.ts';
import { isLive, pidsWithEnv, signalGroup, signalProcess } from './procfs.ts';
import { readOwner, RuntimeState } from './state.ts';

export const RUNTIME_ID_ENV = 'KUBELINGS_RUNTIME_ID';

export interface OrphanReport {
  /** The pids that were found alive and killed. */
  killed: number[];
  /** Cgroup folders removed. */
  cgroupsRemoved: string[];
  /** What could not be done, one sentence each. */
  warnings: string[];
}

/** The cgroup folders named `kubelings-<id>` under the controller roots of this machine. */
function runtimeCgroupDirs(runtimeId: string, recorded: string[]): string[] {
  const out = new Set<string>();
  // The containers' folders are recorded; their parent is the runtime's folder.
  for (const dir of recorded) {
    const at = dir.indexOf(`/kubelings-${runtimeId}`);
    if (at >= 0) out.add(dir.slice(0, at + `/kubelings-${runtimeId}`.length));
  }
  return [...out].filter((d) => existsSync(d));
}

export async function cleanupOrphans(root: string, options: { force?: boolean } = {}): Promise<OrphanReport> {
  const report: OrphanReport = { killed: [], cgroupsRemoved: [], warnings: [] };
  if (!existsSync(root)) return report;
  const owner = readOwner(root);
  if (owner && isLive(owner.pid, owner.startTime) && !options.force) {
    throw new CriError('FailedPrecondition', `the runtime at ${root} is still owned by process ${owner.pid}, which runs: stop it first (or force)`);
  }
  const state = new RuntimeState(root);
  const runtimeId = existsSync(join(root, 'runtime-id')) ? state.runtimeId() : undefined;
  const containers = state.loadContainers();
  const victims = new Set<number>();
  const kill = (pid: number, startTime: string | undefined, group: boolean) => {
    if (!isLive(pid, startTime)) return;
    if (group) signalGroup(pid, 'SIGKILL');
    signalProcess(pid, 'SIGKILL');
    victims.add(pid);
  };
  for (const record of containers) {
    if (record.pid > 0) kill(record.pid, record.pidStartTime, true);
    for (const exec of state.execRecords(record.id)) kill(exec.pid, exec.startTime, true);
  }
  const cgroupDirs = runtimeId
    ? runtimeCgroupDirs(
        runtimeId,
        containers.flatMap((c) => c.cgroupDirs),
      )
    : [];
  const recordedDirs = containers.flatMap((c) => c.cgroupDirs).filter((d) => existsSync(d));
  for (const pid of cgroupPids([...recordedDirs, ...cgroupDirs])) victims.add(pid);
  if (runtimeId) {
    for (const pid of pidsWithEnv(RUNTIME_ID_ENV, runtimeId)) {
      signalGroup(pid, 'SIGKILL');
      kill(pid, undefined, false);
    }
  }
  const removed = await killCgroupDirs([...recordedDirs, ...cgroupDirs]);
  report.cgroupsRemoved.push(...removed.removed);
  for (const dir of removed.left) report.warnings.push(`cgroup ${dir} could not be removed`);
  const until = Date.now() + CONTAINER_KILL_WAIT_MS;
  while ([...victims].some((pid) => isLive(pid)) && Date.now() < until) await sleep(20);
  for (const pid of victims) {
    if (isLive(pid)) report.warnings.push(`process ${pid} is still alive after SIGKILL (stuck in the kernel?)`);
    else report.killed.push(pid);
  }
  const now = nowNs();
  for (const record of containers) {
    for (const exec of state.execRecords(record.id)) state.removeExec(record.id, exec.pid);
    if (record.state !== 'CONTAINER_RUNNING') continue;
    record.state = 'CONTAINER_EXITED';
    record.finishedAt = now;
    record.exitCode = 137;
    record.reason = 'Error';
    record.message = `killed by cleanupOrphans: the runtime that started it (process ${owner?.pid ?? 'unknown'}) ended without stopping it`;
    record.pid = 0;
    state.saveContainer(record);
  }
  for (const sandbox of state.loadSandboxes()) {
    if (sandbox.state !== 'SANDBOX_READY') continue;
    sandbox.state = 'SANDBOX_NOTREADY';
    state.saveSandbox(sandbox);
  }
  state.removeOwner();
  // Records it could not read were moved aside and named (not silently dropped).
  report.warnings.push(...state.warnings);
  return report;
}

/** The container folders of a root (for tests and `cluster down` reports). */
export function containerIds(root: string): string[] {
  try {
    return readdirSync(join(root, 'containers'));
  } catch {
    return [];
  }
}
