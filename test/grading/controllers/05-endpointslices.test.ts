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
import { Recorder, ago, epPod, forbidden, notFound, service, sliceContext } from './make.ts';

const c = await loadComponent('controllers');

const svc = service('web', { labels: { team: 'a' } });
const addressesOf = (s: EndpointSlice) => (s.endpoints ?? []).map((e) => e.addresses[0]);
const pods = (n: number, o: Parameters<typeof epPod>[2] = {}) => Array.from({ length: n }, (_, i) => epPod(`web-${String(i).padStart(3, '0')}`, i + 1, o));
/** The slices a Service would have after reconciling `ps` from nothing, named web-1, web-2, ... */
function existing(s: typeof svc, ps: Pod[], max = 100): EndpointSlice[] {
  return c.reconcileEndpointSlices(s, ps, [], max).create.map((x, i) => ({ ...x, metadata: { ...x.metadata, name: `web-${i + 1}`, uid: `uid-slice-${i + 1}` } }));
}

/** A slice named `name` holding the endpoints of `ps`, as the reconciler would have made it. */
function sliceOf(name: string, ps: Pod[]): EndpointSlice {
  const made = c.reconcileEndpointSlices(svc, ps, [], 100).create[0]!;
  return { ...made, metadata: { ...made.metadata, name, uid: `uid-slice-${name}` } };
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

  test(
    'a named port is found with its protocol among several, also in a sidecar (an init container with restartPolicy Always), not in a plain init container',
    hint('Match the name AND the protocol; look in spec.containers, then in initContainers whose restartPolicy is Always'),
    () => {
      // Upstream FindPort (pkg/api/v1/pod/util.go): `port.Name == name && port.Protocol == svcPort.Protocol`
      // over spec.containers, then over the init containers with restartPolicy Always (sidecars).
      const s = service('web', {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns' },
          { name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 'metrics' },
          { name: 'setup', port: 81, protocol: 'TCP', targetPort: 'setup' },
        ],
      });
      const p = epPod('p', 1, { ports: { admin: 9000, web: 8080, dns: 5353 }, udp: ['dns'] });
      p.spec.initContainers = [
        { name: 'proxy', image: 'envoy', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9901, protocol: 'TCP' }] },
        { name: 'init', image: 'busybox', ports: [{ name: 'setup', containerPort: 7000, protocol: 'TCP' }] },
      ];
      const [pe] = c.podEndpoints(s, [p]);
      expect(pe?.ports, 'ports of a pod naming admin 9000, web 8080 and dns 5353/UDP, a sidecar naming metrics 9901, an init container naming setup 7000').toEqual([
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9901, protocol: 'TCP' },
      ]);
    },
  );

  test('a port name may end or start with digits (web2, 9p): it is still a name, looked up in the pod', hint('Only a number is a port number; a string targetPort is always a name'), () => {
    // IANA_SVC_NAME (validation.IsValidPortName): lowercase letters, digits and '-', at least one letter.
    const s = service('web', {
      ports: [
        { name: 'a', port: 80, protocol: 'TCP', targetPort: 'web2' },
        { name: 'b', port: 564, protocol: 'TCP', targetPort: '9p' },
      ],
    });
    const [pe] = c.podEndpoints(s, [epPod('p', 1, { ports: { web2: 8082, '9p': 5640 } })]);
    expect(pe?.ports, 'ports of a pod naming web2 8082 and 9p 5640').toEqual([
      { name: 'a', port: 8082, protocol: 'TCP' },
      { name: 'b', port: 5640, protocol: 'TCP' },
    ]);
  });

  test('a dual-stack pod gives its IPv4 address only (the slices are IPv4)', hint('Leave out the addresses with a ":" (IPv6)'), () => {
    const p = epPod('p', 7);
    p.status!.podIPs = [{ ip: 'fd00::7' }, { ip: '10.0.0.7' }];
    p.status!.podIP = 'fd00::7';
    const [pe] = c.podEndpoints(svc, [p]);
    expect(pe?.endpoint.addresses, 'addresses of a pod with podIPs fd00::7 and 10.0.0.7').toEqual(['10.0.0.7']);
  });

  test('an unnamed Service port gives a port named ""; its appProtocol is copied', hint('EndpointPort { name: the Service port name or "", port, protocol, appProtocol when set }'), () => {
    // Upstream getEndpointPorts (staging/src/k8s.io/endpointslice/utils.go) copies Name and AppProtocol.
    const s = service('web', { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080, appProtocol: 'kubernetes.io/h2c' } as never] });
    const [pe] = c.podEndpoints(s, [epPod('p', 1)]);
    expect(pe?.ports, 'ports for an unnamed Service port with appProtocol kubernetes.io/h2c').toEqual([{ name: '', port: 8080, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }]);
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

  test('a slice whose endpoints are all gone is deleted (not updated empty) when another slice remains', hint('Step 1: none left in a slice → delete it'), () => {
    const ps = pods(4);
    const slices = existing(svc, ps, 2);
    const r = c.reconcileEndpointSlices(svc, ps.slice(0, 2), slices, 2);
    expect(show({ delete: r.delete.map((s) => s.metadata.name), update: r.update.map((s) => s.metadata.name), create: r.create.length }), 'web-002 and web-003 (the whole of web-2) gone').toBe(
      show({ delete: ['web-2'], update: [], create: 0 }),
    );
  });

  test(
    'endpoints left over go first into the slices being updated anyway, the fullest first, up to the max',
    hint('Step 2: sort the slices to update by their number of endpoints, most first; stop at the max'),
    () => {
      // reconcileByPortMapping step 2: sort.Sort(endpointSliceEndpointLen(slicesToUpdate)), then fill.
      const ps = pods(8);
      const slices = [sliceOf('web-1', ps.slice(0, 3)), sliceOf('web-2', ps.slice(3, 6))];
      const r = c.reconcileEndpointSlices(svc, [ps[2]!, ps[4]!, ps[5]!, ps[6]!, ps[7]!], slices, 3);
      expect(
        show({ update: r.update.map((s) => [s.metadata.name, addressesOf(s)]), create: r.create.length }),
        'max 3; web-1 keeps 1 (10.0.0.3), web-2 keeps 2 (10.0.0.5, .6); new: 10.0.0.7, .8',
      ).toBe(
        show({
          update: [
            ['web-1', ['10.0.0.3', '10.0.0.8']],
            ['web-2', ['10.0.0.5', '10.0.0.6', '10.0.0.7']],
          ],
          create: 0,
        }),
      );
    },
  );

  test(
    'new endpoints go into the unchanged slice they fill closest to full (the first such), never past the max',
    hint('Step 3: for each unchanged slice, room = max - (left + its endpoints); take the smallest room that is not negative'),
    () => {
      // getSliceToFill (reconciler_helpers.go): currentDiff >= 0 && currentDiff < closestDiff.
      const ps = pods(11);
      const slices = [sliceOf('web-1', ps.slice(0, 3)), sliceOf('web-2', ps.slice(3, 5)), sliceOf('web-3', ps.slice(5, 9))];
      const r = c.reconcileEndpointSlices(svc, ps, slices, 5);
      expect(show({ update: r.update.map((s) => [s.metadata.name, s.endpoints.length]), create: r.create.length }), 'max 5; two new endpoints; unchanged slices of 3, 2 and 4').toBe(
        show({ update: [['web-1', 5]], create: 0 }),
      );
    },
  );

  test(
    'an endpoint is its addresses AND its pod: a pod back with a new IP, or another pod given a freed IP, is a new endpoint, added after the kept ones',
    hint('Key an endpoint by its addresses and its targetRef (namespace, name), not by one of them alone'),
    () => {
      // EndpointSet's hashEndpoint (staging/src/k8s.io/endpointslice/util/endpointset.go) hashes the
      // sorted addresses, hostname and targetRef namespace/name; an endpoint not found is dropped in
      // step 1 and the new one appended in step 2 (reconcileByPortMapping).
      const ps = pods(2);
      const slices = existing(svc, ps);
      const moved = c.reconcileEndpointSlices(svc, [epPod('web-000', 9), ps[1]!], slices, 100);
      expect(show(moved.update.map((s) => [s.metadata.name, addressesOf(s)])), 'web-000 (10.0.0.1) recreated with 10.0.0.9').toBe(show([['web-1', ['10.0.0.2', '10.0.0.9']]]));
      const reused = c.reconcileEndpointSlices(svc, [epPod('web-new', 1), ps[1]!], slices, 100);
      expect(show(reused.update.map((s) => [s.metadata.name, s.endpoints.map((e) => [e.targetRef?.name, e.addresses[0]])])), 'web-000 gone, web-new given its IP 10.0.0.1').toBe(
        show([
          [
            'web-1',
            [
              ['web-001', '10.0.0.2'],
              ['web-new', '10.0.0.1'],
            ],
          ],
        ]),
      );
    },
  );

  test(
    'a headless Service without ports: its empty placeholder takes new pods only when FEWER than the max arrive; as many as the max make a new slice',
    hint('Step 3: try an unchanged slice only while fewer than maxEndpointsPerSlice endpoints are left'),
    () => {
      // reconcileByPortMapping step 3: `desiredSet.Len() < maxEndpointsPerSlice && sliceNamesUnchanged.Len() > 0`
      // before getSliceToFill; the placeholder of a Service without ports is in the same group of ports.
      const headless = service('web', { labels: { team: 'a' }, ports: [], clusterIP: 'None' });
      const placeholder = existing(headless, []);
      const few = c.reconcileEndpointSlices(headless, pods(2), placeholder, 3);
      expect(show({ create: few.create.length, update: few.update.map((s) => [s.metadata.name, addressesOf(s)]), delete: few.delete.length }), 'max 3; 2 pods, the placeholder web-1').toBe(
        show({ create: 0, update: [['web-1', ['10.0.0.1', '10.0.0.2']]], delete: 0 }),
      );
      const full = c.reconcileEndpointSlices(headless, pods(3), placeholder, 3);
      expect(show({ create: full.create.map(addressesOf), update: full.update.length, delete: full.delete.length }), 'max 3; 3 pods, the placeholder web-1').toBe(
        show({ create: [['10.0.0.1', '10.0.0.2', '10.0.0.3']], update: 0, delete: 0 }),
      );
    },
  );

  test("the Service's ports listed in another order: nothing to write", hint('The key of a set of ports must not depend on their order: sort before hashing'), () => {
    // endpointsliceutil.NewPortMapKey sorts the ports before hashing them.
    const two = (ports: { name: string; port: number; protocol: 'TCP'; targetPort: number }[]) => service('web', { labels: { team: 'a' }, ports });
    const http = { name: 'http', port: 80, protocol: 'TCP' as const, targetPort: 8080 };
    const admin = { name: 'admin', port: 9000, protocol: 'TCP' as const, targetPort: 9000 };
    const ps = pods(2);
    const slices = existing(two([http, admin]), ps);
    const r = c.reconcileEndpointSlices(two([admin, http]), ps, slices, 100);
    expect(show({ create: r.create.length, update: r.update.length, delete: r.delete.length }), 'ports [http, admin] → [admin, http]').toBe(show({ create: 0, update: 0, delete: 0 }));
  });

  test('a headless Service without ports: when its pods are gone its slice is emptied, not kept', hint('The placeholder to keep has no endpoints AND no ports'), () => {
    const headless = service('web', { labels: { team: 'a' }, ports: [], clusterIP: 'None' });
    const slices = existing(headless, pods(2));
    const r = c.reconcileEndpointSlices(headless, [], slices, 100);
    expect(show({ create: r.create.length, delete: r.delete.length, update: r.update.map((s) => [s.metadata.name, s.endpoints.length]) }), 'both pods gone').toBe(
      show({ create: 0, delete: 0, update: [['web-1', 0]] }),
    );
  });

  test('no pods, a placeholder and a stale slice: one becomes the placeholder, the other is deleted', hint('Keep an existing placeholder only when it is the ONE slice to delete'), () => {
    const placeholder = existing(svc, [])[0]!;
    const stale = { ...existing(svc, pods(2))[0]!, metadata: { ...existing(svc, pods(2))[0]!.metadata, name: 'web-2', uid: 'uid-slice-2' } };
    const r = c.reconcileEndpointSlices(svc, [], [placeholder, stale], 100);
    expect(
      show({ create: r.create.length, update: r.update.map((s) => [s.metadata.name, s.endpoints.length]), delete: r.delete.map((s) => s.metadata.name) }),
      'no pods; slices web-1 (placeholder), web-2 (2 endpoints)',
    ).toBe(show({ create: 0, update: [['web-1', 0]], delete: ['web-2'] }));
  });

  test(
    'a slice of an older Service of the same name (another uid) is not reused: a new one is created and the old deleted',
    hint('finalize reuses only a slice ownedBy(slice, service): same uid'),
    () => {
      // finalize: "We need to avoid updating EndpointSlices that are being garbage collected for an old Service with the same name."
      const old = existing(service('web', { labels: { team: 'a' }, uid: 'uid-svc-web-old' }), []);
      const r = c.reconcileEndpointSlices(svc, [], old, 100);
      expect(show({ create: r.create.length, update: r.update.length, delete: r.delete.map((s) => s.metadata.name) }), 'the placeholder web-1 of the deleted Service web (old uid)').toBe(
        show({ create: 1, update: 0, delete: ['web-1'] }),
      );
    },
  );

  test(
    'a slice of an older Service of the same name that holds the very endpoints wanted is not kept: a new one is created and the old deleted',
    hint('A slice not ownedBy(slice, service) is deleted before anything else: never keep, update or fill it'),
    () => {
      // reconcileByAddressType (staging/src/k8s.io/endpointslice/reconciler.go): an existing slice that is
      // not ownedBy the Service goes to slicesToDelete, only the owned ones are grouped by ports.
      const ps = pods(2);
      const old = existing(service('web', { labels: { team: 'a' }, uid: 'uid-svc-web-old' }), ps);
      const r = c.reconcileEndpointSlices(svc, ps, old, 100);
      expect(
        show({ create: r.create.map((s) => [s.metadata.ownerReferences?.[0]?.uid, addressesOf(s)]), update: r.update.length, delete: r.delete.map((s) => s.metadata.name) }),
        'pods web-000, web-001; slice web-1 holding them, owned by the deleted Service web (old uid)',
      ).toBe(show({ create: [['uid-svc-web', ['10.0.0.1', '10.0.0.2']]], update: 0, delete: ['web-1'] }));
      const mine = existing(svc, ps.slice(0, 1));
      const both = c.reconcileEndpointSlices(svc, ps, [...old, { ...mine[0]!, metadata: { ...mine[0]!.metadata, name: 'web-2' } }], 100);
      expect(
        show({ create: both.create.length, update: both.update.map((s) => [s.metadata.name, addressesOf(s)]), delete: both.delete.map((s) => s.metadata.name) }),
        'the same, and our own slice web-2 holding web-000',
      ).toBe(show({ create: 0, update: [['web-2', ['10.0.0.1', '10.0.0.2']]], delete: ['web-1'] }));
    },
  );
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

  test(
    'its pods are taken in name order, whatever the order of the cache',
    hint('Sort the matching pods by name before reconciling (the stub asks for it: the slices stay the same from run to run)'),
    async () => {
      // Upstream keeps the lister's order and its EndpointSet pops endpoints in map order; ours is
      // pinned by name so that a slice is the same whatever order the informer listed the pods in.
      const { ctx, recorder } = sliceContext({ services: [svc], pods: [epPod('web-c', 1), epPod('web-a', 2), epPod('web-b', 3)] });
      await c.syncService('default/web', ctx);
      expect(show((recorder.created[0] as EndpointSlice).endpoints.map((e) => e.targetRef?.name)), 'pods web-c, web-a, web-b in the cache').toBe(show(['web-a', 'web-b', 'web-c']));
    },
  );

  test('slices of another Service, managed by another controller, or without labels, are left alone', async () => {
    const ps = pods(1);
    const mine = existing(svc, ps);
    const theirs = existing(service('api'), ps).map((s) => ({ ...s, metadata: { ...s.metadata, name: 'api-1' } }));
    const foreign = mine.map((s) => ({
      ...s,
      metadata: { ...s.metadata, name: 'mirror-1', labels: { ...s.metadata.labels, 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } },
    }));
    // A slice someone wrote by hand, without labels, in the same namespace.
    const bare = mine.map((x) => ({ ...x, metadata: { name: 'by-hand', namespace: 'default', uid: 'uid-by-hand' } }));
    const { ctx, recorder } = sliceContext({ services: [svc], pods: ps, slices: [...bare, ...mine, ...theirs, ...foreign] });
    await c.syncService('default/web', ctx);
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test('a Service gone from the cache: its expectations are forgotten, nothing is written', async () => {
    const { ctx, recorder, expectations } = sliceContext({});
    expectations.expectCreations('default/gone', 1);
    await c.syncService('default/gone', ctx);
    expect(show({ actions: recorder.actions, pending: expectations.pending('default/gone') ?? null }), 'after syncing a deleted Service').toBe(show({ actions: [], pending: null }));
  });

  test('a Service being deleted gets no new slices', hint('Create nothing while the Service has a deletionTimestamp: the garbage collector is deleting its slices'), async () => {
    // finalize: "Don't create new EndpointSlices if the Service is pending deletion."
    const leaving = { ...svc, metadata: { ...svc.metadata, deletionTimestamp: ago(1) } };
    const { ctx, recorder } = sliceContext({ services: [leaving], pods: pods(2) });
    await c.syncService('default/web', ctx);
    expect(recorder.actions, 'actions').toEqual([]);
  });

  test(
    'a create that fails: the sync fails, and the creates that were not made are no longer expected',
    hint('On a failed create call creationObserved for it and for each one not tried, then throw'),
    async () => {
      const refuse = new Recorder((action, n) => (action.startsWith('create endpointslice') && n === 2 ? forbidden('endpointslices is forbidden: quota exceeded') : undefined));
      const { ctx, recorder, expectations } = sliceContext({ services: [svc], pods: pods(250) }, refuse);
      const error = await c.syncService('default/web', ctx).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      expect(show({ error, actions: recorder.actions.length, pending: expectations.pending('default/web') }), '3 slices to create, the second refused').toBe(
        show({ error: 'endpointslices is forbidden: quota exceeded', actions: 2, pending: { add: 1, del: 0 } }),
      );
    },
  );

  test('a slice no longer needed is deleted; one already gone (NotFound) is fine; another error fails the sync', hint('deleteEndpointSlice tolerates NotFound only'), async () => {
    // deleteEndpointSlice (reconciler.go): utilerrors.FilterOut(err, errors.IsNotFound).
    const ps = pods(4);
    const slices = existing(svc, ps, 2);
    const run = async (fail: (action: string) => Error | undefined) => {
      const { ctx, recorder } = sliceContext({ services: [svc], pods: ps.slice(0, 2), slices }, new Recorder((a) => (a.startsWith('delete') ? fail(a) : undefined)));
      ctx.maxEndpointsPerSlice = 2;
      const error = await c.syncService('default/web', ctx).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      return { actions: recorder.actions, error };
    };
    expect(show(await run(() => undefined)), 'web-2 (10.0.0.3, .4) no longer needed').toBe(show({ actions: ['delete endpointslice default/web-2'], error: 'no error' }));
    expect(show(await run(() => notFound('endpointslices "web-2"'))), 'web-2 already gone').toBe(show({ actions: ['delete endpointslice default/web-2'], error: 'no error' }));
    expect(show(await run(() => forbidden('endpointslices "web-2" is forbidden'))), 'deleting web-2 refused').toBe(
      show({ actions: ['delete endpointslice default/web-2'], error: 'endpointslices "web-2" is forbidden' }),
    );
  });
});
