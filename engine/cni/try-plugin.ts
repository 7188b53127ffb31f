/**
 * Lesson 06's "see it live": runs the cni component's plugin (yours with --impl mine or exercises,
 * the reference by default) the way a runtime would, on three pods, and shows what it made.
 *
 *   npx tsx engine/cni/try-plugin.ts [--impl SPEC] [--keep]    run it (and keep the pods with --keep)
 *   npx tsx engine/cni/try-plugin.ts --clean                   remove what --keep left
 *
 * As root with `ip`: a node namespace (kubelings-live-node) holding the bridge, three pod
 * namespaces (kubelings-live-pod-N) wired by your plugin with 10.199.0.0/24 (private, and only
 * inside these namespaces), a ping from pod 1 to pod 2 when ping is installed, CHECK, DEL, and
 * every namespace removed. Otherwise loopback mode (addresses in 127.72.0.0/24, nothing to remove
 * but the files). Last, a NetworkPolicy compiled by your 03-network-policy code, as the nftables
 * table a node would load (shown, not loaded).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadComponent } from '../impl.ts';
import type { NetworkPolicy, PluginInvocation } from './exercises.ts';
import { openIpamStore } from './ipam-store.ts';
import { kernelNetOpsIn } from './net-ops.ts';
import { renderNetpolTable } from './netpol-nft.ts';
import { hostVethName } from './plugin-shim.ts';

const NODE = 'kubelings-live-node';
const PODS = [1, 2, 3].map((i) => `kubelings-live-pod-${i}`);
const DATA = join(tmpdir(), 'kubelings-live-cni');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const implAt = argv.indexOf('--impl');
if (implAt >= 0 && argv[implAt + 1]) process.env.KUBELINGS_IMPL = argv[implAt + 1];

const say = (text: string) => process.stdout.write(`${text}\n`);
const ipRun = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

function clean(): void {
  const have = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const ns of [...PODS, NODE]) if (have.split('\n').some((l) => l.split(' ')[0] === ns)) ipRun(['netns', 'del', ns]);
  rmSync(DATA, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (flag('--clean')) {
    clean();
    say('removed the kubelings-live-* namespaces and the address files');
    return;
  }
  const cni = await loadComponent('cni');
  const kernel = process.getuid?.() === 0 && spawnSync('ip', ['-V']).status === 0;
  clean();
  mkdirSync(DATA, { recursive: true });
  const conf = kernel
    ? {
        cniVersion: '1.0.0',
        name: 'kubelings-live',
        type: 'kubelings-bridge',
        bridge: 'kubelings-live0',
        isDefaultGateway: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.199.0.0/24' }]], dataDir: DATA },
      }
    : { cniVersion: '1.0.0', name: 'kubelings-live', type: 'kubelings-loopback', ipam: { type: 'host-local', ranges: [[{ subnet: '127.72.0.0/24' }]], dataDir: DATA } };
  say(kernel ? `kernel mode: node namespace ${NODE}, pods ${PODS.join(', ')}` : 'loopback mode (not root, or no ip command): pod addresses on lo');
  if (kernel) for (const ns of [NODE, ...PODS]) ipRun(['netns', 'add', ns]);
  const call = async (command: string, i: number, extra: Record<string, unknown> = {}) => {
    const inv: PluginInvocation = {
      env: { CNI_COMMAND: command, CNI_CONTAINERID: `live-pod-${i + 1}`, CNI_NETNS: kernel ? `/var/run/netns/${PODS[i]}` : '', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' },
      stdin: JSON.stringify({ ...conf, ...extra }),
      openStore: openIpamStore,
      net: kernelNetOpsIn(kernel ? `/var/run/netns/${NODE}` : undefined),
      hostVethName,
    };
    const out = await cni.cniMain(inv);
    say(`\n$ CNI_COMMAND=${command} CNI_CONTAINERID=live-pod-${i + 1} … plugin  (exit ${out.exitCode})`);
    if (out.stdout) say(JSON.stringify(JSON.parse(out.stdout), null, 2));
    return out;
  };
  try {
    const results = [];
    for (const i of [0, 1, 2]) results.push(await call('ADD', i));
    say(`\n$ ls ${join(DATA, 'kubelings-live')}\n${readdirSync(join(DATA, 'kubelings-live')).join('  ')}`);
    if (kernel) {
      for (const pod of PODS.slice(0, 2)) say(`\n$ ip -n ${pod} -4 addr show eth0; ip -n ${pod} route\n${ipRun(['-n', pod, '-4', 'addr', 'show', 'eth0'])}${ipRun(['-n', pod, 'route'])}`);
      const target = (JSON.parse(results[1]!.stdout || '{}') as { ips?: { address: string }[] }).ips?.[0]?.address.split('/')[0];
      if (target && spawnSync('ping', ['-V']).status === 0) {
        const ping = spawnSync('ip', ['netns', 'exec', PODS[0]!, 'ping', '-c', '2', '-W', '2', target], { encoding: 'utf8' });
        say(`\n$ ip netns exec ${PODS[0]} ping -c 2 ${target}\n${ping.stdout}${ping.stderr}`);
      } else say('\n(ping is not installed: apt-get install iputils-ping to see pod 1 reach pod 2 through your bridge)');
    }
    await call('CHECK', 0, { prevResult: JSON.parse(results[0]!.stdout || '{}') });
    if (!flag('--keep')) for (const i of [0, 1, 2]) await call('DEL', i);
  } finally {
    if (!flag('--keep')) clean();
    else say(`\nkept: ${[NODE, ...PODS].join(', ')} (npx tsx engine/cni/try-plugin.ts --clean removes them)`);
  }
  const web = { kind: 'pod' as const, namespace: 'prod', name: 'web', labels: { app: 'web' }, ip: '10.199.0.2', namedPorts: [{ name: 'http', port: 8080 }] };
  const client = { kind: 'pod' as const, namespace: 'prod', name: 'client', labels: { app: 'client' }, ip: '10.199.0.3' };
  const policies: NetworkPolicy[] = [
    { metadata: { name: 'default-deny-ingress', namespace: 'prod' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    {
      metadata: { name: 'web-from-client', namespace: 'prod' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }] },
    },
  ];
  const world = { policies, namespaces: { prod: {} } };
  say('\nNetworkPolicy in prod: default-deny-ingress, and web-from-client (app=client → app=web port http)');
  for (const [from, to] of [
    [client, web],
    [web, client],
  ] as const) {
    const d = cni.evaluatePolicies(world, { from, to, port: to === web ? 8080 : 80, protocol: 'TCP' });
    say(`  ${from.name} → ${to.name}: ${d.allowed ? 'allowed' : 'denied'} (egress ${d.egress}, ingress ${d.ingress}${d.allowedBy.length ? `, by ${d.allowedBy.join(', ')}` : ''})`);
  }
  say(`\nthe table a node would load (nft -f), from your compilePolicies:\n${renderNetpolTable(cni.compilePolicies(world, [web, client]))}`);
  if (!kernel) say('(loopback mode: policies are evaluated and shown here, not enforced)');
}

await main();
