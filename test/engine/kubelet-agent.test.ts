/**
 * The kubelet agent against an in-process apiserver (TLS, bearer tokens) and a real ProcessRuntime:
 * it registers its Node and renews its Lease; its HTTPS API authenticates and authorizes as
 * upstream's (401 without a known token, 403 for a user without nodes/proxy); a pod bound to it
 * becomes Running with a real process whose port answers; a killed container restarts; a crashing
 * one reaches CrashLoopBackOff; a deleted pod gets SIGTERM and is removed; an unknown image shows
 * ErrImagePull then ImagePullBackOff; a pod that does not fit is rejected; stop() leaves no process.
 * kubectl reads READY, STATUS and RESTARTS as the kubelet wrote them.
 *
 * Upstream references: pkg/kubelet/kubelet_node_status.go (registration, nodeInfo, addresses,
 * daemonEndpoints), pkg/kubelet/nodelease (Lease in kube-node-lease owned by the Node),
 * pkg/kubelet/server/auth.go (`Forbidden (user=..., verb=..., resource=nodes, subresource=...)`),
 * k8s.io/kubelet/pkg/apis/stats/v1alpha1 (Summary), pkg/kubelet/images/image_manager.go
 * (ErrImagePull, ImagePullBackOff `Back-off pulling image "x"`), pkg/kubelet/status/status_manager.go
 * (the final DELETE with grace 0 and the uid precondition).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { availableParallelism, totalmem } from 'node:os';
import { describe, expect, test } from 'vitest';
import type { Lease, Node, Pod } from '#engine/kube/types.ts';
import type { ApiContainerStatus } from '#engine/kubelet/exercises.ts';
import { isLive } from '#engine/cri/procfs.ts';
import { NGINX_INDEX_HTML } from '#engine/images/programs/welcome.ts';
import { cidrContains, parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { HAS_KUBECTL, kubectlFor, rows } from './apiserver-harness.ts';
import { onCleanup, waitFor, waitForHttp } from './cri-harness.ts';
import { scratchDir } from '../support/scratch.ts';
import { createBoundPod, firstContainer, startKubeletCluster, waitForPod, type KubeletTestCluster } from './kubelet-harness.ts';

const LONG = { timeout: 120_000 };

/** A GET to the kubelet's API with `token` (none: anonymous), trusting the cluster CA. */
function kubeletGet(c: KubeletTestCluster, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: c.kubelet.address, port: c.kubelet.server.port, path, method: 'GET', ca: c.ca, servername: '', headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The pid of the pod's running container, from the runtime. */
async function containerPid(c: KubeletTestCluster, pod: Pod): Promise<number> {
  const id = (firstContainer(pod) as ApiContainerStatus).containerID!.replace(/^kubelings:\/\//, '');
  return (await c.kubelet.runtime.containerStatus({ containerId: id })).status.kubelings.pid;
}

describe('node registration', () => {
  test("the kubelet registers its Node with the machine's capacity, its address and port, and keeps a Lease in kube-node-lease", LONG, async () => {
    const c = await startKubeletCluster();
    const node = await c.server.client.get<Node>('nodes', c.nodeName);
    expect(node.status?.capacity?.cpu).toBe(String(availableParallelism()));
    expect(node.status?.capacity?.memory).toBe(`${Math.floor(totalmem() / 1024)}Ki`);
    expect(node.status?.capacity?.pods).toBe('110');
    expect(node.status?.allocatable?.cpu).toBeDefined();
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: c.kubelet.address },
      { type: 'Hostname', address: c.nodeName },
    ]);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(c.kubelet.server.port);
    expect(node.spec?.podCIDR).toBe(c.podCidr);
    expect(node.metadata.labels?.['kubernetes.io/hostname']).toBe(c.nodeName);
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^kubelings:\/\//);
    expect(node.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');

    const lease = await c.server.client.get<Lease>('leases', c.nodeName, { namespace: 'kube-node-lease' });
    expect(lease.spec?.holderIdentity).toBe(c.nodeName);
    expect(lease.spec?.leaseDurationSeconds).toBe(4);
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: c.nodeName, uid: node.metadata.uid });
    const first = lease.spec!.renewTime!;
    await waitFor('the lease to be renewed (every leaseDuration / 4 = 1 s here)', async () => {
      const again = await c.server.client.get<Lease>('leases', c.nodeName, { namespace: 'kube-node-lease' });
      return again.spec!.renewTime! > first;
    });
  });
});

describe("the kubelet's HTTPS API", () => {
  test("requires a known bearer token (401), refuses users without nodes/proxy (403), and serves /healthz, /pods, /spec to the admin and the apiserver's kubelet-client credential", LONG, async () => {
    const c = await startKubeletCluster();
    const anonymous = await kubeletGet(c, '/healthz');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toBe('Unauthorized');
    expect((await kubeletGet(c, '/pods', 'not-a-token')).status).toBe(401);
    const stranger = await kubeletGet(c, '/pods', c.tokens.stranger);
    expect(stranger.status).toBe(403);
    expect(stranger.body).toBe('Forbidden (user=system:serviceaccount:default:default, verb=get, resource=nodes, subresource=proxy)');
    expect((await kubeletGet(c, '/stats/summary', c.tokens.stranger)).body).toContain('subresource=stats');

    const health = await kubeletGet(c, '/healthz', c.tokens.admin);
    expect(health).toEqual({ status: 200, body: 'ok' });
    const pods = await kubeletGet(c, '/pods', c.tokens.kubeletClient);
    expect(pods.status).toBe(200);
    expect(JSON.parse(pods.body)).toMatchObject({ kind: 'PodList', apiVersion: 'v1', items: [] });
    const spec = JSON.parse((await kubeletGet(c, '/spec', c.tokens.admin)).body) as { num_cores: number; memory_capacity: number };
    expect(spec.num_cores).toBe(availableParallelism());
    expect(spec.memory_capacity).toBe(totalmem());
    expect((await kubeletGet(c, '/nothing', c.tokens.admin)).status).toBe(404);
    // The serving certificate is the cluster CA's, for the node's address (kubeletGet checked it against the CA).
    const mounted = await new Promise<string>((resolve, reject) => {
      c.kubelet.server.mount('/extra', (_req, res, ctx) => void res.end(`${ctx.user.username} ${ctx.rest}`));
      kubeletGet(c, '/extra/a/b', c.tokens.kubeletClient).then((r) => resolve(r.body), reject);
    });
    expect(mounted).toBe('kube-apiserver-kubelet-client /a/b');
    expect((await kubeletGet(c, '/extraX', c.tokens.admin)).status).toBe(404);
    expect(new X509Certificate(c.ca).subject).toContain('CN=');
  });
});

describe('pods', () => {
  test('a pod bound to the node becomes Running and Ready with a pod IP whose port answers (nginx), and /stats/summary reports its container', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'web' }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }] }] } });
    const pod = await waitForPod(c, 'web', 'to be Running and Ready', (p) => p.status?.phase === 'Running' && p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True');
    const ip = pod.status!.podIP!;
    expect(cidrContains(parseCidr(c.podCidr), parseIPv4(ip))).toBe(true);
    expect(pod.status?.hostIP).toBe(c.kubelet.address);
    expect(firstContainer(pod)).toMatchObject({ name: 'nginx', ready: true, restartCount: 0, started: true });
    expect(firstContainer(pod)?.state?.running?.startedAt).toBeDefined();
    // Running means started, not listening yet (no readiness probe here): wait for the port.
    const page = await waitForHttp(ip, 8080);
    expect(page.status).toBe(200);
    expect(page.body).toBe(NGINX_INDEX_HTML);
    expect(isLive(await containerPid(c, pod))).toBe(true);

    const listed = JSON.parse((await kubeletGet(c, '/pods', c.tokens.admin)).body) as { items: Pod[] };
    expect(listed.items.map((p) => p.metadata.name)).toEqual(['web']);
    const summary = await waitFor("a summary with the pod's cpu and memory", async () => {
      const s = JSON.parse((await kubeletGet(c, '/stats/summary', c.tokens.admin)).body) as {
        node: { nodeName: string };
        pods: { podRef: { name: string; uid: string }; containers: { name: string; cpu?: { usageCoreNanoSeconds?: number; usageNanoCores?: number }; memory?: { workingSetBytes?: number } }[] }[];
      };
      const entry = s.pods.find((p) => p.podRef.name === 'web');
      return entry?.containers[0]?.cpu?.usageNanoCores !== undefined ? { s, entry } : undefined;
    });
    expect(summary.s.node.nodeName).toBe(c.nodeName);
    expect(summary.entry.podRef.uid).toBe(pod.metadata.uid);
    expect(summary.entry.containers[0]!.name).toBe('nginx');
    expect(summary.entry.containers[0]!.cpu!.usageCoreNanoSeconds).toBeGreaterThan(0);
    expect(summary.entry.containers[0]!.memory!.workingSetBytes).toBeGreaterThan(0);
  });

  test("kill -9 of the container's process: the kubelet starts it again (restartCount 1) and kubectl shows RESTARTS 1", LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'echo' }, spec: { containers: [{ name: 'echo', image: 'kubelings/echo', ports: [{ containerPort: 8080 }] }] } });
    const pod = await waitForPod(c, 'echo', 'to be Running', (p) => firstContainer(p)?.state?.running !== undefined && firstContainer(p)?.ready === true);
    const pid = await containerPid(c, pod);
    process.kill(pid, 'SIGKILL');
    const restarted = await waitForPod(c, 'echo', 'to run again with restartCount 1', (p) => firstContainer(p)?.restartCount === 1 && firstContainer(p)?.state?.running !== undefined);
    expect(firstContainer(restarted)?.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    const newPid = await containerPid(c, restarted);
    expect(newPid).not.toBe(pid);
    expect(isLive(newPid)).toBe(true);
    if (!HAS_KUBECTL) return console.warn('kubectl is not installed: the kubectl part of this test is skipped');
    const kubectl = kubectlFor(c.server.access);
    onCleanup(() => kubectl.cleanup());
    await waitFor('kubectl to show the pod Ready again', async () => {
      const out = await kubectl.run(['get', 'pod', 'echo']);
      const row = rows(out.stdout)[1];
      return row && row[1] === '1/1' && row[2] === 'Running' && row[3]?.startsWith('1') ? row : undefined;
    });
  });

  test('a container that keeps crashing reaches CrashLoopBackOff, as kubectl shows it', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'crash' }, spec: { containers: [{ name: 'crash', image: 'kubelings/crash', args: ['--after=0', '--exit-code=3'] }] } });
    const pod = await waitForPod(c, 'crash', 'to wait in CrashLoopBackOff', (p) => firstContainer(p)?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(firstContainer(pod)?.state?.waiting?.message).toMatch(/^back-off \d+s restarting failed container=crash pod=crash_default\(/);
    expect(firstContainer(pod)?.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(firstContainer(pod)?.restartCount).toBeGreaterThanOrEqual(1);
    expect(pod.status?.phase).toBe('Running');
    if (!HAS_KUBECTL) return console.warn('kubectl is not installed: the kubectl part of this test is skipped');
    const kubectl = kubectlFor(c.server.access);
    onCleanup(() => kubectl.cleanup());
    const out = await waitFor('kubectl to print CrashLoopBackOff', async () => {
      const run = await kubectl.run(['get', 'pod', 'crash']);
      return run.stdout.includes('CrashLoopBackOff') ? run.stdout : undefined;
    });
    expect(rows(out)[1]?.[1]).toBe('0/1');
  });

  test('a crash-looping container is restarted when its back-off ends, not at the next poll or resync', LONG, async () => {
    // Both the back-off recheck and the resync are 10 min away: only the wake at the back-off's end
    // (1 s, then 2 s, 4 s here) can bring restart 3 within the deadline.
    const c = await startKubeletCluster({ intervals: { backoffRecheckMs: 10 * 60_000, resyncMs: 10 * 60_000, backoffInitialMs: 1_000, backoffMaxMs: 4_000 } });
    await createBoundPod(c, { metadata: { name: 'crash' }, spec: { containers: [{ name: 'crash', image: 'kubelings/crash', args: ['--after=0', '--exit-code=3'] }] } });
    const pod = await waitForPod(c, 'crash', 'to be restarted 3 times, each when its back-off ended', (p) => (firstContainer(p)?.restartCount ?? 0) >= 3);
    expect(firstContainer(pod)?.lastState?.terminated).toMatchObject({ exitCode: 3 });
  });

  test('deleting a pod: its process gets SIGTERM and is gone, and the kubelet removes the pod (DELETE with grace 0)', LONG, async () => {
    const c = await startKubeletCluster();
    // The pod's folders and logs go with it: the trap writes where the test can read afterwards.
    const dir = scratchDir('kubelings-kubelet-term-');
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const mark = join(dir, 'signal');
    const script = `trap 'echo got SIGTERM > ${mark}; exit 0' TERM; echo started; while true; do sleep 0.1; done`;
    await createBoundPod(c, { metadata: { name: 'term' }, spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }] } });
    const pod = await waitForPod(c, 'term', 'to be Running', (p) => firstContainer(p)?.state?.running !== undefined);
    const id = (firstContainer(pod) as ApiContainerStatus).containerID!.replace(/^kubelings:\/\//, '');
    const { status } = await c.kubelet.runtime.containerStatus({ containerId: id });
    // Running is reported once the process is spawned; the shell sets its trap a moment later (under
    // load, later still): a SIGTERM before that ends it without the mark. Its first line says it is set.
    await waitFor('the shell to have set its trap (its log says "started")', async () => existsSync(status.logPath) && readFileSync(status.logPath, 'utf8').includes('started'));
    await c.server.client.delete('pods', 'term', { namespace: 'default' });
    await waitFor('the pod to be removed from the apiserver', async () => {
      try {
        await c.server.client.get('pods', 'term', { namespace: 'default' });
        return false;
      } catch (error) {
        return (error as { code?: number }).code === 404;
      }
    });
    expect(isLive(status.kubelings.pid)).toBe(false);
    expect(readFileSync(mark, 'utf8')).toBe('got SIGTERM\n');
    await waitFor(
      'the runtime to hold nothing of the pod, and its logs to be removed',
      async () => (await c.kubelet.runtime.listContainers({})).containers.length === 0 && (await c.kubelet.runtime.listPodSandbox({})).items.length === 0 && !existsSync(status.logPath),
    );
  });

  test('an image that is not built in: ErrImagePull, then ImagePullBackOff, with a message naming the image', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'nope' }, spec: { containers: [{ name: 'main', image: 'example.com/no-such-image:1.0' }] } });
    const pulled = await waitForPod(c, 'nope', 'to show ErrImagePull', (p) => firstContainer(p)?.state?.waiting?.reason === 'ErrImagePull');
    expect(firstContainer(pulled)?.state?.waiting?.message).toContain('Failed to pull image "example.com/no-such-image:1.0"');
    const backoff = await waitForPod(c, 'nope', 'to show ImagePullBackOff', (p) => firstContainer(p)?.state?.waiting?.reason === 'ImagePullBackOff');
    expect(firstContainer(backoff)?.state?.waiting?.message).toBe('Back-off pulling image "example.com/no-such-image:1.0"');
    expect(backoff.status?.phase).toBe('Pending');
  });

  test('restartPolicy Never: a container that exits 0 ends the pod Succeeded, one that exits 1 Failed; neither is restarted and their sandboxes stop', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'ok' }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 0'] }] } });
    await createBoundPod(c, { metadata: { name: 'bad' }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 1'] }] } });
    const ok = await waitForPod(c, 'ok', 'to succeed', (p) => p.status?.phase === 'Succeeded');
    const bad = await waitForPod(c, 'bad', 'to fail', (p) => p.status?.phase === 'Failed');
    expect(firstContainer(ok)?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(firstContainer(bad)?.state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(firstContainer(ok)?.restartCount).toBe(0);
    await waitFor('both sandboxes to be stopped', async () => (await c.kubelet.runtime.listPodSandbox({})).items.every((s) => s.state === 'SANDBOX_NOTREADY'));
    expect((await c.kubelet.runtime.listContainers({})).containers.length).toBe(2);
  });

  // pkg/kubelet/status/generate.go GeneratePodReadyCondition; kubelet.go HandlePodReconcile with
  // status.NeedToReconcilePodReadiness: a gate set by another component is acted on at once.
  test('readiness gates: Ready waits for the gate condition another component sets, and follows it without a resync', LONG, async () => {
    const c = await startKubeletCluster({ intervals: { resyncMs: 10 * 60_000 } });
    await createBoundPod(c, {
      metadata: { name: 'gated' },
      spec: { readinessGates: [{ conditionType: 'example.com/lb' }], containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] },
    });
    const held = await waitForPod(c, 'gated', 'to run with its containers ready', (p) => p.status?.conditions?.some((x) => x.type === 'ContainersReady' && x.status === 'True') ?? false);
    expect(held.status?.conditions?.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
    });
    const setGate = async (status: 'True' | 'False') => {
      const pod = await c.server.client.get<Pod>('pods', 'gated', { namespace: 'default' });
      const others = (pod.status?.conditions ?? []).filter((x) => x.type !== 'example.com/lb');
      await c.server.client.updateStatus<Pod>('pods', { ...pod, status: { ...pod.status, conditions: [...others, { type: 'example.com/lb', status, lastTransitionTime: new Date().toISOString() }] } });
    };
    await setGate('True');
    const ready = await waitForPod(
      c,
      'gated',
      'to be Ready once its gate is True (the periodic resync is 10 min away)',
      (p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false,
    );
    expect(ready.status?.conditions?.find((x) => x.type === 'example.com/lb')?.status, "the gate condition, kept by the kubelet's status writes").toBe('True');
    await setGate('False');
    const unready = await waitForPod(c, 'gated', 'to leave Ready when its gate turns False', (p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'False') ?? false);
    expect(unready.status?.conditions?.find((x) => x.type === 'Ready')?.message).toBe('the status of pod readiness gate "example.com/lb" is not "True", but False');
  });

  // What a pod update may change in a container is its image (ValidatePodUpdate); the kubelet hashes
  // the name and image (pkg/kubelet/container/helpers.go HashContainer) and restarts a container
  // whose hash differs (kuberuntime_manager.go computePodActions, containerChanged). A toleration
  // added or activeDeadlineSeconds set changes no container: nothing restarts.
  test('a new image restarts the container; a toleration added or activeDeadlineSeconds set restarts nothing', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'web' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 8080 }] }] } });
    const first = await waitForPod(c, 'web', 'to run', (p) => Boolean(firstContainer(p)?.state?.running) && (firstContainer(p) as ApiContainerStatus).ready);
    const firstId = (firstContainer(first) as ApiContainerStatus).containerID;
    const update = async (change: (p: Pod) => void) => {
      const p = await c.server.client.get<Pod>('pods', 'web', { namespace: 'default' });
      change(p);
      await c.server.client.update<Pod>('pods', p);
    };
    await update((p) => {
      p.spec.tolerations = [...(p.spec.tolerations ?? []), { key: 'example.com/maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }];
      p.spec.activeDeadlineSeconds = 3600;
    });
    const refused = await c.server.client
      .get<Pod>('pods', 'web', { namespace: 'default' })
      .then((p) => c.server.client.update<Pod>('pods', { ...p, spec: { ...p.spec, containers: [{ ...p.spec.containers[0]!, args: ['-g', 'daemon off;'] }] } }))
      .then(
        () => 'accepted',
        (e: Error) => e.message,
      );
    expect(refused, 'a pod update changing a container other than its image').toContain('pod updates may not change fields other than `spec.containers[*].image`');
    // Two resyncs (2 s each here) later, the same container still runs.
    await new Promise((r) => setTimeout(r, 5_000));
    const same = await c.server.client.get<Pod>('pods', 'web', { namespace: 'default' });
    expect([(firstContainer(same) as ApiContainerStatus).containerID, firstContainer(same)?.restartCount], 'the container after a toleration and a deadline were added').toEqual([firstId, 0]);
    await update((p) => {
      p.spec.containers[0]!.image = 'nginx:1.27';
    });
    const next = await waitForPod(c, 'web', 'to run the new image', (p) => firstContainer(p)?.image === 'nginx:1.27' && Boolean(firstContainer(p)?.state?.running));
    const status = firstContainer(next) as ApiContainerStatus;
    expect(status.containerID, 'a new container').not.toBe(firstId);
    expect(status.restartCount, 'restartCount after the image changed').toBe(1);
    expect(status.lastState?.terminated, 'the old container, stopped by the kubelet').toBeDefined();
  });

  test('a pod that asks for more cpu than the node has is rejected at admission (Failed, OutOfcpu) and nothing runs', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'huge' }, spec: { containers: [{ name: 'main', image: 'nginx', resources: { requests: { cpu: '100000' } } }] } });
    const pod = await waitForPod(c, 'huge', 'to be rejected', (p) => p.status?.phase === 'Failed');
    expect(pod.status?.reason).toBe('OutOfcpu');
    expect(pod.status?.message).toMatch(/^Pod was rejected: /);
    expect((await c.kubelet.runtime.listContainers({})).containers).toEqual([]);
  });

  test('stop() ends every container process', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, { metadata: { name: 'a' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'while true; do sleep 1; done'] }] } });
    await createBoundPod(c, { metadata: { name: 'b' }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 8080 }] }] } });
    const pids: number[] = [];
    for (const name of ['a', 'b']) pids.push(await containerPid(c, await waitForPod(c, name, 'to be Running', (p) => firstContainer(p)?.state?.running !== undefined)));
    expect(pids.every((p) => isLive(p))).toBe(true);
    await c.kubelet.stop();
    expect(pids.filter((p) => isLive(p))).toEqual([]);
  });
});

describe('probes and grace periods', () => {
  test('a readiness probe gates Ready both ways; a liveness probe that fails restarts the container', LONG, async () => {
    const c = await startKubeletCluster();
    const dir = scratchDir('kubelings-kubelet-probe-');
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const ready = join(dir, 'ready');
    const alive = join(dir, 'alive');
    writeFileSync(alive, '');
    const loop = ['sh', '-c', 'while true; do sleep 0.2; done'];
    await createBoundPod(c, {
      metadata: { name: 'probed' },
      spec: {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: loop,
            readinessProbe: { exec: { command: ['test', '-f', ready] }, periodSeconds: 1 },
            livenessProbe: { exec: { command: ['test', '-f', alive] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    });
    const isReady = (p: Pod) => p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True';
    const running = await waitForPod(c, 'probed', 'to be Running (not Ready: no ready file yet)', (p) => firstContainer(p)?.state?.running !== undefined && firstContainer(p)?.started === true);
    expect(isReady(running)).toBe(false);
    expect(firstContainer(running)?.ready).toBe(false);
    writeFileSync(ready, '');
    await waitForPod(c, 'probed', 'to become Ready once its readiness probe passes', (p) => isReady(p) && firstContainer(p)?.ready === true);
    rmSync(ready);
    const unready = await waitForPod(c, 'probed', 'to leave Ready once its readiness probe fails', (p) => !isReady(p));
    expect(firstContainer(unready)?.restartCount).toBe(0);
    rmSync(alive);
    const restarted = await waitForPod(c, 'probed', 'to be restarted by its liveness probe', (p) => (firstContainer(p)?.restartCount ?? 0) >= 1);
    writeFileSync(alive, '');
    expect(firstContainer(restarted)?.lastState?.terminated).toBeDefined();
    const events = await c.server.client.list<{ reason: string; message: string; involvedObject: { name: string } }>('events', { namespace: 'default' });
    expect(events.items.some((e) => e.involvedObject.name === 'probed' && e.reason === 'Killing' && /liveness probe/.test(e.message))).toBe(true);
    // prober.go records each failed run as a Warning Unhealthy event ("Liveness probe failed: <output>").
    const unhealthy = events.items.filter((e) => e.involvedObject.name === 'probed' && e.reason === 'Unhealthy').map((e) => e.message);
    expect(
      unhealthy.some((m) => m.startsWith('Liveness probe failed:')),
      `Unhealthy events: ${JSON.stringify(unhealthy)}`,
    ).toBe(true);
    expect(
      unhealthy.some((m) => m.startsWith('Readiness probe failed:')),
      `Unhealthy events: ${JSON.stringify(unhealthy)}`,
    ).toBe(true);
  });

  test('a process that ignores SIGTERM is killed after terminationGracePeriodSeconds, and the pod is removed', LONG, async () => {
    const c = await startKubeletCluster();
    await createBoundPod(c, {
      metadata: { name: 'stubborn' },
      spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', "trap '' TERM; while true; do sleep 0.1; done"] }] },
    });
    const pod = await waitForPod(c, 'stubborn', 'to be Running', (p) => firstContainer(p)?.state?.running !== undefined);
    const pid = await containerPid(c, pod);
    await c.server.client.delete('pods', 'stubborn', { namespace: 'default' });
    await waitFor('the pod to be removed from the apiserver', async () => {
      try {
        await c.server.client.get('pods', 'stubborn', { namespace: 'default' });
        return false;
      } catch (error) {
        return (error as { code?: number }).code === 404;
      }
    });
    expect(isLive(pid)).toBe(false);
  });
});
