/**
 * Concurrent CNI ADDs on one node in kernel mode (issue 13; root, Linux, ip, nft, nsenter): when a
 * Deployment's pods start together on one node, the runtime runs one plugin process per sandbox at
 * the same time (containerd serialises nothing per node), and every one of them makes sure of the
 * node's bridge and its gateway address. The bridge helper (engine/cni/net-ops.ts ensureBridge)
 * must therefore be idempotent under a race, as the upstream bridge plugin is
 * (containernetworking/plugins plugins/main/bridge/bridge.go: ensureBridge tolerates EEXIST from
 * LinkAdd and then checks the link is a bridge; ensureAddr returns when the address is there and
 * tolerates EEXIST from AddrAdd). Before that, ADDs failed with "RTNETLINK answers: File exists"
 * (two `ip link add`) or "Address already assigned" (two `ip addr add` of the gateway).
 *
 * - 20 ADDs at once through the reference plugin in this process, with the helpers scoped to a
 *   node namespace: all succeed, with distinct addresses on the pods' eth0, the gateway once on
 *   the bridge; DEL of all at once leaves no veth and no reservation;
 * - 20 ADDs at once the way the kubelet runs them (engine/kubelet/kernel-node.ts: the plugin
 *   program execed inside the node's namespace, one process each): the same, and stop() leaves no
 *   namespace;
 * - the helper itself, 20 times at once on a fresh bridge: one bridge, one MAC, the gateway once;
 *   a name held by a link that is no bridge (a veth) is refused, as bridge.go refuses it.
 * Every namespace is kln-*, made here, and each test proves none of its own is left.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { openIpamStore } from '#engine/cni/ipam-store.ts';
import { formatIPv4, parseCidr } from '#engine/cni/ipv4.ts';
import { kernelNetOpsIn } from '#engine/cni/net-ops.ts';
import { autoNetworkMode, clusterTag, listProjectNetns, NETNS_PREFIX, removeClusterNetworks, removeNetns } from '#engine/cni/netns-layout.ts';
import { hostVethName } from '#engine/cni/plugin-shim.ts';
import type { CniResult } from '#engine/cni/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { startKernelNode } from '#engine/kubelet/kernel-node.ts';

const KERNEL = autoNetworkMode();
const skipNote = KERNEL.mode === 'kernel' ? '' : ` (skipped: kernel mode cannot run here, ${KERNEL.reason})`;
const PODS = 20;
const cni = await loadComponent('cni');
const ip = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const madeDirs: string[] = [];
const madeNetns: string[] = [];
const tags: string[] = [];
/** Nodes started by a test and not stopped yet (a failed test leaves its relay running otherwise). */
const running = new Set<{ stop(): Promise<void> }>();

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-cni-race-'));
  madeDirs.push(dir);
  return dir;
}

function addNetns(...names: string[]): void {
  for (const name of names) {
    ip(['netns', 'add', name]);
    madeNetns.push(name);
  }
}

/** The ports of the node's bridge cni0: the host ends of the pods' veths. */
const bridgePorts = (netns: string) => ip(['-n', netns, '-o', 'link', 'show', 'master', 'cni0']).trim();
/** The IPv4 addresses (CIDR) on a link. */
function addresses(netns: string, link: string): string[] {
  const rows = JSON.parse(ip(['-n', netns, '-j', '-4', 'addr', 'show', 'dev', link])) as { addr_info: { local: string; prefixlen: number }[] }[];
  return (rows[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}
/** host-local's default gateway of a subnet (the network address + 1), in CIDR notation. */
function gatewayOf(subnet: string): string {
  const { network, prefix } = parseCidr(subnet, true);
  return `${formatIPv4(network + 1)}/${prefix}`;
}
/** The address files of a host-local folder. */
const reservations = (dir: string) => readdirSync(dir).filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n));

afterEach(async () => {
  if (KERNEL.mode !== 'kernel') return;
  for (const node of running) await node.stop().catch(() => undefined);
  running.clear();
  await removeNetns(madeNetns.splice(0).reverse());
  for (const tag of tags.splice(0)) await removeClusterNetworks(tag);
});

afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(KERNEL.mode !== 'kernel')(`concurrent ADDs on one node's bridge${skipNote}`, { timeout: 240_000 }, () => {
  test(`${PODS} ADDs at once through the reference plugin all succeed with distinct addresses and one gateway on the bridge; DEL of all at once leaves no veth and no reservation`, async () => {
    const prefix = `${NETNS_PREFIX}${clusterTag()}-`;
    const node = `${prefix}n0`;
    const pods = Array.from({ length: PODS }, (_, i) => `${prefix}n0-p${i}`);
    addNetns(node, ...pods);
    const data = scratch();
    const conf = {
      cniVersion: '1.0.0',
      name: 'kubelings-race',
      type: 'kubelings-bridge',
      bridge: 'cni0',
      isGateway: true,
      isDefaultGateway: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.196.0.0/24' }]], dataDir: data },
    };
    const net = kernelNetOpsIn(`/var/run/netns/${node}`);
    const call = (command: string, i: number) =>
      cni.cniMain({
        env: { CNI_COMMAND: command, CNI_CONTAINERID: `race-${i}`, CNI_NETNS: `/var/run/netns/${pods[i]}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' },
        stdin: JSON.stringify(conf),
        openStore: openIpamStore,
        net,
        hostVethName,
      });

    const added = await Promise.all(pods.map((_, i) => call('ADD', i)));
    const failures = added.map((a, i) => (a.exitCode === 0 ? undefined : `pod ${i}: ${a.stdout}`)).filter(Boolean);
    expect(failures, `ADDs that failed of ${PODS} run at once`).toEqual([]);
    const got = added.map((a) => (JSON.parse(a.stdout) as CniResult).ips[0]!.address);
    expect(new Set(got).size, `distinct addresses among ${JSON.stringify(got)}`).toBe(PODS);
    expect(
      pods.map((pod) => addresses(pod, 'eth0')),
      "each pod's eth0 holds the address its ADD reported",
    ).toEqual(got.map((a) => [a]));
    expect(addresses(node, 'cni0'), 'the addresses on the bridge').toEqual(['10.196.0.1/24']);
    expect(bridgePorts(node).split('\n'), 'ports of the bridge').toHaveLength(PODS);

    const deleted = await Promise.all(pods.map((_, i) => call('DEL', i)));
    expect(
      deleted.map((d) => d.exitCode),
      'DEL exit codes',
    ).toEqual(pods.map(() => 0));
    expect(bridgePorts(node), 'ports of the bridge after DEL').toBe('');
    expect(reservations(join(data, 'kubelings-race')), 'reservations after DEL').toEqual([]);

    await removeNetns(madeNetns.splice(0).reverse());
    expect(await listProjectNetns(prefix), 'namespaces left').toEqual([]);
  });

  test(`${PODS} ADDs at once the way the kubelet runs them (one plugin process each, inside the node's namespace) all succeed; stop() leaves nothing`, async () => {
    const tag = clusterTag();
    tags.push(tag);
    const root = scratch();
    const node = await startKernelNode({ tag, index: 0, count: 1, root, cni: 'kubelings' });
    running.add(node);
    const { plugin, conf } = node.runtimeOptions.network!;
    const pods = Array.from({ length: PODS }, (_, i) => `${node.layout.podNetnsPrefix}p${i}`);
    addNetns(...pods);

    const settled = await Promise.allSettled(pods.map((pod, i) => plugin.add(conf, { containerId: `kubelet-race-${i}`, netns: `/var/run/netns/${pod}`, ifName: 'eth0' })));
    const failures = settled.map((s, i) => (s.status === 'rejected' ? `pod ${i}: ${(s.reason as Error).message} ${(s.reason as { details?: string }).details ?? ''}` : undefined)).filter(Boolean);
    expect(failures, `ADDs that failed of ${PODS} run at once`).toEqual([]);
    const got = settled.map((s) => (s as PromiseFulfilledResult<CniResult>).value.ips[0]!.address);
    expect(new Set(got).size, `distinct addresses among ${JSON.stringify(got)}`).toBe(PODS);
    expect(addresses(node.layout.netns, 'cni0'), 'the addresses on the bridge').toEqual([gatewayOf(node.layout.podCidr)]);

    const deleted = await Promise.allSettled(pods.map((pod, i) => plugin.del(conf, { containerId: `kubelet-race-${i}`, netns: `/var/run/netns/${pod}`, ifName: 'eth0' })));
    expect(
      deleted.filter((d) => d.status === 'rejected'),
      'DELs that failed',
    ).toEqual([]);
    expect(bridgePorts(node.layout.netns), 'ports of the bridge after DEL').toBe('');
    expect(reservations(join(root, 'cni', conf.name)), 'reservations after DEL').toEqual([]);

    running.delete(node);
    await node.stop();
    madeNetns.splice(0);
    expect(await listProjectNetns(`${NETNS_PREFIX}${tag}-`), 'namespaces left after stop()').toEqual([]);
  });

  test(`the bridge helper run ${PODS} times at once on a fresh bridge: one bridge, one MAC, the gateway once; a name held by a link that is no bridge is refused`, async () => {
    const prefix = `${NETNS_PREFIX}${clusterTag()}-`;
    const node = `${prefix}n0`;
    addNetns(node);
    const net = kernelNetOpsIn(`/var/run/netns/${node}`);
    const settled = await Promise.allSettled(Array.from({ length: PODS }, () => net.ensureBridge('cni0', '10.196.1.1/24')));
    const failures = settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : undefined)).filter(Boolean);
    expect(failures, `ensureBridge calls that failed of ${PODS} run at once`).toEqual([]);
    const macs = new Set(settled.map((s) => (s as PromiseFulfilledResult<{ mac: string }>).value.mac));
    expect(macs.size, 'MACs reported').toBe(1);
    expect(ip(['-n', node, '-o', 'link', 'show', 'type', 'bridge']).trim().split('\n'), 'bridges in the node').toHaveLength(1);
    expect(addresses(node, 'cni0'), 'the addresses on the bridge').toEqual(['10.196.1.1/24']);

    // bridge.go's bridgeByName: "%q already exists but is not a bridge".
    // (A veth: every kernel that runs kernel mode has it; the dummy module may be missing.)
    ip(['-n', node, 'link', 'add', 'notabridge', 'type', 'veth', 'peer', 'name', 'notabridge-peer']);
    await expect(net.ensureBridge('notabridge', '10.196.2.1/24'), 'ensureBridge on a veth').rejects.toThrow('"notabridge" already exists but is not a bridge');
    expect(addresses(node, 'notabridge'), 'addresses put on the veth').toEqual([]);

    await removeNetns(madeNetns.splice(0).reverse());
    expect(await listProjectNetns(prefix), 'namespaces left').toEqual([]);
  });
});
