/**
 * What `cluster up` and `cluster status` say about a running control plane beyond its address:
 * which components run and whose code each one uses (the learner's or the reference), and what a
 * learner will miss while it is absent: nodes (without them every pod stays Pending) and
 * controllers (without them a Deployment never gets pods). Pure: the caller brings the state file
 * and what the apiserver said about nodes, so tests check every wording without a cluster.
 *
 * Keep the wording true to what exists: when a lesson adds a component (the controller-manager,
 * the kubelet), it shows up in `components` and its "missing" line goes away by itself.
 */
import { parseImplSpec, treeFor, type ImplChoice } from '../impl.ts';
import type { ClusterState } from './paths.ts';

/** The learner's components (engine/components.ts) each running part uses, in the order shown. */
const CODE_OF: Record<string, { label: string; components: string[] }> = {
  store: { label: 'the store', components: ['etcd'] },
  apiserver: { label: 'the apiserver', components: ['apiserver', 'objects'] },
  'kube-scheduler': { label: 'kube-scheduler', components: ['scheduler', 'objects'] },
  'kube-controller-manager': { label: 'kube-controller-manager', components: ['controllers', 'objects'] },
  // The service controller's workqueue comes from the controllers component; the rest is the engine's.
  'cloud-controller-manager': { label: 'cloud-controller-manager', components: ['controllers'] },
};

/** A component name that is a controller manager (none exists before the controllers lesson). */
const CONTROLLERS = /controller/;

/** What the apiserver said about Node objects: how many there are, or undefined when it could not be asked. */
export type RegisteredNodes = number | undefined;

function whose(choice: ImplChoice, component: string): string {
  return treeFor(choice, component) === 'exercises' ? `yours (exercises/${component})` : 'the reference';
}

function hollowFlags(state: ClusterState): { nodes: number; hollow: unknown } {
  const flags = state.flags ?? {};
  const nodes = Number(flags.nodes ?? 0);
  return { nodes: Number.isFinite(nodes) ? nodes : 0, hollow: flags.hollow };
}

/** The lines after "The control plane is up ...": components and whose code, then what is missing. */
export function describeCluster(state: ClusterState, registeredNodes: RegisteredNodes): string {
  let choice: ImplChoice;
  try {
    choice = parseImplSpec(state.impl, []);
  } catch {
    choice = { default: 'solutions', overrides: {} };
  }
  const running = ['store', 'apiserver', ...(state.components ?? [])];
  const rows: [string, string][] = running.map((name) => {
    if (name === 'hollow-nodes') {
      const { nodes, hollow } = hollowFlags(state);
      const what = hollow === 'static' ? 'Node objects only (--hollow static): no heartbeats, pods stay as bound' : 'simulated: they report Ready and mark pods Running without starting anything';
      return [`${nodes} hollow node${nodes === 1 ? '' : 's'}`, what];
    }
    if (name.startsWith('kubelet-node-')) return [`kubelet ${name.slice('kubelet-'.length)}`, `a real node: pods run as processes on this machine; its pod logic: ${whose(choice, 'kubelet')}`];
    // The Service network (engine/proxy/components.ts): the learner's services code, lesson 07.
    if (name.startsWith('kube-proxy-node-')) {
      const node = name.slice('kube-proxy-'.length);
      const what = state.flags?.network === 'kernel' ? `nftables in ${node}'s network namespace (kernel mode)` : `userspace proxy for ${node} (loopback mode)`;
      return [name, `${what}; rules and sync loop: ${whose(choice, 'services')}`];
    }
    if (name.startsWith('netpol-enforcer-node-')) return [name, `NetworkPolicy in nftables for ${name.slice('netpol-enforcer-'.length)} (kernel mode); rules: ${whose(choice, 'cni')}`];
    if (name === 'cluster-dns') return [name, `DNS for cluster.local on kube-system/kube-dns's ClusterIP; answers: ${whose(choice, 'services')}`];
    if (name === 'ingress-controller') return [name, `HTTP for Ingresses of class kubelings; routing: ${whose(choice, 'services')}`];
    if (name === 'store' && state.etcdServers?.length) return ['the store', `etcd at ${state.etcdServers.join(', ')} (--etcd-servers): neither yours nor the reference`];
    const code = CODE_OF[name];
    if (!code) return [name, 'built in'];
    const [main, ...uses] = code.components;
    const extra = uses.map((c) => `; ${c === 'objects' ? 'selectors and quantities' : c}: ${whose(choice, c)}`).join('');
    return [code.label, `${whose(choice, main!)}${extra}`];
  });
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = ['Running, and whose code:', ...rows.map(([label, what]) => `  ${label.padEnd(width)}  ${what}`)];

  const missing: string[] = [];
  if (!running.includes('hollow-nodes') && !running.some((name) => name.startsWith('kubelet-node-'))) {
    const { nodes, hollow } = hollowFlags(state);
    const flagHint = nodes > 0 && !hollow ? ` --nodes ${nodes} asks for real nodes, and none started: see the cluster log.` : hollow && !(nodes > 0) ? ' --hollow needs --nodes N (how many).' : '';
    if (registeredNodes !== undefined && registeredNodes > 0) {
      missing.push(
        `  nodes        ${registeredNodes === 1 ? 'a Node object is' : 'Node objects are'} registered, but no node agent runs for ${registeredNodes === 1 ? 'it' : 'them'} (left from an earlier run?): pods bound to ${registeredNodes === 1 ? 'it' : 'them'} will not start.${flagHint}`,
      );
    } else {
      missing.push(
        `  nodes        none, so the scheduler has nowhere to put pods: they stay Pending.${flagHint} For simulated nodes: npx kubelings cluster down, then npx kubelings cluster up --nodes 3 --hollow`,
      );
    }
  }
  if (!running.some((name) => CONTROLLERS.test(name))) {
    missing.push('  controllers  no controllers yet: Deployments will not get pods until the controllers lesson (04).');
  }
  if (missing.length) lines.push('Not running:', ...missing);
  return `${lines.join('\n')}\n`;
}

/** What the supervisor wrote about a component process (a row of components.json, see supervisor.ts). */
export interface ComponentProcessRow {
  name: string;
  pid?: number;
  phase: string;
  restarts: number;
  since: string;
  lastExit?: { code: number | null; signal: string | null; at: string; error?: string };
}

function exitText(exit: NonNullable<ComponentProcessRow['lastExit']>): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  return `${how}${exit.error ? `: ${exit.error}` : ''}`;
}

/**
 * The processes `cluster status` lists: the daemon (the store and the apiserver) and each component
 * process with its pid and whether it is healthy; `now` (ms) says how long until a restart.
 * `logsDir` is shown as given.
 */
export function describeProcesses(daemonPid: number, rows: ComponentProcessRow[] | undefined, logsDir: string, now: number): string {
  const lines: [string, string, string][] = [['store, apiserver', `pid ${daemonPid}`, 'running (the daemon, the supervisor of the others)']];
  for (const row of rows ?? []) {
    let health: string;
    if (row.phase === 'running') health = 'running';
    else if (row.phase === 'starting') health = 'starting';
    else if (row.phase === 'not responding') health = 'NOT RESPONDING: no heartbeat (stuck in a loop?); the others keep serving';
    else if (row.phase === 'restarting') {
      const wait = Math.max(0, Math.ceil((Date.parse(row.since) - now) / 1000));
      health = `RESTARTING${wait > 0 ? ` in ${wait} s` : ''}`;
    } else health = row.phase;
    if (row.restarts > 0) health += ` (${row.restarts === 1 ? 'exited once' : `exited ${row.restarts} times`}${row.lastExit ? `, last: ${exitText(row.lastExit)}` : ''})`;
    lines.push([row.name, row.pid ? `pid ${row.pid}` : '-', health]);
  }
  if (rows === undefined) lines.push(['components', '-', 'unknown: the supervisor wrote no components.json']);
  const w1 = Math.max(...lines.map((l) => l[0].length));
  const w2 = Math.max(...lines.map((l) => l[1].length));
  return `Processes (each component's log: ${logsDir}/NAME.log):\n${lines.map(([a, b, c]) => `  ${a.padEnd(w1)}  ${b.padEnd(w2)}  ${c}`).join('\n')}\n`;
}
