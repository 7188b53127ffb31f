/**
 * The kubelet's streaming endpoints (engine/kubelet/stream) behind the apiserver's connect and log
 * subresources, driven by the real kubectl: logs (-f, --previous, --tail, --timestamps), exec
 * (output, exit codes, stdin), cp both ways (exec + tar), attach; and what a hostile client does:
 * no credentials, an unknown container, 200 idle sessions, a huge stdin.
 * Upstream behaviour read from: pkg/kubelet/server/server.go (paths, errors),
 * pkg/kubelet/kubelet_pods.go validateContainerLogStatus (log errors), GetExec ("container not
 * found"), pkg/registry/core/pod/strategy.go streamLocation (container choice, "is not valid for
 * pod"), apimachinery util/remotecommand/constants.go (channels, NonZeroExitCode/ExitCode).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { PassThrough } from 'node:stream';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pack } from 'tar-stream';
import WebSocket from 'ws';
import type { Authorizer } from '#engine/apiserver/auth.ts';
import { createCa, createServingCert } from '#engine/apiserver/pki.ts';
import { controlFrame, SYN_STREAM } from '#engine/kubelet/stream/spdy.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';
import { startFakeKubelet, type FakeKubelet } from './kubelet-stream-harness.ts';

const ca = createCa();
/** A user who may do anything but create: `get pods/exec` alone must not run a command. */
const VIEWER = { username: 'viewer', groups: ['system:authenticated'] };
const VIEWER_TOKEN = 'viewer-token-for-the-stream-tests';
const viewerMayNotCreate: Authorizer = {
  authorize: (a) => (a.user.username === 'viewer' && a.verb === 'create' ? { allowed: false } : { allowed: true }),
};
let server: TestServer;
let kubelet: FakeKubelet;
let kubectl: Kubectl;

/** Waits (generously: a loaded machine) until `check` passes; says what it waited for. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const serving = createServingCert(ca, ['127.0.0.1']);
  server = await startTestServer({ tls: { cert: serving.cert, key: serving.key, ca: ca.cert }, tokens: [{ token: VIEWER_TOKEN, user: VIEWER }], authorizer: viewerMayNotCreate });
  // The idle timeout is short enough for the idle test to wait it out, and long enough that a
  // loaded machine pausing this process (kubelet and clients alike) does not close a busy session:
  // after a pause its timer fires before the bytes that arrived meanwhile are read.
  kubelet = await startFakeKubelet(server.api, server.client, ca, { maxSessions: 16, idleTimeoutMs: 10_000 });
  kubectl = kubectlFor(server.access);
  await kubelet.runPod({
    name: 'talker',
    containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i"; echo "err $i" >&2; sleep 0.2; done'] }],
  });
  await kubelet.runPod({ name: 'shell', containers: [{ name: 'box', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] });
}, 60_000);

afterAll(async () => {
  kubectl?.cleanup();
  await kubelet?.close();
  await server?.close();
});

describe.skipIf(!HAS_KUBECTL)(`the real kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}through the apiserver to the kubelet`, () => {
  test('logs: the output so far, --tail, --timestamps; -f sees new lines as they come', async () => {
    await until('five lines of talker', async () => (await kubectl.run(['logs', 'talker'])).stdout.includes('line 5'));
    const all = await kubectl.run(['logs', 'talker']);
    expect(all.stdout.split('\n')[0]).toBe('line 1');
    expect(all.stdout).toContain('err 1\n');
    const tail = await kubectl.run(['logs', 'talker', '--tail=2']);
    expect(tail.stdout.trimEnd().split('\n')).toHaveLength(2);
    const stamped = await kubectl.run(['logs', 'talker', '--tail=1', '--timestamps']);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (line|err) \d+\n$/);
    const follow = kubectl.start(['logs', '-f', 'talker', '--tail=1']);
    const first = Number(/line (\d+)\n/.exec(await follow.waitFor(/line \d+\n/))![1]);
    await follow.waitFor(`line ${first + 5}\n`);
    expect(follow.output(), 'one line of the past (--tail=1), then only new ones').not.toContain(`line ${first - 2}\n`);
    follow.child.kill();
  }, 60_000);

  test("logs: --previous reads the instance before a restart; without one, upstream's message", async () => {
    await kubelet.runPod({ name: 'phoenix', containers: [{ name: 'bird', image: 'busybox', command: ['sh', '-c', 'echo first life; exit 3'] }] });
    const none = await kubectl.run(['logs', 'phoenix', '--previous']);
    expect(none.stderr).toContain('previous terminated container "bird" in pod "phoenix" not found');
    await until('the first instance to exit', async () => (await kubelet.current('phoenix', 'bird')).state === 'CONTAINER_EXITED');
    await kubelet.restart('phoenix', 'bird', ['sh', '-c', 'echo second life; sleep 3600']);
    await until('the second instance to print', async () => (await kubectl.run(['logs', 'phoenix'])).stdout === 'second life\n');
    const previous = await kubectl.run(['logs', 'phoenix', '--previous']);
    expect([previous.code, previous.stdout]).toEqual([0, 'first life\n']);
  });

  test('logs: an unknown container is refused by the apiserver, as upstream words it', async () => {
    const r = await kubectl.run(['logs', 'talker', '-c', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('container nope is not valid for pod talker');
  });

  test('exec: output, stderr, exit codes, stdin', async () => {
    const hi = await kubectl.run(['exec', 'shell', '--', 'sh', '-c', 'echo hi; echo oops >&2']);
    expect([hi.code, hi.stdout, hi.stderr]).toEqual([0, 'hi\n', 'oops\n']);
    const three = await kubectl.run(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
    expect([three.code, three.stderr]).toEqual([3, 'command terminated with exit code 3\n']);
    const input = await kubectl.run(['exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'shout this\n');
    expect([input.code, input.stdout]).toEqual([0, 'SHOUT THIS\ndone\n']);
    const missing = await kubectl.run(['exec', 'shell', '--', 'no-such-program']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('executable file not found in $PATH');
  });

  test('exec: an unknown container and a container that is not running, as upstream words them', async () => {
    const unknown = await kubectl.run(['exec', 'shell', '-c', 'ghost', '--', 'true']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('container ghost is not valid for pod shell');
    await kubelet.runPod({ name: 'done', containers: [{ name: 'once', image: 'busybox', command: ['true'] }] });
    await until('the container to exit', async () => (await kubelet.current('done', 'once')).state === 'CONTAINER_EXITED');
    const stopped = await kubectl.run(['exec', 'done', '--', 'true']);
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toContain('container not found ("once")');
  });

  test('exec: a user allowed to get but not to create pods/exec is refused, over WebSocket and over the SPDY fallback', async () => {
    const viewer = kubectlFor({ ...server.access, token: VIEWER_TOKEN });
    try {
      const r = await viewer.run(['exec', 'shell', '--', 'sh', '-c', 'echo should not run']);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "default"');
    } finally {
      viewer.cleanup();
    }
  });

  test('exec: 20 MB of stdin goes through whole (flow control both ways)', async () => {
    const big = 'x'.repeat(1023) + '\n';
    const input = big.repeat(20 * 1024);
    const r = await kubectl.run(['exec', '-i', 'shell', '--', 'wc', '-c'], input);
    expect([r.code, r.stdout.trim()]).toEqual([0, String(input.length)]);
  });

  test('nodes/NAME/proxy reaches the kubelet (kubectl get --raw)', async () => {
    const r = await kubectl.run(['get', '--raw', '/api/v1/nodes/stream-node/proxy/containerLogs/default/talker/main?tailLines=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^(line|err) \d+\n$/);
  });

  test('cp: a text file into the container and back (exec with tar)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelings-cp-'));
    try {
      const text = Array.from({ length: 2000 }, (_, i) => `row ${i} of a text file`).join('\n') + '\n';
      writeFileSync(join(dir, 'in.txt'), text);
      const into = await kubectl.run(['cp', join(dir, 'in.txt'), 'shell:copied.txt']);
      expect(into.code, into.stderr).toBe(0);
      const seen = await kubectl.run(['exec', 'shell', '--', 'sh', '-c', 'wc -l < copied.txt']);
      expect(seen.stdout.trim()).toBe('2000');
      const back = await kubectl.run(['cp', 'shell:copied.txt', join(dir, 'out.txt')]);
      expect(back.code, back.stderr).toBe(0);
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // kubectl 1.32 (k8s.io/kubectl pkg/cmd/cp/cp.go) runs `test -d DEST`, then `tar -xmf - -C DIR`
  // into a pod and `tar cf - SRC` out of one; the image's applets (engine/images/programs/applets.ts)
  // take absolute paths inside the container's folder, as a container's own file system.
  test("cp: absolute paths are the container's (its /tmp, never the machine's); a folder goes in whole; archives cannot climb out", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelings-cp-'));
    const name = `kubelings-cp-${process.pid}-${Date.now()}`;
    try {
      const text = 'first line\nsecond line\n';
      writeFileSync(join(dir, 'note.txt'), text);
      const into = await kubectl.run(['cp', join(dir, 'note.txt'), `shell:/tmp/${name}.txt`]);
      expect(into.code, into.output).toBe(0);
      expect(existsSync(`/tmp/${name}.txt`), "kubectl cp wrote the machine's /tmp").toBe(false);
      expect((await kubectl.run(['exec', 'shell', '--', 'cat', `tmp/${name}.txt`])).stdout, 'the file, read from the container folder').toBe(text);
      expect((await kubectl.run(['exec', 'shell', '--', 'test', '-f', `/tmp/${name}.txt`])).code, 'test -f on the copied file').toBe(0);
      expect((await kubectl.run(['exec', 'shell', '--', 'test', '-d', `/tmp/${name}.txt`])).code, 'test -d on a file').toBe(1);
      const back = await kubectl.run(['cp', `shell:/tmp/${name}.txt`, join(dir, 'back.txt')]);
      expect(back.code, back.output).toBe(0);
      expect(back.output).toContain("tar: removing leading '/' from member names");
      expect(readFileSync(join(dir, 'back.txt'), 'utf8')).toBe(text);
      // A folder into a folder that exists: kubectl's `test -d /tmp` says yes, so it lands in /tmp/<name>.
      mkdirSync(join(dir, name, 'sub'), { recursive: true });
      writeFileSync(join(dir, name, 'sub', 'deep.txt'), 'deep\n');
      const folder = await kubectl.run(['cp', join(dir, name), 'shell:/tmp/']);
      expect(folder.code, folder.output).toBe(0);
      expect((await kubectl.run(['exec', 'shell', '--', 'cat', `tmp/${name}/sub/deep.txt`])).stdout).toBe('deep\n');
      // An archive whose member climbs with ../ stays inside the container's folder.
      const archive = pack();
      archive.entry({ name: `../../../../../../tmp/${name}-escape.txt` }, 'escaped?\n');
      archive.finalize();
      const chunks: Buffer[] = [];
      for await (const chunk of archive) chunks.push(chunk as Buffer);
      const climb = await kubectl.run(['exec', '-i', 'shell', '--', 'tar', '-xmf', '-', '-C', '/'], Buffer.concat(chunks).toString('latin1'));
      expect(climb.code, climb.output).toBe(0);
      expect(existsSync(`/tmp/${name}-escape.txt`), "an archive member wrote the machine's /tmp").toBe(false);
      expect((await kubectl.run(['exec', 'shell', '--', 'cat', `tmp/${name}-escape.txt`])).stdout).toBe('escaped?\n');
      const garbage = await kubectl.run(['exec', '-i', 'shell', '--', 'tar', '-xmf', '-', '-C', '/tmp'], 'this is not a tar archive'.repeat(40));
      expect([garbage.code, garbage.stderr]).toEqual([1, expect.stringContaining('tar: Invalid tar header') as unknown]);
      const missing = await kubectl.run(['exec', 'shell', '--', 'tar', 'cf', '-', '/tmp/no-such-file']);
      expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('tar: /tmp/no-such-file: No such file or directory') as unknown]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("attach: streams the container's output from now on", async () => {
    const attach = kubectl.start(['attach', 'talker']);
    const before = (await kubectl.run(['logs', 'talker', '--tail=1'])).stdout;
    const n = Number(/(\d+)/.exec(before)?.[1]);
    await attach.waitFor(`line ${n + 3}\n`);
    expect(attach.output()).not.toContain('line 1\n');
    attach.child.kill();
  });
});

const wsUrl = (path: string) => `${server.url.replace('https', 'wss')}${path}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('hostile clients', () => {
  test('200 WebSocket exec sessions: exactly the cap are served and the rest get 429; once they go idle they are closed and their commands are gone', async () => {
    const opened: { ws: WebSocket; pid: Promise<number>; closed: Promise<void>; keepAlive: NodeJS.Timeout }[] = [];
    const statuses: number[] = [];
    await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(wsUrl('/api/v1/namespaces/default/pods/shell/exec?command=sh&command=-c&command=echo%20%24%24%3B%20exec%20cat&stdin=true&stdout=true'), ['v5.channel.k8s.io'], {
              ca: ca.cert,
              headers: { Authorization: `Bearer ${server.token}` },
            });
            ws.on('unexpected-response', (_req, res) => {
              statuses.push(res.statusCode ?? 0);
              res.resume();
              resolve();
            });
            ws.on('error', () => resolve());
            ws.on('open', () => {
              statuses.push(101);
              const pid = new Promise<number>((got) => {
                ws.once('message', (m: Buffer) => got(Number(m.subarray(1).toString().trim()) || -1));
                ws.once('close', () => got(-1));
              });
              // While the others connect, a byte of stdin now and then keeps this session from idling out.
              const keepAlive = setInterval(() => ws.readyState === ws.OPEN && ws.send(Buffer.from([0, 0x2e])), 500);
              opened.push({ ws, pid, keepAlive, closed: new Promise((done) => ws.once('close', () => done())) });
              resolve();
            });
          }),
      ),
    );
    expect(statuses.filter((s) => s === 101)).toHaveLength(16);
    expect(statuses.filter((s) => s === 429)).toHaveLength(184);
    expect(kubelet.streams.peakSessions()).toBe(16);
    const pids = await Promise.all(opened.map((o) => o.pid));
    expect(
      pids.every((pid) => pid > 0 && alive(pid)),
      'each served session runs its command',
    ).toBe(true);
    // From now on nothing is sent: the kubelet's idle timeout (10 s here) closes every session.
    for (const o of opened) clearInterval(o.keepAlive);
    await Promise.all(opened.map((o) => o.closed));
    await until("the idle sessions' commands to be gone", () => pids.every((pid) => !alive(pid)));
    expect(kubelet.streams.sessions()).toBe(0);
  }, 120_000);

  test("the upgrade itself is authorized as create: a viewer's WebSocket GET and SPDY POST are both 403", async () => {
    const viaWebSocket = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl('/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true'), ['v5.channel.k8s.io'], {
        ca: ca.cert,
        headers: { Authorization: `Bearer ${VIEWER_TOKEN}` },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(viaWebSocket).toBe(403);
    const viaSpdy = await new Promise<number>((resolve) => {
      const req = httpsRequest(`${server.url}/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true`, {
        method: 'POST',
        ca: ca.cert,
        headers: { Authorization: `Bearer ${VIEWER_TOKEN}`, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', () => resolve(-1));
      req.end();
    });
    expect(viaSpdy).toBe(403);
  });

  test('port-forward: garbage, a frame claiming 16 MB and a corrupt header block each end the session; the kubelet goes on serving', async () => {
    const attempts = [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff]),
      controlFrame(SYN_STREAM, 0, Buffer.concat([Buffer.alloc(10), Buffer.from('not zlib at all')])),
    ];
    for (const bytes of attempts) {
      // Over kubectl's SPDY fallback (a plain upgrade): the same session code as the WebSocket tunnel.
      const closed = await new Promise<boolean>((resolve, reject) => {
        const req = httpsRequest(`${server.url}/api/v1/namespaces/default/pods/shell/portforward`, {
          method: 'POST',
          ca: ca.cert,
          headers: { Authorization: `Bearer ${server.token}`, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' },
        });
        req.on('upgrade', (_res, socket) => {
          socket.on('error', () => undefined);
          socket.on('close', () => resolve(true));
          socket.write(bytes);
        });
        req.on('response', (res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
        req.end();
      });
      expect(closed).toBe(true);
    }
    await until('the sessions to be gone', () => kubelet.streams.sessions() === 0);
    const after = await kubectl.run(['exec', 'shell', '--', 'echo', 'still serving']);
    expect(after.stdout).toBe('still serving\n');
  });

  test('exec without credentials is 401; with a token the apiserver does not know, 401', async () => {
    for (const headers of [{}, { Authorization: 'Bearer not-a-token' }]) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(wsUrl('/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true'), ['v5.channel.k8s.io'], { ca: ca.cert, headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => resolve(-1));
      });
      expect(status).toBe(401);
    }
  });

  test("the kubelet refuses a caller without the apiserver's kubelet-client token", async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${kubelet.port}/exec/default/shell/box?command=true&stdout=true`, ['v5.channel.k8s.io'], {
        ca: ca.cert,
        headers: { Authorization: `Bearer ${server.token}` },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});

describe.skipIf(!HAS_KUBECTL)(`kubectl port-forward ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}`, () => {
  test("forwards a local port to nginx's port 80 (remapped where the runtime may not bind it)", async () => {
    await kubelet.runPod({ name: 'web', containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] });
    const before = kubelet.streams.served();
    const forward = kubectl.start(['port-forward', 'pod/web', ':80']);
    const printed = await forward.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
    const port = Number(/127\.0\.0\.1:(\d+) -> 80/.exec(printed)![1]);
    for (let i = 0; i < 3; i++) {
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Welcome to nginx!');
    }
    const after = kubelet.streams.served();
    expect([after.portForwardWebSocket - before.portForwardWebSocket, after.portForwardSpdy - before.portForwardSpdy], 'kubectl 1.31+ tunnels SPDY in a WebSocket, no fallback').toEqual([1, 0]);
    forward.child.kill();
  }, 60_000);

  test('a megabyte up and eight down at once through one forwarded port arrive whole (the key-value server)', async () => {
    await kubelet.runPod({ name: 'kv', containers: [{ name: 'kv', image: 'kubelings/kv', ports: [{ containerPort: 8080 }] }] });
    const forward = kubectl.start(['port-forward', 'pod/kv', ':8080']);
    const port = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(await forward.waitFor(/127\.0\.0\.1:\d+ -> 8080/))![1]);
    const value = Buffer.alloc(1024 * 1024 - 16, 'abcdefghijklmnopqrstuvwxyz0123456789\n').toString();
    const put = await fetch(`http://127.0.0.1:${port}/keys/big`, { method: 'PUT', body: value });
    expect(put.status, await put.text()).toBeLessThan(300);
    const bodies = await Promise.all(Array.from({ length: 8 }, async () => (await fetch(`http://127.0.0.1:${port}/keys/big`)).text()));
    expect(bodies.every((b) => b === value)).toBe(true);
    forward.child.kill();
  }, 60_000);

  test("the SPDY fallback (KUBECTL_PORT_FORWARD_WEBSOCKETS=false) reaches the echo server; a port nothing listens on is reported in upstream's words", async () => {
    await kubelet.runPod({ name: 'echo', containers: [{ name: 'echo', image: 'kubelings/echo', ports: [{ containerPort: 8080 }] }] });
    const before = kubelet.streams.served();
    const child = spawn('kubectl', ['--kubeconfig', kubectl.kubeconfig, 'port-forward', 'pod/echo', ':8080', ':9'], {
      env: { ...process.env, HOME: kubectl.dir, KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await until('kubectl to print its forwarded ports', () => /-> 8080[\s\S]*-> 9\n/.test(output));
      const echoPort = Number(/127\.0\.0\.1:(\d+) -> 8080/.exec(output)![1]);
      const closedPort = Number(/127\.0\.0\.1:(\d+) -> 9\n/.exec(output)![1]);
      const reply = (await (await fetch(`http://127.0.0.1:${echoPort}/hello?x=1`)).json()) as { pod?: { name?: string }; request?: { path?: string; query?: unknown } };
      expect([reply.pod?.name, reply.request?.path, reply.request?.query]).toEqual(['echo', '/hello', { x: '1' }]);
      await fetch(`http://127.0.0.1:${closedPort}/`).catch(() => undefined);
      await until('kubectl to report the refused connection', () => output.includes('error forwarding port 9 to pod echo, uid '));
      expect(output).toMatch(/connect ECONNREFUSED 127\.\d+\.\d+\.\d+:9/);
      const after = kubelet.streams.served();
      expect([after.portForwardWebSocket - before.portForwardWebSocket, after.portForwardSpdy - before.portForwardSpdy]).toEqual([0, 1]);
    } finally {
      child.kill();
    }
  }, 60_000);
});

describe('@kubernetes/client-node Exec', () => {
  test('runs a command over v5.channel.k8s.io and reports its exit status', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubectl.kubeconfig);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const status = await new Promise<V1Status>((resolve) => {
      void new Exec(kc).exec('default', 'shell', 'box', ['sh', '-c', 'echo from client-node; echo to stderr >&2; exit 4'], stdout, stderr, null, false, resolve);
    });
    expect([out, err]).toEqual(['from client-node\n', 'to stderr\n']);
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '4' }] } });
  });
});
