/**
 * What `cluster up` and `cluster status` say runs, whose code it is, and what is missing
 * (engine/cluster/summary.ts), for each kind of cluster a learner starts. A plain `cluster up`
 * looked dead (kubectl get nodes: "No resources found"; a Deployment stuck at 0/3) with nothing to
 * say why: these sentences must name the flag or lesson that brings what is missing.
 */
import { describe, expect, test } from 'vitest';
import type { ClusterState } from '#engine/cluster/paths.ts';
import { describeCluster } from '#engine/cluster/summary.ts';

function state(over: Partial<ClusterState> = {}): ClusterState {
  return { pid: 1, url: 'https://127.0.0.1:6443', port: 6443, impl: 'solutions', dataDir: '/d', startedAt: '', flags: {}, components: ['kube-scheduler', 'kube-controller-manager'], ...over };
}

describe('cluster summary', () => {
  test('a plain cluster up: the store, the apiserver, the scheduler and the controller manager from the reference; no nodes', () => {
    expect(describeCluster(state(), 0)).toBe(
      [
        'Running, and whose code:',
        '  the store                the reference',
        '  the apiserver            the reference; selectors and quantities: the reference',
        '  kube-scheduler           the reference; selectors and quantities: the reference',
        '  kube-controller-manager  the reference; selectors and quantities: the reference',
        'Not running:',
        '  nodes        none, so the scheduler has nowhere to put pods: they stay Pending. For simulated nodes: npx kubelings cluster down, then npx kubelings cluster up --nodes 3 --hollow',
        '',
      ].join('\n'),
    );
  });

  test('without a controller manager: no controllers yet, and which lesson brings them', () => {
    const text = describeCluster(state({ components: ['kube-scheduler'] }), 0);
    expect(text).toContain('  controllers  no controllers yet: Deployments will not get pods until the controllers lesson (04).\n');
    expect(text).toContain('  kube-scheduler  the reference; selectors and quantities: the reference\n');
  });

  test('with --etcd-servers the store row names that etcd, not a tree', () => {
    const text = describeCluster(state({ impl: 'exercises:etcd', etcdServers: ['http://127.0.0.1:2379'] }), 0);
    expect(text).toContain('  the store                etcd at http://127.0.0.1:2379 (--etcd-servers): neither yours nor the reference\n');
  });

  test("the learner's code is named with its folder, component by component", () => {
    const text = describeCluster(state({ impl: 'exercises:apiserver,controllers,objects' }), 0);
    expect(text).toContain('  the store                the reference\n');
    expect(text).toContain('  the apiserver            yours (exercises/apiserver); selectors and quantities: yours (exercises/objects)\n');
    expect(text).toContain('  kube-scheduler           the reference; selectors and quantities: yours (exercises/objects)\n');
    expect(text).toContain('  kube-controller-manager  yours (exercises/controllers); selectors and quantities: yours (exercises/objects)\n');
    expect(describeCluster(state({ impl: 'exercises' }), 0)).toContain('  the store                yours (exercises/etcd)\n');
  });

  test('with --nodes 3 --hollow: three hollow nodes run, and nothing is missing', () => {
    const text = describeCluster(state({ flags: { nodes: '3', hollow: true }, components: ['hollow-nodes', 'kube-scheduler', 'kube-controller-manager'] }), 3);
    expect(text).toContain('  3 hollow nodes           simulated: they report Ready and mark pods Running without starting anything\n');
    expect(text).not.toContain('Not running');
    expect(describeCluster(state({ flags: { nodes: '1', hollow: 'static' }, components: ['hollow-nodes', 'kube-scheduler', 'kube-controller-manager'] }), 1)).toContain(
      '  1 hollow node            Node objects only (--hollow static): no heartbeats, pods stay as bound\n',
    );
  });

  test('--nodes without --hollow, and --hollow without --nodes, say what is missing from the command', () => {
    expect(describeCluster(state({ flags: { nodes: '3' } }), 0)).toContain(' --nodes 3 asks for real nodes, and none started: see the cluster log.');
    expect(describeCluster(state({ flags: { hollow: true } }), 0)).toContain(' --hollow needs --nodes N (how many).');
  });

  test('real nodes are named with whose pod logic they run, and nothing is missing', () => {
    const text = describeCluster(state({ components: ['kube-scheduler', 'kube-controller-manager', 'kubelet-node-0'] }), 1);
    expect(text).toContain('  kubelet node-0           a real node: pods run as processes on this machine; its pod logic: the reference\n');
    expect(describeCluster(state({ impl: 'exercises:kubelet', components: ['kubelet-node-0'] }), 1)).toContain('its pod logic: yours (exercises/kubelet)');
    expect(text).not.toContain('Not running');
  });

  test('Node objects left from an earlier run, with nothing running them, are called what they are', () => {
    expect(describeCluster(state(), 2)).toContain('  nodes        Node objects are registered, but no node agent runs for them (left from an earlier run?): pods bound to them will not start.');
  });

  test('a state file from an older kubelings (no components, no flags) still reads', () => {
    const { components: _c, flags: _f, ...old } = state();
    const text = describeCluster(old as ClusterState, undefined);
    expect(text).toContain('  the apiserver  the reference');
    expect(text).toContain('  nodes        none');
    expect(text).toContain('no controllers yet');
  });
});
