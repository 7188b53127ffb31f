/**
 * The explanation behind `kubelings explain pod`: every filter's verdict per node, every score per
 * plugin, and upstream's message when nothing fits.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { explainPod, formatExplanation } from '#engine/scheduler/explain.ts';
import { nodeObject, podObject } from '../grading/scheduler/make.ts';

const s = await loadComponent('scheduler');
const nodes = [
  nodeObject('hollow-node-0'),
  nodeObject('hollow-node-1', { labels: { disktype: 'ssd' } }),
  nodeObject('hollow-node-2', { labels: { accelerator: 'gpu' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
];

describe('explainPod', () => {
  test('a pod with a nodeSelector: one node fits, the others say why, every filter listed', () => {
    const e = explainPod(s, nodes, [], podObject('web-ssd', { cpu: '500m', memory: '256Mi', nodeSelector: { disktype: 'ssd' } }));
    expect(e.best).toEqual(['hollow-node-1']);
    const n2 = e.nodes.find((n) => n.node === 'hollow-node-2')!;
    expect(n2.rejectedBy).toBe('TaintToleration');
    expect(n2.filters.filter((f) => typeof f.verdict === 'object').map((f) => f.plugin)).toEqual(['TaintToleration', 'NodeAffinity']);
    expect(e.nodes.find((n) => n.node === 'hollow-node-1')!.scores!.map((x) => x.plugin)).toEqual(['TaintToleration', 'NodeResourcesFit', 'NodeResourcesBalancedAllocation', 'ImageLocality']);
    const text = formatExplanation(e);
    expect(text).toContain('hollow-node-2  ✗ TaintToleration: node(s) had untolerated taint {dedicated: gpu}');
    expect(text).toContain("also NodeAffinity: node(s) didn't match Pod's node affinity/selector");
    expect(text).toMatch(/hollow-node-1 {2}✓ fits {3}score \d+ = TaintToleration 300 \(×3\) \+ LeastAllocated \d+ \+ BalancedAllocation \d+ \+ ImageLocality 0 {3}◀ best/);
  });

  test("a pod that fits nowhere gets upstream's message", () => {
    const e = explainPod(s, nodes, [], podObject('too-big', { cpu: '8' }));
    expect(e.message).toBe('0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.');
    expect(formatExplanation(e)).toContain('The scheduler reports: 0/3 nodes are available');
  });

  test('a bound pod is taken off its node first, and the pods on the nodes count', () => {
    const bound = { ...podObject('a', { cpu: '3' }), spec: { ...podObject('a', { cpu: '3' }).spec, nodeName: 'hollow-node-0' } };
    const other = { ...podObject('b', { cpu: '3' }), spec: { ...podObject('b', { cpu: '3' }).spec, nodeName: 'hollow-node-1' } };
    const e = explainPod(s, nodes, [bound, other], bound);
    expect(e.boundTo).toBe('hollow-node-0');
    expect(e.nodes.find((n) => n.node === 'hollow-node-0')!.rejectedBy).toBeUndefined();
    expect(e.nodes.find((n) => n.node === 'hollow-node-1')!.rejectedBy).toBe('NodeResourcesFit');
  });
});
