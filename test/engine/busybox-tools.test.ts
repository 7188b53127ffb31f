/**
 * busybox's `nslookup` and `wget` in the built-in busybox image (engine/images/programs/nslookup.ts,
 * wget.ts, resolver.ts), run as a container runs them: the executables of the bundle's tools folder,
 * with the DNS settings the kubelet gives a pod in its environment, against a DNS server and an
 * HTTP server on loopback. Output and exit codes as busybox 1.37's; a name only the search list
 * completes is found; a missing name, a refused connection and a malformed URL each fail with
 * busybox's sentence.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { imagePrograms } from '#engine/images/bundle.ts';
import { startDnsServer, type DnsServer } from '#engine/proxy/dns-server.ts';

let dns: DnsServer;
let web: Server;
let webPort = 0;
let bin = '';

beforeAll(async () => {
  // shop.svc.cluster.local's web is 127.0.0.1 (where the HTTP server below listens); nothing else exists.
  dns = await startDnsServer({
    host: '127.96.0.249',
    resolve: (name, type) => {
      const n = name.toLowerCase().replace(/\.$/, '');
      if (n === 'web.shop.svc.cluster.local') return { rcode: 'NOERROR', answers: type === 'A' ? [{ name: n, type: 'A', ttl: 5, data: '127.0.0.1' }] : [], additionals: [] };
      return n.endsWith('cluster.local') ? { rcode: 'NXDOMAIN', answers: [], additionals: [] } : { rcode: 'REFUSED', answers: [], additionals: [] };
    },
  });
  web = createServer((req, res) => res.end(`hello from ${req.headers.host}${req.url}\n`));
  await new Promise<void>((r) => web.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  webPort = (web.address() as AddressInfo).port;
  const programs = await imagePrograms();
  expect(programs.toolsBin, 'the bundle has a folder of busybox tools').toBeDefined();
  bin = programs.toolsBin!;
});
afterAll(async () => {
  await dns?.close();
  await new Promise((r) => web?.close(r));
});

/** Runs a tool as a container would (asynchronously: the servers above answer from this process). */
function run(tool: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      join(bin, tool),
      args,
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          KUBELINGS_DNS_NAMESERVERS: `${dns.host}:${dns.port}`,
          KUBELINGS_DNS_SEARCH: 'shop.svc.cluster.local svc.cluster.local cluster.local',
          KUBELINGS_DNS_OPTIONS: 'ndots:5',
          ...env,
        },
      },
      (error, out, err) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err }),
    );
  });
}

describe("busybox's tools with the pod's DNS settings", () => {
  test('nslookup web finds web.shop.svc.cluster.local through the search list, printed as busybox does', async () => {
    const r = await run('nslookup', ['web']);
    expect(r, r.err).toMatchObject({ code: 0, out: `Server:\t\t127.96.0.249\nAddress:\t127.96.0.249:${dns.port}\n\nName:\tweb.shop.svc.cluster.local\nAddress: 127.0.0.1\n\n` });
  });
  test('nslookup of a name that does not exist: NXDOMAIN, exit 1', async () => {
    const r = await run('nslookup', ['nothing']);
    expect([r.code, r.out.split('\n').at(-3)]).toEqual([1, "** server can't find nothing: NXDOMAIN"]);
  });
  test('wget -qO- http://web:PORT/path reaches the server by name, with the Host header as written', async () => {
    const r = await run('wget', ['-qO-', `http://web:${webPort}/path?x=1`]);
    expect(r, r.err).toMatchObject({ code: 0, out: `hello from web:${webPort}/path?x=1\n` });
  });
  test("wget: a name not found is busybox's bad address; a refused port is can't connect; a malformed URL is bad address", async () => {
    expect(await run('wget', ['-qO-', 'http://nothing/'])).toMatchObject({ code: 1, err: "wget: bad address 'nothing'\n" });
    expect(await run('wget', ['-qO-', 'http://web:1/'])).toMatchObject({ code: 1, err: "wget: can't connect to remote host (127.0.0.1): Connection refused\n" });
    expect(await run('wget', ['-qO-', 'http://[oops/'])).toMatchObject({ code: 1, err: "wget: bad address 'http://[oops/'\n" });
  });
  test("without the pod's DNS settings (dnsPolicy Default) the machine's resolver answers: localhost", async () => {
    const r = await run('wget', ['-qO-', `http://localhost:${webPort}/`], { KUBELINGS_DNS_NAMESERVERS: '' });
    expect(r, r.err).toMatchObject({ code: 0, out: `hello from localhost:${webPort}/\n` });
  });
});
