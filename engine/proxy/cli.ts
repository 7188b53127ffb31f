/**
 * `kubelings explain proxy [--node NAME] [--json]`: the rules kube-proxy holds on a node, computed by
 * the same services code as the running cluster (or the one `--impl` names) from the cluster's
 * Services and EndpointSlices, shown as the nftables ruleset kube-proxy's nftables mode would write
 * (or as the rules in JSON). Reads the cluster that `kubelings cluster up` started.
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
import type { EndpointSlice, Node, Service } from '../kube/types.ts';
import { renderNftables } from './nftables-render.ts';

export async function explainProxyCommand(_args: string[], argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { node: { type: 'string' }, json: { type: 'boolean' } } });
  const paths = clusterPaths();
  if (!existsSync(paths.stateFile)) throw new KubelingsError('No cluster is running: start one with npx kubelings cluster up');
  const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as ClusterState;
  const client = new KubeClient({ server: state.url, userAgent: 'kubelings-explain', ca: readCaCert(paths.pkiDir), token: readAdminToken(paths.tokenFile) });
  try {
    let services: Service[];
    let slices: EndpointSlice[];
    let nodes: Node[];
    try {
      [services, slices, nodes] = await Promise.all([
        client.list<Service>('services').then((l) => l.items),
        client.list<EndpointSlice>('endpointslices').then((l) => l.items),
        client.list<Node>('nodes').then((l) => l.items),
      ]);
    } catch (error) {
      if (isApiError(error, 'ConnectionFailed')) throw new KubelingsError(`The cluster at ${state.url} does not answer: is it still up? (npx kubelings cluster status)`);
      throw error;
    }
    const node = typeof values.node === 'string' ? values.node : (nodes[0]?.metadata.name ?? 'node-1');
    if (typeof values.node === 'string' && !nodes.some((n) => n.metadata.name === node)) throw new KubelingsError(`nodes "${node}" not found.`);
    const choice = parseImplSpec(process.env.KUBELINGS_IMPL || state.impl || 'solutions');
    const rules = (await loadComponent('services', choice)).serviceRules(services, slices, node);
    process.stdout.write(values.json ? `${JSON.stringify(rules, null, 2)}\n` : `# kube-proxy's rules on ${node}, as its nftables mode writes them\n${renderNftables(rules)}`);
    return 0;
  } finally {
    client.close();
  }
}
