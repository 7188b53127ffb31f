/**
 * `kubectl attach` and `kubectl run -i` against the kubelet agent on a real ProcessRuntime, with
 * the real kubectl: a container started with `stdin: true` has an open stdin pipe the attach
 * writes to; with stdinOnce the first attach's end closes it (kubectl run -i --rm ... -- sh -c
 * 'read x; ...'); without it the session ends with the client's input and the pipe stays open for
 * the next; a container without stdin drops the input and still streams its output; a container
 * with `tty: true` runs on a pseudo-terminal (echo, \r\n, stderr on the one stream) whose size the
 * client's resize messages set.
 *
 * Upstream behaviour read from: containerd internal/cri/io/container_io.go Attach (stdin only
 * when the container has one; StdinOnce && !Tty closes the container's stdin, else the output
 * streams are removed; no stderr stream with a tty), pkg/kubelet/kubelet_pods.go GetAttach (the tty
 * is the container spec's), kubectl pkg/cmd/attach/attach.go ("error: Unable to use a TTY -
 * container %s did not allocate one") and pkg/cmd/run/run.go (stdin, stdinOnce from -i and
 * --leave-stdin-open; --rm deletes the pod once the attach ends).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { describe, expect, test } from 'vitest';
import type { Pod } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, type Kubectl } from './apiserver-harness.ts';
import { onCleanup, waitFor } from './cri-harness.ts';
import { createBoundPod, firstContainer, startKubeletCluster, waitForPod, type KubeletTestCluster } from './kubelet-harness.ts';

const LONG = { timeout: 120_000 };
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

/** kubectl with a stdin the test writes to when it wants, and its output as it comes. */
function interactive(kubectl: Kubectl, args: string[]) {
  const child = spawn('kubectl', ['--cache-dir', `${kubectl.dir}/cache`, ...args], {
    env: { ...process.env, KUBECONFIG: kubectl.kubeconfig, HOME: kubectl.dir, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onCleanup(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStdout: (text: string) => waitFor(`kubectl ${args.join(' ')} to print ${JSON.stringify(text)} (it printed ${JSON.stringify(stdout + stderr)})`, () => stdout.includes(text)),
  };
}

async function withKubectl(): Promise<{ c: KubeletTestCluster; kubectl: Kubectl }> {
  const c = await startKubeletCluster();
  const kubectl = kubectlFor(c.server.access);
  onCleanup(() => kubectl.cleanup());
  return { c, kubectl };
}

const running = (c: KubeletTestCluster, name: string) => waitForPod(c, name, 'to be Running', (p) => firstContainer(p)?.state?.running !== undefined);

describe.skipIf(!HAS_KUBECTL)(`kubectl attach and run -i ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}to the kubelet`, () => {
  test("kubectl run -i --rm --restart=Never: the shell reads what kubectl sends, the pod's exit code is kubectl's, and the pod is deleted", LONG, async () => {
    const { c, kubectl } = await withKubectl();
    // No scheduler here: the override binds the pod to the kubelet's node, as the scheduler would.
    const overrides = JSON.stringify({ spec: { nodeName: c.nodeName } });
    const run = await kubectl.run(['run', '-i', '--rm', '--restart=Never', 't', '--image=busybox', `--overrides=${overrides}`, '--', 'sh', '-c', 'read x; echo got $x; exit 4'], 'hello\n');
    expect(run.stdout, run.output).toContain('got hello\n');
    // run.go: with --restart=Never the container's exit code is kubectl's, after --rm deleted the pod.
    expect(run.code, run.output).toBe(4);
    expect(run.stdout).toContain('pod "t" deleted\n');
    // kubectl's own lines: attach.go's prompt hint, and run.go's report of how the pod ended.
    expect(run.stderr).toContain('pod default/t terminated (Error)');
    await waitFor('pod t to be gone', async () => {
      const get = await kubectl.run(['get', 'pod', 't']);
      return get.code !== 0 && get.stderr.includes('pods "t" not found');
    });
  });

  test('stdinOnce: the first attach ends the input (the shell sees end-of-file) and the output goes on until the container ends', LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'once' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image: 'busybox', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "in: $l"; done; echo "stdin ended"; sleep 1; echo bye'] }],
      },
    });
    await running(c, 'once');
    const attach = await kubectl.run(['attach', '-i', 'once'], 'a\nb\n');
    expect(attach.code, attach.output).toBe(0);
    expect(attach.stdout).toBe('in: a\nin: b\nstdin ended\nbye\n');
    const done = await waitForPod(c, 'once', 'to succeed', (p) => p.status?.phase === 'Succeeded');
    expect(firstContainer(done)?.state?.terminated?.exitCode).toBe(0);
  });

  test('without stdinOnce: a session ends with its input, the container keeps its stdin open and the next attach writes to it', LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'repl' },
      spec: { containers: [{ name: 'main', image: 'busybox', stdin: true, command: ['sh', '-c', 'while read l; do echo "in: $l"; done; echo EOF-SEEN; sleep 3600'] }] },
    });
    await running(c, 'repl');
    for (const word of ['first', 'second']) {
      const attach = interactive(kubectl, ['attach', '-i', 'repl']);
      // kubectl holds the input until its session is open; the end waits until the answer came back.
      attach.child.stdin.write(`${word}\n`);
      await attach.waitForStdout(`in: ${word}\n`);
      attach.child.stdin.end();
      expect(await attach.exited, attach.stderr()).toBe(0);
      expect(attach.stdout()).not.toContain('EOF-SEEN');
    }
    const pod = await c.server.client.get<Pod>('pods', 'repl', { namespace: 'default' });
    expect(firstContainer(pod)?.state?.running, 'the container still runs: its stdin was not closed').toBeDefined();
    const logs = await kubectl.run(['logs', 'repl']);
    expect(logs.stdout).toBe('in: first\nin: second\n');
  });

  test("a container without stdin: the attach's input is dropped (as containerd does) and its output still streams until it ends", LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'deaf' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'while [ ! -f stop ]; do echo waiting; sleep 0.2; done; read x; echo "read: [$x]"'] }] },
    });
    await running(c, 'deaf');
    const attach = interactive(kubectl, ['attach', '-i', 'deaf']);
    attach.child.stdin.write('secret\n');
    // The container's output reaching kubectl says the stream is open: only then may the container
    // go on, or it may print and end before the attach is there to see it (a full run under load
    // did just that).
    await attach.waitForStdout('waiting\n');
    expect((await kubectl.run(['exec', 'deaf', '--', 'touch', 'stop'])).code).toBe(0);
    await attach.waitForStdout('read: []\n');
    expect(await attach.exited, attach.stderr()).toBe(0);
  });

  test('kubectl attach -t to a container without a tty: kubectl\'s own "Unable to use a TTY" line, then the attach goes on without one', LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'plain' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', stdin: true, stdinOnce: true, command: ['sh', '-c', 'read x; echo "got $x"'] }] },
    });
    await running(c, 'plain');
    const attach = await kubectl.run(['attach', '-it', 'plain'], 'hi\n');
    expect(attach.stderr).toContain('error: Unable to use a TTY - container main did not allocate one');
    expect(attach.stdout).toContain('got hi\n');
  });

  test('a container with tty: true runs on a pseudo-terminal: input is echoed, lines end in \\r\\n, stderr comes on the one output stream', LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'term' },
      spec: { containers: [{ name: 'main', image: 'busybox', stdin: true, tty: true, command: ['sh', '-c', 'while read x; do tty; echo "out $x"; echo "err $x" >&2; done; sleep 3600'] }] },
    });
    await running(c, 'term');
    const attach = interactive(kubectl, ['attach', '-i', 'term']);
    attach.child.stdin.write('x\n');
    await attach.waitForStdout('err x\r\n');
    // The terminal's echo of the input, then the command's lines, all on stdout as a terminal gives them.
    expect(attach.stdout()).toMatch(/^x\r\n\/dev\/pts\/\d+\r\nout x\r\nerr x\r\n$/);
    expect(attach.stderr()).not.toContain('err x');
    attach.child.stdin.end();
    await attach.exited;
  });

  test("a resize message (channel 4) sets the size of the container's terminal", LONG, async () => {
    const { c } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'sized' },
      spec: { containers: [{ name: 'main', image: 'busybox', stdin: true, tty: true, command: ['sh', '-c', 'while read x; do stty size; done'] }] },
    });
    await running(c, 'sized');
    // kubectl sends resizes only from a real terminal; this client speaks the protocol itself.
    const ws = new WebSocket(`${c.server.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/sized/attach?container=main&stdin=true&stdout=true&tty=true`, ['v5.channel.k8s.io'], {
      ca: c.ca,
      headers: { Authorization: `Bearer ${c.server.token}` },
    });
    onCleanup(() => ws.terminate());
    let output = '';
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) output += data.subarray(1).toString('utf8');
    });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const send = (channel: number, text: string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text)]));
    send(4, JSON.stringify({ Width: 100, Height: 30 }));
    await waitFor('the terminal to take the size 30 x 100', async () => {
      send(0, '\n');
      await new Promise((r) => setTimeout(r, 200));
      return output.includes('30 100\r\n');
    });
    send(4, JSON.stringify({ Width: -1, Height: 'lots' }));
    send(4, '{not json');
    send(4, JSON.stringify({ Width: 80, Height: 24 }));
    await waitFor('the terminal to take the size 24 x 80 (the malformed resizes in between are ignored)', async () => {
      send(0, '\n');
      await new Promise((r) => setTimeout(r, 200));
      return output.includes('24 80\r\n');
    });
  });

  test.skipIf(!HAS_TMUX)(
    `${HAS_TMUX ? '' : '(skipped: tmux is not installed) '}as a person types it, in a terminal (tmux): kubectl run -it --rm -- sh gives a prompt on a terminal of the window's size, and exit deletes the pod`,
    LONG,
    async () => {
      const { c, kubectl } = await withKubectl();
      const socket = `kubelings-attach-${process.pid}`;
      const env = { ...process.env, KUBECONFIG: kubectl.kubeconfig, HOME: kubectl.dir, NO_COLOR: '1' };
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env });
      onCleanup(() => void spawnSync('tmux', ['-L', socket, 'kill-server']));
      const overrides = JSON.stringify({ spec: { nodeName: c.nodeName } });
      const run = `kubectl --cache-dir '${kubectl.dir}/cache' run -it --rm --restart=Never t --image=busybox --overrides='${overrides}' -- sh`;
      tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '30', `${run}; echo "kubectl exited $?"; sleep 600`);
      const screen = () => tmux('capture-pane', '-p', '-t', 'run');
      // As upstream: the prompt was written before the attach (no history), so kubectl says to press enter.
      await waitFor('kubectl to attach', () => screen().includes("If you don't see a command prompt, try pressing enter."));
      tmux('send-keys', '-t', 'run', 'Enter');
      await waitFor('the shell to prompt in the pane', () => /^# ?$/m.test(screen())).catch((error: Error) => {
        throw new Error(`${error.message}; the pane shows:\n${screen()}`);
      });
      // tmux's window is 100 x 30: kubectl sends that size (channel 4) at the start and the pod's
      // terminal takes it (asynchronously: the line is typed again until the answer shows it).
      await waitFor('the command to answer in the pane with the size', async () => {
        tmux('send-keys', '-t', 'run', 'echo "on $(tty) size $(stty size)"', 'Enter');
        await new Promise((r) => setTimeout(r, 300));
        return /on \/dev\/pts\/\d+ size 30 100/.test(screen());
      }).catch((error: Error) => {
        throw new Error(`${error.message}; the pane shows:\n${screen()}`);
      });
      tmux('send-keys', '-t', 'run', 'exit', 'Enter');
      await waitFor(`kubectl to delete the pod and end (the pane shows:\n${screen()})`, () => screen().includes('kubectl exited 0'));
      expect(screen()).toContain('pod "t" deleted');
    },
  );

  test.skipIf(!HAS_TMUX)(`${HAS_TMUX ? '' : '(skipped: tmux is not installed) '}kubectl exec -it in a terminal (tmux): the command runs on a pseudo-terminal of the window's size`, LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, { metadata: { name: 'box' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] } });
    await running(c, 'box');
    const socket = `kubelings-exec-${process.pid}`;
    const env = { ...process.env, KUBECONFIG: kubectl.kubeconfig, HOME: kubectl.dir, NO_COLOR: '1' };
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env });
    onCleanup(() => void spawnSync('tmux', ['-L', socket, 'kill-server']));
    const exec = `kubectl --cache-dir '${kubectl.dir}/cache' exec -it box -- sh -c 'while read x; do echo "$x on $(tty) size $(stty size)"; done'`;
    tmux('new-session', '-d', '-s', 'exec', '-x', '90', '-y', '25', `${exec}; echo "kubectl exited $?"; sleep 600`);
    const screen = () => tmux('capture-pane', '-p', '-t', 'exec');
    // The size arrives with the session's first resize and is set asynchronously: a line is typed
    // again until the answer shows it; then Ctrl-D, typed on the terminal, ends the loop.
    await waitFor('the command to answer in the pane with the size', async () => {
      tmux('send-keys', '-t', 'exec', 'typed', 'Enter');
      await new Promise((r) => setTimeout(r, 300));
      return /typed on \/dev\/pts\/\d+ size 25 90/.test(screen());
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the pane shows:\n${screen()}`);
    });
    tmux('send-keys', '-t', 'exec', 'C-d');
    await waitFor('kubectl to end with the command', () => screen().includes('kubectl exited 0'));
  });

  test('20 MB through attach into a container that reads slowly arrive whole (the writes wait for the pipe to drain)', LONG, async () => {
    const { c, kubectl } = await withKubectl();
    await createBoundPod(c, {
      metadata: { name: 'sink' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', stdin: true, stdinOnce: true, command: ['sh', '-c', 'sleep 1; wc -c'] }] },
    });
    await running(c, 'sink');
    const attach = await kubectl.run(['attach', '-i', 'sink'], 'x'.repeat(20 * 1024 * 1024));
    expect(attach.code, attach.stderr).toBe(0);
    expect(attach.stdout.trim()).toBe(String(20 * 1024 * 1024));
  });
});
