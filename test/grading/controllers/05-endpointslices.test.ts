/**
 * Hidden suite for 04-controllers/05-endpointslices: a pod as an endpoint (conditions, addresses,
 * ports resolved per pod), the reconciler (slices per set of ports, at most the maximum per slice,
 * as few writes as possible, the placeholder, reuse of a slice about to be deleted), and whole
 * syncs with a recording client. After upstream's staging/src/k8s.io/endpointslice/reconciler_test.go
 * (TestReconcile1Pod, TestReconcileManyPods, TestReconcileEndpointSlicesSomePreexisting,
 * TestReconcileEndpointSlicesUpdating, TestReconcileEndpointSlicesReplaceDeprecated,
 * TestReconcileEndpointSlicesRecycling, TestReconcileEndpointSlicesNamedPorts), utils_test.go
 * (TestPodToEndpoint) and pkg/api/v1/pod/util_test.go (TestFindPort).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { EndpointSlice, Pod } from '#engine/kube/types.ts';
import { hint, show } from '#grading';
import { epPod, service, sliceContext } from './make.ts';

const c = await loadComponent('controllers');

const svc = service('web', { labels: { team: 'a' } });
const addressesOf = (s: EndpointSlice) => (s.endpoints ?? []).map((e) => e.addresses[0]);
const pods = (n: number, o: Parameters<typeof epPod>[2] = {}) => Array.from({ length: n }, (_, i) => epPod(`web-${String(i).padStart(3, '0')}`, i + 1, o));
/** The slices a Service would have after reconciling `ps` from nothing, named web-1, web-2, ... */
function existing(s: typeof svc, ps: Pod[], max = 100): EndpointSlice[] {
  return c.reconcileEndpointSlices(s, ps, [], max).create.map((x, i) => ({ ...x, metadata: { ...x.metadata, name: `web-${i + 1}`, uid: `uid-slice-${i + 1}` } }));
}

describe('a pod as an endpoint (podToEndpoint)', () => {
  test('a Running, Ready pod: its address, ready and serving, its node and a targetRef to it', hint('Endpoint { addresses, conditions: { ready, serving, terminating }, targetRef, nodeName }'), () => {
    const [pe] = c.podEndpoints(svc, [epPod('web-a', 7, { node: 'node-2' })]);
    expect(pe?.endpoint, 'the endpoint of web-a (10.0.0.7 on node-2)').toEqual({
      addresses: ['10.0.0.7'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-a', uid: 'uid-web-a' },
      nodeName: 'node-2',
    });
    expect(pe?.ports, 'its ports (targetPort 8080)').toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  test('a pod without an IP yet, and a finished pod, are not endpoints', hint('Pending pods often have no podIP: check status.podIPs / podIP before using it'), () => {
    const got = c.podEndpoints(svc, [epPod('pending', 1, { ip: null }), epPod('done', 2, { phase: 'Succeeded' }), epPod('failed', 3, { phase: 'Failed' }), epPod('ok', 4)]);
    expect(show(got.map((e) => e.endpoint.targetRef?.name)), 'endpoints of: pending (no IP), done (Succeeded), failed, ok').toBe(show(['ok']));
  });

  test('a terminating pod stays as an endpoint: serving if Ready, but not ready; not Ready: neither', hint('ready = serving and not terminating; terminating = a deletionTimestamp'), () => {
    const [leaving, sick] = c.podEndpoints(svc, [epPod('leaving', 1, { deleting: true }), epPod('sick', 2, { ready: false })]);
    expect(leaving?.endpoint.conditions, 'a Ready pod being deleted').toEqual({ ready: false, serving: true, terminating: true });
    expect(sick?.endpoint.conditions, 'a Running pod that is not Ready').toEqual({ ready: false, serving: false, terminating: false });
  });

  test('publishNotReadyAddresses makes every endpoint ready', () => {
    const open = service('web', { publishNotReadyAddresses: true });
    const [sick] = c.podEndpoints(open, [epPod('sick', 2, { ready: false })]);
    expect(sick?.endpoint.conditions, 'a not-Ready pod of a Service with publishNotReadyAddresses').toEqual({ ready: true, serving: false, terminating: false });
  });

  test('a named targetPort is looked up in each pod: the same name, two numbers', hint("FindPort looks in the pod's own containers: the Service only names the port"), () => {
    const named = service('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] });
    const got = c.podEndpoints(named, [epPod('old', 1, { ports: { web: 8080 } }), epPod('new', 2, { ports: { web: 9090 } })]);
    expect(show(got.map((e) => [e.endpoint.targetRef?.name, e.ports.map((p) => p.port)])), 'targetPort "web": old names it 8080, new names it 9090').toBe(
      show([
        ['old', [8080]],
        ['new', [9090]],
      ]),
    );
  });

  test(
    'a port a pod does not name (or names for another protocol) is left out for that pod; no targetPort means the port itself',
    hint('Not found: leave that port out for this pod, keep the pod'),
    () => {
      const s = service('web', {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
          { name: 'admin', port: 9000 },
        ],
      });
      const [pe] = c.podEndpoints(s, [epPod('p', 1, { ports: { web: 8080, dns: 5353 } })]);
      expect(pe?.ports, 'ports of a pod naming web (TCP) and dns (TCP)').toEqual([
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'admin', port: 9000, protocol: 'TCP' },
      ]);
    },
  );

  test("the hostname is set for a pod whose subdomain is the Service (a StatefulSet's pods)", () => {
    const [pe] = c.podEndpoints(svc, [epPod('web-0', 1, { hostname: 'web-0', subdomain: 'web' })]);
    expect(pe?.endpoint.hostname, 'hostname of web-0 (subdomain web)').toBe('web-0');
    const [other] = c.podEndpoints(svc, [epPod('x', 1, { hostname: 'x', subdomain: 'other' })]);
    expect(other?.endpoint.hostname, 'hostname of a pod whose subdomain is another Service').toBeUndefined();
  });
});

describe('the reconciler: which slices to create, update and delete', () => {
  test(
    "a new Service of 3 pods: one slice, generateName web-, upstream's labels, owned by the Service",
    hint("Labels: the Service's own, kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by"),
    () => {
      const r = c.reconcileEndpointSlices(svc, pods(3), [], 100);
      expect(show({ create: r.create.length, update: r.update.length, delete: r.delete.length }), 'how many of each').toBe(show({ create: 1, update: 0, delete: 0 }));
      const slice = r.create[0]!;
      expect(slice.metadata, "the new slice's metadata").toEqual({
        generateName: 'web-',
        namespace: 'default',
        labels: { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }],
      });
      expect(show({ apiVersion: slice.apiVersion, kind: slice.kind, addressType: slice.addressType, ports: slice.ports, addresses: addressesOf(slice) }), 'the rest of it').toBe(
        show({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          addressType: 'IPv4',
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
        }),
      );
    },
  );

  test('at most maxEndpointsPerSlice endpoints in a slice: 250 pods make slices of 100, 100 and 50', hint('Start a new slice when one is full'), () => {
    const r = c.reconcileEndpointSlices(svc, pods(250), [], 100);
    expect(show(r.create.map((s) => s.endpoints.length)), 'endpoints per new slice').toBe(show([100, 100, 50]));
  });

  test('pods whose named port resolves to different numbers are in different slices, each with its ports', hint('Group endpoints by their set of ports before packing'), () => {
    const named = service('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] });
    const r = c.reconcileEndpointSlices(named, [epPod('a', 1, { ports: { web: 8080 } }), epPod('b', 2, { ports: { web: 9090 } }), epPod('c', 3, { ports: { web: 8080 } })], [], 100);
    expect(show(r.create.map((s) => [s.ports?.map((p) => p.port), addressesOf(s)])), 'slices: ports and addresses').toBe(
      show([
        [[8080], ['10.0.0.1', '10.0.0.3']],
        [[9090], ['10.0.0.2']],
      ]),
    );
  });

  test('nothing changed: nothing to write', hint('An existing slice that already holds the desired endpoints and labels is left alone'), () => {
    const ps = pods(3);
    const r = c.reconcileEndpointSlices(svc, ps, existing(svc, ps), 100);
    expect(show({ create: r.create.length, update: r.update.length, delete: r.delete.length }), 'changes for an up-to-date Service').toBe(show({ create: 0, update: 0, delete: 0 }));
  });

  test('one pod gone: only the slice that held it is updated', hint('Walk the existing slices: only one lost an endpoint'), () => {
    const ps = pods(4);
    const slices = existing(svc, ps, 2);
    const r = c.reconcileEndpointSlices(
      svc,
      ps.filter((p) => p.metadata.name !== 'web-002'),
      slices,
      2,
    );
    expect(show({ update: r.update.map((s) => [s.metadata.name, addressesOf(s)]), create: r.create.length, delete: r.delete.length }), 'web-002 (10.0.0.3) removed, slices of 2').toBe(
      show({ update: [['web-2', ['10.0.0.4']]], create: 0, delete: 0 }),
    );
  });

  test('a pod that turned not ready updates its endpoint in place', () => {
    const ps = pods(2);
    const slices = existing(svc, ps);
    const changed = [ps[0]!, epPod('web-001', 2, { ready: false })];
    const r = c.reconcileEndpointSlices(svc, changed, slices, 100);
    expect(show(r.update.map((s) => s.endpoints.map((e) => e.conditions.ready))), 'ready conditions in the updated slice').toBe(show([[true, false]]));
  });

  test('a new pod joins a slice with room rather than a new slice', hint('Step 3: fit the leftovers into an unchanged slice before creating one'), () => {
    const ps = pods(3);
    const slices = existing(svc, ps.slice(0, 2), 3);
    const r = c.reconcileEndpointSlices(svc, ps, slices, 3);
    expect(show({ update: r.update.map((s) => [s.metadata.name, addressesOf(s)]), create: r.create.length }), 'a third pod, a slice of 2 with room for 3').toBe(
      show({ update: [['web-1', ['10.0.0.1', '10.0.0.2', '10.0.0.3']]], create: 0 }),
    );
  });

  test('no pods left: the slice is not deleted but kept empty as the placeholder; a placeholder is kept as it is', hint('A Service always keeps one slice: reuse the one you would delete'), () => {
    const slices = existing(svc, pods(2));
    const r = c.reconcileEndpointSlices(svc, [], slices, 100);
    expect(show({ create: r.create.length, delete: r.delete.length, update: r.update.map((s) => [s.metadata.name, s.endpoints.length, s.ports ?? []]) }), 'both pods gone').toBe(
      show({ create: 0, delete: 0, update: [['web-1', 0, []]] }),
    );
    const placeholder = existing(svc, []);
    const again = c.reconcileEndpointSlices(svc, [], placeholder, 100);
    expect(show({ create: again.create.length, update: again.update.length, delete: again.delete.length }), 'no pods, the placeholder there').toBe(show({ create: 0, update: 0, delete: 0 }));
  });

  test("the Service's port changed: the old slice is reused for the new ports, under its name", hint('finalize: turn a create plus a delete of an owned slice into one update'), () => {
    const ps = pods(2);
    const slices = existing(svc, ps);
    const moved = service('web', { labels: { team: 'a' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 }] });
    const r = c.reconcileEndpointSlices(moved, ps, slices, 100);
    expect(show({ create: r.create.length, delete: r.delete.length, update: r.update.map((s) => [s.metadata.name, s.ports?.map((p) => p.port), addressesOf(s)]) }), 'targetPort 8080 → 9090').toBe(
      show({ create: 0, delete: 0, update: [['web-1', [9090], ['10.0.0.1', '10.0.0.2']]] }),
    );
  });

  test('new labels on the Service are written to its slices', () => {
    const ps = pods(1);
    const slices = existing(svc, ps);
    const relabelled = service('web', { labels: { team: 'b' } });
    const r = c.reconcileEndpointSlices(relabelled, ps, slices, 100);
    expect(r.update[0]?.metadata.labels?.team, 'team label of the updated slice').toBe('b');
  });
});

describe('syncService, one sync at a time (recorded actions)', () => {
  test(
    'the first sync creates the slice and expects it; the next, before the informer shows it, creates nothing',
    hint('ctx.expectations.expectCreations before creating; skip the sync while not satisfiedExpectations'),
    async () => {
      const { ctx, recorder, expectations } = sliceContext({ services: [svc], pods: pods(2) });
      await c.syncService('default/web', ctx);
      expect(show(recorder.actions), 'actions of the first sync').toBe(show(['create endpointslice default/web-']));
      expect(show(expectations.pending('default/web')), 'expectations').toBe(show({ add: 1, del: 0 }));
      await c.syncService('default/web', ctx);
      expect(show(recorder.actions), 'actions after a second sync').toBe(show(['create endpointslice default/web-']));
    },
  );

  test('a Service without a selector, or of type ExternalName, gets no slices from this controller', async () => {
    const manual = service('manual', { selector: null });
    const external = service('ext', { type: 'ExternalName' });
    const { ctx, recorder } = sliceContext({ services: [manual, external], pods: pods(2) });
    await c.syncService('default/manual', ctx);
    await c.syncService('default/ext', ctx);
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test('only the pods its selector matches, in its namespace', async () => {
    const mixed = [epPod('web-a', 1), epPod('db-a', 2, { labels: { app: 'db' } }), epPod('web-elsewhere', 3, { ns: 'other' })];
    const { ctx, recorder } = sliceContext({ services: [svc], pods: mixed });
    await c.syncService('default/web', ctx);
    expect(show(addressesOf(recorder.created[0] as EndpointSlice)), 'addresses in the slice').toBe(show(['10.0.0.1']));
  });

  test('slices of another Service, or managed by another controller, are left alone', async () => {
    const ps = pods(1);
    const mine = existing(svc, ps);
    const theirs = existing(service('api'), ps).map((s) => ({ ...s, metadata: { ...s.metadata, name: 'api-1' } }));
    const foreign = mine.map((s) => ({
      ...s,
      metadata: { ...s.metadata, name: 'mirror-1', labels: { ...s.metadata.labels, 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } },
    }));
    const { ctx, recorder } = sliceContext({ services: [svc], pods: ps, slices: [...mine, ...theirs, ...foreign] });
    await c.syncService('default/web', ctx);
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test('a Service gone from the cache: its expectations are forgotten, nothing is written', async () => {
    const { ctx, recorder, expectations } = sliceContext({});
    expectations.expectCreations('default/gone', 1);
    await c.syncService('default/gone', ctx);
    expect(show({ actions: recorder.actions, pending: expectations.pending('default/gone') ?? null }), 'after syncing a deleted Service').toBe(show({ actions: [], pending: null }));
  });
});
