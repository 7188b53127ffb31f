/**
 * Hollow nodes' pure parts: heartbeats spread evenly over the period, and the objects a hollow
 * kubelet writes (Node, Lease, a Running pod's status) in the shapes kubectl reads.
 */
import { describe, expect, test } from 'vitest';
import { HeartbeatWheel } from '#engine/hollow/heartbeats.ts';
import { hollowNode, nodeLease, podCIDR, podIP, qosClass, runningPodStatus } from '#engine/hollow/objects.ts';
import { podObject } from '../grading/scheduler/make.ts';

describe('HeartbeatWheel', () => {
  test('5,000 nodes renewing every 10 s come due at 500 a second, each once per period', () => {
    const wheel = new HeartbeatWheel(5_000, 10_000, 0);
    const perSecond: number[] = [];
    const count = new Array<number>(5_000).fill(0);
    for (let t = 999; t < 20_000; t += 1_000) {
      const due = wheel.due(t);
      perSecond.push(due.length);
      for (const i of due) count[i]!++;
    }
    expect(Math.min(...perSecond)).toBeGreaterThanOrEqual(499);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(501);
    expect(new Set(count)).toEqual(new Set([2]));
  });

  test('a late tick does not bunch later rounds: each node keeps its phase', () => {
    const wheel = new HeartbeatWheel(4, 1_000, 0);
    expect(wheel.due(3_500)).toEqual([0, 1, 2, 3]);
    expect(wheel.due(3_600)).toEqual([]);
    expect(wheel.due(3_800)).toEqual([3]);
    expect(wheel.due(4_000)).toEqual([0]);
    expect(wheel.due(4_250)).toEqual([1]);
  });
});

describe('hollow objects', () => {
  test('a node with the default capacity, the well-known labels, Ready, and a loopback podCIDR', () => {
    const node = hollowNode(300, Date.parse('2025-01-01T00:00:00Z'));
    expect(node.metadata.name).toBe('hollow-node-300');
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'hollow-node-300', 'kubernetes.io/os': 'linux' });
    expect(node.status?.capacity).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2025-01-01T00:00:00Z' });
    expect(node.spec?.podCIDR).toBe('127.129.44.0/24');
    expect(podCIDR(0)).toBe('127.128.0.0/24');
    expect(podIP(0, 0)).toBe('127.128.0.2');
  });

  test('a Lease held by the node, with a MicroTime renewTime', () => {
    const lease = nodeLease('hollow-node-1', Date.parse('2025-01-01T00:00:01.5Z'), 'uid-1') as { metadata: { namespace: string; ownerReferences: unknown[] }; spec: Record<string, unknown> };
    expect(lease.metadata.namespace).toBe('kube-node-lease');
    expect(lease.spec).toEqual({ holderIdentity: 'hollow-node-1', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:00:01.500000Z' });
    expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'hollow-node-1', uid: 'uid-1' }]);
  });

  test('a Running, Ready pod status, one container status per container, init containers completed', () => {
    const pod = podObject('web', { cpu: '100m' });
    pod.spec.initContainers = [{ name: 'migrate', image: 'busybox' }];
    const status = runningPodStatus(pod, '127.128.0.1', '127.128.0.2', Date.parse('2025-01-01T00:00:00Z')) as Record<string, any>;
    expect(status.phase).toBe('Running');
    expect(status.podIP).toBe('127.128.0.2');
    expect(status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    expect(status.containerStatuses).toHaveLength(1);
    expect(status.containerStatuses[0]).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2025-01-01T00:00:00Z' } } });
    expect(status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  test('QoS classes as the kubelet reports them', () => {
    expect(qosClass(podObject('a'))).toBe('BestEffort');
    expect(qosClass(podObject('b', { cpu: '100m' }))).toBe('Burstable');
    const g = podObject('c');
    g.spec.containers[0]!.resources = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
    expect(qosClass(g)).toBe('Guaranteed');
    const l = podObject('d');
    l.spec.containers[0]!.resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(qosClass(l)).toBe('Guaranteed');
  });
});
