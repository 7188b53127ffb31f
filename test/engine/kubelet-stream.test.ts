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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createCa, createServingCert } from '#engine/apiserver/pki.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';
import { startFakeKubelet, type FakeKubelet } from './kubelet-stream-harness.ts';

const ca = createCa();
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
  server = await startTestServer({ tls: { cert: serving.cert, key: serving.key, ca: ca.cert } });
  kubelet = await startFakeKubelet(server.api, server.client, ca, { maxSessions: 16, idleTimeoutMs: 3_000 });
  kubectl = kubectlFor(server.access);
  await kubelet.runPod({ name: 'talker', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "line $i"; echo "err $i" >&2; sleep 0.2; done'] }] });
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
    const last = Number(/line (\d+)\n(?:err \d+\n)?$/.exec(all.stdout)?.[1]);
    const follow = kubectl.start(['logs', '-f', 'talker', '--tail=1']);
    await follow.waitFor(`line ${last + 5}\n`);
    follow.child.kill();
  });

  test('logs: --previous reads the instance before a restart; without one, upstream\'s message', async () => {
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
    expect(unknown.stderr).toContain('container ghost is not valid for pod shell');
    const stopped = await kubectl.run(['exec', 'phoenix', '--', 'true']);
    expect(stopped.code).toBe(0);
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

  test('attach: streams the container\'s output from now on', async () => {
    const attach = kubectl.start(['attach', 'talker']);
    const before = (await kubectl.run(['logs', 'talker', '--tail=1'])).stdout;
    const n = Number(/(\d+)/.exec(before)?.[1]);
    await attach.waitFor(`line ${n + 3}\n`);
    expect(attach.output()).not.toContain('line 1\n');
    attach.child.kill();
  });
});

describe('hostile clients', () => {
  const wsUrl = (path: string) => `${server.url.replace('https', 'wss')}${path}`;

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

  test('the kubelet refuses a caller without the apiserver\'s kubelet-client token', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${kubelet.port}/exec/default/shell/box?command=true&stdout=true`, ['v5.channel.k8s.io'], { ca: ca.cert, headers: { Authorization: `Bearer ${server.token}` } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});

describe.skipIf(!HAS_KUBECTL)(`kubectl port-forward ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}`, () => {
  test('forwards a local port to nginx\'s port 80 (remapped where the runtime may not bind it) and to the echo server', async () => {
    await kubelet.runPod({ name: 'web', containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] });
    const forward = kubectl.start(['port-forward', 'pod/web', ':80']);
    const printed = await forward.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
    const port = Number(/127\.0\.0\.1:(\d+) -> 80/.exec(printed)![1]);
    for (let i = 0; i < 3; i++) {
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Welcome to nginx!');
    }
    forward.child.kill();
  });
});
