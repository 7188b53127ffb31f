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
  if (!running.includes('hollow-nodes')) {
    const { nodes, hollow } = hollowFlags(state);
    const flagHint =
      nodes > 0 && !hollow
        ? ` --nodes ${nodes} needs --hollow: nodes that run real processes come with a later lesson (the kubelet).`
        : hollow && !(nodes > 0)
          ? ' --hollow needs --nodes N (how many).'
          : '';
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
