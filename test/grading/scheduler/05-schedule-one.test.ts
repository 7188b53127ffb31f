/**
 * Hidden suite for 03-scheduler/05-schedule-one: finding feasible nodes with sampling, choosing one
 * fairly, upstream's "0/N nodes are available" message, and the scheduling and binding cycles.
 * Properties: a bound pod always fits its node when it is bound; 1,000 pods at once never
 * overcommit a node; every schedulable pod is eventually bound.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Diagnosis, FilterFailure, NodeScores } from '#engine/scheduler/framework.ts';
import type { Taint } from '#engine/scheduler/types.ts';
import { isNotImplemented } from '#engine/errors.ts';
import { hint, show, useSeed } from '#grading';
import { fakeCluster } from './cluster.ts';
import { node, nodeObject, pod, type PodOptions } from './make.ts';

const CONTROL_PLANE: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const nodes = (n: number, o: Parameters<typeof nodeObject>[1] = {}) => Array.from({ length: n }, (_, i) => nodeObject(`node-${String(i).padStart(3, '0')}`, o));

describe('findNodesThatFit', () => {
  test(
    'nodes that pass every filter are feasible; the others are in the diagnosis with their reasons and plugin',
    hint("sched.filter(pod, node) returns null or a failure tagged with its plugin: keep the failure under the node's name"),
    () => {
      const c = fakeCluster([nodeObject('cp', { taints: [CONTROL_PLANE] }), nodeObject('w1'), nodeObject('w2')]);
      const { feasible, diagnosis } = c.s.findNodesThatFit(c.ctx, pod('web'), c.ctx.cache.updateSnapshot());
      expect(show(feasible.map((n) => n.name).sort()), 'feasible nodes for a pod without tolerations').toBe(show(['w1', 'w2']));
      expect(show([...diagnosis.keys()]), 'nodes in the diagnosis').toBe(show(['cp']));
      expect(diagnosis.get('cp'), 'diagnosis of cp').toMatchObject({
        code: 'UnschedulableAndUnresolvable',
        plugin: 'TaintToleration',
        reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
      });
    },
  );

  test(
    'with 200 nodes it stops after numFeasibleNodesToFind (100) feasible ones, and the next search starts where it stopped',
    hint('Count feasible nodes as you go and stop at numFeasibleNodesToFind; then move sched.nextStartNodeIndex on by the nodes you tried'),
    () => {
      const c = fakeCluster(nodes(200));
      const snap = c.ctx.cache.updateSnapshot();
      const first = c.s.findNodesThatFit(c.ctx, pod('a'), snap);
      expect(first.feasible.length, 'feasible nodes found among 200 (percentageOfNodesToScore 0)').toBe(100);
      expect(first.feasible[0]!.name, 'the first search starts at node 0').toBe('node-000');
      expect(c.ctx.nextStartNodeIndex, 'nextStartNodeIndex after the first search').toBe(100);
      const second = c.s.findNodesThatFit(c.ctx, pod('b'), snap);
      expect(show(second.feasible.map((n) => n.name).slice(0, 2)), 'the second search starts at node 100').toBe(show(['node-100', 'node-101']));
      expect(c.ctx.nextStartNodeIndex, 'nextStartNodeIndex wraps around 200').toBe(0);
    },
  );

  test('the search wraps around the end of the node list', hint('Use (start + i) % numberOfNodes'), () => {
    const c = fakeCluster(nodes(200));
    c.ctx.nextStartNodeIndex = 150;
    const { feasible } = c.s.findNodesThatFit(c.ctx, pod('a'), c.ctx.cache.updateSnapshot());
    expect(show([feasible[0]!.name, feasible[49]!.name, feasible[50]!.name, feasible[99]!.name]), 'feasible[0], [49], [50], [99] starting at 150').toBe(
      show(['node-150', 'node-199', 'node-000', 'node-049']),
    );
    expect(c.ctx.nextStartNodeIndex, 'nextStartNodeIndex').toBe(50);
  });

  test('when few nodes fit, every node is tried', () => {
    const ns = nodes(200).map((n, i) => (i % 20 === 0 ? n : { ...n, spec: { taints: [CONTROL_PLANE] } }));
    const c = fakeCluster(ns);
    const { feasible, diagnosis } = c.s.findNodesThatFit(c.ctx, pod('a'), c.ctx.cache.updateSnapshot());
    expect(show([feasible.length, diagnosis.size]), '[feasible, rejected] when 10 of 200 nodes fit').toBe(show([10, 190]));
  });

  test('percentageOfNodesToScore 100 scores every feasible node', () => {
    const c = fakeCluster(nodes(300), { percentageOfNodesToScore: 100 });
    expect(c.s.findNodesThatFit(c.ctx, pod('a'), c.ctx.cache.updateSnapshot()).feasible.length, 'feasible nodes among 300 with percentage 100').toBe(300);
  });
});

describe('selectHost', () => {
  const scores = (total: number[]): NodeScores => ({ nodes: total.map((_, i) => node(`n${i}`)), total, byPlugin: {} });
  test('the node with the highest total wins', () => {
    expect(
      selectFrom([10, 30, 20], () => 0),
      'selectHost(totals [10, 30, 20])',
    ).toBe('n1');
  });
  test(
    'ties are broken by reservoir sampling: the k-th tie replaces the choice when random(k) is 0',
    hint('Keep a count of nodes with the best total so far; call random(count) for each new tie'),
    () => {
      expect(
        selectFrom([5, 9, 9, 9], () => 1),
        'selectHost([5, 9, 9, 9]) when random() never returns 0',
      ).toBe('n1');
      expect(
        selectFrom([5, 9, 9, 9], () => 0),
        'selectHost([5, 9, 9, 9]) when random() always returns 0',
      ).toBe('n3');
      const calls: number[] = [];
      selectFrom([9, 9, 9, 1, 9], (n) => (calls.push(n), 1));
      expect(show(calls), 'the arguments random() was called with for totals [9, 9, 9, 1, 9]').toBe(show([2, 3, 4]));
    },
  );
  test('every tied node is equally likely', ({ task }) => {
    const seed = useSeed(task);
    let state = seed || 1;
    const random = (n: number) => {
      state = (state * 48271) % 2147483647;
      return state % n;
    };
    const counts: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) {
      const name = selectFrom([50, 80, 80, 80, 10], random);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(show(Object.keys(counts).sort()), '3000 choices among totals [50, 80, 80, 80, 10]: the nodes chosen').toBe(show(['n1', 'n2', 'n3']));
    for (const n of ['n1', 'n2', 'n3']) expect(counts[n]! > 800 && counts[n]! < 1200, `${n} chosen ${counts[n]} times of 3000 (expected about 1000): ${show(counts)}`).toBe(true);
  });
  test('no nodes at all is an error', () => {
    let thrown: unknown;
    try {
      selectFrom([], () => 0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown instanceof Error && !isNotImplemented(thrown), `selectHost with no nodes threw ${show(thrown instanceof Error ? thrown.message : thrown)}`).toBe(true);
  });
  function selectFrom(total: number[], random: (n: number) => number) {
    const c = fakeCluster([]);
    return c.s.selectHost(scores(total), random);
  }
});

describe('fitErrorMessage: "0/N nodes are available"', () => {
  const failure = (plugin: string, ...reasons: string[]): FilterFailure => ({ code: 'Unschedulable', reasons, plugin });
  const c = fakeCluster([]);
  test('the message of the issue: one node short of cpu, two control-plane nodes', hint('Count how many nodes gave each reason, write "<count> <reason>", sort, join with ", ", end with "."'), () => {
    const d: Diagnosis = new Map([
      ['cp-1', failure('TaintToleration', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')],
      ['worker', failure('NodeResourcesFit', 'Insufficient cpu')],
      ['cp-2', failure('TaintToleration', 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')],
    ]);
    expect(c.s.fitErrorMessage(3, d), 'fitErrorMessage(3 nodes)').toBe('0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.');
  });
  test("a node with two reasons counts in both; the counts sort as text, as upstream's sort.Strings does", hint('"10 …" sorts before "2 …" as strings'), () => {
    const d: Diagnosis = new Map();
    for (let i = 0; i < 10; i++) d.set(`big-${i}`, failure('NodeResourcesFit', 'Insufficient cpu', 'Insufficient memory'));
    d.set('x', failure('NodeAffinity', "node(s) didn't match Pod's node affinity/selector"));
    d.set('y', failure('NodeAffinity', "node(s) didn't match Pod's node affinity/selector"));
    expect(c.s.fitErrorMessage(12, d), 'fitErrorMessage(12 nodes)').toBe("0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.");
  });
  test("no node reasons (the filters gave none): the message stops after the colon, or goes straight to preemption's", hint('Do you add " <histogram>." only when the histogram is not empty?'), () => {
    // FitError.Error (pkg/scheduler/framework/types.go) adds the sorted reasons only `if len(sortedFilterMsg) != 0`.
    expect(c.s.fitErrorMessage(0, new Map()), 'fitErrorMessage(0 nodes, no reasons)').toBe('0/0 nodes are available:');
    expect(c.s.fitErrorMessage(2, new Map(), 'preemption: not eligible due to preemptionPolicy=Never'), 'fitErrorMessage(2 nodes, no reasons, a postFilter message)').toBe(
      '0/2 nodes are available: preemption: not eligible due to preemptionPolicy=Never.',
    );
  });
  test('preemption\'s message follows, ended with "."', () => {
    const d: Diagnosis = new Map([['n', failure('NodeResourcesFit', 'Insufficient cpu')]]);
    expect(c.s.fitErrorMessage(1, d, 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod'), 'fitErrorMessage with a postFilter message').toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });
});

describe('scheduleOne', () => {
  test('an empty queue: nothing to do, undefined', () => {
    const c = fakeCluster(nodes(2));
    expect(c.s.scheduleOne(c.ctx), 'scheduleOne with nothing queued').toBeUndefined();
  });

  test('a pod is bound to the node it fits, and a Scheduled event is recorded', hint('pop, updateSnapshot, findNodesThatFit, pick, assume, then bind and reportScheduled'), async () => {
    const c = fakeCluster([nodeObject('hdd', { labels: { disktype: 'hdd' } }), nodeObject('ssd', { labels: { disktype: 'ssd' } })]);
    c.ctx.queue.add(pod('db', { nodeSelector: { disktype: 'ssd' } }));
    const out = c.s.scheduleOne(c.ctx);
    expect(out?.nodeName, 'scheduleOne(pod with nodeSelector disktype=ssd).nodeName').toBe('ssd');
    await out?.binding;
    expect(show([...c.bound]), 'bindings made').toBe(show([['default/db', 'ssd']]));
    expect(show(c.scheduled), 'Scheduled events').toBe(show(['Successfully assigned default/db to ssd']));
  });

  test(
    'the pod is assumed at once: the next cycle counts it before its binding finishes',
    hint('Call sched.cache.assume(pod, node) in the scheduling cycle, before the binding cycle awaits anything'),
    async () => {
      const c = fakeCluster(nodes(2), { holdBindings: true });
      c.ctx.queue.add(pod('a', { cpu: '3' }));
      c.ctx.queue.add(pod('b', { cpu: '3' }));
      const first = c.s.scheduleOne(c.ctx);
      const second = c.s.scheduleOne(c.ctx);
      expect(
        first?.nodeName !== undefined && first.nodeName !== second?.nodeName,
        `two 3-cpu pods on two 4-cpu nodes, bindings not finished: placed on ${first?.nodeName} and ${second?.nodeName}`,
      ).toBe(true);
      c.release();
      await Promise.all([first?.binding, second?.binding]);
    },
  );

  test('pods without requests spread over the nodes (LeastAllocated counts them as 100m and 200Mi)', async () => {
    const c = fakeCluster(nodes(3));
    for (let i = 0; i < 6; i++) c.ctx.queue.add(pod(`web-${i}`));
    await c.drain();
    const perNode: Record<string, number> = {};
    for (const n of c.bound.values()) perNode[n] = (perNode[n] ?? 0) + 1;
    expect(show(Object.fromEntries(Object.entries(perNode).sort())), 'pods per node after scheduling 6 pods without requests on 3 empty nodes').toBe(
      show({ 'node-000': 2, 'node-001': 2, 'node-002': 2 }),
    );
  });

  test(
    "a pod that fits nowhere gets upstream's message and waits among the unschedulable",
    hint('reportFailure(pod, "Unschedulable", fitErrorMessage(...)); addUnschedulableIfNotPresent(pod, cycle) with the diagnosis\' plugins'),
    () => {
      const c = fakeCluster([nodeObject('cp-1', { taints: [CONTROL_PLANE] }), nodeObject('cp-2', { taints: [CONTROL_PLANE] }), nodeObject('worker', { cpu: '1' })]);
      c.ctx.queue.add(pod('big', { cpu: '2' }));
      const out = c.s.scheduleOne(c.ctx);
      expect(out?.nodeName, 'nodeName chosen for a 2-cpu pod').toBeUndefined();
      expect(show(c.failures), 'failures reported').toBe(
        show([{ pod: 'default/big', reason: 'Unschedulable', message: '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.' }]),
      );
      expect(c.ctx.queue.where('default/big'), 'where the pod waits').toBe('unschedulable');
      expect(show([...out!.pod.unschedulablePlugins].sort()), "the pod's unschedulablePlugins").toBe(show(['NodeResourcesFit', 'TaintToleration']));
    },
  );

  test('with no nodes at all: SchedulerError, "no nodes available to schedule pods"', () => {
    const c = fakeCluster([]);
    c.ctx.queue.add(pod('a'));
    c.s.scheduleOne(c.ctx);
    expect(show(c.failures), 'failures reported').toBe(show([{ pod: 'default/a', reason: 'SchedulerError', message: 'no nodes available to schedule pods' }]));
  });

  test(
    'a refused binding is undone: the pod is forgotten on the node and goes back to the queue',
    hint('In the binding cycle, catch the error: cache.forget, put the pod back, reportFailure("SchedulerError", "binding rejected: ...")'),
    async () => {
      let refuse = true;
      const c = fakeCluster([nodeObject('only', { cpu: '1' })], {
        onBind: () => {
          if (refuse) throw new Error('pods "a" is forbidden');
        },
      });
      c.ctx.queue.add(pod('a', { cpu: '1' }));
      await c.s.scheduleOne(c.ctx)?.binding;
      expect(show(c.failures), 'failures reported').toBe(show([{ pod: 'default/a', reason: 'SchedulerError', message: 'binding rejected: pods "a" is forbidden' }]));
      expect(c.ctx.cache.updateSnapshot().get('only')!.pods.length, 'pods counted on the node after the refusal').toBe(0);
      expect(c.ctx.queue.where('default/a'), 'where the pod waits after the refusal').toBeDefined();
      refuse = false;
      c.clock.t += 10_000;
      c.ctx.queue.moveAllToActiveOrBackoff('NodeUpdate');
      c.ctx.queue.flushBackoffCompleted();
      await c.drain();
      expect(c.bound.get('default/a'), 'the pod after a retry').toBe('only');
    },
  );

  test(
    'ties between equal nodes are broken with sched.random, through selectHost',
    hint("Do you hand selectHost the scheduler's own random (sched.random), so that a seed replays the same choice?"),
    async () => {
      for (const [answer, expected] of [
        [0, 'b'],
        [1, 'a'],
      ] as const) {
        const c = fakeCluster([nodeObject('a'), nodeObject('b')]);
        c.ctx.queue.add(pod('p'));
        const out = c.s.scheduleOne({ ...c.ctx, random: () => answer });
        expect(out?.nodeName, `the node chosen between two identical empty nodes a and b, when sched.random always returns ${answer}`).toBe(expected);
        await out?.binding;
      }
    },
  );

  test(
    'a refused binding gives the room back: a pod that failed for lack of it moves out of unschedulable',
    hint('After cache.forget, does the binding cycle call queue.moveAllToActiveOrBackoff("AssignedPodDelete"), as kube-scheduler does when an assumed pod goes away?'),
    async () => {
      const c = fakeCluster([nodeObject('only', { cpu: '1' })], {
        holdBindings: true,
        onBind: (p) => {
          if (p.key === 'default/a') throw new Error('pods "a" is forbidden');
        },
      });
      c.ctx.queue.add(pod('a', { cpu: '1' }));
      c.ctx.queue.add(pod('b', { cpu: '1' }));
      const first = c.s.scheduleOne(c.ctx); // a is assumed on the node; its binding waits
      c.s.scheduleOne(c.ctx); // b does not fit beside the assumed a
      expect(c.ctx.queue.where('default/b'), 'where b waits while a is assumed on the only node').toBe('unschedulable');
      c.release();
      await first?.binding;
      expect(c.ctx.queue.where('default/b'), "where b waits once a's binding was refused and a forgotten").toBe('backoff');
    },
  );

  test('a single feasible node is taken without scoring', hint('Is prioritizeNodes worth calling when only one node is left?'), async () => {
    const c = fakeCluster([nodeObject('a', { labels: { pick: 'me' } }), nodeObject('b')]);
    let scored = 0;
    const ctx = { ...c.ctx, profile: { ...c.ctx.profile, scores: [{ name: 'Count', weight: 1, normalize: 'none' as const, score: () => (scored++, 0) }] } };
    c.ctx.queue.add(pod('p', { nodeSelector: { pick: 'me' } }));
    await c.s.scheduleOne(ctx)?.binding;
    expect(scored, 'score plugin calls when one node is feasible').toBe(0);
    c.ctx.queue.add(pod('q'));
    await c.s.scheduleOne(ctx)?.binding;
    expect(scored, 'score plugin calls when two nodes are feasible').toBe(2);
  });
});

describe('properties of the whole loop', () => {
  const nodeGen = fc.record({ cpu: fc.constantFrom('1', '2', '4'), pods: fc.constantFrom('3', '5', '110'), tainted: fc.boolean(), zone: fc.constantFrom('a', 'b') });
  const podGen = fc.record({ cpu: fc.constantFrom('100m', '250m', '500m', '1', '1500m'), tolerates: fc.boolean(), zone: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }) });
  const makeNodes = (gens: { cpu: string; pods: string; tainted: boolean; zone: string }[]) =>
    gens.map((g, i) =>
      nodeObject(`n${i}`, { cpu: g.cpu, pods: g.pods, labels: { zone: g.zone }, ...(g.tainted ? { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' as const }] } : {}) }),
    );
  const makePod = (g: { cpu: string; tolerates: boolean; zone?: string }, i: number) =>
    pod(`p${i}`, { cpu: g.cpu, ...(g.tolerates ? { tolerations: [{ key: 'dedicated', operator: 'Exists' as const }] } : {}), ...(g.zone ? { nodeSelector: { zone: g.zone } } : {}) } as PodOptions);

  test('a bound pod always fits its node at the moment it is bound', async ({ task }) => {
    await fc.assert(
      fc.asyncProperty(fc.array(nodeGen, { minLength: 1, maxLength: 6 }), fc.array(podGen, { maxLength: 40 }), async (ng, pg) => {
        const ns = makeNodes(ng);
        const used = new Map<string, { cpu: number; pods: number }>();
        const c = fakeCluster(ns, {
          onBind: (p, nodeName) => {
            const n = ns.find((x) => x.metadata.name === nodeName)!;
            const u = used.get(nodeName) ?? { cpu: 0, pods: 0 };
            const capCpu = Number(n.status!.allocatable!.cpu) * 1000;
            const did = `binding ${p.key} (cpu ${p.requests.milliCPU}m, ${show(p.pod.spec.tolerations ?? [])}, ${show(p.pod.spec.nodeSelector ?? {})}) to ${nodeName} (cpu ${capCpu}m with ${u.cpu}m used, ${u.pods}/${n.status!.allocatable!.pods} pods, ${show(n.spec)}, ${show(n.metadata.labels)})`;
            expect(u.cpu + p.requests.milliCPU <= capCpu, `${did}: cpu fits`).toBe(true);
            expect(u.pods + 1 <= Number(n.status!.allocatable!.pods), `${did}: pod count fits`).toBe(true);
            if (n.spec?.taints) expect(p.pod.spec.tolerations !== undefined, `${did}: the taint is tolerated`).toBe(true);
            const zone = p.pod.spec.nodeSelector?.zone;
            if (zone) expect(n.metadata.labels!.zone, `${did}: the nodeSelector matches`).toBe(zone);
            used.set(nodeName, { cpu: u.cpu + p.requests.milliCPU, pods: u.pods + 1 });
          },
        });
        pg.forEach((g, i) => c.ctx.queue.add(makePod(g, i)));
        await c.drain();
      }),
      { seed: useSeed(task), numRuns: 60 },
    );
  });

  test('1,000 pods arriving at once never overcommit a node', hint('Do you assume each pod before the next cycle starts, even though its binding has not finished?'), async ({ task }) => {
    const seed = useSeed(task);
    const sizes = [100, 200, 300, 500];
    const c = fakeCluster(nodes(20, { cpu: '4', memory: '16Gi' }), { seed, holdBindings: true });
    let state = seed || 1;
    const cpuOf = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      state = (state * 48271) % 2147483647;
      const p = pod(`p${i}`, { cpu: `${sizes[state % 4]}m`, memory: '256Mi' });
      cpuOf.set(p.key, p.requests.milliCPU);
      c.ctx.queue.add(p);
    }
    const bindings: Promise<void>[] = [];
    const perNode = new Map<string, { cpu: number; pods: number }>();
    for (let out = c.s.scheduleOne(c.ctx); out; out = c.s.scheduleOne(c.ctx)) {
      if (out.binding) bindings.push(out.binding);
      if (!out.nodeName) continue;
      const used = perNode.get(out.nodeName) ?? { cpu: 0, pods: 0 };
      perNode.set(out.nodeName, { cpu: used.cpu + cpuOf.get(out.pod.podInfo.key)!, pods: used.pods + 1 });
    }
    expect(perNode.size > 0, 'some pods were placed').toBe(true);
    for (const [name, used] of perNode) {
      expect(used.cpu <= 4000, `cpu of the pods placed on ${name} while 1,000 pods were scheduled and no binding had finished: ${used.cpu}m of 4000m`).toBe(true);
      expect(used.pods <= 110, `pods placed on ${name}: ${used.pods} of 110`).toBe(true);
    }
    c.release();
    await Promise.all(bindings);
  });

  test('every schedulable pod is eventually bound', hint('After a failure the pod must come back: through backoff, an event, or the unschedulable timeout'), ({ task }) => {
    return fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.record({ cpu: fc.constantFrom('100m', '500m', '1'), tolerates: fc.boolean() }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 3 }),
        async (plain, pg, taintedCount) => {
          // Every plain node fits four 1-cpu pods, so any pod without a toleration fits somewhere while
          // fewer than 4 × plain such pods exist; tainted nodes only add room for tolerating pods.
          const ns = [...nodes(plain), ...Array.from({ length: taintedCount }, (_, i) => nodeObject(`t${i}`, { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }))];
          const pods = pg.slice(0, 4 * plain).map((g, i) => pod(`p${i}`, { cpu: g.cpu, ...(g.tolerates ? { tolerations: [{ key: 'dedicated', operator: 'Exists' as const }] } : {}) }));
          // Arrive in two waves with a node added in between, as in a real cluster.
          const c = fakeCluster(ns.slice(0, 1));
          pods.forEach((p) => c.ctx.queue.add(p));
          await c.drain();
          for (const n of ns.slice(1)) {
            c.sched.cache.addNode(n);
            c.ctx.queue.moveAllToActiveOrBackoff('NodeAdd');
          }
          for (let round = 0; round < 20 && c.bound.size < pods.length; round++) {
            c.clock.t += 11_000;
            c.ctx.queue.flushBackoffCompleted();
            c.ctx.queue.flushUnschedulableLeftover();
            await c.drain();
          }
          expect(show([...c.bound.keys()].sort()), `bound pods, with ${plain} plain and ${taintedCount} tainted node(s), failures ${show(c.failures.slice(-3))}`).toBe(
            show(pods.map((p) => p.key).sort()),
          );
        },
      ),
      { seed: useSeed(task), numRuns: 40 },
    );
  });
});
