/**
 * Hidden suite for 03-scheduler/06-preemption: DefaultPreemption as the Kubernetes documentation
 * describes it (Pod Priority and Preemption): only lower-priority pods are victims, as few as
 * possible, on the node where it hurts least; the preemptor is nominated to that node.
 */
import { describe, expect, test } from 'vitest';
import type { PreemptionResult } from '#engine/scheduler/exercises.ts';
import type { Diagnosis, NodeInfo, PodInfo } from '#engine/scheduler/framework.ts';
import { hint, show } from '#grading';
import { fakeCluster } from './cluster.ts';
import { nodeObject, pod } from './make.ts';

/** A cluster of 4-cpu nodes, each already holding the given pods; returns what preempt() decides. */
function decide(preemptor: PodInfo, layout: Record<string, PodInfo[]>, extraNodes: ReturnType<typeof nodeObject>[] = []) {
  const c = fakeCluster([...Object.keys(layout).map((n) => nodeObject(n, { cpu: '4', pods: '110' })), ...extraNodes]);
  for (const [n, pods] of Object.entries(layout)) for (const p of pods) c.place(p, n);
  const snapshot = c.ctx.cache.updateSnapshot();
  const diagnosis: Diagnosis = new Map();
  for (const n of snapshot.nodes) {
    const v = c.ctx.filter(preemptor, n);
    if (v) diagnosis.set(n.name, v);
  }
  const result = c.s.preempt(preemptor, snapshot, diagnosis, c.ctx.filter);
  const did = `preempt(${preemptor.key} priority ${preemptor.priority} cpu ${preemptor.requests.milliCPU}m) with ${Object.entries(layout)
    .map(([n, ps]) => `${n}: [${ps.map((p) => `${p.pod.metadata.name} p${p.priority} ${p.requests.milliCPU}m`).join(', ')}]`)
    .join('; ')}`;
  return { result, did, c };
}

const names = (pods: PodInfo[]) => pods.map((p) => p.pod.metadata.name).sort();

/** preempt()'s answer on one line: "evict [a, b] on n1", or the message. */
function outcome(result: PreemptionResult): string {
  return 'nodeName' in result ? `evict [${names(result.victims).join(', ')}] on ${result.nodeName}` : result.message;
}

describe('selectVictimsOnNode and preempt', () => {
  test('a high-priority pod evicts a lower-priority pod to make room', hint('Remove every lower-priority pod from a copy of the node; does the pod fit then?'), () => {
    const { result, did } = decide(pod('critical', { cpu: '2', priority: 1000 }), { n1: [pod('batch', { cpu: '3', priority: 0 })] });
    expect(outcome(result), did).toBe('evict [batch] on n1');
  });

  test('only as many pods as needed are evicted: the more important ones are reprieved first', hint('Put the removed pods back, highest priority first, keeping each that still leaves room'), () => {
    const { result, did } = decide(pod('critical', { cpu: '2', priority: 1000 }), {
      n1: [pod('low', { cpu: '1', priority: 1 }), pod('mid', { cpu: '1', priority: 5 }), pod('lowest', { cpu: '1', priority: 0 }), pod('high', { cpu: '1', priority: 10 })],
    });
    expect(outcome(result), did).toBe('evict [low, lowest] on n1');
  });

  test('pods of equal or higher priority are never victims', hint('Strictly lower priority only'), () => {
    const { result, did } = decide(pod('p', { cpu: '2', priority: 10 }), { n1: [pod('same', { cpu: '3', priority: 10 }), pod('higher', { cpu: '1', priority: 20 })] });
    expect(outcome(result), did).toBe('preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod');
  });

  test('the node where the victims have the lowest priority is chosen', hint('pickOneNodeForPreemption compares the highest victim priority first'), () => {
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [pod('a', { cpu: '4', priority: 50 })],
      n2: [pod('b', { cpu: '2', priority: 1 }), pod('c', { cpu: '2', priority: 2 })],
    });
    expect(outcome(result).replace(/ \[.*\]/, ''), did).toBe('evict on n2');
  });

  test('among equal highest priorities, the node with the fewest victims is chosen', hint('Then the sum of priorities (each + 2^31), then the number of victims'), () => {
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [pod('a', { cpu: '2', priority: 5 }), pod('b', { cpu: '2', priority: 5 })],
      n2: [pod('c', { cpu: '4', priority: 5 })],
    });
    expect(outcome(result), did).toBe('evict [c] on n2');
  });

  test('with everything else equal, the node whose victims started last is chosen', () => {
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [pod('old', { cpu: '4', priority: 5, startTime: '2025-01-01T00:00:00Z' })],
      n2: [pod('new', { cpu: '4', priority: 5, startTime: '2025-06-01T00:00:00Z' })],
    });
    expect(outcome(result).replace(/ \[.*\]/, ''), did).toBe('evict on n2');
  });

  test(
    'the node choice does not depend on the order of the nodes',
    hint('Compare each candidate with the best so far, criterion by criterion (highest victim priority, sum of priorities, number of victims, start time): is the first node better, or only first?'),
    () => {
      const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
        n1: [pod('b', { cpu: '2', priority: 1 }), pod('c', { cpu: '2', priority: 2 })],
        n2: [pod('a', { cpu: '4', priority: 50 })],
      });
      expect(outcome(result).replace(/ \[.*\]/, ''), did).toBe('evict on n1');
    },
  );

  test('the highest victim priority is compared, not the lowest', hint('pickOneNodeForPreemption: the node whose most important victim is the least important'), () => {
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [pod('a', { cpu: '2', priority: 10 }), pod('b', { cpu: '2', priority: 1 })],
      n2: [pod('c', { cpu: '2', priority: 5 }), pod('d', { cpu: '2', priority: 5 })],
    });
    expect(outcome(result), did).toBe('evict [c, d] on n2');
  });

  test('with the same highest priority, the smaller sum of priorities wins', hint("The sum of the victims' priorities (each + 2^31) comes before their number"), () => {
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [pod('a', { cpu: '2', priority: 5 }), pod('b', { cpu: '2', priority: 3 })],
      n2: [pod('c', { cpu: '2', priority: 5 }), pod('d', { cpu: '2', priority: 1 })],
    });
    expect(outcome(result), did).toBe('evict [c, d] on n2');
  });

  test(
    'the start time compared is the earliest among the highest-priority victims only',
    hint("Which victims' start times count: all of them, or those with the highest priority? The earliest or the latest of those?"),
    () => {
      const layout = {
        n1: [pod('a', { cpu: '2', priority: 5, startTime: '2025-06-01T00:00:00Z' }), pod('b', { cpu: '2', priority: 1, startTime: '2025-01-01T00:00:00Z' })],
        n2: [pod('c', { cpu: '2', priority: 5, startTime: '2025-03-01T00:00:00Z' }), pod('d', { cpu: '2', priority: 1, startTime: '2025-03-01T00:00:00Z' })],
      };
      // n1's priority-5 victim started in June, n2's in March: n1's started last.
      const first = decide(pod('p', { cpu: '4', priority: 100 }), layout);
      expect(outcome(first.result).replace(/ \[.*\]/, ''), first.did).toBe('evict on n1');
      const two = decide(pod('p', { cpu: '4', priority: 100 }), {
        n1: [pod('e', { cpu: '2', priority: 5, startTime: '2025-01-01T00:00:00Z' }), pod('f', { cpu: '2', priority: 5, startTime: '2025-07-01T00:00:00Z' })],
        n2: [pod('g', { cpu: '2', priority: 5, startTime: '2025-03-01T00:00:00Z' }), pod('h', { cpu: '2', priority: 5, startTime: '2025-04-01T00:00:00Z' })],
      });
      // Earliest start of the priority-5 victims: n1 January, n2 March: n2's started last.
      expect(outcome(two.result).replace(/ \[.*\]/, ''), two.did).toBe('evict on n2');
    },
  );

  test('the start time is status.startTime, not the creation time', hint('util.GetPodStartTime reads pod.status.startTime: do you read metadata.creationTimestamp instead?'), () => {
    const started = (name: string, created: string, start: string) => {
      const p = pod(name, { cpu: '4', priority: 5, startTime: start });
      p.pod.metadata.creationTimestamp = created;
      return p;
    };
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [started('created-late', '2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z')],
      n2: [started('created-early', '2025-01-01T00:00:00Z', '2025-08-01T00:00:00Z')],
    });
    expect(outcome(result).replace(/ \[.*\]/, ''), `${did}; created-late was created in June and started in July, created-early created in January and started in August`).toBe('evict on n2');
  });

  test('a full tie keeps the first node', hint('With every criterion equal, is the candidate replaced only when strictly better?'), () => {
    const { result, did } = decide(pod('p', { cpu: '4', priority: 100 }), {
      n1: [pod('a', { cpu: '4', priority: 5 })],
      n2: [pod('b', { cpu: '4', priority: 5 })],
    });
    expect(outcome(result), did).toBe('evict [a] on n1');
  });

  test('among victims of equal priority, the one that started first is reprieved first', hint('util.MoreImportantPod: higher priority, then the earlier start time'), () => {
    const { result, did } = decide(pod('p', { cpu: '2', priority: 100 }), {
      n1: [pod('young', { cpu: '2', priority: 1, startTime: '2025-06-01T00:00:00Z' }), pod('old', { cpu: '2', priority: 1, startTime: '2025-01-01T00:00:00Z' })],
    });
    expect(outcome(result), did).toBe('evict [young] on n1');
  });

  test(
    'a pod too big for the node even with every lower-priority pod gone evicts nothing',
    hint('Before choosing victims, remove every lower-priority pod from a copy of the node: does the pod fit at all?'),
    () => {
      const { result, did } = decide(pod('huge', { cpu: '6', priority: 100 }), { n1: [pod('a', { cpu: '1', priority: 1 })] });
      expect(outcome(result), did).toBe('preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod');
    },
  );

  test(
    'nodes rejected for a reason eviction cannot fix are not helped, and the message says so',
    hint('A diagnosis with code UnschedulableAndUnresolvable: "Preemption is not helpful for scheduling"'),
    () => {
      const { result, did } = decide(pod('p', { cpu: '2', priority: 100 }), { busy: [pod('same', { cpu: '3', priority: 100 })] }, [
        nodeObject('cp-1', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
        nodeObject('cp-2', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      ]);
      expect(outcome(result), did).toBe('preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling');
    },
  );

  test('a pod with preemptionPolicy Never preempts nothing', () => {
    const { result, did } = decide(pod('polite', { cpu: '2', priority: 1000, preemptionPolicy: 'Never' }), { n1: [pod('batch', { cpu: '3' })] });
    expect(outcome(result), did).toBe('preemption: not eligible due to preemptionPolicy=Never');
  });

  test('a victim set is always enough: with the victims gone, the pod fits', () => {
    const { result, did, c } = decide(pod('p', { cpu: '3', memory: '8Gi', priority: 100 }), {
      n1: [pod('a', { cpu: '1', memory: '6Gi', priority: 3 }), pod('b', { cpu: '2', memory: '2Gi', priority: 1 }), pod('c', { cpu: '1', memory: '6Gi', priority: 2 })],
    });
    expect('nodeName' in result, did).toBe(true);
    if (!('nodeName' in result)) return;
    const n: NodeInfo = c.ctx.cache.updateSnapshot().get('n1')!;
    const left = n.pods.filter((p) => !result.victims.some((v) => v.key === p.key));
    const cpu = left.reduce((s, p) => s + p.requests.milliCPU, 0);
    const mem = left.reduce((s, p) => s + p.requests.memory, 0);
    expect(cpu + 3000 <= 4000 && mem + 8 * 2 ** 30 <= 16 * 2 ** 30, `${did}: victims ${show(names(result.victims))} leave room`).toBe(true);
    // The reprieve is greedy, most important first: a (priority 3) stays, then c and b must go.
    expect(outcome(result), `${did}: the victims left after reprieving a first`).toBe('evict [b, c] on n1');
  });
});

describe('preemption inside scheduleOne', () => {
  test(
    'the preemptor is nominated to the node, the victim is evicted, and the preemptor lands there next',
    hint("scheduleOne passes the postFilter's nodeName to reportFailure as nominatedNodeName"),
    async () => {
      const c = fakeCluster([nodeObject('only', { cpu: '4' })], { preemption: true });
      c.place(pod('batch', { cpu: '3', priority: 0 }), 'only');
      c.ctx.queue.add(pod('critical', { cpu: '2', priority: 1000 }));
      await c.drain();
      expect(show(c.evicted), 'pods evicted').toBe(show(['default/batch']));
      expect(show(c.failures), 'the first attempt of critical').toBe(
        show([{ pod: 'default/critical', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.', nominatedNodeName: 'only' }]),
      );
      c.clock.t += 2_000;
      c.ctx.queue.flushBackoffCompleted();
      await c.drain();
      expect(c.bound.get('default/critical'), 'where critical is bound after the victim is gone').toBe('only');
    },
  );

  test("when preemption cannot help, its message follows the filters' in the failure", hint("Does scheduleOne pass the postFilter's message to fitErrorMessage?"), async () => {
    const c = fakeCluster([nodeObject('only', { cpu: '4' })], { preemption: true });
    c.place(pod('same', { cpu: '3', priority: 1000 }), 'only');
    c.ctx.queue.add(pod('critical', { cpu: '2', priority: 1000 }));
    await c.drain();
    expect(show(c.failures), 'the failure of critical (priority 1000) beside a pod of the same priority').toBe(
      show([
        {
          pod: 'default/critical',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
        },
      ]),
    );
  });

  test('a low-priority pod cannot take the room kept for a nominated pod', async () => {
    const c = fakeCluster([nodeObject('only', { cpu: '4' })], { preemption: true });
    c.place(pod('batch', { cpu: '3', priority: 0 }), 'only');
    c.ctx.queue.add(pod('critical', { cpu: '3', priority: 1000 }));
    await c.drain();
    c.ctx.queue.add(pod('sneaky', { cpu: '2', priority: 0 }));
    await c.drain();
    expect(c.bound.get('default/sneaky'), 'where sneaky (priority 0) went while critical was nominated').toBeUndefined();
    c.clock.t += 2_000;
    c.ctx.queue.flushBackoffCompleted();
    await c.drain();
    expect(c.bound.get('default/critical'), 'where critical went').toBe('only');
  });
});
