/**
 * `kubelings explain pod NAME [-n NAMESPACE]`: why the scheduler puts (or cannot put) a pod where it
 * does, node by node: each filter plugin's verdict and each score plugin's weighted score, computed
 * by the same scheduler code as the running cluster (or the one `--impl` names), against that
 * cluster (`kubelings cluster up`, found through .kubelings/cluster.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isApiError } from '../kube/errors.ts';
import { KubeClient } from '../client/client.ts';
import { clusterPaths, type ClusterState } from '../cluster/paths.ts';
import { readCaCert } from '../cluster/pki-files.ts';
import { readAdminToken } from '../cluster/token-file.ts';
import { KubelingsError } from '../errors.ts';
import { loadComponent, parseImplSpec } from '../impl.ts';
import { explainPod, formatExplanation } from './explain.ts';
import type { Node, Pod } from '../kube/types.ts';

export async function explainCommand(args: string[], argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { namespace: { type: 'string', short: 'n' }, json: { type: 'boolean' } } });
  const [kind, name] = args.filter((a) => !a.startsWith('-') && a !== values.namespace);
  if (kind !== 'pod' && kind !== 'pods' && kind !== 'po') throw new KubelingsError('explain takes a pod: npx kubelings explain pod NAME [-n NAMESPACE].');
  if (!name) throw new KubelingsError('Which pod? For example: npx kubelings explain pod web-ssd');
  const namespace = typeof values.namespace === 'string' ? values.namespace : 'default';
  const paths = clusterPaths();
  if (!existsSync(paths.stateFile)) throw new KubelingsError('No cluster is running: start one with npx kubelings cluster up --nodes 3 --hollow');
  const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as ClusterState;
  const client = new KubeClient({ server: state.url, userAgent: 'kubelings-explain', ca: readCaCert(paths.pkiDir), token: readAdminToken(paths.tokenFile) });
  try {
    let pod: Pod;
    try {
      pod = await client.get<Pod>('pods', name, { namespace });
    } catch (error) {
      if (isApiError(error, 'NotFound')) throw new KubelingsError(`pods "${name}" not found in namespace ${namespace}.`);
      if (isApiError(error, 'ConnectionFailed')) throw new KubelingsError(`The cluster at ${state.url} does not answer: is it still up? (npx kubelings cluster status)`);
      throw error;
    }
    const nodes = (await client.list<Node>('nodes')).items;
    const pods = (await client.list<Pod>('pods')).items;
    // The same scheduler code as the running cluster, unless --impl says otherwise.
    const choice = parseImplSpec(process.env.KUBELINGS_IMPL || state.impl || 'solutions');
    const explanation = explainPod(await loadComponent('scheduler', choice), nodes, pods, pod);
    process.stdout.write(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
    return 0;
  } finally {
    client.close();
  }
}
