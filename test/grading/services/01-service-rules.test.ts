/**
 * Hidden suite for 07-services/01-service-rules: Services and EndpointSlices to the proxy's rules.
 * After upstream's pkg/proxy/topology_test.go (TestCategorizeEndpoints: "internalTrafficPolicy: Local,
 * but all endpoints are remote", "Cluster traffic policy, endpoints not Ready" falling back to
 * serving-terminating, "externalTrafficPolicy: Local, with empty endpoints"), pkg/proxy/endpointslicecache_test.go
 * (named ports, duplicate endpoints across slices) and pkg/proxy/nftables/proxier_test.go
 * (TestOverallNFTablesRules: ClusterIP, NodePort, affinity).
 *
 * Likely bugs, each caught below: terminating endpoints used while ready ones exist; no fallback to
 * serving-terminating ones; a not-serving terminating endpoint used; affinity without its timeout
 * (or without the 3 h default); a NodePort with externalTrafficPolicy Local sending to remote
 * endpoints; internalTrafficPolicy ignored; slice ports matched by number instead of name; slices of
 * a same-named Service in another namespace; headless and ExternalName Services given rules;
 * duplicate endpoints across slices; unset conditions taken as false; addresses sorted as strings;
 * hasEndpoints false for a Local Service whose endpoints are all remote (drop, not reject).
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { ProxyEndpoint, ProxyRule } from '#engine/proxy/exercises.ts';
import { hint, show } from '#grading';
import { ep, service, slice } from './make.ts';

const s = await loadComponent('services');

const ips = (eps: readonly ProxyEndpoint[]) => eps.map((e) => `${e.ip}:${e.port}`);
const only = (rules: ProxyRule[]): ProxyRule => {
  expect(
    rules.map((r) => r.servicePortName),
    'the rules returned (one expected)',
  ).toHaveLength(1);
  return rules[0]!;
};

describe('a ClusterIP Service', () => {
  test('one ready endpoint: a rule for ns/name:port with its ClusterIP, and the endpoint with its slice port', hint('One rule per Service port: servicePortName is namespace/name:portName'), () => {
    const rule = only(s.serviceRules([service('web')], [slice('web', [ep('127.64.0.5', { node: 'node-1' })])], 'node-1'));
    expect(rule, 'the rule of web (ClusterIP 127.96.0.10, port http 80 → 8080)').toEqual({
      service: 'default/web',
      servicePortName: 'default/web:http',
      protocol: 'TCP',
      clusterIP: '127.96.0.10',
      port: 80,
      internalPolicyLocal: false,
      externalPolicyLocal: false,
      internalEndpoints: [{ ip: '127.64.0.5', port: 8080, local: true, ready: true, serving: true, terminating: false }],
      externalEndpoints: [],
      hasEndpoints: true,
    });
  });

  test('an unnamed port is named ns/name; each of two ports gets its own rule, sorted by name', hint('ServicePortName.String(): "ns/name" when the port has no name'), () => {
    const two = service('db', {
      ports: [
        { name: 'metrics', port: 9100, protocol: 'TCP' },
        { name: 'admin', port: 9000, protocol: 'TCP' },
      ],
    });
    const rules = s.serviceRules(
      [service('web', { ports: [{ port: 80, targetPort: 8080 }] }), two],
      [slice('web', [ep('127.64.0.5')], { ports: [{ port: 8080, protocol: 'TCP', name: '' }] })],
      'node-1',
    );
    expect(show(rules.map((r) => [r.servicePortName, r.port, r.protocol])), 'rules of web (one unnamed port) and db (metrics, admin)').toBe(
      show([
        ['default/db:admin', 9000, 'TCP'],
        ['default/db:metrics', 9100, 'TCP'],
        ['default/web', 80, 'TCP'],
      ]),
    );
    expect(ips(rules[2]!.internalEndpoints), 'endpoints of default/web (its slice port has the empty name)').toEqual(['127.64.0.5:8080']);
  });

  test('headless and ExternalName Services get no rules', hint('Which Services have no ClusterIP for the proxy to catch traffic on?'), () => {
    const rules = s.serviceRules(
      [service('headless', { clusterIP: 'None' }), service('ext', { type: 'ExternalName', externalName: 'example.com' })],
      [slice('headless', [ep('127.64.0.5')])],
      'node-1',
    );
    expect(rules, 'rules for a headless and an ExternalName Service').toEqual([]);
  });

  test(
    "a named targetPort: the slice port is matched by the Service port's name, not by a number",
    hint("targetPort: web could be 8080 in one pod and 9090 in another: which field of the slice port is the same as the Service port's?"),
    () => {
      const named = service('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] });
      const rule = only(
        s.serviceRules(
          [named],
          [slice('web', [ep('127.64.0.5')], { ports: [{ name: 'http', protocol: 'TCP', port: 8080 }] }), slice('web', [ep('127.64.0.6')], { ports: [{ name: 'http', protocol: 'TCP', port: 9090 }] })],
          'node-1',
        ),
      );
      expect(ips(rule.internalEndpoints), 'endpoints of web:http (two slices, the pods name port web 8080 and 9090)').toEqual(['127.64.0.5:8080', '127.64.0.6:9090']);
    },
  );

  test("a slice port of another protocol is not this port's", hint('Match the slice port by name and protocol'), () => {
    const dns = service('dns', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const rule = only(s.serviceRules([dns], [slice('dns', [ep('127.64.0.5')], { ports: [{ name: 'dns', protocol: 'TCP', port: 5353 }] })], 'node-1'));
    expect(rule.protocol, "the rule's protocol").toBe('UDP');
    expect(ips(rule.internalEndpoints), 'endpoints of a UDP port whose only slice port is TCP').toEqual([]);
  });

  test(
    'slices of a same-named Service in another namespace, and slices without the service-name label, are not used',
    hint("The label kubernetes.io/service-name names the Service within the slice's own namespace"),
    () => {
      const unlabelled = slice('web', [ep('127.64.0.9')]);
      delete unlabelled.metadata.labels;
      const rule = only(s.serviceRules([service('web')], [slice('web', [ep('127.64.0.7')], { ns: 'other' }), unlabelled, slice('web', [ep('127.64.0.5')])], 'node-1'));
      expect(ips(rule.internalEndpoints), 'endpoints of default/web (slices: other/web, one unlabelled, default/web)').toEqual(['127.64.0.5:8080']);
    },
  );

  test(
    'an endpoint in two slices (moving between them) is used once; endpoints are sorted by address as numbers',
    hint('10.0.0.10 and 10.0.0.9: which is first as numbers, and which as strings?'),
    () => {
      const rule = only(s.serviceRules([service('web')], [slice('web', [ep('127.64.0.10'), ep('127.64.0.9')]), slice('web', [ep('127.64.0.9', { ready: false })])], 'node-1'));
      expect(ips(rule.internalEndpoints), 'endpoints (127.64.0.10 and 127.64.0.9, the latter in both slices)').toEqual(['127.64.0.9:8080', '127.64.0.10:8080']);
    },
  );

  test('conditions left unset count as ready and serving (a slice written by hand)', hint('The API says: ready unset means ready; serving unset means the same as ready'), () => {
    const rule = only(s.serviceRules([service('web')], [slice('web', [ep('127.64.0.5', { noConditions: true })])], 'node-1'));
    expect(rule.internalEndpoints, 'the endpoint with conditions {}').toEqual([{ ip: '127.64.0.5', port: 8080, local: false, ready: true, serving: true, terminating: false }]);
  });

  test(
    'a UDP port gets the endpoints of the UDP slice port of its name; a slice port without a number is skipped',
    hint("Match by name and protocol, then take the slice port's number. What would an endpoint with no port number be?"),
    () => {
      // pkg/proxy/endpointslicecache.go: a slice port whose port is nil is ignored ("Ignoring invalid endpoint port").
      const dns = service('dns', {
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      });
      const rules = s.serviceRules(
        [dns],
        [
          slice('dns', [ep('127.64.0.5')], {
            ports: [
              { name: 'dns', protocol: 'UDP', port: 5353 },
              { name: 'dns-tcp', protocol: 'TCP' },
            ],
          }),
        ],
        'node-1',
      );
      expect(
        rules.map((r) => `${r.servicePortName} ${r.protocol}: ${ips(r.internalEndpoints).join(',') || 'none'}`),
        'rules of dns (slice ports: dns UDP 5353, dns-tcp TCP with no number)',
      ).toEqual(['default/dns:dns UDP: 127.64.0.5:5353', 'default/dns:dns-tcp TCP: none']);
    },
  );

  test('an IPv6 or FQDN slice is not used by this IPv4 proxy', () => {
    const rule = only(s.serviceRules([service('web')], [slice('web', [ep('fd00::5')], { addressType: 'IPv6' }), slice('web', [ep('db.example.com')], { addressType: 'FQDN' })], 'node-1'));
    expect(ips(rule.internalEndpoints), 'endpoints from an IPv6 and an FQDN slice').toEqual([]);
  });
});

describe('ready, serving and terminating endpoints', () => {
  test('terminating endpoints are not used while a ready one is left', hint('A pod being deleted is still serving. Should new connections go to it while others are ready?'), () => {
    const rule = only(s.serviceRules([service('web')], [slice('web', [ep('127.64.0.5', { terminating: true }), ep('127.64.0.6'), ep('127.64.0.7', { terminating: true })])], 'node-1'));
    expect(ips(rule.internalEndpoints), 'endpoints of: .5 terminating (serving), .6 ready, .7 terminating (serving)').toEqual(['127.64.0.6:8080']);
  });

  test(
    'with no ready endpoint left, the serving terminating ones are used (not the not-serving ones)',
    hint('Upstream falls back to endpoints that are serving and terminating. Is a terminating pod that fails its readiness probe serving?'),
    () => {
      const rule = only(
        s.serviceRules(
          [service('web')],
          [slice('web', [ep('127.64.0.5', { terminating: true }), ep('127.64.0.6', { terminating: true, serving: false }), ep('127.64.0.7', { ready: false })])],
          'node-1',
        ),
      );
      expect(ips(rule.internalEndpoints), 'endpoints of: .5 terminating and serving, .6 terminating not serving, .7 not ready').toEqual(['127.64.0.5:8080']);
      expect(rule.hasEndpoints, 'hasEndpoints').toBe(true);
    },
  );

  test('no usable endpoint at all: no endpoints and hasEndpoints false (connections are refused)', hint('hasEndpoints is what tells the backend to reject'), () => {
    const rule = only(s.serviceRules([service('web')], [slice('web', [ep('127.64.0.7', { ready: false }), ep('127.64.0.8', { terminating: true, serving: false })])], 'node-1'));
    expect([ips(rule.internalEndpoints), rule.hasEndpoints], '[endpoints, hasEndpoints] when one is not ready and one is terminating, not serving').toEqual([[], false]);
    const none = only(s.serviceRules([service('web')], [], 'node-1'));
    expect([ips(none.internalEndpoints), none.hasEndpoints], '[endpoints, hasEndpoints] with no slice at all').toEqual([[], false]);
  });
});

describe('session affinity', () => {
  test('ClientIP with a timeout: the rule carries it', hint('spec.sessionAffinityConfig.clientIP.timeoutSeconds'), () => {
    const rule = only(s.serviceRules([service('web', { sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 60 })], [], 'node-1'));
    expect(rule.affinityTimeoutSeconds, 'affinityTimeoutSeconds of ClientIP affinity with timeoutSeconds 60').toBe(60);
  });

  test('ClientIP without a config: the default 3 hours; None: no affinity', hint('DEFAULT_AFFINITY_TIMEOUT_SECONDS'), () => {
    const [plain, sticky] = s.serviceRules([service('a', { sessionAffinity: 'ClientIP' }), service('b', { sessionAffinity: 'None', affinityTimeoutSeconds: 60 })], [], 'node-1');
    expect(plain?.affinityTimeoutSeconds, 'affinityTimeoutSeconds of ClientIP affinity with no sessionAffinityConfig').toBe(10_800);
    expect(sticky && 'affinityTimeoutSeconds' in sticky, 'a Service with sessionAffinity None (and a leftover config) has affinityTimeoutSeconds').toBe(false);
  });
});

describe('NodePorts and traffic policies', () => {
  const eps = [ep('127.64.0.5', { node: 'node-1' }), ep('127.64.0.6', { node: 'node-2' }), ep('127.64.1.7', { node: 'node-2' })];
  const nodePort = (o: Parameters<typeof service>[1] = {}) => service('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }], ...o });

  test('a NodePort Service: its node port, external traffic to every ready endpoint', hint('externalEndpoints are for traffic that arrives on a node port'), () => {
    const rule = only(s.serviceRules([nodePort()], [slice('web', eps)], 'node-1'));
    expect([rule.nodePort, ips(rule.externalEndpoints)], '[nodePort, externalEndpoints]').toEqual([30080, ['127.64.0.5:8080', '127.64.0.6:8080', '127.64.1.7:8080']]);
  });

  test('a ClusterIP Service keeps no node port even if one is written in its port', () => {
    const rule = only(s.serviceRules([service('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })], [slice('web', eps)], 'node-1'));
    expect(['nodePort' in rule, ips(rule.externalEndpoints)], '[has nodePort, externalEndpoints] of type ClusterIP').toEqual([false, []]);
  });

  test(
    'a LoadBalancer Service has node ports too: its nodePort and external endpoints',
    hint('type LoadBalancer builds on NodePort: the cloud balancer sends to the node ports. Which Service types have them?'),
    () => {
      // pkg/proxy/serviceport.go: NodePort() is set for NodePort and LoadBalancer Services alike.
      const lb = service('web', { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }] });
      const rule = only(s.serviceRules([lb], [slice('web', eps)], 'node-1'));
      expect([rule.nodePort, ips(rule.externalEndpoints)], '[nodePort, externalEndpoints] of a LoadBalancer Service').toEqual([30080, ['127.64.0.5:8080', '127.64.0.6:8080', '127.64.1.7:8080']]);
    },
  );

  test(
    "externalTrafficPolicy Local: node-port traffic only to this node's endpoints; ClusterIP traffic still to all",
    hint("Local keeps the client's source address by never forwarding to another node. Which list does that change, and which not?"),
    () => {
      const rule = only(s.serviceRules([nodePort({ externalTrafficPolicy: 'Local' })], [slice('web', eps)], 'node-1'));
      expect(ips(rule.externalEndpoints), 'externalEndpoints on node-1 (endpoints on node-1, node-2, node-2)').toEqual(['127.64.0.5:8080']);
      expect(ips(rule.internalEndpoints), 'internalEndpoints on node-1').toEqual(['127.64.0.5:8080', '127.64.0.6:8080', '127.64.1.7:8080']);
      expect(rule.externalPolicyLocal, 'externalPolicyLocal').toBe(true);
    },
  );

  test('externalTrafficPolicy Local on a node with no endpoint: nothing external, but hasEndpoints (traffic is dropped, not refused)', hint('hasEndpoints is about the whole cluster'), () => {
    const rule = only(s.serviceRules([nodePort({ externalTrafficPolicy: 'Local' })], [slice('web', eps)], 'node-3'));
    expect([ips(rule.externalEndpoints), rule.hasEndpoints], '[externalEndpoints, hasEndpoints] on node-3').toEqual([[], true]);
  });

  test(
    'externalTrafficPolicy Local: a local ready endpoint wins over local terminating ones; with none ready locally, local serving-terminating ones',
    hint('The fallback to terminating endpoints is decided for the local list on its own'),
    () => {
      const mixed = [ep('127.64.0.5', { node: 'node-1', terminating: true }), ep('127.64.0.6', { node: 'node-1' }), ep('127.64.0.7', { node: 'node-2' })];
      const a = only(s.serviceRules([nodePort({ externalTrafficPolicy: 'Local' })], [slice('web', mixed)], 'node-1'));
      expect(ips(a.externalEndpoints), 'externalEndpoints on node-1 (.5 terminating here, .6 ready here, .7 ready elsewhere)').toEqual(['127.64.0.6:8080']);
      const leaving = [ep('127.64.0.5', { node: 'node-1', terminating: true }), ep('127.64.0.7', { node: 'node-2' })];
      const b = only(s.serviceRules([nodePort({ externalTrafficPolicy: 'Local' })], [slice('web', leaving)], 'node-1'));
      expect(ips(b.externalEndpoints), 'externalEndpoints on node-1 (.5 terminating here, .7 ready on node-2)').toEqual(['127.64.0.5:8080']);
      expect(ips(b.internalEndpoints), 'internalEndpoints on node-1 (cluster policy: a ready one exists)').toEqual(['127.64.0.7:8080']);
    },
  );

  test('externalTrafficPolicy Local is ignored on a Service without a node port', () => {
    const rule = only(s.serviceRules([service('web', { externalTrafficPolicy: 'Local' })], [slice('web', eps)], 'node-1'));
    expect(rule.externalPolicyLocal, 'externalPolicyLocal of a ClusterIP Service').toBe(false);
  });

  test(
    'externalTrafficPolicy Local with no ready endpoint here: the fallback takes serving-terminating endpoints of THIS node only',
    hint('The local fallback filters twice: on this node, and serving and terminating. Is a terminating pod on node-2, or a not-ready pod here, local and usable?'),
    () => {
      // pkg/proxy/topology.go CategorizeEndpoints: localEndpoints falls back to local serving-terminating ones.
      const none = [ep('127.64.0.5', { node: 'node-1', ready: false }), ep('127.64.0.6', { node: 'node-2', terminating: true }), ep('127.64.0.7', { node: 'node-2' })];
      const rule = only(s.serviceRules([nodePort({ externalTrafficPolicy: 'Local' })], [slice('web', none)], 'node-1'));
      expect([ips(rule.externalEndpoints), rule.hasEndpoints], '[externalEndpoints, hasEndpoints] on node-1 (.5 not ready on node-1, .6 terminating on node-2, .7 ready on node-2)').toEqual([
        [],
        true,
      ]);
    },
  );

  test(
    'internalTrafficPolicy Local: hasEndpoints is false when no endpoint anywhere is usable, true when one on another node is',
    hint('With a Local policy the cluster-wide list is not built: hasEndpoints must still ask whether any endpoint, on any node, is ready or serving-terminating'),
    () => {
      // CategorizeEndpoints: for a Local policy, hasAnyEndpoints is set by any ready or serving-terminating endpoint.
      const local = service('web', { internalTrafficPolicy: 'Local' });
      const unusable = [ep('127.64.0.5', { node: 'node-1', ready: false }), ep('127.64.0.6', { node: 'node-2', terminating: true, serving: false })];
      const dead = only(s.serviceRules([local], [slice('web', unusable)], 'node-1'));
      expect([ips(dead.internalEndpoints), dead.hasEndpoints], '[internalEndpoints, hasEndpoints] (.5 not ready here, .6 terminating not serving on node-2)').toEqual([[], false]);
      const elsewhere = only(s.serviceRules([local], [slice('web', [...unusable, ep('127.64.0.7', { node: 'node-2' })])], 'node-1'));
      expect([ips(elsewhere.internalEndpoints), elsewhere.hasEndpoints], '[internalEndpoints, hasEndpoints] with .7 ready on node-2 too').toEqual([[], true]);
    },
  );

  test(
    "internalTrafficPolicy Local: ClusterIP traffic only to this node's endpoints; none here: dropped, not refused",
    hint('internalTrafficPolicy changes internalEndpoints the way externalTrafficPolicy changes externalEndpoints'),
    () => {
      const here = only(s.serviceRules([service('web', { internalTrafficPolicy: 'Local' })], [slice('web', eps)], 'node-2'));
      expect(ips(here.internalEndpoints), 'internalEndpoints on node-2').toEqual(['127.64.0.6:8080', '127.64.1.7:8080']);
      const away = only(s.serviceRules([service('web', { internalTrafficPolicy: 'Local' })], [slice('web', eps)], 'node-3'));
      expect([ips(away.internalEndpoints), away.hasEndpoints, away.internalPolicyLocal], '[internalEndpoints, hasEndpoints, internalPolicyLocal] on node-3').toEqual([[], true, true]);
    },
  );
});
