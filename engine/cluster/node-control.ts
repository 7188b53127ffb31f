/**
 * `kubelings node stop NAME` / `node start NAME`: stop and restart one hollow node's heartbeats in
 * the running cluster, as a crashed (and restarted) kubelet would: its Lease and status are no
 * longer renewed and its pods are left as they are, so the node lifecycle controller marks it
 * NotReady and evicts its pods.
 *
 * The channel is a file, .kubelings/stopped-nodes.json (`{"stopped": ["hollow-node-1"]}`), mode
 * 0600, replaced whole (write, then rename) so a reader never sees half of it. The hollow-nodes
 * process polls it every NODE_CONTROL_POLL_MS (followStoppedNodes) and pauses the nodes it lists,
 * resumes the others. No port, no signal: only someone who can write the learner's state folder
 * can stop a node, and a restarted hollow-nodes process finds the stopped nodes still stopped.
 * `cluster up` starts with every node running (the daemon removes the file).
 *
 * Invariants: only names of the running cluster's hollow nodes are written (others are refused
 * with the names there are); a file that cannot be read or parsed counts as "none stopped" and
 * is logged, never crashes the hollow nodes.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { KubelingsError } from '../errors.ts';
import { HOLLOW_NODE_PREFIX } from '../hollow/objects.ts';
import { NODE_CONTROL_POLL_MS } from '../params.ts';
import type { Logger } from './logger.ts';
import { clusterPaths, type ClusterState } from './paths.ts';
import { checkDaemon, readDaemonRecord } from './pidfile.ts';

/** The nodes the file lists as stopped ([] when there is no file or it cannot be read). */
export function readStoppedNodes(file: string, onError?: (message: string) => void): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { stopped?: unknown };
    if (!Array.isArray(parsed.stopped) || !parsed.stopped.every((n) => typeof n === 'string')) throw new Error('"stopped" is not a list of node names');
    return parsed.stopped as string[];
  } catch (error) {
    onError?.(`${file} cannot be read as {"stopped": [names]} (${(error as Error).message}): every node runs`);
    return [];
  }
}

/** Replaces the file with this list, readable by its owner only. */
export function writeStoppedNodes(file: string, stopped: string[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ stopped: [...new Set(stopped)].sort() })}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Pauses the nodes the file lists and resumes the rest, now and on each change; returns a stop function. */
export function followStoppedNodes(file: string, nodes: { pause(name: string): void; resume(name: string): void }, logger: Logger): () => void {
  let current = new Set<string>();
  let lastError = '';
  const apply = () => {
    const wanted = new Set(
      readStoppedNodes(file, (message) => {
        if (message !== lastError) logger.warn(message);
        lastError = message;
      }),
    );
    for (const name of wanted) {
      if (current.has(name)) continue;
      try {
        nodes.pause(name);
        logger.info('node heartbeats stopped (kubelings node stop)', { node: name });
      } catch (error) {
        logger.warn(`cannot stop ${name}: ${(error as Error).message}`);
      }
    }
    for (const name of current) {
      if (wanted.has(name)) continue;
      nodes.resume(name);
      logger.info('node heartbeats started again (kubelings node start)', { node: name });
    }
    current = wanted;
  };
  // Polled by content, not by fs.watchFile: its first stat is taken later, and a write before it would go unseen.
  let seen: string | undefined;
  const check = () => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // no file: nothing stopped
    }
    if (text === seen) return;
    seen = text;
    apply();
  };
  check();
  const timer = setInterval(check, NODE_CONTROL_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The hollow nodes a running cluster has, by its flags (`--nodes N --hollow`); [] for none or static ones. */
export function hollowNodeNames(state: Pick<ClusterState, 'flags' | 'components'>): string[] {
  const flags = state.flags ?? {};
  const count = Number(flags.nodes ?? 0);
  if (!state.components?.includes('hollow-nodes') || flags.hollow === 'static' || !(count > 0)) return [];
  return Array.from({ length: count }, (_, i) => `${HOLLOW_NODE_PREFIX}${i}`);
}

const USAGE = `kubelings node: stop or start one hollow node's heartbeats (as a crashed kubelet would)

  npx kubelings node stop NAME    its Lease and status are no longer renewed: the node lifecycle
                                  controller marks it NotReady and evicts its pods
  npx kubelings node start NAME   its heartbeats start again
  npx kubelings node list         the hollow nodes and which ones are stopped

Needs a control plane with hollow nodes: npx kubelings cluster up --nodes 3 --hollow
`;

export async function nodeCommand(args: string[], argv: string[]): Promise<number> {
  const [verb, name] = args;
  if (argv.includes('--help') || argv.includes('-h') || verb === undefined) {
    process.stdout.write(USAGE);
    return verb === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  if (verb !== 'stop' && verb !== 'start' && verb !== 'list') throw new KubelingsError(`node takes stop, start or list (got "${verb}"). See npx kubelings node --help.`);
  const paths = clusterPaths();
  const check = checkDaemon(readDaemonRecord(paths.pidFile), paths.dataDir);
  let state: ClusterState | undefined;
  try {
    state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as ClusterState;
  } catch {
    state = undefined;
  }
  if (check.state !== 'ours' || !state) throw new KubelingsError('No control plane is running: start one with hollow nodes first (npx kubelings cluster up --nodes 3 --hollow).');
  const names = hollowNodeNames(state);
  if (names.length === 0) {
    throw new KubelingsError(
      `The running control plane has no hollow nodes whose heartbeats could stop${state.flags?.hollow === 'static' ? ' (--hollow static nodes never send any)' : ''}: npx kubelings cluster down, then npx kubelings cluster up --nodes 3 --hollow.`,
    );
  }
  const stopped = readStoppedNodes(paths.stoppedNodesFile).filter((n) => names.includes(n));
  if (verb === 'list') {
    for (const n of names) process.stdout.write(`${n}  ${stopped.includes(n) ? 'stopped (npx kubelings node start ' + n + ')' : 'running'}\n`);
    return 0;
  }
  if (!name) throw new KubelingsError(`node ${verb} takes a node name: one of ${names.join(', ')}.`);
  if (!names.includes(name)) throw new KubelingsError(`There is no hollow node named "${name}" in this cluster: its nodes are ${names.join(', ')}.`);
  if (verb === 'stop') {
    if (stopped.includes(name)) {
      process.stdout.write(`${name}'s heartbeats are already stopped. Start them again with: npx kubelings node start ${name}\n`);
      return 0;
    }
    writeStoppedNodes(paths.stoppedNodesFile, [...stopped, name]);
    process.stdout.write(
      `Stopped ${name}'s heartbeats, as a crashed kubelet would: once its Lease is older than the node monitor grace period, the node lifecycle controller marks it NotReady ` +
        `and evicts its pods. Watch: kubectl get nodes -w. Start it again with: npx kubelings node start ${name}\n`,
    );
    return 0;
  }
  if (!stopped.includes(name)) {
    process.stdout.write(`${name}'s heartbeats are running already.\n`);
    return 0;
  }
  const rest = stopped.filter((n) => n !== name);
  if (rest.length) writeStoppedNodes(paths.stoppedNodesFile, rest);
  else rmSync(paths.stoppedNodesFile, { force: true });
  process.stdout.write(`Started ${name}'s heartbeats again: it reports Ready on its next heartbeat.\n`);
  return 0;
}
