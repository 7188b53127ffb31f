/**
 * Finds and ends every process a grading run started, so that none outlives it: not a learner's
 * `spawn(…, { detached: true })`, not a child whose parent was killed first.
 *
 * The grader's child runs in a session of its own (spawn.js starts it with setsid), and carries a
 * marker in its environment, KUBELINGS_GRADER_RUN=<random>, that every process it starts inherits.
 * A process belongs to the run when, in /proc:
 *   - it descends from the run's first process (by parent pid, while the chain is whole), or
 *   - it is in the run's session or process group (a detached child starts a session of its own,
 *     but its own children stay in it), or
 *   - it started after the run did and carries the marker (an orphan whose parent died, adopted by
 *     init, that also called setsid).
 * A process that calls setsid and clears its environment after its parent died escapes; nothing
 * short of cgroups (not available to a learner) can follow it.
 *
 * Plain JavaScript, synchronous on purpose: it runs in the CLI's 'exit' handler and in the child's
 * last moments. Without /proc (not Linux) it finds nothing, and callers still kill the group.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Environment variable that marks every process of a grading child, with a random value per child. */
export const RUN_MARKER = 'KUBELINGS_GRADER_RUN';

/** @typedef {{ pid: number, ppid: number, pgrp: number, session: number, start: number, comm: string }} ProcInfo */

/** @returns {ProcInfo | undefined} */
export function procInfo(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]), start: Number(fields[19]), comm: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return undefined;
  }
}

/**
 * Processes that adopt orphans: init (pid 1, whatever its name) and the usual subreapers. Only
 * their children can be a run's orphans, so only theirs are worth reading the environment of.
 */
const ADOPTERS = new Set(['systemd', 'init', 'tini', 'dumb-init', 'docker-init', 'catatonit', 's6-svscan', 'runsv', 'launchd']);

/** @returns {ProcInfo[]} */
function allProcesses() {
  let names;
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = procInfo(Number(name));
    if (info) out.push(info);
  }
  return out;
}

function carriesMarker(pid, marker) {
  const entry = `${RUN_MARKER}=${marker}\0`;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return environ.startsWith(entry) || environ.includes(`\0${entry}`);
  } catch {
    return false;
  }
}

/**
 * Every process that belongs to the run rooted at `rootPid` (see the file header), the root itself
 * included when it still runs.
 * @param {number} rootPid the run's first process (the session leader spawn.js started)
 * @param {string} marker the value of KUBELINGS_GRADER_RUN for this run
 * @param {number} [rootStart] the root's start time (from procInfo), when the root may be gone
 * @returns {number[]}
 */
export function runProcesses(rootPid, marker, rootStart) {
  const all = allProcesses();
  if (all.length === 0) return [];
  const root = all.find((p) => p.pid === rootPid);
  const since = root?.start ?? rootStart ?? Number.POSITIVE_INFINITY;
  const children = new Map();
  for (const p of all) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const found = new Set();
  const queue = root ? [root] : [];
  for (const p of all) if (p.session === rootPid || p.pgrp === rootPid) queue.push(p);
  while (queue.length > 0) {
    const p = queue.pop();
    if (found.has(p.pid)) continue;
    found.add(p.pid);
    for (const child of children.get(p.pid) ?? []) queue.push(child);
  }
  const byPid = new Map(all.map((p) => [p.pid, p]));
  for (const p of all) {
    if (found.has(p.pid) || p.start < since || p.pid === process.pid) continue;
    const parent = byPid.get(p.ppid);
    if (p.ppid !== 1 && !(parent && ADOPTERS.has(parent.comm))) continue;
    if (carriesMarker(p.pid, marker)) {
      found.add(p.pid);
      for (const child of children.get(p.pid) ?? []) if (!found.has(child.pid)) found.add(child.pid);
    }
  }
  found.delete(process.pid);
  return [...found];
}

/**
 * Ends the run's processes with SIGKILL: its process group at once, then every process found,
 * twice over (a process may start another while the first pass runs). `keep` lists pids to spare
 * (a warm child between runs keeps itself and its launcher).
 * @param {number} rootPid
 * @param {string} marker
 * @param {{ keep?: number[], rootStart?: number, group?: boolean }} [options]
 * @returns {number[]} the pids signalled
 */
export function endRunProcesses(rootPid, marker, options = {}) {
  const keep = new Set(options.keep ?? []);
  const ended = new Set();
  const kill = (pid) => {
    if (keep.has(pid) || pid === process.pid || pid <= 1) return;
    try {
      process.kill(pid, 'SIGKILL');
      ended.add(pid);
    } catch {}
  };
  // Find first, then kill: once a parent dies its children are adopted and the chain is lost.
  // Once more when the first pass found processes besides those kept (the run's own launcher and
  // grader): one of them may have started another while it ran.
  for (let pass = 0; pass < 2; pass++) {
    const strays = runProcesses(rootPid, marker, options.rootStart).filter((pid) => !keep.has(pid) && pid !== rootPid);
    for (const pid of strays) kill(pid);
    if (strays.length === 0) break;
  }
  // The group last: it may hold the caller itself (the child ending its own run).
  if (options.group !== false && !keep.has(rootPid)) {
    try {
      process.kill(-rootPid, 'SIGKILL');
      ended.add(rootPid);
    } catch {}
  }
  return [...ended];
}
