/**
 * The HPA's replica arithmetic (engine/controllers/replica-calculator.ts), case by case against
 * upstream's pkg/controller/podautoscaler/replica_calculator_test.go: its harness makes pods
 * `test-pod-<i>` of two containers, each requesting `requests[i]` and using `levels[i]`
 * milli-cores, so a pod's metric is twice its level and the raw value twice the average level
 * (numContainersPerPod = 2). Pod start times default to long ago; "hot" pods started within the
 * cpu initialisation period and their sample predates their readiness plus the metric window.
 * The tests named after upstream's carry its numbers unchanged (TestReplicaCalcScaleUp, ...).
 * averageValue targets follow GetRawResourceReplicas / calcPlainMetricReplicas.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { CalculatorError, rawResourceReplicas, resourceReplicas, type CalculatorOptions, type PodMetrics } from '#engine/controllers/replica-calculator.ts';
import { restResourceMetrics, sumPodMetrics } from '#engine/controllers/horizontal-metrics.ts';
import type { KubeClient } from '#engine/client/client.ts';
import type { Pod } from '#engine/kube/types.ts';

const objects = await loadComponent('objects');
const NOW = Date.parse('2025-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const COOL = NOW - 10 * 60_000;
const HOT = NOW - 60_000;
const options: CalculatorOptions = {
  now: NOW,
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  initialReadinessDelayMs: 30_000,
  milliValue: (q) => objects.milliValue(objects.parseQuantity(q)),
};

interface Case {
  currentReplicas: number;
  requests: string[];
  levels: number[];
  podNames?: string[];
  readiness?: ('True' | 'False')[];
  startTimes?: number[];
  phases?: ('Running' | 'Pending' | 'Failed')[];
  deleting?: boolean[];
}

/** upstream's prepareTestClientSet + prepareTestMetricsClient. */
function fixture(tc: Case): { pods: Pod[]; metrics: PodMetrics } {
  const count = Math.max(tc.currentReplicas, tc.phases?.length ?? 0);
  const pods: Pod[] = [];
  for (let i = 0; i < count; i++) {
    const start = tc.startTimes?.[i] ?? COOL;
    const request = tc.requests[i];
    const resources = request === undefined ? {} : { resources: { requests: { cpu: request } } };
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `test-pod-${i}`, namespace: 'test-namespace', labels: { name: 'test-pod' }, ...(tc.deleting?.[i] ? { deletionTimestamp: iso(NOW) } : {}) },
      spec: {
        containers: [
          { name: 'container0', image: 'x', ...resources },
          { name: 'container1', image: 'x', ...resources },
        ],
      },
      // A hot pod turned Ready 30 s ago: its 1-minute sample still covers time before that.
      status: {
        phase: tc.phases?.[i] ?? 'Running',
        startTime: iso(start),
        conditions: [{ type: 'Ready', status: tc.readiness?.[i] ?? 'True', lastTransitionTime: iso(start === HOT ? NOW - 30_000 : start) }],
      },
    });
  }
  const metrics: PodMetrics = new Map();
  tc.levels.forEach((level, i) => metrics.set(tc.podNames?.[i] ?? `test-pod-${i}`, { value: 2 * level, timestampMs: NOW, windowMs: 60_000 }));
  return { pods, metrics };
}

const one = (n: string) => Array.from({ length: Number(n) }, () => '1.0');

describe('GetResourceReplicas: averageUtilization of the cpu requests (replica_calculator_test.go)', () => {
  test.each<[string, Case, number, number, number]>([
    // name, case, target %, expected replicas, expected utilization (raw = 2 x average level, checked below)
    ['TestReplicaCalcScaleUp', { currentReplicas: 3, requests: one('3'), levels: [300, 500, 700] }, 30, 5, 50],
    ['TestReplicaCalcScaleUpUnreadyLessScale', { currentReplicas: 3, requests: one('3'), levels: [300, 500, 700], readiness: ['False', 'True', 'True'] }, 30, 4, 60],
    ['TestReplicaCalcScaleUpHotCpuLessScale', { currentReplicas: 3, requests: one('3'), levels: [300, 500, 700], startTimes: [HOT, COOL, COOL] }, 30, 4, 60],
    ['TestReplicaCalcScaleUpUnreadyNoScale', { currentReplicas: 3, requests: one('3'), levels: [400, 500, 700], readiness: ['True', 'False', 'False'] }, 30, 3, 40],
    ['TestReplicaCalcScaleHotCpuNoScale', { currentReplicas: 3, requests: one('3'), levels: [400, 500, 700], readiness: ['True', 'False', 'False'], startTimes: [COOL, HOT, HOT] }, 30, 3, 40],
    [
      'TestReplicaCalcScaleUpIgnoresFailedPods',
      { currentReplicas: 2, requests: one('4'), levels: [500, 700], readiness: ['True', 'True', 'False', 'False'], phases: ['Running', 'Running', 'Failed', 'Failed'] },
      30,
      4,
      60,
    ],
    [
      'TestReplicaCalcScaleUpIgnoresDeletionPods',
      {
        currentReplicas: 2,
        requests: one('4'),
        levels: [500, 700],
        readiness: ['True', 'True', 'False', 'False'],
        phases: ['Running', 'Running', 'Running', 'Running'],
        deleting: [false, false, true, true],
      },
      30,
      4,
      60,
    ],
    ['TestReplicaCalcScaleDown', { currentReplicas: 5, requests: one('5'), levels: [100, 300, 500, 250, 250] }, 50, 3, 28],
    ['TestReplicaCalcScaleDownIncludeUnreadyPods', { currentReplicas: 5, requests: one('5'), levels: [100, 300, 500, 250, 250], readiness: ['True', 'True', 'True', 'False', 'False'] }, 50, 2, 30],
    [
      'TestReplicaCalcScaleDownExcludeUnscheduledPods',
      { currentReplicas: 5, requests: one('5'), levels: [100], readiness: ['True', 'False', 'False', 'False', 'False'], phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'] },
      50,
      1,
      10,
    ],
    ['TestReplicaCalcScaleDownIgnoreHotCpuPods', { currentReplicas: 5, requests: one('5'), levels: [100, 300, 500, 250, 250], startTimes: [COOL, COOL, COOL, HOT, HOT] }, 50, 2, 30],
    [
      'TestReplicaCalcScaleDownIgnoresFailedPods',
      {
        currentReplicas: 5,
        requests: one('7'),
        levels: [100, 300, 500, 250, 250],
        readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
        phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
      },
      50,
      3,
      28,
    ],
    [
      'TestReplicaCalcScaleDownIgnoresDeletionPods',
      {
        currentReplicas: 5,
        requests: one('7'),
        levels: [100, 300, 500, 250, 250],
        readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
        phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Running'],
        deleting: [false, false, false, false, false, true, true],
      },
      50,
      3,
      28,
    ],
    ['TestReplicaCalcTolerance', { currentReplicas: 3, requests: ['0.9', '1.0', '1.1'], levels: [1010, 1030, 1020] }, 100, 3, 102],
    ['TestReplicaCalcSuperfluousMetrics', { currentReplicas: 4, requests: one('4'), levels: [4000, 9500, 3000, 7000, 3200, 2000] }, 100, 24, 587],
    ['TestReplicaCalcMissingMetrics', { currentReplicas: 4, requests: one('4'), levels: [400, 95] }, 100, 3, 24],
    ['TestReplicaCalcMissingMetricsNoChangeEq', { currentReplicas: 2, requests: one('2'), levels: [1000] }, 100, 2, 100],
    ['TestReplicaCalcMissingMetricsNoChangeGt', { currentReplicas: 2, requests: one('2'), levels: [1900] }, 100, 2, 190],
    ['TestReplicaCalcMissingMetricsNoChangeLt', { currentReplicas: 2, requests: one('2'), levels: [600] }, 100, 2, 60],
    ['TestReplicaCalcMissingMetricsUnreadyChange', { currentReplicas: 3, requests: one('3'), levels: [100, 450], readiness: ['False', 'True', 'True'] }, 50, 3, 45],
    ['TestReplicaCalcMissingMetricsHotCpuNoChange', { currentReplicas: 3, requests: one('3'), levels: [100, 450], startTimes: [HOT, COOL, COOL] }, 50, 3, 45],
    ['TestReplicaCalcMissingMetricsUnreadyScaleUp', { currentReplicas: 3, requests: one('3'), levels: [100, 2000], readiness: ['False', 'True', 'True'] }, 50, 4, 200],
    ['TestReplicaCalcMissingMetricsHotCpuScaleUp', { currentReplicas: 3, requests: one('3'), levels: [100, 2000], readiness: ['False', 'True', 'True'], startTimes: [HOT, COOL, COOL] }, 50, 4, 200],
    ['TestReplicaCalcMissingMetricsUnreadyScaleDown', { currentReplicas: 4, requests: one('4'), levels: [100, 100, 100], readiness: ['False', 'True', 'True', 'True'] }, 50, 3, 10],
    ['TestReplicaCalcDuringRollingUpdateWithMaxSurge', { currentReplicas: 2, requests: one('3'), levels: [100, 100], phases: ['Running', 'Running', 'Running'] }, 50, 2, 10],
  ])('%s', (_name, tc, target, replicas, utilization) => {
    const { pods, metrics } = fixture(tc);
    const r = resourceReplicas(tc.currentReplicas, target, 'cpu', pods, metrics, NOW, options);
    expect({ replicas: r.replicas, utilization: r.utilization }).toEqual({ replicas, utilization });
    expect(r.timestampMs).toBe(NOW);
  });

  test('the raw value is the average usage per pod with a metric (upstream expectedValue: numContainersPerPod x level)', () => {
    const up = fixture({ currentReplicas: 3, requests: one('3'), levels: [300, 500, 700] });
    expect(resourceReplicas(3, 30, 'cpu', up.pods, up.metrics, NOW, options).rawAverage).toBe(1000);
    const superfluous = fixture({ currentReplicas: 4, requests: one('4'), levels: [4000, 9500, 3000, 7000, 3200, 2000] });
    expect(resourceReplicas(4, 100, 'cpu', superfluous.pods, superfluous.metrics, NOW, options).rawAverage).toBe(11750);
    const missing = fixture({ currentReplicas: 4, requests: one('4'), levels: [400, 95] });
    expect(resourceReplicas(4, 100, 'cpu', missing.pods, missing.metrics, NOW, options).rawAverage).toBe(495);
  });

  test('TestReplicaCalcComputedToleranceAlgImplementation: 10 pods at 50% of their requests scale down to 9 for a 56% target, not at all for 55%', () => {
    const per = 300;
    const requests = [per + 100, per - 100, per + 10, per - 10, per + 2, per - 2, per + 1, per - 1, per, per].map((m) => `${m}m`);
    const { pods, metrics } = fixture({ currentReplicas: 10, requests, levels: Array.from({ length: 10 }, () => 150) });
    expect(resourceReplicas(10, 56, 'cpu', pods, metrics, NOW, options)).toMatchObject({ replicas: 9, utilization: 50 });
    expect(resourceReplicas(10, 55, 'cpu', pods, metrics, NOW, options)).toMatchObject({ replicas: 10, utilization: 50 });
  });

  test('the tolerance is 0.1 either side of 1.0, in float64 as upstream computes it', () => {
    const at = (level: number) => {
      const { pods, metrics } = fixture({ currentReplicas: 4, requests: one('4'), levels: [level, level, level, level] });
      return resourceReplicas(4, 50, 'cpu', pods, metrics, NOW, options).replicas;
    };
    // 54% and 45% of a 50% target hold; 56% moves up. Exactly 55% moves too: 1.0 - 55/50 is -0.10000000000000009.
    expect([at(540), at(450), at(560), at(550)]).toEqual([4, 4, 5, 5]);
    // 37%: ratio 0.74, ceil(2.96) = 3.
    expect(at(370)).toBe(3);
  });

  test("TestReplicaCalcEmptyCPURequest: a container without a cpu request fails with upstream's message", () => {
    const { pods, metrics } = fixture({ currentReplicas: 1, requests: [], levels: [200] });
    expect(() => resourceReplicas(1, 100, 'cpu', pods, metrics, NOW, options)).toThrow(new CalculatorError('missing request for cpu in container container0 of Pod test-pod-0'));
  });

  test('TestReplicaCalcDisjointResourcesMetrics: metrics of other pods only', () => {
    const { pods, metrics } = fixture({ currentReplicas: 1, requests: ['1.0'], levels: [100], podNames: ['an-older-pod-name'] });
    expect(() => resourceReplicas(1, 100, 'cpu', pods, metrics, NOW, options)).toThrow('no metrics returned matched known pods');
  });

  test("no pods, or only unready ones with metrics: upstream's two errors", () => {
    expect(() => resourceReplicas(1, 50, 'cpu', [], new Map(), NOW, options)).toThrow('no pods returned by selector while calculating replica count');
    const { pods, metrics } = fixture({ currentReplicas: 2, requests: one('2'), levels: [100, 100], readiness: ['False', 'False'] });
    expect(() => resourceReplicas(2, 50, 'cpu', pods, metrics, NOW, options)).toThrow('did not receive metrics for targeted pods (pods might be unready)');
  });

  test("memory has no readiness rule: an unready pod's memory counts", () => {
    const { pods, metrics } = fixture({ currentReplicas: 2, requests: [], levels: [] });
    for (const p of pods) for (const c of p.spec.containers) c.resources = { requests: { memory: '100Mi' } };
    pods[0]!.status!.conditions![0]!.status = 'False';
    metrics.set('test-pod-0', { value: 2 * 100 * 1024 * 1024 * 1000, timestampMs: NOW, windowMs: 60_000 });
    metrics.set('test-pod-1', { value: 2 * 100 * 1024 * 1024 * 1000, timestampMs: NOW, windowMs: 60_000 });
    expect(resourceReplicas(2, 50, 'memory', pods, metrics, NOW, options)).toMatchObject({ replicas: 4, utilization: 100 });
  });
});

describe('GetRawResourceReplicas: an averageValue target per pod', () => {
  test('usage 2 x 300m per pod against 400m scales 3 pods to 5; within 10% holds', () => {
    const { pods, metrics } = fixture({ currentReplicas: 3, requests: [], levels: [300, 300, 300] });
    expect(rawResourceReplicas(3, 400, 'cpu', pods, metrics, NOW, options)).toMatchObject({ replicas: 5, rawAverage: 600 });
    expect(rawResourceReplicas(3, 580, 'cpu', pods, metrics, NOW, options)).toMatchObject({ replicas: 3, rawAverage: 600 });
  });

  test('missing pods count as at target on a scale-down, as zero on a scale-up (calcPlainMetricReplicas)', () => {
    const down = fixture({ currentReplicas: 4, requests: [], levels: [100, 100] });
    // ratio 200/1000 = 0.2; missing at 1000 each: (400 + 2000) / 4 = 600 -> 0.6 -> ceil(2.4) = 3
    expect(rawResourceReplicas(4, 1000, 'cpu', down.pods, down.metrics, NOW, options).replicas).toBe(3);
    const up = fixture({ currentReplicas: 4, requests: [], levels: [1000, 1000] });
    // ratio 2000/500 = 4; missing at 0: 4000 / 4 = 1000 -> 2 -> 8
    expect(rawResourceReplicas(4, 500, 'cpu', up.pods, up.metrics, NOW, options).replicas).toBe(8);
  });
});

describe('the resource metrics client (metrics/client.go getPodMetrics)', () => {
  const milli = options.milliValue;
  test('a pod is the sum of its containers in milli-units; a pod missing the resource in a container is left out', () => {
    const sums = sumPodMetrics(
      [
        {
          metadata: { name: 'a' },
          timestamp: '2025-01-01T12:00:00Z',
          window: '30s',
          containers: [
            { name: 'c', usage: { cpu: '250m', memory: '1Mi' } },
            { name: 'd', usage: { cpu: '1500000n' } },
          ],
        },
        { metadata: { name: 'b' }, timestamp: '2025-01-01T12:00:00Z', window: '1m0s', containers: [{ name: 'c', usage: { memory: '1Mi' } }] },
        { metadata: { name: 'c' }, containers: [] },
      ],
      'cpu',
      milli,
    );
    expect([...sums]).toEqual([['a', { value: 252, timestampMs: NOW, windowMs: 30_000 }]]);
  });

  test('TestReplicaCalcEmptyMetrics: an empty list is "no metrics returned from resource metrics API"; a failed request says why', async () => {
    const empty = restResourceMetrics({ request: async () => ({ items: [] }) } as unknown as KubeClient, milli);
    await expect(empty.podMetrics('cpu', 'ns', 'app=web')).rejects.toThrow('no metrics returned from resource metrics API');
    const down = restResourceMetrics({ request: async () => Promise.reject(new Error('the server could not find the requested resource')) } as unknown as KubeClient, milli);
    await expect(down.podMetrics('cpu', 'ns', 'app=web')).rejects.toThrow('unable to fetch metrics from resource metrics API: the server could not find the requested resource');
  });
});
