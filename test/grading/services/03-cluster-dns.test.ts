/**
 * Hidden suite for 07-services/03-cluster-dns: the answers of cluster DNS, as CoreDNS's kubernetes
 * plugin gives them, and the search list of a pod's resolv.conf. After the Kubernetes DNS
 * specification (kubernetes/dns docs/specification.md: 2.3.1 A records, 2.3.2 SRV, 2.4 headless,
 * 2.5 ExternalName), coredns plugin/kubernetes/handler_test.go (dnsTestCases: NXDOMAIN for a
 * missing service, NODATA "svc1.testns.svc.cluster.local. AAAA", SRV weights for headless
 * services) and glibc's res_search (ndots).
 *
 * Likely bugs, each caught below: NODATA answered as NXDOMAIN (or the reverse); names compared with
 * case or with the final dot; not-ready pods in a headless answer; a headless Service answered with
 * "None"; SRV by port number or with the protocol ignored; SRV weight not split; ExternalName as A;
 * names outside the zone answered; the search list tried in the wrong order or for names with 5 dots.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { DnsView } from '#engine/proxy/exercises.ts';
import { hint, show } from '#grading';
import { ep, service, slice } from './make.ts';

const s = await loadComponent('services');

const web = service('web', { ns: 'shop', clusterIP: '127.96.0.10' });
const api = service('api', { ns: 'other', clusterIP: '127.96.0.11' });
const db = service('db', { ns: 'shop', clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] });
const ext = service('mail', { ns: 'shop', type: 'ExternalName', externalName: 'Mail.Example.com.' });
const dbSlice = slice('db', [ep('127.64.0.5', { hostname: 'db-0' }), ep('127.64.0.6', { hostname: 'db-1' }), ep('127.64.0.7', { hostname: 'db-2', ready: false })], {
  ns: 'shop',
  ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }],
});
const view: DnsView = { services: [web, api, db, ext], endpointSlices: [dbSlice], zone: 'cluster.local', ttl: 5 };
const ask = (name: string, type = 'A') => s.answerDns(name, type, view);
const brief = (name: string, type = 'A') => {
  const a = ask(name, type);
  return [a.rcode, a.answers.map((r) => `${r.type} ${typeof r.data === 'string' ? r.data : `${r.data.weight} ${r.data.port} ${r.data.target}`}`)];
};

describe('Services by name', () => {
  test("<svc>.<ns>.svc.cluster.local A is the ClusterIP, with the view's TTL", hint('Split the name into labels from the right: zone, svc, namespace, service'), () => {
    expect(ask('web.shop.svc.cluster.local'), 'A web.shop.svc.cluster.local').toEqual({
      rcode: 'NOERROR',
      answers: [{ name: 'web.shop.svc.cluster.local', type: 'A', ttl: 5, data: '127.96.0.10' }],
      additionals: [],
    });
  });

  test('names are compared without case and without the final dot', hint('DNS names are case-insensitive; "web.shop.svc.cluster.local." is the same name'), () => {
    expect(show(brief('WEB.Shop.SVC.cluster.local.')), 'A WEB.Shop.SVC.cluster.local.').toBe(show(['NOERROR', ['A 127.96.0.10']]));
    expect(ask('WEB.Shop.SVC.cluster.local.').answers[0]?.name, "the answer's name").toBe('web.shop.svc.cluster.local');
  });

  test('a name that exists, asked for another type, is NODATA (NOERROR, no answer), not NXDOMAIN', hint('NXDOMAIN says the name does not exist at all. Does web.shop.svc.cluster.local exist?'), () => {
    expect(show(brief('web.shop.svc.cluster.local', 'AAAA')), 'AAAA web.shop.svc.cluster.local').toBe(show(['NOERROR', []]));
    expect(show(brief('web.shop.svc.cluster.local', 'TXT')), 'TXT web.shop.svc.cluster.local').toBe(show(['NOERROR', []]));
  });

  test('a Service that does not exist, or is in another namespace, is NXDOMAIN', hint('api exists, but in namespace other'), () => {
    expect(show(brief('nope.shop.svc.cluster.local')), 'A nope.shop.svc.cluster.local').toBe(show(['NXDOMAIN', []]));
    expect(show(brief('api.shop.svc.cluster.local')), 'A api.shop.svc.cluster.local (api is in other)').toBe(show(['NXDOMAIN', []]));
    expect(show(brief('nope.shop.svc.cluster.local', 'AAAA')), 'AAAA nope.shop.svc.cluster.local').toBe(show(['NXDOMAIN', []]));
  });

  test('a namespace with Services, svc.cluster.local and the zone exist (NODATA); an unknown namespace does not', () => {
    expect(
      show(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'empty.svc.cluster.local', 'x.pods.cluster.local'].map((n) => ask(n).rcode)),
      'rcodes of A shop.svc, svc, the zone, empty.svc (no Service), x.pods (not svc)',
    ).toBe(show(['NOERROR', 'NOERROR', 'NOERROR', 'NXDOMAIN', 'NXDOMAIN']));
  });

  test(
    'only <svc>.<ns>.svc names hold Services: another subdomain, a one-label name, or a Service named "svc" that does not exist are NXDOMAIN, with nothing in answers or additionals',
    hint('Check the labels from the right: the zone, then exactly "svc", then the namespace, then the Service. What does web.shop.xyz.cluster.local name?'),
    () => {
      // kubernetes/dns docs/specification.md: Service records live under <ns>.svc.<zone> only.
      const nx = { rcode: 'NXDOMAIN', answers: [], additionals: [] };
      expect(
        ['web.shop.xyz.cluster.local', 'x.cluster.local', 'svc.shop.svc.cluster.local'].map((n) => [n, ask(n)]),
        'A web.shop.xyz.cluster.local, x.cluster.local, svc.shop.svc.cluster.local',
      ).toEqual([
        ['web.shop.xyz.cluster.local', nx],
        ['x.cluster.local', nx],
        ['svc.shop.svc.cluster.local', nx],
      ]);
    },
  );

  test('a name outside the cluster zone is REFUSED (this server does not forward)', () => {
    expect(show(brief('example.com')), 'A example.com').toBe(show(['REFUSED', []]));
    expect(show(brief('web.shop.svc.cluster.local.evil.com')), 'A web.shop.svc.cluster.local.evil.com').toBe(show(['REFUSED', []]));
  });
});

describe('headless Services and ExternalName', () => {
  test(
    'a headless Service answers with its ready pods\' addresses, not "None" and not the not-ready pod',
    hint('clusterIP None: the records come from the EndpointSlices; which endpoints may be published?'),
    () => {
      expect(show(brief('db.shop.svc.cluster.local')), 'A db.shop.svc.cluster.local (db-0, db-1 ready; db-2 not)').toBe(show(['NOERROR', ['A 127.64.0.5', 'A 127.64.0.6']]));
    },
  );

  test('<hostname>.<svc> names one pod of a headless Service; a dashed address does too', hint("A StatefulSet's pods get stable names this way: web-0.web.ns.svc.cluster.local"), () => {
    expect(show(brief('db-1.db.shop.svc.cluster.local')), 'A db-1.db.shop.svc.cluster.local').toBe(show(['NOERROR', ['A 127.64.0.6']]));
    expect(show(brief('db-2.db.shop.svc.cluster.local')), 'A db-2.db.shop.svc.cluster.local (not ready)').toBe(show(['NXDOMAIN', []]));
    const anonymous: DnsView = { ...view, endpointSlices: [slice('db', [ep('127.64.0.8')], { ns: 'shop', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] })] };
    expect(show(s.answerDns('127-64-0-8.db.shop.svc.cluster.local', 'A', anonymous).answers.map((r) => r.data)), 'A 127-64-0-8.db.shop.svc.cluster.local (an endpoint without hostname)').toBe(
      show(['127.64.0.8']),
    );
  });

  test(
    '<host>.<svc>: the whole answer; another type is NODATA; a host under a ClusterIP Service, or one label too many, is NXDOMAIN',
    hint('Hostname records exist only for headless Services, and only with exactly one label before the Service name'),
    () => {
      expect(ask('db-1.db.shop.svc.cluster.local'), 'A db-1.db.shop.svc.cluster.local').toEqual({
        rcode: 'NOERROR',
        answers: [{ name: 'db-1.db.shop.svc.cluster.local', type: 'A', ttl: 5, data: '127.64.0.6' }],
        additionals: [],
      });
      expect(ask('db-1.db.shop.svc.cluster.local', 'AAAA'), 'AAAA db-1.db.shop.svc.cluster.local').toEqual({ rcode: 'NOERROR', answers: [], additionals: [] });
      expect(show(['db-0.web.shop.svc.cluster.local', 'x.db-0.db.shop.svc.cluster.local'].map((n) => ask(n).rcode)), 'rcodes of A db-0.web (web has a ClusterIP), x.db-0.db').toBe(
        show(['NXDOMAIN', 'NXDOMAIN']),
      );
    },
  );

  test(
    'a headless answer: the whole answer, no additionals; endpoints with ready unset count, endpoints of other Services, or in IPv6 slices, do not',
    hint("Which slices are this Service's (label kubernetes.io/service-name, IPv4)? And what does an unset ready condition mean?"),
    () => {
      const noReady = ep('127.64.0.9', { hostname: 'db-9', noConditions: true });
      const slices = [
        dbSlice,
        slice('db', [noReady], { ns: 'shop', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
        slice('db', [ep('fd00::5')], { ns: 'shop', addressType: 'IPv6', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
        slice('cache', [ep('127.64.0.40', { hostname: 'cache-0' })], { ns: 'shop', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }),
      ];
      const v: DnsView = { ...view, endpointSlices: slices };
      expect(s.answerDns('db.shop.svc.cluster.local', 'A', v), 'A db.shop.svc.cluster.local (slices: db, db with ready unset, db IPv6, cache)').toEqual({
        rcode: 'NOERROR',
        answers: ['127.64.0.5', '127.64.0.6', '127.64.0.9'].map((ip) => ({ name: 'db.shop.svc.cluster.local', type: 'A', ttl: 5, data: ip })),
        additionals: [],
      });
    },
  );

  test('ExternalName: the CNAME for A, CNAME and ANY; NODATA for another type', hint('The stub lists the types that get the CNAME. What about TXT?'), () => {
    const cname = { rcode: 'NOERROR', answers: [{ name: 'mail.shop.svc.cluster.local', type: 'CNAME', ttl: 5, data: 'mail.example.com' }], additionals: [] };
    expect(
      ['A', 'CNAME', 'ANY', 'TXT'].map((t) => [t, ask('mail.shop.svc.cluster.local', t)]),
      'mail.shop.svc.cluster.local asked for A, CNAME, ANY, TXT',
    ).toEqual([
      ['A', cname],
      ['CNAME', cname],
      ['ANY', cname],
      ['TXT', { rcode: 'NOERROR', answers: [], additionals: [] }],
    ]);
  });

  test('ExternalName answers with a CNAME to its name, lower case without the final dot', hint('An ExternalName Service has no ClusterIP: DNS is all there is of it'), () => {
    expect(show(brief('mail.shop.svc.cluster.local')), 'A mail.shop.svc.cluster.local (externalName Mail.Example.com.)').toBe(show(['NOERROR', ['CNAME mail.example.com']]));
  });
});

describe('SRV records for named ports', () => {
  const named = service('web', {
    ns: 'shop',
    clusterIP: '127.96.0.10',
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  });
  const v: DnsView = { ...view, services: [named, db] };

  test(
    "_<port>._<proto>.<svc>: priority 0, weight 100, the Service port, the Service's name as target, its A in additionals",
    hint("The first label is the port's name, the second the protocol, each with an underscore"),
    () => {
      const a = s.answerDns('_http._tcp.web.shop.svc.cluster.local', 'SRV', v);
      expect(a, 'SRV _http._tcp.web.shop.svc.cluster.local').toEqual({
        rcode: 'NOERROR',
        answers: [{ name: '_http._tcp.web.shop.svc.cluster.local', type: 'SRV', ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'web.shop.svc.cluster.local' } }],
        additionals: [{ name: 'web.shop.svc.cluster.local', type: 'A', ttl: 5, data: '127.96.0.10' }],
      });
    },
  );

  test('the protocol must match, and a port is named, not numbered: else NXDOMAIN; A for an SRV name is NODATA', hint('dns is UDP, http is TCP'), () => {
    const rc = (n: string, t = 'SRV') => s.answerDns(n, t, v).rcode;
    expect(
      show([rc('_dns._udp.web.shop.svc.cluster.local'), rc('_dns._tcp.web.shop.svc.cluster.local'), rc('_80._tcp.web.shop.svc.cluster.local'), rc('_http._tcp.web.shop.svc.cluster.local', 'A')]),
      'rcodes of _dns._udp, _dns._tcp, _80._tcp (SRV), _http._tcp (A)',
    ).toBe(show(['NOERROR', 'NXDOMAIN', 'NXDOMAIN', 'NOERROR']));
  });

  test(
    'SRV names: an A or AAAA question is NODATA with no records; the port label and the protocol label need their underscores, and no label more',
    hint('_<port>._<proto>.<svc>: exactly two labels before the Service, each starting with "_"; the port has a name'),
    () => {
      expect(s.answerDns('_http._tcp.web.shop.svc.cluster.local', 'A', v), 'A _http._tcp.web.shop.svc.cluster.local').toEqual({ rcode: 'NOERROR', answers: [], additionals: [] });
      const plain = service('plain', { ns: 'shop', clusterIP: '127.96.0.30', ports: [{ port: 80, protocol: 'TCP' }] });
      const w: DnsView = { ...v, services: [named, db, plain] };
      const rc = (n: string) => s.answerDns(n, 'SRV', w).rcode;
      expect(
        show([
          rc('_tcp.web.shop.svc.cluster.local'),
          rc('_x._http._tcp.web.shop.svc.cluster.local'),
          rc('_._tcp.plain.shop.svc.cluster.local'),
          rc('xhttp._tcp.web.shop.svc.cluster.local'),
          rc('_http.xtcp.web.shop.svc.cluster.local'),
        ]),
        'rcodes of SRV _tcp.web (one label), _x._http._tcp.web (three), _._tcp.plain (plain has one port, unnamed), xhttp._tcp.web and _http.xtcp.web (an underscore missing)',
      ).toBe(show(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']));
    },
  );

  test(
    "a headless SRV answer in full: only endpoints whose slice has that port (name and protocol), each with its slice's number for it",
    hint("An endpoint's port comes from its own slice: find the slice port with the asked name AND protocol. What if the slice lists another port first?"),
    () => {
      const pods = [
        slice('db', [ep('127.64.0.5', { hostname: 'db-0' })], {
          ns: 'shop',
          ports: [
            { name: 'metrics', protocol: 'TCP', port: 9100 },
            { name: 'pg', protocol: 'UDP', port: 1111 },
            { name: 'pg', protocol: 'TCP', port: 5432 },
          ],
        }),
        slice('db', [ep('127.64.0.6', { hostname: 'db-1' })], { ns: 'shop', ports: [{ name: 'metrics', protocol: 'TCP', port: 9100 }] }),
        slice('db', [ep('127.64.0.7', { hostname: 'db-2' })], { ns: 'shop', ports: [{ name: 'pg', protocol: 'UDP', port: 2222 }] }),
      ];
      const both = service('db', {
        ns: 'shop',
        clusterIP: 'None',
        ports: [
          { name: 'pg', port: 5432, protocol: 'TCP' },
          { name: 'pg', port: 5432, protocol: 'UDP' },
        ],
      });
      const w: DnsView = { ...v, services: [named, both], endpointSlices: pods };
      expect(s.answerDns('_pg._tcp.db.shop.svc.cluster.local', 'SRV', w), 'SRV _pg._tcp.db (db-0: metrics, pg/UDP, pg/TCP 5432; db-1: metrics only; db-2: pg/UDP only)').toEqual({
        rcode: 'NOERROR',
        answers: [{ name: '_pg._tcp.db.shop.svc.cluster.local', type: 'SRV', ttl: 5, data: { priority: 0, weight: 100, port: 5432, target: 'db-0.db.shop.svc.cluster.local' } }],
        additionals: [{ name: 'db-0.db.shop.svc.cluster.local', type: 'A', ttl: 5, data: '127.64.0.5' }],
      });
      expect(
        s.answerDns('_pg._udp.db.shop.svc.cluster.local', 'SRV', w).answers.map((r) => (r.type === 'SRV' ? `${r.data.target} ${r.data.port} weight ${r.data.weight}` : r.type)),
        'SRV _pg._udp.db (the Service has pg on TCP and on UDP)',
      ).toEqual(['db-0.db.shop.svc.cluster.local 1111 weight 50', 'db-2.db.shop.svc.cluster.local 2222 weight 50']);
    },
  );

  test("a headless Service: one SRV per ready pod, weight split (100 / n, rounded down), targets the pods' names", hint('Each pod is a target of its own; their weights share 100'), () => {
    const a = s.answerDns('_pg._tcp.db.shop.svc.cluster.local', 'SRV', v);
    expect(show([a.rcode, a.answers.map((r) => r.data)]), 'SRV _pg._tcp.db.shop.svc.cluster.local').toBe(
      show([
        'NOERROR',
        [
          { priority: 0, weight: 50, port: 5432, target: 'db-0.db.shop.svc.cluster.local' },
          { priority: 0, weight: 50, port: 5432, target: 'db-1.db.shop.svc.cluster.local' },
        ],
      ]),
    );
    expect(show(a.additionals.map((r) => [r.name, r.data])), 'additionals').toBe(
      show([
        ['db-0.db.shop.svc.cluster.local', '127.64.0.5'],
        ['db-1.db.shop.svc.cluster.local', '127.64.0.6'],
      ]),
    );
  });
});

describe('search paths (resolv.conf: search <ns>.svc.<zone> svc.<zone> <zone>, ndots:5)', () => {
  test('a short name is tried with each search domain first, the name itself last', hint('ndots:5: fewer than five dots means "try the search list first"'), () => {
    expect(s.searchNames('api', 'shop', 'cluster.local'), 'searchNames("api") from namespace shop').toEqual(['api.shop.svc.cluster.local', 'api.svc.cluster.local', 'api.cluster.local', 'api']);
    expect(s.searchNames('example.com', 'shop', 'cluster.local'), 'searchNames("example.com") from namespace shop').toEqual([
      'example.com.shop.svc.cluster.local',
      'example.com.svc.cluster.local',
      'example.com.cluster.local',
      'example.com',
    ]);
  });

  test('a name with five dots is tried as is first; a final dot means as is, alone', hint('The final dot says: this name is complete'), () => {
    expect(s.searchNames('a.b.c.d.e.f', 'shop', 'cluster.local')[0], 'first name tried for a.b.c.d.e.f').toBe('a.b.c.d.e.f');
    expect(s.searchNames('a.b.c.d.e', 'shop', 'cluster.local')[0], 'first name tried for a.b.c.d.e (four dots)').toBe('a.b.c.d.e.shop.svc.cluster.local');
    expect(s.searchNames('example.com.', 'shop', 'cluster.local'), 'searchNames("example.com.")').toEqual(['example.com']);
  });
});
