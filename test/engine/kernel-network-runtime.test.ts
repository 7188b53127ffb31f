/**
 * Kernel mode of the runtime (root, Linux, ip, nft, nsenter): one node's namespaces
 * (engine/cni/netns-layout.ts) and a ProcessRuntime whose sandboxes are network namespaces wired
 * by a CNI plugin program run inside the node's namespace (engine/kubelet/kernel-node.ts):
 * - with the lesson 06 plugin through its shim (KUBELINGS_IMPL chooses whose code: the reference
 *   wires the pod; the untouched stubs fail RunPodSandbox with the stub's own message, which proves
 *   the learner's code is the one that runs, and leaves no namespace behind);
 * - with Debian's /usr/lib/cni/bridge (the upstream reference plugin), the same address and route;
 * - a container process runs inside its pod's namespace with the pid the runtime records, and the
 *   node reaches its server through the relay;
 * - the relay refuses addresses outside the pod network and malformed requests.
 * - an in-process cluster (startCluster) with `network: 'kernel'` runs a pod at 10.244.0.x and
 *   stop() leaves none of its namespaces.
 * Every namespace made is kln-<random tag>-*, and each test proves none is left.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { autoNetworkMode, clusterTag, listProjectNetns, NETNS_PREFIX, removeClusterNetworks, resolveNetworkMode } from '#engine/cni/netns-layout.ts';
import { parseRelayRequest } from '#engine/cni/netns-relay.ts';
import { ProcessRuntime } from '#engine/cri/runtime.ts';
import { startCluster } from '#engine/cluster/cluster.ts';
import type { Pod } from '#engine/kube/types.ts';
import { kubeletComponents } from '#engine/kubelet/component.ts';
import { kernelClusterTag, startKernelNode, type CniChoice } from '#engine/kubelet/kernel-node.ts';
import { runProbe } from '#engine/kubelet/probe-exec.ts';
import { onCleanup, waitFor } from './cri-harness.ts';

const KERNEL = autoNetworkMode();
const skipNote = KERNEL.mode === 'kernel' ? '' : ` (skipped: kernel mode cannot run here, ${KERNEL.reason})`;
const tags: string[] = [];

afterEach(async () => {
  if (KERNEL.mode !== 'kernel') return;
  for (const tag of tags.splice(0)) await removeClusterNetworks(tag);
});

test('--network: loopback, kernel or auto; anything else is refused in one sentence', () => {
  expect(resolveNetworkMode('loopback')).toEqual({ mode: 'loopback', reason: 'asked for with --network loopback' });
  // auto runs kernel mode where it can (Linux, root, ip, nft, nsenter), else loopback, and says why.
  expect(resolveNetworkMode(undefined)).toEqual(KERNEL);
  expect(resolveNetworkMode('auto')).toEqual(KERNEL);
  expect(() => resolveNetworkMode('bridge')).toThrow('--network takes loopback, kernel or auto, not "bridge".');
  if (KERNEL.mode === 'kernel') expect(resolveNetworkMode('kernel').mode).toBe('kernel');
  else expect(() => resolveNetworkMode('kernel')).toThrow(/^--network kernel cannot run here: /);
});

test('the relay dials only <ipv4>:<port> inside the pod network', () => {
  expect(parseRelayRequest('10.244.1.5:8080', '10.244.0.0/16')).toEqual({ host: '10.244.1.5', port: 8080 });
  expect(parseRelayRequest('127.0.0.1:6443', '10.244.0.0/16')).toBe('127.0.0.1 is outside the pod network 10.244.0.0/16');
  expect(parseRelayRequest('10.244.1.5:0', '10.244.0.0/16')).toBe('port 0 is out of range');
  expect(parseRelayRequest('10.244.1.300:80', '10.244.0.0/16')).toBe('"10.244.1.300" is not an IPv4 address');
  expect(parseRelayRequest('example.com:80', '10.244.0.0/16')).toBe('"example.com:80" is not <ipv4>:<port>');
});

async function kernelRuntime(cni: CniChoice, impl?: string) {
  const tag = clusterTag();
  tags.push(tag);
  const root = mkdtempSync(join(tmpdir(), 'kubelings-kernel-rt-'));
  const saved = process.env.KUBELINGS_IMPL;
  if (impl !== undefined) process.env.KUBELINGS_IMPL = impl;
  let node;
  try {
    node = await startKernelNode({ tag, index: 0, count: 1, root, cni });
  } finally {
    if (impl !== undefined) process.env.KUBELINGS_IMPL = saved;
  }
  const runtime = await ProcessRuntime.open({ root, podCidr: node.layout.podCidr, cgroups: 'off', ...node.runtimeOptions });
  const close = async () => {
    await runtime.shutdown();
    await node.stop();
    rmSync(root, { recursive: true, force: true });
    expect(await listProjectNetns(`${NETNS_PREFIX}${tag}-`), 'namespaces left').toEqual([]);
  };
  return { tag, node, runtime, root, close };
}

/** The relay processes listening on `<root>/relay.sock` (by their command line). */
function relaysOf(root: string): number[] {
  const socket = join(root, 'relay.sock');
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.includes(socket) && argv.some((a) => a.endsWith('netns-relay.ts'));
      } catch {
        return false; // gone meanwhile
      }
    });
}

const sandboxConfig = (name: string) => ({ metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 }, hostname: name });

describe.skipIf(KERNEL.mode !== 'kernel')(`kernel-mode sandboxes${skipNote}`, { timeout: 180_000 }, () => {
  for (const cni of ['kubelings', 'debian'] as const) {
    test(`${cni} plugin: the sandbox is a namespace with eth0 on the node's podCIDR; a container runs in it with its own pid; the node reaches it through the relay; StopPodSandbox removes the namespace`, async () => {
      if (cni === 'debian' && !existsSync('/usr/lib/cni/bridge')) return console.warn('skipped: /usr/lib/cni/bridge is missing (apt-get install containernetworking-plugins)');
      const { runtime, node, root, close } = await kernelRuntime(cni, 'solutions');
      try {
        const { podSandboxId } = await runtime.runPodSandbox({ config: sandboxConfig('web') });
        const status = await runtime.podSandboxStatus({ podSandboxId, verbose: true });
        expect(status.status.network?.ip, "the first address after the bridge's gateway").toBe('10.244.0.2');
        const netns = `${node.layout.podNetnsPrefix}${podSandboxId.slice(0, 12)}`;
        expect(await listProjectNetns(netns)).toEqual([netns]);
        const addr = execFileSync('ip', ['-n', netns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
        expect(addr).toContain('inet 10.244.0.2/24');
        expect(execFileSync('ip', ['-n', netns, 'route', 'show', 'default'], { encoding: 'utf8' })).toContain('default via 10.244.0.1 dev eth0');

        await runtime.pullImage({ image: { image: 'kubelings/echo' } });
        const { containerId } = await runtime.createContainer({ podSandboxId, config: { metadata: { name: 'echo' }, image: { image: 'kubelings/echo' } }, sandboxConfig: sandboxConfig('web') });
        await runtime.startContainer({ containerId });
        const pid = (await runtime.listContainers({})).containers.length > 0 ? JSON.parse((await runtime.containerStatus({ containerId, verbose: true })).info.info!).pid : 0;
        expect(pid).toBeGreaterThan(0);
        // The recorded pid is the program's own (nsenter exec'd it), and it lives in the pod's namespace.
        const nsInode = execFileSync('ip', ['netns', 'exec', netns, 'readlink', '/proc/self/ns/net'], { encoding: 'utf8' }).trim();
        expect(nsInode).not.toBe(readlinkSync('/proc/self/ns/net'));
        await waitFor("the container's process to be in the pod's namespace", () => readlinkSync(`/proc/${pid}/ns/net`) === nsInode);
        await waitFor('the process to be the echo program (nsenter execs it)', () => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('echo'));

        const answer = await waitFor('the echo server to answer through the relay', async () => {
          const socket = await runtime.dialPod!('10.244.0.2', 8080).catch(() => undefined);
          if (!socket) return undefined;
          socket.write('GET /through-relay HTTP/1.0\r\n\r\n');
          const chunks: Buffer[] = [];
          for await (const chunk of socket) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        });
        expect(answer).toMatch(/"path": ?"\/through-relay"/);
        await expect(runtime.dialPod!('10.244.0.99', 8080)).rejects.toMatchObject({ code: expect.stringMatching(/EHOSTUNREACH|ETIMEDOUT|ECONNREFUSED/) });
        await expect(runtime.dialPod!('127.0.0.1', 22)).rejects.toThrow('127.0.0.1 is outside the pod network 10.244.0.0/16');

        // The kubelet's probes go through the relay: an httpGet answered, a closed port refused as upstream words it.
        const container = { name: 'echo', image: 'kubelings/echo' };
        expect(await runProbe({ probe: { httpGet: { path: '/healthz', port: 8080 } }, container, podIP: '10.244.0.2', containerId, runtime })).toMatchObject({ result: 'Success' });
        expect(await runProbe({ probe: { tcpSocket: { port: 9 } }, container, podIP: '10.244.0.2', containerId, runtime })).toEqual({
          result: 'Failure',
          output: 'dial tcp 10.244.0.2:9: connect: connection refused',
        });
        // A client that sends a request line longer than the limit, or none, is refused and hung up on.
        const hostile = await new Promise<string>((resolve) => {
          const socket = createConnection(join(root, 'relay.sock'));
          let text = '';
          socket.on('data', (b: Buffer) => (text += b.toString()));
          socket.on('close', () => resolve(text));
          socket.on('error', () => resolve(text));
          socket.write('1'.repeat(100_000));
        });
        expect(hostile).toBe('ERR EINVAL a request line is at most 64 bytes\n');

        // A relay killed with SIGKILL is started again, and the node reaches the pod again.
        if (cni === 'debian') {
          const relay = relaysOf(root);
          expect(relay.length, 'the relay process').toBe(1);
          process.kill(relay[0]!, 'SIGKILL');
          await waitFor('the relay to be started again and to connect', async () => {
            const socket = await runtime.dialPod!('10.244.0.2', 8080).catch(() => undefined);
            socket?.destroy();
            return socket !== undefined && relaysOf(root).some((p) => p !== relay[0]);
          });
        }

        // exec runs in the pod's namespace too: it sees eth0.
        const exec = await runtime.execSync({ containerId, cmd: ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'], timeout: 30 });
        expect(Buffer.from(exec.stdout).toString('utf8')).toContain('10.244.0.2/24');

        await runtime.stopPodSandbox({ podSandboxId });
        expect(await listProjectNetns(netns), 'the sandbox namespace after StopPodSandbox').toEqual([]);
      } finally {
        await close();
      }
    });
  }

  test("the learner's plugin is the one that runs: with the untouched stubs (KUBELINGS_IMPL=exercises) RunPodSandbox fails with the stub's message and leaves no namespace", async () => {
    const { runtime, node, close } = await kernelRuntime('kubelings', 'exercises');
    try {
      await expect(runtime.runPodSandbox({ config: sandboxConfig('stubbed') })).rejects.toThrow(
        /failed to setup network for sandbox .*plugin type="kubelings-bridge" name="kubelings" failed \(add\): .*cniMain\(\)/,
      );
      expect(await listProjectNetns(node.layout.podNetnsPrefix), 'pod namespaces after the failed ADD').toEqual([]);
    } finally {
      await close();
    }
  });

  test("an in-process cluster asked for network: 'kernel' runs a pod on 10.244.0.0/24 reached through the relay, and stop() removes its namespaces", async () => {
    const flags = { 'real-nodes': 1, network: 'kernel' };
    const options = { components: kubeletComponents(flags), flags };
    const tag = kernelClusterTag(options);
    tags.push(tag);
    const cluster = await startCluster(options);
    let stopped = false;
    onCleanup(async () => {
      if (!stopped) await cluster.stop();
    });
    await cluster.client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { nodeName: 'node-0', containers: [{ name: 'echo', image: 'kubelings/echo', readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }] },
    });
    const pod = await waitFor('the pod to be Ready (its probe through the relay)', async () => {
      const p = await cluster.client.get<Pod>('pods', 'web', { namespace: 'default' });
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });
    expect(pod.status?.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect((await listProjectNetns(`${NETNS_PREFIX}${tag}-`)).length, 'underlay, node-0 and the pod').toBe(3);
    stopped = true;
    await cluster.stop();
    expect(await listProjectNetns(`${NETNS_PREFIX}${tag}-`), 'namespaces after stop()').toEqual([]);
  });
});
