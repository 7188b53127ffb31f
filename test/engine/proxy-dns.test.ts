/**
 * Cluster DNS on the wire (engine/proxy/dns-server.ts around the services component's answerDns),
 * asked by a real resolver: Node's dns.Resolver (c-ares) pointed at the server, which reads what a
 * pod's libc would: ENOTFOUND for NXDOMAIN, ENODATA for NODATA, ESERVFAIL, ECONNREFUSED; a truncated
 * UDP answer retried over TCP. Then hostile input: garbage, short packets, a TCP client that sends
 * half a query and waits, and a live cluster whose new Service resolves.
 * Upstream behaviour mirrored: CoreDNS's kubernetes plugin (authoritative answers, SOA in the
 * authority section of negative answers: plugin/kubernetes/handler_test.go), RFC 1035 4.2.1 (512
 * bytes over UDP, TC) and 4.2.2 (TCP length prefix).
 */
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, test } from 'vitest';
import { startCluster } from '#engine/cluster/cluster.ts';
import { loadComponent } from '#engine/impl.ts';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import type { DnsView } from '#engine/proxy/exercises.ts';
import { runClusterDns, startDnsServer, type DnsServer } from '#engine/proxy/dns-server.ts';

const s = await loadComponent('services');
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const svc = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec });
const many: EndpointSlice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'big-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'big' } },
  addressType: 'IPv4',
  endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`127.64.9.${i + 1}`], conditions: { ready: true } })),
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
};
const view: DnsView = {
  services: [
    svc('web', { clusterIP: '127.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    svc('big', { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    svc('mail', { type: 'ExternalName', externalName: 'mail.example.com' }),
  ],
  endpointSlices: [many],
  zone: 'cluster.local',
  ttl: 5,
};

async function server(resolve = (name: string, type: string) => s.answerDns(name, type, view), host = '127.96.0.253'): Promise<DnsServer> {
  const srv = await startDnsServer({ host, resolve });
  cleanup.push(() => srv.close());
  return srv;
}
function resolverFor(srv: DnsServer): Resolver {
  // Generous: the server answers from this process, which a loaded machine may pause for seconds.
  const r = new Resolver({ timeout: 5_000, tries: 3 });
  r.setServers([`${srv.host}:${srv.port}`]);
  return r;
}
/** The rcode of an answer packet, by name (dns-packet decodes it, its types do not declare it). */
const rcodeOf = (m: Buffer) => ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][m.readUInt16BE(2) & 0xf];
const dataOf = (a: dnsPacket.Answer) => (a as { data?: unknown }).data;
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'answered',
    (e: NodeJS.ErrnoException) => e.code ?? String(e),
  );

describe('cluster DNS asked by a real resolver', () => {
  test('A for a Service, SRV for a named port, CNAME for ExternalName', async () => {
    const r = resolverFor(await server());
    expect(await r.resolve4('web.shop.svc.cluster.local', { ttl: true }), 'resolve4 web.shop.svc.cluster.local').toEqual([{ address: '127.96.0.10', ttl: 5 }]);
    expect(await r.resolveSrv('_http._tcp.web.shop.svc.cluster.local'), 'resolveSrv _http._tcp.web').toEqual([{ name: 'web.shop.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    expect(await r.resolveCname('mail.shop.svc.cluster.local'), 'resolveCname mail').toEqual(['mail.example.com']);
  });

  test('NXDOMAIN reads as ENOTFOUND, NODATA as ENODATA, a refused outside name as EREFUSED', async () => {
    const r = resolverFor(await server());
    expect(
      [await code(r.resolve4('nope.shop.svc.cluster.local')), await code(r.resolve6('web.shop.svc.cluster.local')), await code(r.resolve4('example.com'))],
      '[A nope, AAAA web, A example.com]',
    ).toEqual(['ENOTFOUND', 'ENODATA', 'EREFUSED']);
  });

  test('an answer too big for UDP is truncated, and the resolver gets it whole over TCP', async () => {
    const r = resolverFor(await server());
    const got = await r.resolve4('big.shop.svc.cluster.local');
    expect(got.length, 'A records of a headless Service with 60 ready endpoints (about 1 KB)').toBe(60);
  });

  test('an answer that throws is SERVFAIL, and the server keeps answering', async () => {
    let calls = 0;
    const r = resolverFor(
      await server((name, type) => {
        if (calls++ === 0) throw new Error('a learner bug');
        return s.answerDns(name, type, view);
      }),
    );
    expect(await code(r.resolve4('web.shop.svc.cluster.local')), 'the first question').toBe('ESERVFAIL');
    expect(await r.resolve4('web.shop.svc.cluster.local'), 'the next one').toEqual(['127.96.0.10']);
  });
});

describe('hostile input', () => {
  /**
   * One UDP packet to the server; its answer, or 'no answer' after `ms`. The server runs in this
   * process: a pause of the process longer than `ms` (a loaded machine) fires the timer before the
   * answer is read, so a packet that must be answered gets a generous wait.
   */
  function udpAsk(srv: DnsServer, payload: Buffer, ms = 10_000): Promise<Buffer | 'no answer'> {
    return new Promise((resolve) => {
      const sock = dgram.createSocket('udp4');
      const timer = setTimeout(() => {
        sock.close();
        resolve('no answer');
      }, ms);
      sock.on('message', (m) => {
        clearTimeout(timer);
        sock.close();
        resolve(m);
      });
      sock.send(payload, srv.port, srv.host);
    });
  }

  test('short garbage is dropped, garbage with a header gets FORMERR, and the server still answers', async () => {
    const srv = await server();
    expect(await udpAsk(srv, Buffer.from('hi'), 500), 'a 2-byte packet').toBe('no answer');
    const formerr = await udpAsk(srv, Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xff, 0xff])]));
    expect(formerr !== 'no answer' && [formerr.readUInt16BE(0), rcodeOf(formerr)], '[id, rcode] for a header and a broken question').toEqual([0x1234, 'FORMERR']);
    const ok = await udpAsk(srv, dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.shop.svc.cluster.local' }] }));
    const decoded = ok === 'no answer' ? undefined : dnsPacket.decode(ok);
    expect([ok === 'no answer' ? ok : rcodeOf(ok), decoded?.flag_aa, decoded?.flag_rd, decoded?.answers?.map(dataOf)], '[rcode, AA, RD, answers] afterwards').toEqual([
      'NOERROR',
      true,
      true,
      ['127.96.0.10'],
    ]);
  });

  test("a negative answer carries the zone's SOA", async () => {
    const srv = await server();
    const m = await udpAsk(srv, dnsPacket.encode({ type: 'query', id: 8, questions: [{ type: 'A', name: 'nope.shop.svc.cluster.local' }] }));
    const decoded = m === 'no answer' ? undefined : dnsPacket.decode(m);
    expect([m === 'no answer' ? m : rcodeOf(m), decoded?.authorities?.map((a) => [a.type, a.name])], '[rcode, authorities]').toEqual(['NXDOMAIN', [['SOA', 'cluster.local']]]);
  });

  test('a TCP client that sends half a query and waits is closed after the idle timeout; others are served meanwhile', async () => {
    const srv = await server();
    const idle = net.connect({ host: srv.host, port: srv.port });
    idle.on('error', () => {});
    idle.write(Buffer.from([0x00, 0x40, 0x12]));
    const closed = new Promise<number>((resolve) => {
      const start = Date.now();
      idle.on('close', () => resolve(Date.now() - start));
    });
    expect(await resolverFor(srv).resolve4('web.shop.svc.cluster.local'), 'a query while the idle client waits').toEqual(['127.96.0.10']);
    expect(await closed, 'ms until the idle client is closed (timeout 10 s)').toBeGreaterThan(5_000);
  }, 30_000);

  test('close() ends open TCP connections and frees the port', async () => {
    const srv = await startDnsServer({ host: '127.96.0.252', resolve: (n, t) => s.answerDns(n, t, view) });
    const open = net.connect({ host: srv.host, port: srv.port });
    open.on('error', () => {});
    await new Promise((r) => open.once('connect', r));
    await srv.close();
    const again = await startDnsServer({ host: '127.96.0.252', port: srv.port, resolve: (n, t) => s.answerDns(n, t, view) });
    expect(again.port, 'the same port, bound again').toBe(srv.port);
    await again.close();
  });
});

describe('cluster DNS over a live cluster', () => {
  test('a Service created through the API resolves; deleted, it is NXDOMAIN', async () => {
    const cluster = await startCluster();
    cleanup.push(() => cluster.stop());
    const dns = await runClusterDns(cluster.client, { host: '127.96.0.251' });
    cleanup.push(() => dns.stop());
    const created = await cluster.client.create<Service>(
      'services',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default' }, spec: { ports: [{ port: 80 }] } },
      { namespace: 'default' },
    );
    const r = resolverFor(dns);
    const until = async (want: (x: string) => boolean) => {
      const deadline = Date.now() + 60_000; // informers on a loaded machine
      let got = '';
      while (Date.now() < deadline) {
        got = await r.resolve4('api.default.svc.cluster.local').then(
          (a) => a.join(','),
          (e: NodeJS.ErrnoException) => e.code ?? '',
        );
        if (want(got)) break;
        await new Promise((x) => setTimeout(x, 25));
      }
      return got;
    };
    expect(await until((x) => x === created.spec!.clusterIP), 'A api.default.svc.cluster.local once created').toBe(created.spec!.clusterIP);
    await cluster.client.delete('services', 'api', { namespace: 'default' });
    expect(await until((x) => x === 'ENOTFOUND'), 'once deleted').toBe('ENOTFOUND');
  }, 240_000);
});
