/**
 * The apiserver's connection and request limits (engine/apiserver/limits.ts), after kube-apiserver's:
 * k8s.io/apiserver pkg/server/secure_serving.go (ReadHeaderTimeout 32 s, IdleTimeout 90 s, TCP
 * keep-alive 3 min), pkg/server/config.go (RequestTimeout 60 s, MaxRequestsInFlight 400,
 * MaxMutatingRequestsInFlight 200), filters/maxinflight.go (429 "Too many requests, please try again
 * later." with Retry-After: 1), filters/timeout.go (504 "Timeout: request did not complete within the
 * allotted timeout"), and cmd/kube-apiserver's LongRunningFunc (watch, proxy; attach, exec, log,
 * portforward, proxy subresources are exempt).
 *
 * The apiserver speaks HTTPS only: raw connections here are TLS sockets (node:tls, trusting the test
 * cluster's CA) that speak HTTP/1.1 by hand with the admin's token, and a silent connection comes in
 * two kinds: a TCP socket that never starts its TLS handshake (node's tls handshakeTimeout would keep
 * it two minutes unless the server sets it), and a TLS socket that never sends a request.
 *
 * Each server here gets short limits through `limits`, so nothing sleeps for long; every wait is a
 * poll for a condition with a generous deadline that names what it waits for, so a loaded machine
 * only makes the tests slower, never wrong. Tests get 60 s (WAIT_MS plus room) so that a named wait
 * fails first, with its reason, rather than vitest's bare timeout.
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import type { ApiserverExercises, Registry } from '#engine/apiserver/exercises.ts';
import { ConnectionLimits, isLongRunning, openFileLimit } from '#engine/apiserver/limits.ts';
import { APISERVER_MAX_CONNECTIONS, APISERVER_RESERVED_FDS } from '#engine/params.ts';
import { loadComponent } from '#engine/impl.ts';
import { createLogger } from '#engine/cluster/logger.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type TestServer } from './apiserver-harness.ts';

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

const WAIT_MS = 30_000;
const TEST_MS = 60_000;

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `ms` (generous: a loaded machine is slow, not wrong). */
async function until(what: string, condition: () => boolean, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  closed(): boolean;
  send(request: string): void;
}

/**
 * A raw connection to the server, kept open until the test ends: TLS trusting `server`'s CA
 * (resolves once the handshake is done; HTTP/1.1 is then spoken by hand), or with `tcp`, a bare
 * TCP connection that sends nothing unless the test does (resolves once connected).
 */
async function open(server: TestServer, how: 'tls' | 'tcp' = 'tls'): Promise<RawConnection> {
  const socket = how === 'tls' ? connectTls({ port: server.api.port, host: '127.0.0.1', ca: server.ca, servername: '' }) : connect(server.api.port, '127.0.0.1');
  sockets.push(socket);
  let data = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (data += d.toString('utf8')));
  socket.on('error', () => {});
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once(how === 'tls' ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, text: () => data, closed: () => closed, send: (r) => socket.write(r) };
}

/** A GET with the admin's token, as a client speaking HTTP/1.1 by hand sends it. */
const GET = (server: TestServer, path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.token}\r\nAccept: application/json\r\n\r\n`;

/**
 * The reference apiserver, with get/create of anything in namespace `hang` never answering until
 * release(); `held` counts the requests waiting there, `selectorsParsed` the field selectors parsed
 * (a list or watch past its pause), `seen` the URLs routed.
 */
async function hangingImpl(): Promise<{ impl: ApiserverExercises; release: () => void; held: () => number; selectorsParsed: () => number; seen: string[] }> {
  const reference = await loadComponent('apiserver');
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  let selectorsParsed = 0;
  const seen: string[] = [];
  const hold = async () => {
    held++;
    await released;
  };
  const impl: ApiserverExercises = {
    ...reference,
    parseRequestInfo(method, url) {
      seen.push(url);
      return reference.parseRequestInfo(method, url);
    },
    parseFieldSelector(text) {
      selectorsParsed++;
      return reference.parseFieldSelector(text);
    },
    createRegistry(store, options) {
      const registry = reference.createRegistry(store, options);
      const wrapped: Registry = {
        ...registry,
        get: async (info, namespace, name) => {
          if (namespace === 'hang') await hold();
          return registry.get(info, namespace, name);
        },
        create: async (info, object) => {
          if (object.metadata.namespace === 'hang') await hold();
          return registry.create(info, object);
        },
      };
      return wrapped;
    },
  };
  return { impl, release, held: () => held, selectorsParsed: () => selectorsParsed, seen };
}

describe('connection limits', { timeout: TEST_MS }, () => {
  test('connections that never send a request, and idle keep-alive connections, are closed after their timeouts', async () => {
    // 1 s: the test process is also the server, and 200 handshakes on a loaded machine take a while;
    // a request sent the moment its handshake ends must not miss the header timeout.
    const server = await startTestServer({ limits: { headerTimeoutMs: 1000, idleTimeoutMs: 1000 } });
    servers.push(server);
    // One request each, sent as soon as the handshake is done, then nothing.
    const idle = await Promise.all(Array.from({ length: 50 }, () => open(server).then((c) => (c.send(GET(server, '/version')), c))));
    // Never a byte: closed by the TLS handshake timeout (node's default, 120 s, is past WAIT_MS).
    const silentTcp = await Promise.all(Array.from({ length: 100 }, () => open(server, 'tcp')));
    // A TLS handshake, then no request: closed by the header timeout.
    const silentTls = await Promise.all(Array.from({ length: 100 }, () => open(server)));
    await until('every keep-alive connection to get its /version answer', () => idle.every((c) => c.text().includes('"gitVersion"')));
    await until('the 100 TCP connections that never started TLS to be closed (header timeout 1 s, as the handshake timeout)', () => silentTcp.every((c) => c.closed()));
    await until('the 100 TLS connections that never sent a request to be closed (header timeout 1 s)', () => silentTls.every((c) => c.closed()));
    await until('the 50 idle keep-alive connections to be closed (idle timeout 1 s)', () => idle.every((c) => c.closed()));
    expect(silentTcp.map((c) => c.text()).join(''), 'a connection that sent nothing gets nothing').toBe('');
    // The server still serves new connections afterwards.
    expect((await server.fetch('/version')).status).toBe(200);
  });

  test("plain HTTP sent to the HTTPS port gets the 400 of Go's net/http, not a bare close", async () => {
    // Go: net/http server.go, (*conn).serve on a tls.RecordHeaderError that looks like HTTP.
    const server = await startTestServer();
    servers.push(server);
    const plain = await open(server, 'tcp');
    plain.send(GET(server, '/api/v1/namespaces'));
    await until('the plain-HTTP connection to be answered and closed', () => plain.closed());
    expect(plain.text()).toBe('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    const garbage = await open(server, 'tcp');
    garbage.send('\x16\x03\x01\x00\x05hello'); // a TLS record header, then nonsense: no HTTP answer
    await until('the connection with a broken ClientHello to be closed', () => garbage.closed());
    expect(garbage.text()).not.toContain('HTTP/');
    expect((await server.fetch('/version')).status, 'the server is fine afterwards').toBe(200);
  });

  test('headers sent one byte at a time (slowloris) are cut off after the header timeout', async () => {
    const server = await startTestServer({ limits: { headerTimeoutMs: 400 } });
    servers.push(server);
    const slow = await open(server);
    slow.send('GET /version HTTP/1.1\r\n');
    let stop = false;
    void (async () => {
      for (let i = 0; !stop && !slow.closed() && i < 3000; i++) {
        slow.send('X');
        await sleep(50);
      }
    })();
    try {
      await until('a connection trickling its headers to be closed', () => slow.closed());
    } finally {
      stop = true;
    }
    expect(slow.text(), 'nothing is served to a request whose headers never ended').not.toContain('200 OK');
  });

  test('a watch is not cut by the header, idle or request timeouts, and still gets events long after them', async () => {
    const server = await startTestServer({ limits: { headerTimeoutMs: 200, idleTimeoutMs: 200, requestTimeoutMs: 200 } });
    servers.push(server);
    const watch = await open(server);
    watch.send(GET(server, '/api/v1/namespaces/default/configmaps?watch=true'));
    await until('the watch to start (200 OK)', () => watch.text().includes('200 OK'));
    await sleep(1500); // several times every timeout: a wrongly timed watch would be closed by now
    expect(watch.closed(), 'the watch connection is still open').toBe(false);
    await server.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default' } });
    await until('the watch to deliver the ConfigMap created after the timeouts', () => watch.text().includes('"name":"late"'));
  });

  test('past the cap, a new connection gets a 429 Status saying so; connections already open keep working', async () => {
    const server = await startTestServer({ limits: { maxConnections: 10 } });
    servers.push(server);
    const first = await Promise.all(Array.from({ length: 10 }, () => open(server)));
    for (const c of first) c.send(GET(server, '/version'));
    await until('the 10 connections under the cap to be answered', () => first.every((c) => c.text().includes('200 OK')));

    const extra = await open(server);
    extra.send(GET(server, '/api/v1/namespaces'));
    await until('the connection over the cap to be answered and closed', () => extra.closed());
    const reply = extra.text();
    expect(reply).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(reply).toMatch(/\r\nRetry-After: 1\r\n/i);
    const status = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 1 } });
    expect(status.message).toContain('at most 10');

    // The ten already open still get answers.
    const before = first[3]!.text().length;
    first[3]!.send(GET(server, '/api/v1/namespaces/default'));
    await until('a connection under the cap to keep being served', () => first[3]!.text().length > before && first[3]!.text().slice(before).includes('200 OK'));

    // Once some close, new connections are served again.
    for (const c of first.slice(0, 5)) c.socket.destroy();
    let answer = 0;
    for (const deadline = Date.now() + WAIT_MS; answer !== 200 && Date.now() < deadline; await sleep(20)) {
      answer = (await server.fetch('/version', { headers: { Connection: 'close' } })).status;
    }
    expect(answer, 'a new connection once five of the ten have closed').toBe(200);
  });

  test('far past the cap, connections are refused without a word rather than pile up, and the log says both', async () => {
    let logged = '';
    const logger = createLogger(new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) }), 'test', 'warn');
    const server = await startTestServer({ logger, limits: { maxConnections: 5, maxOpenConnections: 40 } });
    servers.push(server);
    const held = await Promise.all(Array.from({ length: 40 }, () => open(server)));
    await sleep(100);
    expect(
      held.filter((c) => c.closed()),
      'connections up to the hard limit stay open (past the cap, until they get their 429)',
    ).toHaveLength(0);
    // Refused: the TLS handshake fails (the socket is closed at once), or it is closed unanswered.
    const refused = await open(server).catch(() => undefined);
    if (refused) {
      refused.send(GET(server, '/version'));
      await until('the connection past the hard limit to be closed', () => refused.closed());
      expect(refused.text(), 'a refused connection gets no answer').toBe('');
    }
    // Each kind of warning is throttled on its own: the 429 warning just before must not hide the refusal.
    await until('the refusal to be logged', () => logged.includes('"refusing connections: 40 are open'));
    expect(logged).toContain('"answering 429 to new connections: 6 are open, the limit is 5"');
  });
});

describe('request limits', { timeout: TEST_MS }, () => {
  test("more reading requests in flight than the limit get upstream's 429 with Retry-After; watches do not count", async () => {
    const { impl, release, held } = await hangingImpl();
    const server = await startTestServer({ impl, limits: { maxRequestsInFlight: 2, maxMutatingRequestsInFlight: 1, requestTimeoutMs: 60_000 } });
    servers.push(server);
    await server.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hang' } });
    const watches = await Promise.all(Array.from({ length: 3 }, () => open(server)));
    for (const w of watches) w.send(GET(server, '/api/v1/namespaces/default/configmaps?watch=1'));
    await until('three watches to start', () => watches.every((w) => w.text().includes('200 OK')));

    const hung = await Promise.all([open(server), open(server)]);
    for (const c of hung) c.send(GET(server, '/api/v1/namespaces/hang/configmaps/x'));
    await until('the two GETs to be held in the registry', () => held() === 2);
    const third = await server.fetch('/api/v1/namespaces/default/configmaps');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.text()).toBe('Too many requests, please try again later.\n');

    // Mutating requests have their own limit: one hung create, then the next create is refused.
    const create = (name: string, namespace: string) =>
      server.fetch(`/api/v1/namespaces/${namespace}/configmaps`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }),
      });
    const hungCreate = create('held', 'hang');
    await until('the create to be held in the registry', () => held() === 3);
    expect((await create('refused', 'default')).status).toBe(429);

    release();
    await until('the held requests to be answered once released', () => hung.every((c) => c.text().includes('200 OK') || c.text().includes('404')));
    expect((await hungCreate).status).toBe(201);
    expect((await create('after', 'default')).status, 'with nothing in flight, writes pass again').toBe(201);
    expect((await server.fetch('/api/v1/namespaces/default/configmaps')).status).toBe(200);
  });

  test("a request that takes longer than the request timeout gets upstream's 504 Timeout Status, and the late answer is dropped", async () => {
    const { impl, release } = await hangingImpl();
    const server = await startTestServer({ impl, limits: { requestTimeoutMs: 300 } });
    servers.push(server);
    await server.client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hang' } });
    const reply = await server.fetch('/api/v1/namespaces/hang/configmaps/x');
    expect(reply.status).toBe(504);
    expect(await reply.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Timeout: request did not complete within the allotted timeout',
      reason: 'Timeout',
      details: {},
      code: 504,
    });
    release();
    await sleep(100); // the handler finishes now and writes to a response already answered
    expect((await server.fetch('/api/v1/namespaces/default')).status, 'the server is fine afterwards').toBe(200);
  });
});

describe('watches whose client is gone', { timeout: TEST_MS }, () => {
  test('a watch whose client left while it waited to start is removed from the open watches', async () => {
    const { impl, selectorsParsed, seen } = await hangingImpl();
    const server = await startTestServer({ impl });
    servers.push(server);
    const resume = server.api.pauseWatches();
    const watch = await open(server);
    watch.send(GET(server, '/api/v1/namespaces/default/configmaps?watch=true'));
    await until('the server to hold the watch request at the pause', () => seen.some((url) => url.includes('watch=true')));
    watch.socket.destroy();
    await until('the client socket to close', () => watch.closed());
    resume();
    await until('the held watch to go on after the resume (its selectors parsed)', () => selectorsParsed() === 1);
    await sleep(50); // the rest of its set-up: no I/O, done within this pause
    expect(server.api.openWatches(), 'open watches left behind by a client that is gone').toBe(0);
  });

  test('a watch whose client goes away mid-stream is removed from the open watches', async () => {
    const server = await startTestServer();
    servers.push(server);
    const watches = await Promise.all(Array.from({ length: 20 }, () => open(server)));
    for (const w of watches) w.send(GET(server, '/api/v1/namespaces/default/configmaps?watch=true'));
    await until('20 watches to start', () => watches.every((w) => w.text().includes('200 OK')));
    await until('the server to have the 20 watches open', () => server.api.openWatches() === 20);
    for (const w of watches.slice(0, 10)) w.socket.destroy();
    for (const w of watches.slice(10, 15)) w.socket.end(); // half-closed: the client will read no more
    await until('the watches of the 15 clients gone to end', () => server.api.openWatches() <= 5);
    await sleep(100);
    expect(server.api.openWatches(), 'only the five watches whose clients are still there stay open').toBe(5);
  });
});

describe.skipIf(!HAS_KUBECTL)(`the real kubectl with short limits ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, { timeout: TEST_MS }, () => {
  test('kubectl get -w outlives the idle, header and request timeouts and still prints what changes', async () => {
    const server = await startTestServer({ limits: { headerTimeoutMs: 300, idleTimeoutMs: 300, requestTimeoutMs: 300 } });
    servers.push(server);
    const kubectl = kubectlFor(server.access);
    try {
      await server.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first', namespace: 'default' } });
      const watch = kubectl.start(['get', 'configmaps', '-w']);
      await watch.waitFor('first', WAIT_MS);
      await sleep(2000); // well past every timeout: kubectl's watch must still be open
      expect(watch.child.exitCode, `kubectl get -w is still running; it printed:\n${watch.output()}`).toBeNull();
      await server.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second', namespace: 'default' } });
      await watch.waitFor('second', WAIT_MS);
      // Ordinary requests on connections that idled out in between still work.
      expect((await kubectl.run(['get', 'configmap', 'second', '-o', 'name'])).stdout).toBe('configmap/second\n');
    } finally {
      kubectl.cleanup();
    }
  });
});

test('by default, connections past the cap get a 429 until only APISERVER_RESERVED_FDS file descriptors are left', () => {
  const limits = new ConnectionLimits();
  const fds = openFileLimit();
  expect(limits.maxConnections).toBe(Math.min(APISERVER_MAX_CONNECTIONS, limits.maxOpenConnections));
  expect(limits.maxOpenConnections).toBe(fds === undefined ? 2 * APISERVER_MAX_CONNECTIONS : fds - APISERVER_RESERVED_FDS);
});

test("long-running requests are told apart from the URL alone, as kube-apiserver's LongRunningFunc does", () => {
  const cases: [string, string, boolean][] = [
    ['GET', '/api/v1/namespaces/default/pods?watch=true', true],
    ['GET', '/api/v1/pods?watch=1&resourceVersion=5', true],
    ['GET', '/apis/apps/v1/deployments?watch=True', true],
    ['GET', '/api/v1/watch/namespaces/default/pods', true],
    ['GET', '/api/v1/namespaces/default/pods/web/log?follow=true', true],
    ['POST', '/api/v1/namespaces/default/pods/web/exec?command=ls', true],
    ['GET', '/api/v1/namespaces/default/pods/web/attach', true],
    ['POST', '/api/v1/namespaces/default/pods/web/portforward', true],
    ['GET', '/api/v1/nodes/node-1/proxy/metrics', true],
    ['GET', '/api/v1/namespaces/default/pods?watch=false', false],
    ['GET', '/api/v1/namespaces/default/pods', false],
    ['GET', '/api/v1/namespaces/default/configmaps/log', false],
    ['GET', '/api/v1/namespaces/exec', false],
    ['GET', '/api/v1/nodes/log', false],
    ['PUT', '/api/v1/namespaces/default/pods/web/status', false],
    ['POST', '/api/v1/namespaces/default/pods?watch=true', false],
    ['GET', '/version', false],
    ['GET', '/readyz', false],
  ];
  for (const [method, url, longRunning] of cases) expect(isLongRunning(method, url), `${method} ${url}`).toBe(longRunning);
});
