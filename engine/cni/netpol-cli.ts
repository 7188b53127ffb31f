/**
 * `kubelings explain netpol [POD] [-n NAMESPACE | -A]`: the cluster's NetworkPolicies, the pods
 * they select, and (for POD) who may connect to it and whom it may reach, decided by the same cni
 * code as the running cluster (or the one KUBELINGS_IMPL names); see netpol-explain.ts. Reads the
 * cluster that `kubelings cluster up` started; says whether its network mode enforces policies
 * (the mode is the `network` flag `cluster up` recorded; loopback when none was recorded).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeClient } from '../client/client.ts';
import { clusterPaths, type ClusterState } from '../cluster/paths.ts';
import { readCaCert } from '../cluster/pki-files.ts';
import { readAdminToken } from '../cluster/token-file.ts';
import { KubelingsError } from '../errors.ts';
import { loadComponent, parseImplSpec } from '../impl.ts';
import { isApiError } from '../kube/errors.ts';
import type { KubeObject, Namespace, Pod } from '../kube/types.ts';
import { explainNetpol } from './netpol-explain.ts';
import { policyPod, policyWorld, type PolicyPod } from './netpol-world.ts';

export async function explainNetpolCommand(args: string[], argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { namespace: { type: 'string', short: 'n' }, 'all-namespaces': { type: 'boolean', short: 'A' } },
  });
  const [, pod] = args.filter((a) => !a.startsWith('-') && a !== values.namespace);
  const namespace = values['all-namespaces'] ? undefined : typeof values.namespace === 'string' ? values.namespace : 'default';
  if (pod !== undefined && namespace === undefined) throw new KubelingsError("Name the pod's namespace with -n, not -A: npx kubelings explain netpol POD -n NAMESPACE");
  const paths = clusterPaths();
  if (!existsSync(paths.stateFile)) throw new KubelingsError('No cluster is running: start one with npx kubelings cluster up');
  const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as ClusterState;
  const client = new KubeClient({ server: state.url, userAgent: 'kubelings-explain', ca: readCaCert(paths.pkiDir), token: readAdminToken(paths.tokenFile) });
  try {
    let policies: KubeObject[];
    let namespaces: Namespace[];
    let pods: Pod[];
    try {
      [policies, namespaces, pods] = await Promise.all([
        client.list<KubeObject>('networkpolicies').then((l) => l.items),
        client.list<Namespace>('namespaces').then((l) => l.items),
        client.list<Pod>('pods').then((l) => l.items),
      ]);
    } catch (error) {
      if (isApiError(error, 'ConnectionFailed')) throw new KubelingsError(`The cluster at ${state.url} does not answer: is it still up? (npx kubelings cluster status)`);
      throw error;
    }
    const choice = parseImplSpec(process.env.KUBELINGS_IMPL || state.impl || 'solutions');
    const [cni, objects] = await Promise.all([loadComponent('cni', choice), loadComponent('objects', choice)]);
    process.stdout.write(
      explainNetpol({
        world: policyWorld(policies, namespaces),
        pods: pods.map(policyPod).filter((p): p is PolicyPod => p !== undefined),
        namespace,
        pod,
        network: state.flags?.network === 'kernel' ? 'kernel' : 'loopback',
        matchesSelector: (selector, labels) => objects.matchesSelector(selector as Parameters<typeof objects.matchesSelector>[0], labels),
        cni,
        containerPorts: (p) =>
          pods
            .filter((x) => x.metadata.name === p.name && (x.metadata.namespace ?? 'default') === p.namespace)
            .flatMap((x) => (x.spec.containers ?? []).flatMap((c) => (c.ports ?? []).map((cp) => ({ port: cp.containerPort, ...(cp.protocol ? { protocol: cp.protocol } : {}) })))),
      }),
    );
    return 0;
  } finally {
    client.close();
  }
}
