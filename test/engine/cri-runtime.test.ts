/**
 * The container runtime with real processes: each built-in image started, answering and stopped;
 * pod addresses that processes really listen on (two nginx pods on port 80 of two addresses);
 * container logs in the CRI format; exit codes and reasons; the stop signal, then SIGKILL after
 * the timeout; exec; stats; the non-root port remap. Every process, folder and address a test
 * makes is removed after it (cri-harness.ts), pass or fail.
 *
 * Upstream references: kubernetes/cri-api pkg/apis/runtime/v1/api.proto (the calls and their
 * contracts: StopContainer's timeout, idempotent Stop/Remove, ContainerStatus' reason "must be set
 * to OOMKilled…"), pkg/kubelet/kuberuntime/logs/logs.go (the log format), containerd's
 * StartError (exit code 128) for a process that cannot start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseLogRecord } from '#engine/cri/logs/format.ts';
import { readContainerLog } from '#engine/cri/logs/reader.ts';
import { isLive } from '#engine/cri/procfs.ts';
import { NGINX_INDEX_HTML } from '#engine/images/programs/welcome.ts';
import { containerConfig, podSandboxConfig } from '#engine/cri/pod/configs.ts';
import { http, openTestRuntime, startPod, testPod, waitFor, waitForExit, waitForHttp } from './cri-harness.ts';

const LOG_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z (stdout|stderr) [PF] /;

function logLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

describe('nginx', () => {
  test("answers upstream's welcome page on its pod IP, port 80, and stops on its stop signal (SIGQUIT) with code 0", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime({ lowPorts: 'bind' });
    const pod = await startPod(t, testPod({ image: 'nginx:1.27', ports: [{ containerPort: 80 }] }));
    const answer = await waitForHttp(pod.ip, 80);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(NGINX_INDEX_HTML);
    expect(answer.headers.server).toBe('nginx/1.27.3');
    expect(answer.headers['content-type']).toBe('text/html');
    const missing = await http('GET', pod.ip, 80, '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<center><h1>404 Not Found</h1></center>');
    expect((await http('POST', pod.ip, 80, '/', 'x')).status).toBe(405);
    expect((await http('GET', pod.ip, 80, '/../../etc/passwd')).status).not.toBe(200);

    const id = pod.containerIds[0]!;
    const { status } = await t.runtime.containerStatus({ containerId: id });
    expect(status.state).toBe('CONTAINER_RUNNING');
    expect(status.kubelings.listen).toEqual({ ip: pod.ip, containerPort: 80, port: 80 });
    expect(status.stopSignal).toBe('SIGQUIT');
    expect(status.imageRef).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(isLive(status.kubelings.pid)).toBe(true);

    await t.runtime.stopContainer({ containerId: id, timeout: 30 });
    const stopped = (await t.runtime.containerStatus({ containerId: id })).status;
    expect(stopped).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 0, reason: 'Completed' });
    expect(stopped.finishedAt).toBeGreaterThan(stopped.startedAt);
    expect(stopped.startedAt).toBeGreaterThan(stopped.createdAt);
    expect(isLive(status.kubelings.pid)).toBe(false);
    const log = logLines(stopped.logPath);
    expect(log.every((l) => LOG_LINE.test(l))).toBe(true);
    expect(log.some((l) => / stdout F \S+ - - \[.*\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/8\.5\.0" "-"$/.test(l))).toBe(true);
    expect(log.some((l) => l.includes('stderr F') && l.includes('signal 3 (SIGQUIT) received'))).toBe(true);
    await expect(http('GET', pod.ip, 80, '/')).rejects.toThrow();
  });

  test('two nginx pods listen on port 80 of two different pod addresses at once', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime({ lowPorts: 'bind' });
    const a = await startPod(t, testPod({ image: 'nginx' }));
    const b = await startPod(t, testPod({ image: 'docker.io/library/nginx:latest' }));
    expect(a.ip).not.toBe(b.ip);
    for (const pod of [a, b]) {
      expect(pod.ip.startsWith(t.podCidr.split('.').slice(0, 3).join('.'))).toBe(true);
      expect((await waitForHttp(pod.ip, 80)).body).toBe(NGINX_INDEX_HTML);
    }
    // Each answered on its own address: each container's access log holds exactly one request.
    for (const pod of [a, b]) {
      await waitFor('the access log line', async () => {
        const { status } = await t.runtime.containerStatus({ containerId: pod.containerIds[0]! });
        return logLines(status.logPath).filter((l) => l.includes('"GET / HTTP/1.1"')).length === 1;
      });
    }
  });

  test('without root (simulated: lowPorts remap), port 80 listens on 10080 and the status says so', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime({ lowPorts: 'remap' });
    const { kubelings } = await t.runtime.status();
    expect(kubelings.lowPorts).toMatchObject({ mode: 'remap', offset: 10_000 });
    const pod = await startPod(t, testPod({ image: 'nginx', ports: [{ containerPort: 80 }] }));
    expect((await waitForHttp(pod.ip, 10_080)).body).toBe(NGINX_INDEX_HTML);
    const { status } = await t.runtime.containerStatus({ containerId: pod.containerIds[0]! });
    expect(status.kubelings.listen).toEqual({ ip: pod.ip, containerPort: 80, port: 10_080 });
    await expect(http('GET', pod.ip, 80, '/')).rejects.toThrow();
    // A port above 1024 is not moved.
    const echo = await startPod(t, testPod({ image: 'kubelings/echo', ports: [{ containerPort: 8080 }] }));
    expect((await waitForHttp(echo.ip, 8080)).status).toBe(200);
  });
});

describe('the other images', () => {
  test("kubelings/echo answers with the request and its pod's name, namespace and address", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const shop = testPod({ image: 'kubelings/echo:1.0' }, { name: 'echo-one' });
    shop.metadata.namespace = 'shop';
    const pod = await startPod(t, shop);
    const answer = await waitForHttp(pod.ip, 8080, '/hello?x=1');
    const json = JSON.parse(answer.body) as { pod: { name: string; namespace: string; ip: string }; request: { method: string; path: string; query: Record<string, string> } };
    // No POD_NAMESPACE in the manifest (the downward API would set it): the runtime's own variable tells it.
    expect(json.pod).toEqual({ name: 'echo-one', namespace: 'shop', ip: pod.ip });
    expect(json.request).toMatchObject({ method: 'GET', path: '/hello', query: { x: '1' } });
  });

  test('kubelings/kv stores, lists and deletes keys in its working folder', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'kubelings/kv' }));
    await waitForHttp(pod.ip, 8080, '/healthz');
    expect((await http('PUT', pod.ip, 8080, '/keys/greeting', 'hello')).status).toBe(201);
    expect((await http('PUT', pod.ip, 8080, '/keys/greeting', 'hello again')).status).toBe(204);
    expect((await http('PUT', pod.ip, 8080, '/keys/a%2Fb', '1')).status).toBe(201);
    expect(await http('GET', pod.ip, 8080, '/keys/greeting')).toMatchObject({ status: 200, body: 'hello again' });
    expect(JSON.parse((await http('GET', pod.ip, 8080, '/keys')).body)).toEqual(['a/b', 'greeting']);
    expect((await http('DELETE', pod.ip, 8080, '/keys/greeting')).status).toBe(204);
    expect((await http('GET', pod.ip, 8080, '/keys/greeting')).status).toBe(404);
    expect((await http('PUT', pod.ip, 8080, '/keys/big', 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    const { info } = await t.runtime.containerStatus({ containerId: pod.containerIds[0]!, verbose: true });
    const workDir = (JSON.parse(info.info!) as { workDir: string }).workDir;
    expect(existsSync(join(workDir, 'data', `${Buffer.from('a/b').toString('base64url')}.value`))).toBe(true);
  });

  test('kubelings/crash exits with the code and after the time its args or env say; 0 is Completed, others Error', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const byArgs = await startPod(t, testPod({ image: 'kubelings/crash', args: ['--after=0.2', '--exit-code=3'] }));
    const byEnv = await startPod(
      t,
      testPod({
        image: 'kubelings/crash',
        env: [
          { name: 'CRASH_AFTER_SECONDS', value: '0.1' },
          { name: 'CRASH_EXIT_CODE', value: '0' },
        ],
      }),
    );
    const bad = await startPod(t, testPod({ image: 'kubelings/crash', args: ['--exit-code=lots'] }));
    const a = await waitForExit(t, byArgs.containerIds[0]!);
    expect(a).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(Number(a.finishedAt - a.startedAt) / 1e6).toBeGreaterThanOrEqual(200);
    expect(await waitForExit(t, byEnv.containerIds[0]!)).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const refused = await waitForExit(t, bad.containerIds[0]!);
    expect(refused).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(readFileSync(refused.logPath, 'utf8')).toContain('stderr F kubelings/crash: --exit-code must be a number at least 0, not "lots"');
  });

  test('busybox runs its command; stdout and stderr land in the CRI log format, a long line as P records then F', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const script = 'echo hello; echo oops >&2; head -c 40000 /dev/zero | tr "\\0" a; echo; printf "no newline"';
    const pod = await startPod(t, testPod({ image: 'busybox:1.36', command: ['sh', '-c', script] }));
    const status = await waitForExit(t, pod.containerIds[0]!);
    expect(status).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const lines = logLines(status.logPath);
    expect(lines.every((l) => LOG_LINE.test(l))).toBe(true);
    const records = lines.map((l) => parseLogRecord(Buffer.from(l)));
    const text = (stream: string) =>
      records
        .filter((r) => r.stream === stream)
        .map((r) => `${r.content.toString()}${r.partial ? '' : '\n'}`)
        .join('');
    expect(text('stdout')).toBe(`hello\n${'a'.repeat(40_000)}\nno newline\n`);
    expect(text('stderr')).toBe('oops\n');
    expect(records.filter((r) => r.partial).map((r) => r.content.length)).toEqual([16_384, 16_384]);
    expect(lines).toContainEqual(expect.stringMatching(/ stdout F hello$/));
    expect(lines).toContainEqual(expect.stringMatching(/ stdout F no newline$/));
    // What `kubectl logs` prints: each stream as written (the order between two pipes is the order read).
    const out = { stdout: '', stderr: '' };
    await readContainerLog(status.logPath, {}, (stream, bytes) => (out[stream] += bytes.toString()));
    expect(out).toEqual({ stdout: `hello\n${'a'.repeat(40_000)}\nno newline\n`, stderr: 'oops\n' });
  });

  test('busybox with no command runs sh, which exits at once with 0', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'busybox' }));
    expect(await waitForExit(t, pod.containerIds[0]!)).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  test("a command that is not on the PATH fails the start: StartError, exit code 128, runc's message", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['no-such-program-here'] }), { start: false });
    const id = pod.containerIds[0]!;
    await expect(t.runtime.startContainer({ containerId: id })).rejects.toThrow('exec: "no-such-program-here": executable file not found in $PATH');
    expect((await t.runtime.containerStatus({ containerId: id })).status).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 128, reason: 'StartError' });
  });

  test('an image other than busybox refuses a command that is not its program, pointing at busybox', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = testPod({ image: 'nginx', command: ['sh', '-c', 'echo hi'] });
    await expect(startPod(t, pod)).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('use the busybox image to run commands') });
    // nginx's own command line is fine.
    const own = await startPod(t, testPod({ image: 'nginx', command: ['nginx', '-g', 'daemon off;'], ports: [{ containerPort: 8081 }] }));
    expect((await waitForHttp(own.ip, 8081)).status).toBe(200);
  });

  test("an unknown image cannot be pulled (the kubelet's ErrImagePull) nor created, and the message lists the built-in images", async () => {
    const t = await openTestRuntime();
    await expect(t.runtime.pullImage({ image: { image: 'postgres:16' } })).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringMatching(/^failed to pull and unpack image "docker\.io\/library\/postgres:16": .*busybox, nginx, kubelings\/echo, kubelings\/crash and kubelings\/kv/),
    });
    await expect(startPod(t, testPod({ image: 'postgres:16' }))).rejects.toMatchObject({ code: 'NotFound' });
    expect(await t.runtime.pullImage({ image: { image: 'busybox@sha256:' + 'ab'.repeat(32) } })).toEqual({ imageRef: expect.stringMatching(/^sha256:/) });
  });
});

describe('stopping', () => {
  test('StopContainer sends the stop signal and waits; a process that ignores SIGTERM gets SIGKILL (137) after the timeout', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const graceful = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'trap "exit 7" TERM; echo ready; while true; do sleep 0.05; done'] }));
    const stubborn = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'trap "" TERM; echo ready; while true; do sleep 0.05; done'] }));
    for (const pod of [graceful, stubborn]) {
      await waitFor('the trap to be set', async () => {
        const { status } = await t.runtime.containerStatus({ containerId: pod.containerIds[0]! });
        return readFileSync(status.logPath, 'utf8').includes('stdout F ready');
      });
    }
    // Graceful: the TERM trap's exit code proves the signal came before any SIGKILL, well before the 60 s timeout.
    await t.runtime.stopContainer({ containerId: graceful.containerIds[0]!, timeout: 60 });
    expect((await t.runtime.containerStatus({ containerId: graceful.containerIds[0]! })).status).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 7 });

    const started = Date.now();
    await t.runtime.stopContainer({ containerId: stubborn.containerIds[0]!, timeout: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const { status } = await t.runtime.containerStatus({ containerId: stubborn.containerIds[0]! });
    expect(status).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 137, reason: 'Error' });
    // Stopping again is fine (the CRI: idempotent), and so is removing twice.
    await t.runtime.stopContainer({ containerId: stubborn.containerIds[0]!, timeout: 1 });
    await t.runtime.removeContainer({ containerId: stubborn.containerIds[0]! });
    await t.runtime.removeContainer({ containerId: stubborn.containerIds[0]! });
    await expect(t.runtime.containerStatus({ containerId: stubborn.containerIds[0]! })).rejects.toMatchObject({ code: 'NotFound' });
  });

  test("when the main process ends, the rest of its process group is killed (as when a container's PID 1 ends)", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'sleep 1000 & echo $! > bg.pid; sleep 0.2'] }));
    const status = await waitForExit(t, pod.containerIds[0]!);
    const { info } = await t.runtime.containerStatus({ containerId: status.id, verbose: true });
    const background = Number(readFileSync(join((JSON.parse(info.info!) as { workDir: string }).workDir, 'bg.pid'), 'utf8'));
    expect(background).toBeGreaterThan(0);
    await waitFor(`background process ${background} to be gone`, () => !isLive(background));
  });

  test('StopPodSandbox kills its containers and releases its address; RemovePodSandbox twice is fine', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['sleep', '1000'] }));
    const pid = (await t.runtime.containerStatus({ containerId: pod.containerIds[0]! })).status.kubelings.pid;
    const addressFile = join(t.root, 'cni', 'kubelings', pod.ip);
    expect(readFileSync(addressFile, 'utf8')).toBe(`${pod.sandboxId}\r\neth0`);
    await t.runtime.stopPodSandbox({ podSandboxId: pod.sandboxId });
    expect(isLive(pid)).toBe(false);
    expect(existsSync(addressFile)).toBe(false);
    const { status } = await t.runtime.podSandboxStatus({ podSandboxId: pod.sandboxId });
    expect(status.state).toBe('SANDBOX_NOTREADY');
    expect(status.network).toBeUndefined();
    await t.runtime.stopPodSandbox({ podSandboxId: pod.sandboxId });
    await t.runtime.removePodSandbox({ podSandboxId: pod.sandboxId });
    await t.runtime.removePodSandbox({ podSandboxId: pod.sandboxId });
    expect((await t.runtime.listContainers()).containers).toEqual([]);
    await expect(t.runtime.podSandboxStatus({ podSandboxId: pod.sandboxId })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('exec, lists, stats', () => {
  test("ExecSync runs in the container's environment and folder, returns output and exit code, and times out", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'nginx', env: [{ name: 'GREETING', value: 'hi' }] }));
    const id = pod.containerIds[0]!;
    await waitForHttp(pod.ip, 80);
    const result = await t.runtime.execSync({ containerId: id, cmd: ['sh', '-c', 'echo $GREETING $KUBELINGS_POD_IP; ls usr/share/nginx/html; echo err >&2; exit 3'] });
    expect(result.stdout.toString()).toBe(`hi ${pod.ip}\n50x.html\nindex.html\n`);
    expect(result.stderr.toString()).toBe('err\n');
    expect(result.exitCode).toBe(3);
    const started = Date.now();
    await expect(t.runtime.execSync({ containerId: id, cmd: ['sleep', '30'], timeout: 1 })).rejects.toMatchObject({ code: 'DeadlineExceeded' });
    expect(Date.now() - started).toBeLessThan(25_000);
    await expect(t.runtime.execSync({ containerId: id, cmd: ['no-such-tool'] })).rejects.toThrow('executable file not found in $PATH');
    const session = await t.runtime.exec({ containerId: id, cmd: ['cat'], stdin: true, stdout: true });
    let echoed = '';
    session.stdout!.on('data', (b: Buffer) => (echoed += b.toString()));
    session.stdin!.end('through the pipe\n');
    expect(await session.exited).toEqual({ exitCode: 0 });
    expect(echoed).toBe('through the pipe\n');
    await t.runtime.stopContainer({ containerId: id, timeout: 0 });
    await expect(t.runtime.execSync({ containerId: id, cmd: ['true'] })).rejects.toMatchObject({ code: 'FailedPrecondition' });
  });

  test('ListContainers and ListPodSandbox filter by sandbox, state and labels; stats give cpu and memory of running containers', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const a = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'while true; do :; done'] }, { name: 'spinner' }));
    const b = await startPod(t, testPod({ image: 'busybox', command: ['true'] }, { name: 'quick' }));
    await waitForExit(t, b.containerIds[0]!);
    const running = await t.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
    expect(running.containers.map((c) => c.id)).toEqual(a.containerIds);
    expect((await t.runtime.listContainers({ filter: { podSandboxId: b.sandboxId } })).containers.map((c) => c.state)).toEqual(['CONTAINER_EXITED']);
    expect((await t.runtime.listContainers({ filter: { labelSelector: { 'io.kubernetes.pod.name': 'quick' } } })).containers).toHaveLength(1);
    expect((await t.runtime.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.name': 'spinner' } } })).items.map((s) => s.id)).toEqual([a.sandboxId]);
    const first = await t.runtime.containerStats({ containerId: a.containerIds[0]! });
    expect(first.stats.cpu?.usageCoreNanoSeconds?.value).toBeGreaterThanOrEqual(0);
    expect(first.stats.memory?.workingSetBytes?.value).toBeGreaterThan(0);
    const later = await waitFor('the spinning container to use cpu', async () => {
      const { stats } = await t.runtime.containerStats({ containerId: a.containerIds[0]! });
      return (stats.cpu?.usageNanoCores?.value ?? 0) > 0 ? stats : undefined;
    });
    expect(later.cpu!.usageCoreNanoSeconds!.value).toBeGreaterThan(first.stats.cpu!.usageCoreNanoSeconds!.value);
    expect((await t.runtime.listContainerStats()).stats.map((s) => s.attributes.id)).toEqual(a.containerIds);
  });
});

describe('requests the runtime refuses', () => {
  test('malformed or out-of-order calls get the CRI error a kubelet can act on, and change nothing', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    await expect(t.runtime.runPodSandbox({ config: { metadata: { name: 'x', namespace: 'default', uid: '' } } })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(t.runtime.runPodSandbox({ config: { metadata: { name: 'x', namespace: 'default', uid: 'u' }, logDirectory: 'relative/logs' } })).rejects.toMatchObject({ code: 'InvalidArgument' });
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['sleep', '1000'] }), { start: false });
    const sandboxConfig = { metadata: pod.pod.metadata as { name: string; namespace: string; uid: string } };
    const create = (config: Record<string, unknown>) =>
      t.runtime.createContainer({ podSandboxId: pod.sandboxId, sandboxConfig, config: { metadata: { name: 'other' }, image: { image: 'busybox' }, ...config } });
    await expect(create({ logPath: '../../../etc/cron.d/x' })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('relative to the sandbox') });
    await expect(create({ envs: [{ key: 'A=B', value: '1' }] })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(create({ metadata: { name: 'main', attempt: 0 } })).rejects.toMatchObject({ code: 'AlreadyExists', message: expect.stringContaining('is reserved for') });
    await expect(t.runtime.runPodSandbox({ config: podSandboxConfig(pod.pod, { logRoot: t.logRoot }) })).rejects.toMatchObject({ code: 'AlreadyExists' });
    await expect(t.runtime.startContainer({ containerId: 'f00' })).rejects.toMatchObject({ code: 'NotFound' });
    const id = pod.containerIds[0]!;
    await t.runtime.startContainer({ containerId: id });
    await expect(t.runtime.startContainer({ containerId: id })).rejects.toMatchObject({ code: 'FailedPrecondition' });
    expect((await t.runtime.listContainers()).containers).toHaveLength(1);
    await t.runtime.stopPodSandbox({ podSandboxId: pod.sandboxId });
    await expect(create({ metadata: { name: 'late' } })).rejects.toMatchObject({ code: 'FailedPrecondition', message: expect.stringContaining('not ready') });
  });

  test("the previous instance's log stays beside the new one's (<name>/0.log, <name>/1.log), for kubectl logs --previous", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = testPod({ image: 'kubelings/crash', args: ['--after=0', '--exit-code=1'] });
    const sandboxConfig = podSandboxConfig(pod, { logRoot: t.logRoot });
    const { podSandboxId } = await t.runtime.runPodSandbox({ config: sandboxConfig });
    const paths: string[] = [];
    for (const restartCount of [0, 1]) {
      const { containerId } = await t.runtime.createContainer({ podSandboxId, sandboxConfig, config: containerConfig(pod, pod.spec.containers[0]!, { restartCount }) });
      await t.runtime.startContainer({ containerId });
      paths.push((await waitForExit(t, containerId)).logPath);
    }
    expect(paths.map((p) => p.slice(sandboxConfig.logDirectory!.length))).toEqual(['/main/0.log', '/main/1.log']);
    for (const path of paths) expect(readFileSync(path, 'utf8')).toContain('stderr F kubelings/crash: exiting with code 1');
  });
});
