/**
 * Hidden suite for 03-scheduler/03-scores: score plugins with upstream's arithmetic, normalising,
 * weighing, and percentageOfNodesToScore.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { NodeInfo, PodInfo, Profile, ScoreContext } from '#engine/scheduler/framework.ts';
import type { Container } from '#engine/scheduler/types.ts';
import { hint, show, useSeed } from '#grading';
import { describeNode, describePod, MiB, node, pod, podObject, requestsText } from './make.ts';

const s = await loadComponent('scheduler');
const ctx = (numAllNodes: number, images: Record<string, number> = {}): ScoreContext => ({ numAllNodes, nodesWithImage: (name) => images[name] ?? 0 });

function expectScore(name: string, got: number, expected: number, p: PodInfo, n: NodeInfo) {
  expect(got, `${name}(${describePod(p)}; ${describeNode(n)})`).toBe(expected);
}

describe('nonZeroRequests: requests for scoring', () => {
  const pods = (containers: Container[]) => ({ ...podObject('p'), spec: { containers } });
  test(
    'a container without a cpu or memory request counts as 100m and 200Mi',
    hint('Do you fill in SCHEDULER_DEFAULT_MILLI_CPU_REQUEST and SCHEDULER_DEFAULT_MEMORY_REQUEST only when the request is absent?'),
    () => {
      expect(requestsText(s.nonZeroRequests(pods([{ name: 'a' }]))), 'nonZeroRequests(one container, no requests)').toBe(requestsText({ milliCPU: 100, memory: 200 * MiB }));
      expect(requestsText(s.nonZeroRequests(pods([{ name: 'a', resources: { requests: { cpu: '1' } } }, { name: 'b' }]))), 'nonZeroRequests(cpu 1 + nothing)').toBe(
        requestsText({ milliCPU: 1100, memory: 400 * MiB }),
      );
    },
  );
  test('a request of 0 that is written down stays 0', hint('Is "cpu: 0" absent, or present?'), () => {
    expect(requestsText(s.nonZeroRequests(pods([{ name: 'a', resources: { requests: { cpu: '0', memory: '64Mi' } } }]))), 'nonZeroRequests(cpu 0, memory 64Mi)').toBe(
      requestsText({ milliCPU: 0, memory: 64 * MiB }),
    );
  });
  test('init containers are taken as in podRequests (the largest one, or the sum of the app containers)', () => {
    const p = { ...podObject('p'), spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }] } };
    expect(requestsText(s.nonZeroRequests(p)), 'nonZeroRequests(app with no requests, init cpu 2 and no memory)').toBe(requestsText({ milliCPU: 2000, memory: 200 * MiB }));
  });
});

describe('LeastAllocated (NodeResourcesFit score)', () => {
  test('an empty 4-core 16Gi node and a pod of 1 core and 4Gi: 75 for cpu, 75 for memory, 75', hint('(allocatable - requested) × 100 / allocatable, per resource, then the average'), () => {
    const p = pod('p', { cpu: '1', memory: '4Gi' });
    const n = node('n');
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, n), 75, p, n);
  });
  test('the pods already there count, and the two resources are averaged', () => {
    const p = pod('p', { cpu: '1', memory: '1Gi' });
    const n = node('n', {}, [pod('a', { cpu: '2', memory: '1Gi' })]);
    // cpu: (4000-3000)*100/4000 = 25; memory: (16-2)*100/16 = 87 (87.5 truncated); (25+87)/2 = 56
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, n), 56, p, n);
  });
  test('pods without requests count as 100m and 200Mi (nonZeroRequested)', hint('Which fields: requests, or nonZeroRequests / nonZeroRequested?'), () => {
    const p = pod('p');
    const n = node('n', { cpu: '1', memory: '1000Mi' }, [pod('a'), pod('b')]);
    // cpu: (1000-300)*100/1000 = 70; memory: (1000-600)*100/1000 = 40; 55
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, n), 55, p, n);
  });
  test('more requested than allocatable scores 0 for that resource', () => {
    const p = pod('p', { cpu: '5', memory: '8Gi' });
    const n = node('n');
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, n), 25, p, n);
  });
  test('a resource the node has none of is left out of the average', hint('What do you do when allocatable is 0?'), () => {
    const p = pod('p', { cpu: '1', memory: '4Gi' });
    const n = node('n', { memory: '0' });
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, n), 75, p, n);
    const noCpu = node('n', { cpu: '0' });
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, noCpu), 75, p, noCpu);
    const nothing = node('n', { cpu: '0', memory: '0' });
    expectScore('leastAllocatedScore', s.leastAllocatedScore(p, nothing), 0, p, nothing);
  });
});

describe('BalancedAllocation', () => {
  test('cpu 50% and memory 25% used: std 0.125, score 87', hint('|f_cpu - f_mem| / 2, then (1 - std) × 100, truncated'), () => {
    const p = pod('p', { cpu: '1', memory: '2Gi' });
    const n = node('n', {}, [pod('a', { cpu: '1', memory: '2Gi' })]);
    expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 87, p, n);
  });
  test('equal shares score 100', () => {
    const p = pod('p', { cpu: '2', memory: '8Gi' });
    const n = node('n');
    expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 100, p, n);
  });
  test('fractions are capped at 1', hint('Is a fraction above 1 kept?'), () => {
    const p = pod('p', { cpu: '8', memory: '8Gi' });
    const n = node('n');
    // cpu min(2, 1) = 1, memory 0.5: std 0.25 → 75
    expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 75, p, n);
  });
  test('uses real requests, not the non-zero defaults', hint('BalancedAllocation reads requests/requested; LeastAllocated reads the nonZero ones.'), () => {
    const p = pod('p', { cpu: '2' });
    const n = node('n', {}, [pod('a')]);
    // cpu 0.5, memory 0 → std 0.25 → 75 (with the 200Mi defaults memory would not be 0)
    expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 75, p, n);
  });
  test(
    'a resource the node has none of is left out: one fraction left has no spread, 100',
    hint('balancedResourceScorer skips a resource with allocatable 0; with fewer than two fractions the deviation is 0. Do you divide by 0 instead?'),
    () => {
      const p = pod('p', { cpu: '1', memory: '4Gi' });
      for (const o of [{ memory: '0' }, { cpu: '0' }]) {
        const n = node('n', o);
        expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 100, p, n);
      }
    },
  );
  test(
    'a pod that requests memory but no cpu is scored: only a pod that requests nothing at all is skipped',
    hint('Is a pod without a cpu request best-effort? Only when it requests no memory either.'),
    () => {
      const p = pod('p', { memory: '4Gi' });
      const n = node('n');
      // cpu 0, memory 0.25: std 0.125 → 87
      expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 87, p, n);
    },
  );
  test('a pod that requests nothing scores 0 (upstream skips best-effort pods)', hint('kubernetes/kubernetes#129138: why would scoring best-effort pods pile them up?'), () => {
    const p = pod('p');
    const n = node('n');
    expectScore('balancedAllocationScore', s.balancedAllocationScore(p, n), 0, p, n);
  });
});

describe('NodeAffinity and TaintToleration scores (raw)', () => {
  const preferred = pod('p', {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, preference: { matchExpressions: [{ key: 'label-1', operator: 'In', values: ['key-1'] }] } },
          { weight: 50, preference: { matchExpressions: [{ key: 'label-2', operator: 'In', values: ['key-2'] }] } },
        ],
      },
    },
  });
  test('the weights of the preferred terms the node matches add up', hint('Use matchesTerm on each preference; add its weight when it matches.'), () => {
    for (const [labels, expected] of [
      [{ 'label-1': 'key-1', 'label-2': 'key-2' }, 51],
      [{ 'label-2': 'key-2' }, 50],
      [{ 'label-1': 'key-1' }, 1],
      [{}, 0],
    ] as const) {
      const n = node('n', { labels });
      expectScore('nodeAffinityScore', s.nodeAffinityScore(preferred, n), expected, preferred, n);
    }
  });
  test(
    'a pod without preferred terms scores 0, also when its affinity holds only pod affinity',
    hint('spec.affinity, and its nodeAffinity, may be missing: do you read them with ?. and default to no terms?'),
    () => {
      const n = node('n', { labels: { 'label-1': 'key-1' } });
      for (const p of [
        pod('plain'),
        pod('pod-affinity-only', {
          affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } },
        }),
      ]) {
        expectScore('nodeAffinityScore', s.nodeAffinityScore(p, n), 0, p, n);
      }
    },
  );
  test('untolerated PreferNoSchedule taints are counted', hint('Only PreferNoSchedule taints; only tolerations with effect PreferNoSchedule or none.'), () => {
    const n = node('n', {
      taints: [
        { key: 'a', effect: 'PreferNoSchedule' },
        { key: 'b', effect: 'PreferNoSchedule' },
        { key: 'c', effect: 'NoSchedule' },
      ],
    });
    const none = pod('p');
    expectScore('taintTolerationScore', s.taintTolerationScore(none, n), 2, none, n);
    const one = pod('p', { tolerations: [{ key: 'a', operator: 'Exists' }] });
    expectScore('taintTolerationScore', s.taintTolerationScore(one, n), 1, one, n);
    const wrongEffect = pod('p', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }] });
    expectScore('taintTolerationScore', s.taintTolerationScore(wrongEffect, n), 2, wrongEffect, n);
  });
});

describe('ImageLocality', () => {
  const big = 500 * MiB;
  test(
    'an image every node has counts fully: 500Mi on 1 of 1 nodes scores trunc(100 × (500-23)/(1000-23)) = 48',
    hint('sum = size × nodesWithImage / numAllNodes; clamp to [23Mi, 1000Mi × containers]; then scale'),
    () => {
      const p = pod('p');
      const n = node('n', { images: [{ names: ['nginx:1.27'], sizeBytes: big }] });
      expectScore('imageLocalityScore', s.imageLocalityScore(p, n, ctx(1, { 'nginx:1.27': 1 })), 48, p, n);
    },
  );
  test('an image on few nodes counts less (spread)', () => {
    const p = pod('p');
    const n = node('n', { images: [{ names: ['nginx:1.27'], sizeBytes: big }] });
    // 500Mi × 1/10 = 50Mi → (50-23)/(1000-23) → 2
    expectScore('imageLocalityScore', s.imageLocalityScore(p, n, ctx(10, { 'nginx:1.27': 1 })), 2, p, n);
  });
  test('no tag means :latest', hint('normalizedImageName("nginx") is "nginx:latest"'), () => {
    const p = { ...pod('p'), pod: { ...podObject('p'), spec: { containers: [{ name: 'a', image: 'nginx' }] } } };
    const n = node('n', { images: [{ names: ['nginx:latest'], sizeBytes: big }] });
    expectScore('imageLocalityScore', s.imageLocalityScore(p, n, ctx(1, { 'nginx:latest': 1 })), 48, p, n);
  });
  test(
    'an image the node does not have adds nothing, even when the node has others',
    hint('node.images.get(name) is undefined for an image the node lacks: do you skip it, or add undefined (NaN)?'),
    () => {
      const p = pod('p');
      const n = node('n', { images: [{ names: ['redis:7'], sizeBytes: big }] });
      expectScore('imageLocalityScore', s.imageLocalityScore(p, n, ctx(1, { 'redis:7': 1 })), 0, p, n);
    },
  );
  test(
    'the upper bound grows with the containers: 1000Mi each, so two 500Mi images on a two-container pod score 49',
    hint('maxThreshold = 1000Mi × the number of containers (init containers included)'),
    () => {
      const p = {
        ...pod('p'),
        pod: {
          ...podObject('p'),
          spec: {
            containers: [
              { name: 'a', image: 'nginx:1.27' },
              { name: 'b', image: 'redis:7' },
            ],
          },
        },
      };
      const n = node('n', {
        images: [
          { names: ['nginx:1.27'], sizeBytes: big },
          { names: ['redis:7'], sizeBytes: big },
        ],
      });
      // sum 1000Mi, clamped to [23Mi, 2000Mi]: trunc(100 × (1000-23)/(2000-23)) = 49
      expectScore('imageLocalityScore', s.imageLocalityScore(p, n, ctx(1, { 'nginx:1.27': 1, 'redis:7': 1 })), 49, p, n);
    },
  );
  test('a node without the images scores 0, and small images count as nothing', () => {
    const p = pod('p');
    expectScore('imageLocalityScore', s.imageLocalityScore(p, node('n'), ctx(1)), 0, p, node('n'));
    const small = node('n', { images: [{ names: ['nginx:1.27'], sizeBytes: 10 * MiB }] });
    expectScore('imageLocalityScore', s.imageLocalityScore(p, small, ctx(1, { 'nginx:1.27': 1 })), 0, p, small);
  });
});

describe('normalizeScores', () => {
  const cases: [number[], boolean, number[]][] = [
    [[0, 5, 10], false, [0, 50, 100]],
    [[0, 5, 10], true, [100, 50, 0]],
    [[1, 3], false, [33, 100]],
    [[0, 0], false, [0, 0]],
    [[0, 0], true, [100, 100]],
    [[2, 2, 1], true, [0, 0, 50]],
  ];
  test.each(cases)('%j reversed=%s becomes %j', hint('score = trunc(100 × score / max); reversed: 100 - that. All zero is a special case.'), (input, reverse, expected) => {
    const scores = [...input];
    s.normalizeScores(scores, reverse);
    expect(show(scores), `normalizeScores(${show(input)}, ${reverse}) (in place)`).toBe(show(expected));
  });
});

describe('prioritizeNodes: normalise, weigh, sum', () => {
  const a = node('a');
  const b = node('b');
  const profile = (extra: Partial<Profile['scores'][number]>[] = []): Profile => ({
    filters: [],
    scores: [
      { name: 'Raw', weight: 2, normalize: 'default', score: (_p, n) => (n.name === 'a' ? 1 : 4) },
      { name: 'Reversed', weight: 3, normalize: 'reverse', score: (_p, n) => (n.name === 'a' ? 0 : 2) },
      { name: 'Already', weight: 1, normalize: 'none', score: (_p, n) => (n.name === 'a' ? 70 : 30) },
      ...(extra as Profile['scores']),
    ],
  });
  test('each plugin is normalised as it says, multiplied by its weight, and summed', hint('Raw becomes [25, 100] × 2, Reversed [100, 0] × 3, Already stays [70, 30] × 1'), () => {
    const result = s.prioritizeNodes(profile(), pod('p'), [a, b], ctx(2));
    expect(show(result.total), 'prioritizeNodes(three plugins, nodes a and b).total').toBe(show([50 + 300 + 70, 200 + 0 + 30]));
    expect(show(result.byPlugin), 'prioritizeNodes(...).byPlugin (weighted)').toBe(show({ Raw: [50, 200], Reversed: [300, 0], Already: [70, 30] }));
    expect(show(result.nodes.map((n) => n.name)), 'prioritizeNodes(...).nodes').toBe(show(['a', 'b']));
  });
  test('a plugin whose skip(pod) is true adds nothing and is not run', hint('Check plugin.skip?.(pod) before scoring'), () => {
    const result = s.prioritizeNodes(
      profile([
        {
          name: 'Skipped',
          weight: 5,
          normalize: 'none',
          skip: () => true,
          score: () => {
            throw new Error('a skipped plugin was run');
          },
        },
      ]),
      pod('p'),
      [a, b],
      ctx(2),
    );
    expect(result.byPlugin.Skipped, 'byPlugin.Skipped').toBeUndefined();
    expect(show(result.total), 'total').toBe(show([420, 230]));
  });
  test(
    'each call returns arrays of its own: a second call leaves the first answer as it was',
    hint('runScorePlugins reuses its arrays on the next call. Are total and the columns of byPlugin new arrays of yours?'),
    () => {
      const p = profile();
      const first = s.prioritizeNodes(p, pod('p'), [a, b], ctx(2));
      const before = show({ total: first.total, byPlugin: first.byPlugin });
      s.prioritizeNodes(p, pod('q'), [b, a], ctx(2));
      expect(show({ total: first.total, byPlugin: first.byPlugin }), 'the first answer after a second prioritizeNodes with the same profile').toBe(before);
    },
  );
  test('the totals are the sums of the weighted plugin scores, for any scores', ({ task }) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.nat(50)), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }), (raw, weights) => {
        const p: Profile = {
          filters: [],
          scores: raw.map(([x, y], i) => ({ name: `P${i}`, weight: weights[i]!, normalize: i % 2 ? 'default' : 'reverse', score: (_p: PodInfo, n: NodeInfo) => (n.name === 'a' ? x : y) })),
        };
        const r = s.prioritizeNodes(p, pod('p'), [a, b], ctx(2));
        for (const i of [0, 1]) expect(r.total[i], `total[${i}] for raw scores ${show(raw)} and weights ${show(weights)}`).toBe(Object.values(r.byPlugin).reduce((sum, col) => sum + col[i]!, 0));
        for (const col of Object.values(r.byPlugin)) for (const v of col) expect(Number.isInteger(v), 'every score is a whole number').toBe(true);
      }),
      { seed: useSeed(task), numRuns: 100 },
    );
  });
});

describe('numFeasibleNodesToFind (percentageOfNodesToScore)', () => {
  const cases: [number, number, number, string][] = [
    [0, 50, 50, 'fewer than 100 nodes: all of them'],
    [0, 100, 100, '100 nodes: 49% would be 49, but never fewer than 100'],
    [0, 1000, 420, '1000 nodes: 50 - 8 = 42%'],
    [0, 5000, 500, '5000 nodes: 50 - 40 = 10%'],
    [0, 6000, 300, '6000 nodes: 50 - 48 = 2%, raised to the minimum 5%'],
    [100, 5000, 5000, 'percentageOfNodesToScore 100: every node'],
    [30, 1000, 300, 'a set percentage is used as is'],
    [10, 500, 100, '10% of 500 is 50, raised to 100'],
  ];
  test.each(cases)(
    'percentage %i of %i nodes: %i (%s)',
    hint('Read numFeasibleNodesToFind in the page on sampling: the 100-node floor, the adaptive formula, the 5% floor.'),
    (percentage, nodes, expected) => {
      expect(s.numFeasibleNodesToFind(percentage, nodes), `numFeasibleNodesToFind(${percentage}, ${nodes})`).toBe(expected);
    },
  );
});

test('all scores together: the node with free room and the preferred label ranks first', () => {
  const p = pod('p', {
    cpu: '500m',
    memory: '1Gi',
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] } }] } },
  });
  const busy = node('busy', { labels: { disktype: 'ssd' } }, [pod('x', { cpu: '3', memory: '12Gi' })]);
  const free = node('free', { labels: { disktype: 'ssd' } });
  const hdd = node('hdd', { labels: { disktype: 'hdd' } });
  const prof: Profile = {
    filters: [],
    scores: [
      { name: 'NodeAffinity', weight: 2, normalize: 'default', score: s.nodeAffinityScore },
      { name: 'NodeResourcesFit', weight: 1, normalize: 'none', score: s.leastAllocatedScore },
    ],
  };
  const r = s.prioritizeNodes(prof, p, [busy, free, hdd], ctx(3));
  expect(show(r.byPlugin.NodeAffinity), 'NodeAffinity column (weighted)').toBe(show([200, 200, 0]));
  expect(r.total[1]! > r.total[0]! && r.total[1]! > r.total[2]!, `free ranks first: totals ${show(r.total)} for busy, free, hdd`).toBe(true);
});
