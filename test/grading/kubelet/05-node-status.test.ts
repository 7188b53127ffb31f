/**
 * Hidden suite for 05-kubelet/05-node-status: the node conditions (heartbeats every time,
 * transitions only on change, Ready's messages from the runtime's conditions), allocatable
 * (kube-reserved, system-reserved, hard eviction thresholds, percentages) and the kubelet's
 * admission of a pod (OutOfpods, OutOfcpu, OutOfmemory with upstream's message, then the
 * predicates). After upstream's pkg/kubelet/nodestatus/setters_test.go (TestReadyCondition,
 * TestMemoryPressureCondition, TestDiskPressureCondition, TestPIDPressureCondition),
 * pkg/kubelet/cm/node_container_manager_linux_test.go (TestNodeAllocatableReservationForScheduling)
 * and pkg/kubelet/lifecycle/predicate_test.go, kubelet_test.go (TestHandlePortConflicts,
 * TestHandleNodeSelector, TestHandleMemExceeded).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { NodeObservations } from '#engine/kubelet/exercises.ts';
import type { Condition, Node, Pod, ResourceList, Taint } from '#engine/kube/types.ts';
import type { RuntimeCondition } from '#engine/cri/api.ts';
import { hint, show } from '#grading';
import { NOW, ago, amountOf, container, pod } from './make.ts';

const k = await loadComponent('kubelet');

const healthy: RuntimeCondition[] = [
  { type: 'RuntimeReady', status: true, reason: '', message: '' },
  { type: 'NetworkReady', status: true, reason: '', message: '' },
];
const observed = (o: Partial<NodeObservations> = {}): NodeObservations => ({ runtimeConditions: healthy, memoryPressure: false, diskPressure: false, pidPressure: false, ...o });
const line = (c: Condition) => `${c.type} ${c.status} ${c.reason} | ${c.message} | beat ${c.lastHeartbeatTime} | moved ${c.lastTransitionTime}`;

describe('node conditions', () => {
  test(
    'the first status: three pressures False and Ready True, Ready last, all with heartbeat and transition now',
    hint('A missing condition starts as Unknown, so the first observation is a transition'),
    () => {
      expect(k.nodeConditions(undefined, observed(), NOW).map(line), 'conditions of a new, healthy node').toEqual([
        `MemoryPressure False KubeletHasSufficientMemory | kubelet has sufficient memory available | beat ${ago(0)} | moved ${ago(0)}`,
        `DiskPressure False KubeletHasNoDiskPressure | kubelet has no disk pressure | beat ${ago(0)} | moved ${ago(0)}`,
        `PIDPressure False KubeletHasSufficientPID | kubelet has sufficient PID available | beat ${ago(0)} | moved ${ago(0)}`,
        `Ready True KubeletReady | kubelet is posting ready status | beat ${ago(0)} | moved ${ago(0)}`,
      ]);
    },
  );

  test('nothing changed: every heartbeat moves to now, every lastTransitionTime stays', hint('lastTransitionTime changes only when the status does; lastHeartbeatTime every time'), () => {
    const first = k.nodeConditions(undefined, observed(), NOW - 600_000);
    const copy = structuredClone(first);
    const again = k.nodeConditions(first, observed(), NOW);
    expect(again.map(line), 'the same healthy node 10 min later').toEqual([
      `MemoryPressure False KubeletHasSufficientMemory | kubelet has sufficient memory available | beat ${ago(0)} | moved ${ago(600)}`,
      `DiskPressure False KubeletHasNoDiskPressure | kubelet has no disk pressure | beat ${ago(0)} | moved ${ago(600)}`,
      `PIDPressure False KubeletHasSufficientPID | kubelet has sufficient PID available | beat ${ago(0)} | moved ${ago(600)}`,
      `Ready True KubeletReady | kubelet is posting ready status | beat ${ago(0)} | moved ${ago(600)}`,
    ]);
    expect(first, 'the previous conditions passed in (must not change)').toEqual(copy);
  });

  test('memory pressure appears and goes: its condition moves each time, the others do not', () => {
    const start = k.nodeConditions(undefined, observed(), NOW - 60_000);
    const pressed = k.nodeConditions(start, observed({ memoryPressure: true }), NOW - 30_000);
    expect(line(pressed[0]!), 'MemoryPressure when the eviction manager reports it').toBe(
      `MemoryPressure True KubeletHasInsufficientMemory | kubelet has insufficient memory available | beat ${ago(30)} | moved ${ago(30)}`,
    );
    expect(pressed[1]!.lastTransitionTime, "DiskPressure's lastTransitionTime").toBe(ago(60));
    const relieved = k.nodeConditions(pressed, observed(), NOW);
    expect(line(relieved[0]!), 'MemoryPressure once it is gone').toBe(`MemoryPressure False KubeletHasSufficientMemory | kubelet has sufficient memory available | beat ${ago(0)} | moved ${ago(0)}`);
    const disk = k.nodeConditions(relieved, observed({ diskPressure: true, pidPressure: true }), NOW);
    expect(
      disk.slice(1, 3).map((c) => `${c.type} ${c.status} ${c.reason}`),
      'disk and PID pressure',
    ).toEqual(['DiskPressure True KubeletHasDiskPressure', 'PIDPressure True KubeletHasInsufficientPID']);
    expect(
      disk.slice(1, 3).map((c) => c.message),
      'the messages of disk and PID pressure',
    ).toEqual(['kubelet has disk pressure', 'kubelet has insufficient PID available']);
  });

  test(
    'a pressure that lasts keeps the lastTransitionTime of when it began; only its heartbeat moves',
    hint('Under pressure and already True: leave status, reason, message and lastTransitionTime alone'),
    () => {
      // setters.go MemoryPressureCondition: `if pressure { if condition.Status != v1.ConditionTrue { ... LastTransitionTime = currentTime } }`.
      const start = k.nodeConditions(undefined, observed(), NOW - 120_000);
      const began = k.nodeConditions(start, observed({ memoryPressure: true, pidPressure: true }), NOW - 60_000);
      const lasts = k.nodeConditions(began, observed({ memoryPressure: true, pidPressure: true }), NOW);
      expect([line(lasts[0]!), line(lasts[2]!)], 'memory and PID pressure observed 60 s ago and again now').toEqual([
        `MemoryPressure True KubeletHasInsufficientMemory | kubelet has insufficient memory available | beat ${ago(0)} | moved ${ago(60)}`,
        `PIDPressure True KubeletHasInsufficientPID | kubelet has insufficient PID available | beat ${ago(0)} | moved ${ago(60)}`,
      ]);
    },
  );

  test(
    "Ready is False with KubeletNotReady and the runtime's words when the runtime or its network is not ready",
    hint('"container runtime network not ready: NetworkReady=false reason:… message:…"; several errors: "[a, b]"'),
    () => {
      const down = (type: 'RuntimeReady' | 'NetworkReady', reason: string, message: string): RuntimeCondition[] => healthy.map((c) => (c.type === type ? { type, status: false, reason, message } : c));
      const ready = (conds: RuntimeCondition[]) => k.nodeConditions(undefined, observed({ runtimeConditions: conds }), NOW).find((c) => c.type === 'Ready')!;
      expect(show(ready(down('NetworkReady', 'NetworkPluginNotReady', 'cni plugin not initialized'))), 'Ready with NetworkReady false').toBe(
        show({
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized',
          lastHeartbeatTime: ago(0),
          lastTransitionTime: ago(0),
        }),
      );
      const both = [
        { type: 'RuntimeReady', status: false, reason: 'Stopped', message: 'the runtime stopped' },
        { type: 'NetworkReady', status: false, reason: 'NoNet', message: 'none' },
      ] as RuntimeCondition[];
      expect(ready(both).message, "Ready's message with both false").toBe(
        '[container runtime not ready: RuntimeReady=false reason:Stopped message:the runtime stopped, container runtime network not ready: NetworkReady=false reason:NoNet message:none]',
      );
      expect(ready([]).message, "Ready's message before the runtime answered at all").toBe('[container runtime status check may not have completed yet, network state unknown]');
    },
  );

  test('Ready that goes False and comes back True moves its lastTransitionTime each time', hint("Ready's lastTransitionTime: the previous one only when the previous status was the same"), () => {
    // setters.go ReadyCondition: LastTransitionTime = currentTime when the status differs from the current Ready's.
    const down: RuntimeCondition[] = [healthy[0]!, { type: 'NetworkReady', status: false, reason: 'NoNet', message: 'none' }];
    const up = k.nodeConditions(undefined, observed(), NOW - 120_000);
    const broken = k.nodeConditions(up, observed({ runtimeConditions: down }), NOW - 60_000);
    const back = k.nodeConditions(broken, observed(), NOW);
    const ready = (list: Condition[]) => line(list.find((c) => c.type === 'Ready')!);
    expect([ready(broken), ready(back)], 'Ready when the network went down 60 s ago, then now that it is back').toEqual([
      `Ready False KubeletNotReady | container runtime network not ready: NetworkReady=false reason:NoNet message:none | beat ${ago(60)} | moved ${ago(60)}`,
      `Ready True KubeletReady | kubelet is posting ready status | beat ${ago(0)} | moved ${ago(0)}`,
    ]);
  });

  test('the runtime conditions are found by type, in whatever order the runtime lists them', hint('Look RuntimeReady and NetworkReady up by their type, not by their position'), () => {
    const reversed: RuntimeCondition[] = [{ type: 'NetworkReady', status: false, reason: 'NoNet', message: 'none' }, healthy[0]!];
    const ready = k.nodeConditions(undefined, observed({ runtimeConditions: reversed }), NOW).find((c) => c.type === 'Ready')!;
    expect(show({ status: ready.status, message: ready.message }), 'Ready with NetworkReady false listed first, RuntimeReady true second').toBe(
      show({ status: 'False', message: 'container runtime network not ready: NetworkReady=false reason:NoNet message:none' }),
    );
  });

  test('Ready keeps its lastTransitionTime while its status stays, even when its message changes; other conditions stay in place', () => {
    const other: Condition = { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'ok', lastTransitionTime: ago(900) };
    const before = [other, ...k.nodeConditions(undefined, observed({ runtimeConditions: [] }), NOW - 100_000)];
    const after = k.nodeConditions(before, observed({ runtimeConditions: [healthy[0]!] }), NOW);
    const ready = after.find((c) => c.type === 'Ready')!;
    expect(show({ types: after.map((c) => c.type), status: ready.status, message: ready.message, moved: ready.lastTransitionTime }), 'Ready still False, now only the network missing').toBe(
      show({ types: ['NetworkUnavailable', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'], status: 'False', message: 'network state unknown', moved: ago(100) }),
    );
  });
});

describe('allocatable', () => {
  const capacity: ResourceList = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  const amounts = (list: ResourceList) => Object.fromEntries(Object.keys(capacity).map((n) => [n, amountOf(n, list[n])]));

  test(
    'capacity minus kube-reserved, system-reserved and the hard eviction thresholds',
    hint('Add all three reservations per resource; memory.available reserves memory, nodefs.available ephemeral-storage'),
    () => {
      const got = k.nodeAllocatable(capacity, {
        kubeReserved: { cpu: '100m', memory: '256Mi' },
        systemReserved: { cpu: '200m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
        evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%' },
      });
      expect(amounts(got), 'allocatable of 4 cpu, 8Gi, 110 pods, 100Gi disk (cpu in millicores, the rest in units)').toEqual({
        cpu: 3700,
        memory: 8 * 2 ** 30 - 868 * 2 ** 20,
        pods: 110,
        'ephemeral-storage': 100 * 2 ** 30 - 2 ** 30 - Math.trunc(100 * 2 ** 30 * 0.1),
      });
    },
  );

  test('nothing reserved: allocatable is the capacity; reserving more than there is gives 0, never less', hint('A value below zero is set to 0'), () => {
    expect(amounts(k.nodeAllocatable(capacity, {})), 'no reservations').toEqual({ cpu: 4000, memory: 8 * 2 ** 30, pods: 110, 'ephemeral-storage': 100 * 2 ** 30 });
    const got = k.nodeAllocatable(
      { cpu: '1', memory: '1Gi', pods: '10' },
      { kubeReserved: { cpu: '1500m', 'nvidia.com/gpu': '1' }, evictionHard: { 'memory.available': '50%', 'imagefs.available': '15%' } },
    );
    expect(
      show({ cpu: amountOf('cpu', got.cpu), memory: amountOf('memory', got.memory), pods: amountOf('pods', got.pods), gpu: got['nvidia.com/gpu'] }),
      '1 cpu with 1500m reserved; 1Gi with 50% kept for eviction; a gpu reserved on a node without gpus',
    ).toBe(show({ cpu: 0, memory: 2 ** 29, pods: 10, gpu: undefined }));
  });

  test(
    'only memory.available and nodefs.available reserve anything; a reservation of a resource the node lacks adds no resource',
    hint('Map memory.available → memory and nodefs.available → ephemeral-storage, skip other signals, and list only the resources of capacity'),
    () => {
      // node_container_manager_linux.go hardEvictionReservation: only SignalMemoryAvailable and SignalNodeFsAvailable;
      // GetNodeAllocatableAbsolute walks the resources of capacity only.
      const small: ResourceList = { cpu: '2', memory: '4Gi', pods: '110' };
      const got = k.nodeAllocatable(small, { evictionHard: { 'imagefs.available': '10Gi', 'nodefs.available': '5Gi', 'pid.available': '100' } as Record<string, string> });
      expect(
        show(Object.fromEntries(Object.entries(got).map(([n, q]) => [n, amountOf(n, q)]))),
        'allocatable of 2 cpu, 4Gi, 110 pods (no ephemeral-storage), evictionHard imagefs.available 10Gi, nodefs.available 5Gi, pid.available 100',
      ).toBe(show({ cpu: 2000, memory: 4 * 2 ** 30, pods: 110 }));
    },
  );

  test('a percentage threshold may have decimals', hint('"6.25%": parse the number before % as a decimal'), () => {
    // eviction helpers.go parseThresholdStatement → parsePercentage: strconv.ParseFloat of the text before "%".
    const got = k.nodeAllocatable(capacity, { evictionHard: { 'memory.available': '6.25%' } });
    expect(amountOf('memory', got.memory), 'memory of 8Gi with 6.25% kept for eviction').toBe(8 * 2 ** 30 - 2 ** 29);
  });
});

describe('pod admission', () => {
  const node = (o: { cpu?: string; memory?: string; pods?: string; taints?: Taint[]; labels?: Record<string, string> } = {}): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', ...o.labels } },
    spec: { taints: o.taints ?? [] },
    status: { allocatable: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: o.pods ?? '110' }, capacity: { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: o.pods ?? '110' } },
  });
  const asking = (name: string, cpu?: string, memory?: string, extra: Partial<Pod['spec']> = {}): Pod => {
    const requests: Record<string, string> = {};
    if (cpu) requests.cpu = cpu;
    if (memory) requests.memory = memory;
    return pod(name, { containers: [container('app', { resources: { requests } })], spec: extra });
  };
  const verdict = (p: Pod, n: Node, others: Pod[]) => {
    const r = k.admitPod(p, n, others);
    return r.admit ? 'admitted' : `${r.reason}: ${r.message}`;
  };

  test('a pod that fits is admitted', () => {
    expect(verdict(asking('new', '500m', '1Gi'), node(), [asking('a', '1', '1Gi')]), '500m and 1Gi on a node of 2 cpu and 4Gi running 1 cpu and 1Gi').toBe('admitted');
  });

  test('not enough cpu: OutOfcpu, with requested, used and capacity in millicores', hint('"Node didn\'t have enough resource: cpu, requested: 1500, used: 1000, capacity: 2000"'), () => {
    expect(verdict(asking('new', '1500m'), node(), [asking('a', '600m'), asking('b', '400m')]), '1500m on a node of 2 cpu running 600m and 400m').toBe(
      "OutOfcpu: Node didn't have enough resource: cpu, requested: 1500, used: 1000, capacity: 2000",
    );
    expect(verdict(asking('new', '1'), node(), [asking('a', '600m'), asking('b', '400m')]), '1 cpu exactly fills the node').toBe('admitted');
  });

  test('not enough memory: OutOfmemory in bytes; cpu is checked first', () => {
    expect(verdict(asking('new', undefined, '3Gi'), node(), [asking('a', undefined, '2Gi')]), '3Gi on a node of 4Gi running 2Gi').toBe(
      `OutOfmemory: Node didn't have enough resource: memory, requested: ${3 * 2 ** 30}, used: ${2 * 2 ** 30}, capacity: ${4 * 2 ** 30}`,
    );
    expect(k.admitPod(asking('new', '3', '3Gi'), node(), [asking('a', undefined, '2Gi')]).reason, 'too much cpu and too much memory').toBe('OutOfcpu');
  });

  test(
    'a resource the pod does not request is not checked, even on an overcommitted node; the last byte of memory can be used',
    hint('Check cpu only when the pod requests cpu (> 0), memory only when it requests memory; a request equal to what is free fits'),
    () => {
      // noderesources/fit.go fitsRequest: `if podRequest.MilliCPU > 0 && podRequest.MilliCPU > (Allocatable.MilliCPU - Requested.MilliCPU)`, and the same for memory.
      const crowded = [asking('a', '1500m', '3Gi'), asking('b', '1', '2Gi')];
      expect(verdict(asking('new', undefined, '1Gi'), node(), crowded), '1Gi, no cpu, on a node of 2 cpu whose pods request 2.5 cpu (allocatable shrank), 5Gi of 4Gi').toBe(
        "OutOfmemory: Node didn't have enough resource: memory, requested: 1073741824, used: 5368709120, capacity: 4294967296",
      );
      expect(verdict(asking('new', '100m'), node({ memory: '1Gi' }), [asking('a', undefined, '2Gi')]), '100m, no memory, on a node of 2 cpu and 1Gi whose pod requests 2Gi').toBe('admitted');
      expect(verdict(asking('new', undefined, '1Gi'), node({ cpu: '1' }), [asking('a', '1500m', '1Gi')]), '1Gi, no cpu, on a node of 1 cpu and 4Gi whose pod requests 1.5 cpu and 1Gi').toBe(
        'admitted',
      );
      expect(verdict(asking('new', undefined, '2Gi'), node(), [asking('a', undefined, '2Gi')]), '2Gi on a node of 4Gi running 2Gi').toBe('admitted');
    },
  );

  test('the pod limit: OutOfpods, checked before anything else', hint('allocatable pods: already running + 1 must not exceed it'), () => {
    const full = [asking('a'), asking('b'), asking('c')];
    expect(verdict(asking('new', '5'), node({ pods: '3' }), full), 'a pod asking 5 cpu on a node of 3 pods running 3').toBe(
      "OutOfpods: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
    );
    expect(verdict(asking('new'), node({ pods: '4' }), full), 'the fourth pod on a node of 4 pods').toBe('admitted');
  });

  test('init containers count as their peak, not their sum', hint("Reuse the scheduler's podRequests (lesson 03): max(sum of app containers, largest init container)"), () => {
    const p = pod('new', {
      initContainers: [container('i1', { resources: { requests: { cpu: '1' } } }), container('i2', { resources: { requests: { cpu: '1' } } })],
      containers: [container('app', { resources: { requests: { cpu: '500m' } } })],
    });
    expect(verdict(p, node(), [asking('a', '1')]), 'init containers of 1 cpu each, app 500m, on a node with 1 cpu free').toBe('admitted');
  });

  test(
    "node selector and affinity, node name, host ports and NoExecute taints are checked with the scheduler's words",
    hint('"Predicate NodeAffinity failed: node(s) didn\'t match Pod\'s node affinity/selector"'),
    () => {
      expect(verdict(asking('new', undefined, undefined, { nodeSelector: { disk: 'ssd' } }), node(), []), 'nodeSelector disk=ssd on a node without it').toBe(
        "NodeAffinity: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
      );
      expect(verdict(asking('new', undefined, undefined, { nodeSelector: { disk: 'ssd' } }), node({ labels: { disk: 'ssd' } }), []), 'the same on a node labelled disk=ssd').toBe('admitted');
      expect(verdict(asking('new', undefined, undefined, { nodeName: 'node-2' }), node(), []), 'a pod bound to node-2 handed to node-1').toBe(
        "NodeName: Predicate NodeName failed: node(s) didn't match the requested node name",
      );
      const port = (name: string) => pod(name, { containers: [container('web', { ports: [{ containerPort: 80, hostPort: 8080 }] })] });
      expect(verdict(port('new'), node(), [port('old')]), 'hostPort 8080 already taken').toBe("NodePorts: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    },
  );

  test("only NoExecute taints matter to the kubelet; NoSchedule ones were the scheduler's business", hint('Filter the taints by effect NoExecute before checking tolerations'), () => {
    const noSchedule = node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(verdict(asking('new'), noSchedule, []), 'a NoSchedule taint, no toleration').toBe('admitted');
    const noExecute = node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] });
    expect(verdict(asking('new'), noExecute, []), 'a NoExecute taint, no toleration').toBe('TaintToleration: Predicate TaintToleration failed: node(s) had untolerated taint');
    expect(verdict(asking('new', undefined, undefined, { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }), noExecute, []), 'the same, tolerated').toBe('admitted');
  });
});
