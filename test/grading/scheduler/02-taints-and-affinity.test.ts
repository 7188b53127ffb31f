/**
 * Hidden suite for 03-scheduler/02-taints-and-affinity: tolerations, NodeUnschedulable,
 * TaintToleration, NodeAffinity and NodePorts, as kube-scheduler behaves and as the Kubernetes
 * documentation describes (Taints and Tolerations; Assigning Pods to Nodes).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { NodeInfo } from '#engine/scheduler/framework.ts';
import type { NodeSelectorRequirement, Taint, Toleration } from '#engine/scheduler/types.ts';
import { hint, show } from '#grading';
import { expectFits, expectRejects, node, pod } from './make.ts';

const s = await loadComponent('scheduler');

describe('tolerates: one toleration against one taint', () => {
  const taint: Taint = { key: 'key1', value: 'value1', effect: 'NoSchedule' };
  const cases: [Toleration, Taint, boolean, string][] = [
    [{ key: 'key1', operator: 'Equal', value: 'value1', effect: 'NoSchedule' }, taint, true, 'the same key, value and effect'],
    [{ key: 'key1', operator: 'Exists', effect: 'NoSchedule' }, taint, true, 'Exists ignores the value'],
    [{ key: 'key1', value: 'value1', effect: 'NoSchedule' }, taint, true, 'a missing operator means Equal'],
    [{ key: 'key1', operator: 'Equal', value: 'value2', effect: 'NoSchedule' }, taint, false, 'Equal needs the same value'],
    [{ key: 'key2', operator: 'Exists', effect: 'NoSchedule' }, taint, false, 'a different key'],
    [{ key: 'key1', operator: 'Equal', value: 'value1', effect: 'NoExecute' }, taint, false, 'a different effect'],
    [{ key: 'key1', operator: 'Equal', value: 'value1' }, taint, true, 'an empty effect matches every effect'],
    [{ operator: 'Exists' }, taint, true, 'an empty key with Exists matches every taint'],
    [{ operator: 'Exists', effect: 'NoExecute' }, taint, false, 'an empty key with Exists still checks the effect'],
    [{ key: 'dedicated', operator: 'Equal', value: '' }, { key: 'dedicated', effect: 'NoSchedule' }, true, 'a taint without a value has the value ""'],
    [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }, { key: 'dedicated', effect: 'NoSchedule' }, false, 'a value does not match a taint without one'],
    [{ key: 'dedicated', operator: 'Equal' }, { key: 'dedicated', effect: 'NoSchedule' }, true, 'no value on either side: both are ""'],
    [{ key: 'dedicated', operator: 'Equal' }, { key: 'dedicated', value: '', effect: 'NoSchedule' }, true, 'a toleration without a value has the value "" too'],
  ];
  const tol = (t: Toleration) => `{${[t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ? `:${t.effect}` : ''].filter(Boolean).join(' ') || 'empty'}}`;
  const tnt = (t: Taint) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
  test.each(cases.map(([t, x, expected, why]) => [`toleration ${tol(t)} ${expected ? 'tolerates' : 'does not tolerate'} taint ${tnt(x)}: ${why}`, t, x, expected] as const))(
    '%s',
    (_title, t, x, expected) => {
      expect(s.tolerates(t, x), `tolerates(${show(t)}, ${show(x)})`).toBe(expected);
    },
  );
});

describe('NodeUnschedulable', () => {
  test('a cordoned node takes no new pods', hint('Which NodeInfo field says kubectl cordon was run?'), () => {
    expectRejects(s.nodeUnschedulable, 'nodeUnschedulable', pod('p'), node('n', { unschedulable: true }), 'UnschedulableAndUnresolvable', ['node(s) were unschedulable']);
    expectFits(s.nodeUnschedulable, 'nodeUnschedulable', pod('p'), node('n'));
  });
  test(
    'a pod that tolerates node.kubernetes.io/unschedulable:NoSchedule may go there anyway',
    hint('Can you reuse tolerates() with a taint you make up: {key: node.kubernetes.io/unschedulable, effect: NoSchedule}?'),
    () => {
      expectFits(
        s.nodeUnschedulable,
        'nodeUnschedulable',
        pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
        node('n', { unschedulable: true }),
      );
      expectFits(s.nodeUnschedulable, 'nodeUnschedulable', pod('p', { tolerations: [{ operator: 'Exists' }] }), node('n', { unschedulable: true }));
      expectRejects(
        s.nodeUnschedulable,
        'nodeUnschedulable',
        pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }] }),
        node('n', { unschedulable: true }),
        'UnschedulableAndUnresolvable',
        ['node(s) were unschedulable'],
      );
    },
  );
});

const AFFINITY_FAIL = "node(s) didn't match Pod's node affinity/selector";
function required(...terms: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[]) {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } };
}

describe('NodeAffinity: nodeSelector and required node affinity', () => {
  const ssd = node('ssd-node', { labels: { disktype: 'ssd', zone: 'antarctica-east1', 'cpu-count': '16' } });
  const hdd = node('hdd-node', { labels: { disktype: 'hdd', zone: 'antarctica-west1', 'cpu-count': '4' } });
  const bare = node('bare-node');

  test('nodeSelector: every label must be on the node with that value', hint("Can lesson 00's matchLabels answer this?"), () => {
    expectFits(s.nodeAffinity, 'nodeAffinity', pod('p', { nodeSelector: { disktype: 'ssd' } }), ssd);
    expectRejects(s.nodeAffinity, 'nodeAffinity', pod('p', { nodeSelector: { disktype: 'ssd' } }), hdd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
    expectRejects(s.nodeAffinity, 'nodeAffinity', pod('p', { nodeSelector: { disktype: 'ssd', zone: 'antarctica-west1' } }), ssd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
  });

  const table: [string, NodeSelectorRequirement, NodeInfo, boolean][] = [
    ['In with the value', { key: 'disktype', operator: 'In', values: ['ssd', 'nvme'] }, ssd, true],
    ['In without the value', { key: 'disktype', operator: 'In', values: ['ssd', 'nvme'] }, hdd, false],
    ['In on a missing label', { key: 'disktype', operator: 'In', values: ['ssd'] }, bare, false],
    ['NotIn with another value', { key: 'disktype', operator: 'NotIn', values: ['ssd'] }, hdd, true],
    ['NotIn with the value', { key: 'disktype', operator: 'NotIn', values: ['ssd'] }, ssd, false],
    ['NotIn on a missing label', { key: 'disktype', operator: 'NotIn', values: ['ssd'] }, bare, true],
    ['Exists with the label', { key: 'disktype', operator: 'Exists' }, hdd, true],
    ['Exists on a missing label', { key: 'disktype', operator: 'Exists' }, bare, false],
    ['DoesNotExist on a missing label', { key: 'disktype', operator: 'DoesNotExist' }, bare, true],
    ['DoesNotExist with the label', { key: 'disktype', operator: 'DoesNotExist' }, ssd, false],
    ['Gt, greater', { key: 'cpu-count', operator: 'Gt', values: ['8'] }, ssd, true],
    ['Gt, smaller', { key: 'cpu-count', operator: 'Gt', values: ['8'] }, hdd, false],
    ['Gt, equal', { key: 'cpu-count', operator: 'Gt', values: ['16'] }, ssd, false],
    ['Gt compares numbers, not strings', { key: 'cpu-count', operator: 'Gt', values: ['10'] }, hdd, false],
    ['Lt, smaller', { key: 'cpu-count', operator: 'Lt', values: ['8'] }, hdd, true],
    ['Lt, greater', { key: 'cpu-count', operator: 'Lt', values: ['8'] }, ssd, false],
    ['Lt compares numbers, not strings', { key: 'cpu-count', operator: 'Lt', values: ['100'] }, ssd, true],
    ['Gt on a missing label', { key: 'cpu-count', operator: 'Gt', values: ['1'] }, bare, false],
    ['Gt on a label that is not a number', { key: 'disktype', operator: 'Gt', values: ['1'] }, ssd, false],
    ['Lt, equal', { key: 'cpu-count', operator: 'Lt', values: ['4'] }, hdd, false],
    // labels.Requirement.Matches (pkg/labels/selector.go) reads both sides with strconv.ParseInt:
    // anything that is not a whole integer matches neither Gt nor Lt, however it starts or ends.
    ['Gt on a label that only starts with a number', { key: 'cores', operator: 'Gt', values: ['8'] }, node('odd-node', { labels: { cores: '16cores' } }), false],
    ['Lt on a label that only ends with a number', { key: 'cores', operator: 'Lt', values: ['8'] }, node('odd-node', { labels: { cores: 'v4' } }), false],
    ['Gt with a value that only starts with a number', { key: 'cpu-count', operator: 'Gt', values: ['8x'] }, ssd, false],
    ['Lt with a value that only ends with a number', { key: 'cpu-count', operator: 'Lt', values: ['x100'] }, ssd, false],
  ];
  test.each(table)(
    'required affinity, %s',
    hint('In, NotIn, Exists, DoesNotExist behave as in a label selector; Gt and Lt parse both sides as integers. What does each do when the label is missing?'),
    (_name, req, n, fits) => {
      const p = pod('p', required({ matchExpressions: [req] }));
      if (fits) expectFits(s.nodeAffinity, 'nodeAffinity', p, n);
      else expectRejects(s.nodeAffinity, 'nodeAffinity', p, n, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
    },
  );

  test('expressions in one term are ANDed', hint('Must every expression of a term hold, or just one?'), () => {
    const p = pod(
      'p',
      required({
        matchExpressions: [
          { key: 'disktype', operator: 'In', values: ['ssd'] },
          { key: 'zone', operator: 'In', values: ['antarctica-west1'] },
        ],
      }),
    );
    expectRejects(s.nodeAffinity, 'nodeAffinity', p, ssd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
    expectRejects(s.nodeAffinity, 'nodeAffinity', p, hdd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
  });

  test('nodeSelectorTerms are ORed: one matching term is enough', hint('Must every term match, or at least one?'), () => {
    const p = pod('p', required({ matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['antarctica-west1'] }] }));
    expectFits(s.nodeAffinity, 'nodeAffinity', p, ssd);
    expectFits(s.nodeAffinity, 'nodeAffinity', p, hdd);
    expectRejects(s.nodeAffinity, 'nodeAffinity', p, bare, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
  });

  test('an empty term matches no node, and so does an empty list of terms', hint('The API reference: "A null or empty node selector term matches no objects."'), () => {
    expectRejects(s.nodeAffinity, 'nodeAffinity', pod('p', required({})), ssd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
    expectRejects(s.nodeAffinity, 'nodeAffinity', pod('p', required()), ssd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
  });

  test('matchFields selects by metadata.name', hint("matchFields look at the node's fields, not its labels: which field?"), () => {
    const p = pod('p', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd-node'] }] }));
    expectFits(s.nodeAffinity, 'nodeAffinity', p, hdd);
    expectRejects(s.nodeAffinity, 'nodeAffinity', p, ssd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
    const not = pod('p', required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['hdd-node'] }] }));
    expectFits(s.nodeAffinity, 'nodeAffinity', not, ssd);
  });

  test('nodeSelector and required affinity must both hold', () => {
    const p = pod('p', { nodeSelector: { disktype: 'ssd' }, ...required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['antarctica-west1'] }] }) });
    expectRejects(s.nodeAffinity, 'nodeAffinity', p, ssd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
    expectRejects(s.nodeAffinity, 'nodeAffinity', p, hdd, 'UnschedulableAndUnresolvable', [AFFINITY_FAIL]);
  });

  test(
    'a pod whose affinity holds only pod affinity (no nodeAffinity) fits every node',
    hint('spec.affinity may be there without nodeAffinity: do you read affinity?.nodeAffinity?.required...?'),
    () => {
      const p = pod('p', {
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
      });
      expectFits(s.nodeAffinity, 'nodeAffinity', p, ssd);
      expectFits(s.nodeAffinity, 'nodeAffinity', pod('q', { affinity: {} }), hdd);
    },
  );

  test('a pod with neither fits every node', () => {
    expectFits(s.nodeAffinity, 'nodeAffinity', pod('p'), bare);
  });

  test('preferred terms are only a score: they never filter', () => {
    const p = pod('p', {
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] } }] } },
    });
    expectFits(s.nodeAffinity, 'nodeAffinity', p, hdd);
  });
});

describe('TaintToleration', () => {
  const controlPlane: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
  test(
    'an untolerated NoSchedule taint keeps the pod off, named as upstream prints it',
    hint('The message is `node(s) had untolerated taint {<key>: <value>}`: what is the value when the taint has none?'),
    () => {
      expectRejects(s.taintToleration, 'taintToleration', pod('p'), node('cp', { taints: [controlPlane] }), 'UnschedulableAndUnresolvable', [
        'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
      ]);
      expectRejects(s.taintToleration, 'taintToleration', pod('p'), node('g', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), 'UnschedulableAndUnresolvable', [
        'node(s) had untolerated taint {dedicated: gpu}',
      ]);
    },
  );
  test('NoExecute taints keep pods off too', () => {
    expectRejects(s.taintToleration, 'taintToleration', pod('p'), node('n', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), 'UnschedulableAndUnresolvable', [
      'node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
    ]);
  });
  test('PreferNoSchedule taints do not filter (they are a score)', hint('Which effects does the filter look at?'), () => {
    expectFits(s.taintToleration, 'taintToleration', pod('p'), node('n', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }));
  });
  test('a matching toleration lets the pod on', () => {
    expectFits(
      s.taintToleration,
      'taintToleration',
      pod('p', { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }),
      node('cp', { taints: [controlPlane] }),
    );
  });
  test('every taint must be tolerated; the first untolerated one is reported', hint("Do you check every NoSchedule/NoExecute taint, in the node's order?"), () => {
    const n = node('n', {
      taints: [
        { key: 'a', value: '1', effect: 'NoSchedule' },
        { key: 'b', value: '2', effect: 'NoExecute' },
        { key: 'c', value: '3', effect: 'NoSchedule' },
      ],
    });
    expectRejects(s.taintToleration, 'taintToleration', pod('p', { tolerations: [{ key: 'a', operator: 'Exists' }] }), n, 'UnschedulableAndUnresolvable', ['node(s) had untolerated taint {b: 2}']);
    expectFits(
      s.taintToleration,
      'taintToleration',
      pod('p', {
        tolerations: [
          { key: 'a', operator: 'Exists' },
          { key: 'b', value: '2', effect: 'NoExecute' },
          { key: 'c', value: '3' },
        ],
      }),
      n,
    );
  });
  test('a node without taints takes every pod', () => {
    expectFits(s.taintToleration, 'taintToleration', pod('p'), node('n'));
  });
});

describe('NodePorts', () => {
  const PORTS = "node(s) didn't have free ports for the requested pod ports";
  const holding = (port: number, ip?: string, protocol?: 'TCP' | 'UDP') => node('n', {}, [pod('holder', { hostPort: { port, ip, protocol } })]);
  test('a host port already taken on the node does not fit', hint('Compare pod.hostPorts with node.usedPorts: same port and protocol?'), () => {
    expectRejects(s.nodePorts, 'nodePorts', pod('p', { hostPort: 8080 }), holding(8080), 'Unschedulable', [PORTS]);
  });
  test('another port, or another protocol, fits', () => {
    expectFits(s.nodePorts, 'nodePorts', pod('p', { hostPort: 8081 }), holding(8080));
    expectFits(s.nodePorts, 'nodePorts', pod('p', { hostPort: { port: 8080, protocol: 'UDP' } }), holding(8080));
  });
  test('0.0.0.0 clashes with every address; two different addresses do not clash', hint('Which address means "all of them"?'), () => {
    expectRejects(s.nodePorts, 'nodePorts', pod('p', { hostPort: { port: 53, ip: '127.0.0.1' } }), holding(53), 'Unschedulable', [PORTS]);
    expectRejects(s.nodePorts, 'nodePorts', pod('p', { hostPort: 53 }), holding(53, '127.0.0.1'), 'Unschedulable', [PORTS]);
    expectRejects(s.nodePorts, 'nodePorts', pod('p', { hostPort: { port: 53, ip: '127.0.0.1' } }), holding(53, '127.0.0.1'), 'Unschedulable', [PORTS]);
    expectFits(s.nodePorts, 'nodePorts', pod('p', { hostPort: { port: 53, ip: '127.0.0.2' } }), holding(53, '127.0.0.1'));
  });
  test('a pod without host ports fits', () => {
    expectFits(s.nodePorts, 'nodePorts', pod('p'), holding(8080));
  });
});
