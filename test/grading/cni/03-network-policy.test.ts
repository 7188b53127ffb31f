/**
 * Hidden suite for 06-cni/03-network-policy: NetworkPolicy semantics as kubernetes
 * pkg/apis/networking/types.go documents them (policyTypes' default: Ingress, plus Egress when the
 * policy has egress rules; an empty podSelector selects every pod of the namespace; a peer with
 * only podSelector is in the policy's namespace, with namespaceSelector in the selected ones, both
 * ANDed; ipBlock except; endPort inclusive; named ports), in the style of the upstream e2e netpol
 * tests (test/e2e/network/netpol/network_policy.go: "should support a 'default-deny-ingress'
 * policy", "should enforce policy based on Ports", "should enforce except clause while egress
 * access to server in CIDR block", "should support allow-all policy") and the
 * network-policy-api conformance cases. Then the compiled rules against the decisions.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { CompiledPodRules, Connection, NetworkPolicy, PolicyEndpoint, PolicyWorld } from '#engine/cni/exercises.ts';
import { parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, show, useSeed } from '#grading';

const cni = await loadComponent('cni');
type Pod = Extract<PolicyEndpoint, { kind: 'pod' }>;

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, namedPorts?: Pod['namedPorts']): Pod => ({ kind: 'pod', namespace, name, labels, ip, namedPorts });
const web = pod('prod', 'web', { app: 'web' }, '10.1.0.2', [
  { name: 'http', port: 8080 },
  { name: 'dns', port: 53, protocol: 'UDP' },
]);
const api = pod('prod', 'api', { app: 'api' }, '10.1.0.3');
const client = pod('prod', 'client', { app: 'client' }, '10.1.0.4');
const devClient = pod('dev', 'client', { app: 'client' }, '10.1.1.4');
const monitor = pod('ops', 'monitor', { app: 'monitor' }, '10.1.2.5');
const outside = (ip: string): PolicyEndpoint => ({ kind: 'external', ip });
const namespaces = {
  prod: { env: 'prod', 'kubernetes.io/metadata.name': 'prod' },
  dev: { env: 'dev', 'kubernetes.io/metadata.name': 'dev' },
  ops: { team: 'ops', 'kubernetes.io/metadata.name': 'ops' },
};
const world = (...policies: NetworkPolicy[]): PolicyWorld => ({ policies, namespaces });
const policy = (name: string, spec: NetworkPolicy['spec'], namespace = 'prod'): NetworkPolicy => ({ metadata: { name, namespace }, spec });
const conn = (from: PolicyEndpoint, to: PolicyEndpoint, port = 80, protocol: Connection['protocol'] = 'TCP'): Connection => ({ from, to, port, protocol });
const name = (e: PolicyEndpoint) => (e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip);
/** "a → b:port/proto allowed|denied" for each connection. */
const verdicts = (w: PolicyWorld, conns: Connection[]) => conns.map((c) => `${name(c.from)} → ${name(c.to)}:${c.port}/${c.protocol} ${cni.evaluatePolicies(w, c).allowed ? 'allowed' : 'denied'}`);
const expected = (conns: Connection[], allowed: boolean[]) => conns.map((c, i) => `${name(c.from)} → ${name(c.to)}:${c.port}/${c.protocol} ${allowed[i] ? 'allowed' : 'denied'}`);

describe('default allow, until a policy selects the pod', () => {
  test('with no policy every connection is allowed, and neither side is isolated', () => {
    expect(cni.evaluatePolicies(world(), conn(client, web)), 'client → web with no policy').toEqual({ allowed: true, egress: 'not-isolated', ingress: 'not-isolated', allowedBy: [] });
  });

  test(
    'an empty podSelector selects every pod of its namespace: default-deny-ingress blocks them all, and no pod elsewhere',
    hint('podSelector: {} is "every pod", not "no pod". Which namespace does the policy cover?'),
    () => {
      const w = world(policy('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }));
      const conns = [conn(client, web), conn(web, api), conn(client, devClient), conn(outside('8.8.8.8'), web), conn(web, outside('8.8.8.8'))];
      expect(verdicts(w, conns), 'connections under default-deny-ingress in prod').toEqual(expected(conns, [false, false, true, false, true]));
      expect(cni.evaluatePolicies(w, conn(client, web)), 'the decision for client → web').toEqual({ allowed: false, egress: 'not-isolated', ingress: 'denied', allowedBy: [] });
    },
  );

  test('without policyTypes a policy is Ingress only, unless it has egress rules', hint('Read the comment on PolicyTypes in networking/types.go: when is Egress added?'), () => {
    const ingressOnly = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [] }));
    expect(cni.evaluatePolicies(ingressOnly, conn(web, api)).egress, "web's egress under a policy with no egress rules and no policyTypes").toBe('not-isolated');
    const withEgress = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] }));
    expect(verdicts(withEgress, [conn(web, api), conn(web, client), conn(client, web)]), 'with an egress rule and no policyTypes').toEqual(
      expected([conn(web, api), conn(web, client), conn(client, web)], [true, false, false]),
    );
  });

  test('policyTypes [Egress] with no egress rules: the pod may reach nothing, and anything may still reach it', () => {
    const w = world(policy('deny-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }));
    const conns = [conn(web, api), conn(web, outside('1.1.1.1')), conn(api, web)];
    expect(verdicts(w, conns), 'under deny-egress for web').toEqual(expected(conns, [false, false, true]));
  });

  test("a connection needs both sides: the source's egress and the destination's ingress", hint("An ingress rule of web allows client. Does that decide for client's egress?"), () => {
    const w = world(
      policy('web-from-client', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] }),
      policy('client-deny-egress', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] }),
    );
    expect(cni.evaluatePolicies(w, conn(client, web)), 'client → web').toEqual({ allowed: false, egress: 'denied', ingress: 'allowed', allowedBy: ['prod/web-from-client'] });
  });

  test('policies add up: what any of them allows is allowed, and allowedBy names each, egress first', () => {
    const w = world(
      policy('a', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] }),
      policy('b', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }] }),
      policy('c', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] }),
      policy('e', { podSelector: { matchLabels: { app: 'client' } }, egress: [{}] }),
    );
    const conns = [conn(client, web), conn(api, web), conn(web, api)];
    expect(verdicts(w, conns), 'under a, b, c, e').toEqual(expected(conns, [true, true, false]));
    expect(cni.evaluatePolicies(w, conn(client, web)).allowedBy, 'who allowed client → web').toEqual(['prod/e', 'prod/a', 'prod/c']);
  });
});

describe('peers', () => {
  test(
    "a podSelector peer is in the policy's namespace; a namespaceSelector peer in the selected namespaces; both together must both match",
    hint('from: [{ namespaceSelector, podSelector }] is ONE peer (AND); from: [{ namespaceSelector }, { podSelector }] is two (OR)'),
    () => {
      const only = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] }));
      expect(verdicts(only, [conn(client, web), conn(devClient, web)]), 'podSelector only').toEqual(expected([conn(client, web), conn(devClient, web)], [true, false]));
      const ns = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] }));
      expect(verdicts(ns, [conn(client, web), conn(devClient, web), conn(monitor, web)]), 'namespaceSelector env=dev only').toEqual(
        expected([conn(client, web), conn(devClient, web), conn(monitor, web)], [false, true, false]),
      );
      const and = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'monitor' } } }] }] }));
      expect(verdicts(and, [conn(monitor, web), conn(devClient, web), conn(api, web)]), 'namespaceSelector {} AND podSelector app=monitor').toEqual(
        expected([conn(monitor, web), conn(devClient, web), conn(api, web)], [true, false, false]),
      );
    },
  );

  test('an empty rule, or a rule with an empty from, allows every source; a rule with no peers matching allows none', () => {
    const any = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }));
    const emptyFrom = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [] }] }));
    const conns = [conn(monitor, web), conn(outside('203.0.113.9'), web)];
    expect(verdicts(any, conns), 'ingress: [{}]').toEqual(expected(conns, [true, true]));
    expect(verdicts(emptyFrom, conns), 'ingress: [{ from: [] }]').toEqual(expected(conns, [true, true]));
  });

  test('ipBlock allows addresses in cidr except those in except', hint('except carves holes in cidr: is 10.0.5.7 allowed by cidr 10.0.0.0/16 except 10.0.5.0/24?'), () => {
    const w = world(
      policy('p', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24', '10.0.9.9/32'] } }] }] }),
    );
    const conns = [conn(web, outside('10.0.4.1')), conn(web, outside('10.0.5.7')), conn(web, outside('10.0.9.9')), conn(web, outside('10.0.9.10')), conn(web, outside('10.1.0.1'))];
    expect(verdicts(w, conns), 'egress to each address').toEqual(expected(conns, [true, false, false, true, false]));
  });
});

describe('ipBlock edges', () => {
  test(
    'cidr and except include both their first and last addresses; the address just outside either is not theirs',
    hint('10.0.0.0/16 runs from 10.0.0.0 to 10.0.255.255, both in. Where does except 10.0.5.0/24 start and end?'),
    () => {
      const w = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }] }] }));
      const ips = ['9.255.255.255', '10.0.0.0', '10.0.4.255', '10.0.5.0', '10.0.5.255', '10.0.6.0', '10.0.255.255', '10.1.0.0'];
      const conns = ips.map((ip) => conn(web, outside(ip)));
      expect(verdicts(w, conns), 'egress to each address under cidr 10.0.0.0/16 except 10.0.5.0/24').toEqual(expected(conns, [false, true, true, false, false, true, true, false]));
    },
  );
  test(
    'namespaceSelector: {} is every pod of every namespace, not an address outside the cluster',
    hint('A peer that selects pods (by namespace or by labels) never matches an external address: only ipBlock does'),
    () => {
      const w = world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] }));
      const conns = [conn(monitor, web), conn(devClient, web), conn(outside('203.0.113.9'), web)];
      expect(verdicts(w, conns), 'ingress to web from namespaceSelector: {}').toEqual(expected(conns, [true, true, false]));
    },
  );
});

describe('ports', () => {
  const rule = (ports: NetworkPolicy['spec']['ingress']) => world(policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: ports }));

  test('a port with no protocol is TCP; a protocol with no port is every port of it', () => {
    const w = rule([{ ports: [{ port: 80 }, { protocol: 'UDP' }] }]);
    const conns = [conn(client, web, 80), conn(client, web, 80, 'UDP'), conn(client, web, 5353, 'UDP'), conn(client, web, 81)];
    expect(verdicts(w, conns), 'ports [80, UDP]').toEqual(expected(conns, [true, true, true, false]));
  });

  test('port to endPort is a range with both ends included', hint('endPort: 8090 with port: 8080. Is 8090 in? 8091?'), () => {
    const w = rule([{ ports: [{ port: 8080, endPort: 8090 }] }]);
    const conns = [8079, 8080, 8085, 8090, 8091].map((p) => conn(client, web, p));
    expect(verdicts(w, conns), 'ports 8080-8090').toEqual(expected(conns, [false, true, true, true, false]));
  });

  test("a named port is the destination pod's port of that name and protocol", hint('port: "http": whose container ports define the number, the source\'s or the destination\'s?'), () => {
    const w = rule([{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }]);
    const conns = [conn(client, web, 8080), conn(client, web, 80), conn(client, web, 53, 'UDP'), conn(client, web, 53)];
    expect(verdicts(w, conns), 'named ports http, dns/UDP').toEqual(expected(conns, [true, false, true, false]));
    const tcpDns = rule([{ ports: [{ port: 'dns' }] }]);
    expect(verdicts(tcpDns, [conn(client, web, 53, 'UDP'), conn(client, web, 53)]), 'port "dns" with no protocol (TCP), where web names dns 53/UDP').toEqual(
      expected([conn(client, web, 53, 'UDP'), conn(client, web, 53)], [false, false]),
    );
    const metricsPod = pod('prod', 'metrics', { app: 'web' }, '10.1.0.9', [
      { name: 'http', port: 8080 },
      { name: 'metrics', port: 9090 },
    ]);
    expect(verdicts(rule([{ ports: [{ port: 'metrics' }] }]), [conn(client, metricsPod, 9090), conn(client, metricsPod, 8080)]), 'port "metrics" on a pod naming http 8080 and metrics 9090').toEqual(
      expected([conn(client, metricsPod, 9090), conn(client, metricsPod, 8080)], [true, false]),
    );
    const egress = world(policy('e', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ ports: [{ port: 'http' }] }] }));
    const out = [conn(client, web, 8080), conn(client, api, 8080), conn(client, outside('1.2.3.4'), 8080)];
    expect(verdicts(egress, out), 'egress to the named port http').toEqual(expected(out, [true, false, false]));
  });
});

/** The compiled rules' answer for a connection between two of the pods (the way nftables decides). */
function compiledAllows(rules: CompiledPodRules[], c: Connection): boolean {
  const within = (ip: string, cidr: string) => {
    const block = parseCidr(cidr);
    const n = parseIPv4(ip);
    return n >= block.network && n <= block.last;
  };
  const side = (podIp: string, direction: 'ingress' | 'egress', peerIp: string) => {
    const mine = rules.filter((r) => r.podIp === podIp && r.direction === direction);
    if (mine.length === 0) return true;
    return mine.some((r) =>
      r.allow.some(
        (a) =>
          (a.peers === undefined || a.peers.some((p) => within(peerIp, p.cidr) && !p.except.some((e) => within(peerIp, e)))) &&
          (a.ports === undefined || a.ports.some((p) => p.protocol === c.protocol && c.port >= p.from && c.port <= p.to)),
      ),
    );
  };
  return side(c.from.ip, 'egress', c.to.ip) && side(c.to.ip, 'ingress', c.from.ip);
}

describe('the rules a node enforces', () => {
  test('a selected pod with no rule compiles to deny-all; unselected pods get no rules', hint('Only isolated pods get an entry. What is the allow list of a pod that nothing may reach?'), () => {
    const rules = cni.compilePolicies(world(policy('deny', { podSelector: { matchLabels: { app: 'web' } } })), [web, api]);
    expect(rules, 'compiled rules under a deny-all for web').toEqual([{ podIp: '10.1.0.2', direction: 'ingress', allow: [] }]);
  });

  test(
    'egress to a named port and a numbered port in one rule: the compiled rules allow the number to addresses outside the pods too (an ipBlock, or anyone)',
    hint('A named port resolves on each destination pod; a number needs no pod. Does your compiled rule keep the numbered port for an ipBlock or for "anyone", when the rule also names a port?'),
    () => {
      const pods = [web, api, client];
      const conns = [conn(client, web, 8080), conn(client, web, 443), conn(client, outside('10.1.0.200'), 443), conn(client, outside('10.1.0.200'), 8080), conn(client, outside('8.8.8.8'), 443)];
      const toBlock = world(policy('e', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/24' } }], ports: [{ port: 'http' }, { port: 443 }] }] }));
      const anyone = world(policy('e', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ ports: [{ port: 'http' }, { port: 443 }] }] }));
      const compiled = (w: PolicyWorld) => {
        const rules = cni.compilePolicies(w, pods);
        return conns.map((c) => `${name(c.from)} → ${name(c.to)}:${c.port}/${c.protocol} ${compiledAllows(rules, c) ? 'allowed' : 'denied'}`);
      };
      expect(compiled(toBlock), 'compiled rules under egress to 10.1.0.0/24 on ports http and 443 (web, 10.1.0.2, names http 8080)').toEqual(expected(conns, [true, true, true, false, false]));
      expect(compiled(anyone), 'compiled rules under egress to anyone on ports http and 443').toEqual(expected(conns, [true, true, true, false, true]));
      expect(verdicts(anyone, conns), 'evaluatePolicies under egress to anyone on ports http and 443').toEqual(expected(conns, [true, true, true, false, true]));
    },
  );

  test('over random pods and policies, the compiled rules allow exactly what evaluatePolicies allows, for every pair of pods and port', async ({ task }) => {
    const labels = fc.record({ app: fc.constantFrom('web', 'api', 'db') }, { requiredKeys: [] });
    const selector = fc.oneof(
      fc.constant({}),
      labels.map((l) => ({ matchLabels: l })),
    );
    const peer = fc.oneof(
      fc.record({ podSelector: selector }),
      fc.record({ namespaceSelector: fc.constantFrom({}, { matchLabels: { env: 'dev' } }) }),
      fc.record({ namespaceSelector: fc.constantFrom({}, { matchLabels: { env: 'prod' } }), podSelector: selector }),
      fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom('10.1.0.0/16', '10.1.0.0/24'), except: fc.constantFrom([], ['10.1.0.2/32'], ['10.1.1.0/24']) }) }),
    );
    const port = fc.oneof(
      fc.record({ port: fc.constantFrom(80, 443) }),
      fc.record({ port: fc.constant(8000), endPort: fc.constant(8080) }),
      fc.record({ port: fc.constant('http') }),
      fc.record({ protocol: fc.constant('UDP' as const) }),
    );
    const rule = fc.record({ peers: fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined }), ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }) });
    const pol = fc.record({
      namespace: fc.constantFrom('prod', 'dev'),
      podSelector: selector,
      types: fc.constantFrom(undefined, ['Ingress'] as const, ['Egress'] as const, ['Ingress', 'Egress'] as const),
      ingress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
      egress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
    });
    const pods = [
      pod('prod', 'web', { app: 'web' }, '10.1.0.2', [{ name: 'http', port: 8080 }]),
      pod('prod', 'api', { app: 'api' }, '10.1.0.3', [{ name: 'http', port: 80 }]),
      pod('dev', 'web', { app: 'web' }, '10.1.1.2'),
      pod('dev', 'db', { app: 'db' }, '10.2.0.9'),
    ];
    fc.assert(
      fc.property(fc.array(pol, { maxLength: 3 }), (ps) => {
        const policies = ps.map((p, i) => ({
          metadata: { name: `p${i}`, namespace: p.namespace },
          spec: {
            podSelector: p.podSelector,
            ...(p.types ? { policyTypes: [...p.types] } : {}),
            ...(p.ingress ? { ingress: p.ingress.map((r) => ({ ...(r.peers ? { from: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) })) } : {}),
            ...(p.egress ? { egress: p.egress.map((r) => ({ ...(r.peers ? { to: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) })) } : {}),
          },
        })) as unknown as NetworkPolicy[];
        const w = world(...policies);
        const rules = cni.compilePolicies(w, pods);
        for (const from of pods) {
          for (const to of pods) {
            if (from === to) continue;
            for (const [p, proto] of [
              [80, 'TCP'],
              [443, 'TCP'],
              [8080, 'TCP'],
              [8081, 'TCP'],
              [53, 'UDP'],
            ] as const) {
              const c = conn(from, to, p, proto);
              expect(compiledAllows(rules, c), `${name(from)} → ${name(to)}:${p}/${proto} under ${show(policies)}; compiled: ${show(rules)}`).toBe(cni.evaluatePolicies(w, c).allowed);
            }
          }
        }
      }),
      { seed: useSeed(task), numRuns: 150 },
    );
  });
});
