/**
 * Hidden suite for 03-scheduler/01-filters: what a pod requests, NodeName and NodeResourcesFit, as
 * kube-scheduler behaves and as the Kubernetes documentation describes (Resource Management for Pods
 * and Containers; Init Containers; Sidecar Containers).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { Container, Pod } from '#engine/scheduler/types.ts';
import { hint, show } from '#grading';
import { expectFits, expectRejects, GiB, MiB, node, pod, podObject, requestsText } from './make.ts';

const s = await loadComponent('scheduler');

function c(name: string, requests: Record<string, string> = {}, sidecar = false): Container {
  return { name, image: 'busybox', resources: { requests }, ...(sidecar ? { restartPolicy: 'Always' as const } : {}) };
}

function withContainers(containers: Container[], initContainers: Container[] = [], overhead?: Record<string, string>): Pod {
  const p = podObject('p');
  p.spec.containers = containers;
  if (initContainers.length) p.spec.initContainers = initContainers;
  if (overhead) p.spec.overhead = overhead;
  return p;
}

function expectRequests(p: Pod, cpuMilli: number, memory: number) {
  expect(
    requestsText(s.podRequests(p)),
    `podRequests(containers ${show(p.spec.containers.map((x) => x.resources?.requests ?? {}))}, initContainers ${show((p.spec.initContainers ?? []).map((x) => ({ ...x.resources?.requests, ...(x.restartPolicy ? { restartPolicy: x.restartPolicy } : {}) })))}${p.spec.overhead ? `, overhead ${show(p.spec.overhead)}` : ''})`,
  ).toBe(requestsText({ milliCPU: cpuMilli, memory }));
}

describe('podRequests: what a pod needs, as Kubernetes sums it', () => {
  test('one container: its requests, cpu in millicores and memory in bytes', () => {
    expectRequests(withContainers([c('app', { cpu: '250m', memory: '64Mi' })]), 250, 64 * MiB);
    expectRequests(withContainers([c('app', { cpu: '1.5', memory: '1Gi' })]), 1500, GiB);
  });

  test('regular containers run together, so their requests add up', hint('Do you add every container in spec.containers?'), () => {
    expectRequests(withContainers([c('app', { cpu: '250m', memory: '64Mi' }), c('log', { cpu: '250m', memory: '128Mi' })]), 500, 192 * MiB);
  });

  test('a container without requests adds nothing, and limits are not requests', () => {
    const p = withContainers([c('app', { cpu: '100m' }), { name: 'x', image: 'busybox', resources: { limits: { cpu: '2', memory: '1Gi' } } }]);
    expectRequests(p, 100, 0);
    expectRequests(withContainers([{ name: 'bare', image: 'busybox' }]), 0, 0);
  });

  test(
    'an init container larger than the app containers sets the request (the docs\' "effective init request")',
    hint('Init containers run one at a time, before the app starts. Do they ever run at the same time as the app containers?'),
    () => {
      expectRequests(withContainers([c('app', { cpu: '100m', memory: '100Mi' })], [c('init', { cpu: '1', memory: '50Mi' })]), 1000, 100 * MiB);
    },
  );

  test('init containers count one at a time: the largest one, not their sum', hint('Two init containers never run at once. Do you take the max, or the sum?'), () => {
    expectRequests(withContainers([c('app', { cpu: '100m' })], [c('init1', { cpu: '500m' }), c('init2', { cpu: '700m' })]), 700, 0);
  });

  test(
    'the max is taken per resource: cpu may come from an init container and memory from the app',
    hint('Is the larger side decided once for the whole pod, or for cpu and memory separately?'),
    () => {
      expectRequests(withContainers([c('a', { cpu: '200m', memory: '1Gi' }), c('b', { cpu: '200m', memory: '1Gi' })], [c('init', { cpu: '2', memory: '256Mi' })]), 2000, 2 * GiB);
    },
  );

  test(
    'a sidecar (init container with restartPolicy Always) keeps running: it adds to the app containers',
    hint('A sidecar starts like an init container but never stops. What does the pod need while the app runs?'),
    () => {
      expectRequests(withContainers([c('app', { cpu: '500m', memory: '256Mi' })], [c('proxy', { cpu: '100m', memory: '64Mi' }, true)]), 600, 320 * MiB);
    },
  );

  test('an init container after a sidecar runs beside it: the sidecar counts in that init step too', hint('While init container 2 runs, is sidecar 1 still running?'), () => {
    // sidecar 300m, then a plain init container 1: during it 1.3 cores are in use; the app phase needs 300m + 200m.
    expectRequests(withContainers([c('app', { cpu: '200m' })], [c('mesh', { cpu: '300m' }, true), c('migrate', { cpu: '1' })]), 1300, 0);
    // an init container before the sidecar runs alone.
    expectRequests(withContainers([c('app', { cpu: '200m' })], [c('migrate', { cpu: '1' }), c('mesh', { cpu: '300m' }, true)]), 1000, 0);
  });

  test(
    'sidecars and init containers are summed the same way for memory as for cpu',
    hint('Do you do for memory exactly what you do for cpu: add sidecars, take the largest init step with the sidecars beside it?'),
    () => {
      // initContainers: a sidecar of 256Mi, then an init container of 1Gi that runs beside it; the app 512Mi.
      // While the app runs: 512Mi + 256Mi; during the init step: 1Gi + 256Mi, the larger.
      expectRequests(withContainers([c('app', { memory: '512Mi' })], [c('proxy', { memory: '256Mi' }, true), c('migrate', { memory: '1Gi' })]), 0, 1280 * MiB);
      expectRequests(withContainers([c('app', { memory: '2Gi' })], [c('proxy', { memory: '256Mi' }, true), c('migrate', { memory: '1Gi' })]), 0, 2 * GiB + 256 * MiB);
    },
  );

  test("spec.overhead (the RuntimeClass's cost) is added on top", hint('Is spec.overhead part of what the pod needs on the node?'), () => {
    expectRequests(withContainers([c('app', { cpu: '500m', memory: '128Mi' })], [], { cpu: '250m', memory: '120Mi' }), 750, 248 * MiB);
  });
});

describe('NodeName', () => {
  test('a pod that names a node fits only that node', hint("Is spec.nodeName set? Is it this node's name?"), () => {
    expectFits(s.nodeName, 'nodeName', pod('p', { nodeName: 'node-1' }), node('node-1'));
    expectRejects(s.nodeName, 'nodeName', pod('p', { nodeName: 'node-1' }), node('node-2'), 'UnschedulableAndUnresolvable', ["node(s) didn't match the requested node name"]);
  });
  test('a pod that names no node fits every node', () => {
    expectFits(s.nodeName, 'nodeName', pod('p'), node('node-2'));
  });
});

describe('NodeResourcesFit', () => {
  const busy = (cpu: string, memory: string) => pod('running', { cpu, memory });
  test('a pod fits when its requests fit in what is left', () => {
    expectFits(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { cpu: '1', memory: '1Gi' }), node('n', {}, [busy('2', '8Gi')]));
  });
  test('a request exactly equal to what is left fits', hint('Is the comparison "more than what is left", or "at least"?'), () => {
    expectFits(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { cpu: '2', memory: '8Gi' }), node('n', {}, [busy('2', '8Gi')]));
  });
  test('too much cpu gives "Insufficient cpu", and preemption might help (Unschedulable)', hint('Do you subtract node.requested from node.allocatable?'), () => {
    expectRejects(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { cpu: '2500m' }), node('n', {}, [busy('2', '1Gi')]), 'Unschedulable', ['Insufficient cpu']);
  });
  test('too much memory gives "Insufficient memory"', () => {
    expectRejects(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { memory: '9Gi' }), node('n', {}, [busy('1', '8Gi')]), 'Unschedulable', ['Insufficient memory']);
  });
  test('every shortage is reported, cpu before memory', hint('Do you stop at the first shortage? kube-scheduler reports them all.'), () => {
    expectRejects(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { cpu: '5', memory: '17Gi' }), node('n'), 'Unschedulable', ['Insufficient cpu', 'Insufficient memory']);
  });
  test('a node with room for exactly one more pod takes it', hint('With allocatable.pods 3 and 2 pods there, is one more too many?'), () => {
    expectFits(s.nodeResourcesFit, 'nodeResourcesFit', pod('p'), node('n', { pods: '3' }, [pod('one'), pod('two')]));
  });
  test('a full node gives "Too many pods", whatever the pod requests', hint('allocatable.pods counts pods; how many are on the node already?'), () => {
    expectRejects(s.nodeResourcesFit, 'nodeResourcesFit', pod('p'), node('n', { pods: '2' }, [busy('0', '0'), pod('other')]), 'Unschedulable', ['Too many pods']);
    expectRejects(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { cpu: '8' }), node('n', { pods: '1' }, [pod('other')]), 'Unschedulable', ['Too many pods', 'Insufficient cpu']);
  });
  test('a pod that requests nothing fits even an overcommitted node', hint('What should happen when the pod requests 0 of a resource?'), () => {
    const over = node('n', { cpu: '1', memory: '1Gi' }, [busy('2', '2Gi')]);
    expectFits(s.nodeResourcesFit, 'nodeResourcesFit', pod('p'), over);
    expectRejects(s.nodeResourcesFit, 'nodeResourcesFit', pod('p', { cpu: '1m' }), over, 'Unschedulable', ['Insufficient cpu']);
  });
});
