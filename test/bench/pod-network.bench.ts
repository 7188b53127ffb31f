/**
 * Pod sandbox start-up in the two network modes, measured on the runtime alone (no apiserver):
 * RunPodSandbox + CreateContainer + StartContainer of a kubelings/echo pod until the node can
 * connect to its server (directly in loopback mode; through the node's relay in kernel mode), for
 * PODS pods one after another. Kernel mode with the lesson 06 plugin (its program shim starts tsx
 * for each CNI call) and with Debian's /usr/lib/cni/bridge, each against loopback mode measured in
 * the same run. Kernel mode needs root, ip, nft and nsenter; without them only loopback is measured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoNetworkMode, clusterTag, removeClusterNetworks } from '#engine/cni/netns-layout.ts';
import { nodePodCidr, ProcessRuntime, type ProcessRuntimeOptions } from '#engine/cri/runtime.ts';
import { startKernelNode, type CniChoice } from '#engine/kubelet/kernel-node.ts';
import { median, percentile, type Benchmark, type Figure } from './harness.ts';

const PODS = 10;

function directDial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function startupTimes(options: Omit<ProcessRuntimeOptions, 'root'>, root: string): Promise<number[]> {
  const runtime = await ProcessRuntime.open({ ...options, root, cgroups: 'off' });
  const dial = runtime.dialPod ?? directDial;
  const times: number[] = [];
  try {
    await runtime.pullImage({ image: { image: 'kubelings/echo' } });
    for (let i = 0; i < PODS; i++) {
      const sandboxConfig = { metadata: { name: `p${i}`, namespace: 'bench', uid: `u${i}`, attempt: 0 } };
      const start = performance.now();
      const { podSandboxId } = await runtime.runPodSandbox({ config: sandboxConfig });
      const { containerId } = await runtime.createContainer({ podSandboxId, config: { metadata: { name: 'echo' }, image: { image: 'kubelings/echo' } }, sandboxConfig });
      await runtime.startContainer({ containerId });
      const ip = (await runtime.podSandboxStatus({ podSandboxId })).status.network!.ip;
      for (;;) {
        const socket = await dial(ip, 8080).catch(() => undefined);
        if (socket) {
          socket.destroy();
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      times.push(performance.now() - start);
    }
    for (const { id } of (await runtime.listPodSandbox()).items) await runtime.stopPodSandbox({ podSandboxId: id });
  } finally {
    await runtime.shutdown();
  }
  return times;
}

async function kernelTimes(cni: CniChoice): Promise<number[]> {
  const tag = clusterTag();
  const root = mkdtempSync(join(tmpdir(), 'kubelings-bench-kernel-'));
  try {
    const node = await startKernelNode({ tag, index: 0, count: 1, root, cni });
    try {
      return await startupTimes({ podCidr: node.layout.podCidr, ...node.runtimeOptions }, root);
    } finally {
      await node.stop();
    }
  } finally {
    await removeClusterNetworks(tag);
    rmSync(root, { recursive: true, force: true });
  }
}

export default {
  name: 'pod-network',
  description: `pod start-up (sandbox, container, first connection to its server) for ${PODS} pods: kernel mode (lesson 06 plugin, Debian's bridge) vs loopback mode`,
  async run(): Promise<Figure[]> {
    const root = mkdtempSync(join(tmpdir(), 'kubelings-bench-loopback-'));
    let loopback: number[];
    try {
      loopback = await startupTimes({ podCidr: nodePodCidr(200) }, root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const figures: Figure[] = [{ name: 'loopback mode, p50', value: median(loopback), unit: 'ms', note: `p99 ${percentile(loopback, 99).toFixed(0)} ms` }];
    const kernel = autoNetworkMode();
    if (kernel.mode !== 'kernel') {
      figures[0]!.note += `; kernel mode not measured: ${kernel.reason}`;
      return figures;
    }
    for (const cni of ['kubelings', 'debian'] as const) {
      const times = await kernelTimes(cni);
      figures.push({
        name: `kernel mode (${cni === 'debian' ? "Debian's /usr/lib/cni/bridge" : 'lesson 06 plugin through its tsx shim'}), p50`,
        value: median(times),
        unit: 'ms',
        baseline: { name: 'loopback mode', value: median(loopback) },
        note: `p99 ${percentile(times, 99).toFixed(0)} ms`,
      });
    }
    return figures;
  },
} satisfies Benchmark;
