/**
 * Kernel mode of the pod network (root only): the reference plugin, with the engine's kernel
 * helpers (engine/cni/net-ops.ts) scoped to a node namespace, wires two pod namespaces to a
 * bridge, and a TCP connection from pod 1 reaches a server in pod 2 through it (the network
 * model's first rule). Every namespace is kubelings-k*-<pid>, 10.198.0.0/24 lives only inside them,
 * and the test proves none is left. Also: the helpers refuse a namespace path not made by
 * `ip netns add`, and refuse an interface name that exists already without leaving a veth.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openIpamStore } from '#engine/cni/ipam-store.ts';
import { kernelNetOpsIn, netnsName } from '#engine/cni/net-ops.ts';
import { hostVethName } from '#engine/cni/plugin-shim.ts';
import { loadComponent } from '#engine/impl.ts';

const cni = await loadComponent('cni');
const root =
  process.getuid?.() === 0 &&
  (() => {
    try {
      execFileSync('ip', ['-V']);
      return true;
    } catch {
      return false;
    }
  })();
const NODE = `kubelings-kn-${process.pid}`;
const PODS = [1, 2].map((i) => `kubelings-kp-${process.pid}-${i}`);
const data = mkdtempSync(join(tmpdir(), 'kubelings-kernel-'));
const ip = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const leftovers = () =>
  ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith('kubelings-k') && n.includes(`-${process.pid}`));

afterAll(() => {
  if (root) for (const ns of leftovers()) ip(['netns', 'del', ns]);
  rmSync(data, { recursive: true, force: true });
});

test('a namespace path not made by ip netns add is refused before anything runs', () => {
  expect(() => netnsName('/proc/1/ns/net')).toThrow('is not a network namespace made by ip netns add');
  expect(() => netnsName('/var/run/netns/../../etc')).toThrow();
  expect(netnsName('/run/netns/kubelings-x')).toBe('kubelings-x');
});

test.skipIf(!root)(
  `two pods wired by the plugin reach each other over TCP through the bridge; DEL and the namespaces' removal leave nothing${root ? '' : ' (skipped: needs root and ip)'}`,
  async () => {
    for (const ns of [NODE, ...PODS]) ip(['netns', 'add', ns]);
    const conf = {
      cniVersion: '1.0.0',
      name: 'kubelings-kernel',
      type: 'kubelings-bridge',
      bridge: 'kubelings-k0',
      isDefaultGateway: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.198.0.0/24' }]], dataDir: data },
    };
    const net = kernelNetOpsIn(`/var/run/netns/${NODE}`);
    const call = (command: string, i: number) =>
      cni.cniMain({
        env: { CNI_COMMAND: command, CNI_CONTAINERID: `k${i}`, CNI_NETNS: `/var/run/netns/${PODS[i]}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' },
        stdin: JSON.stringify(conf),
        openStore: openIpamStore,
        net,
        hostVethName,
      });
    const added = [await call('ADD', 0), await call('ADD', 1)];
    expect(
      added.map((a) => a.exitCode),
      'ADD exit codes',
    ).toEqual([0, 0]);
    const target = (JSON.parse(added[1]!.stdout) as { ips: { address: string }[] }).ips[0]!.address.split('/')[0]!;
    expect(target).toBe('10.198.0.3');

    // A server in pod 2 that answers one line, and a client in pod 1.
    const server = spawn('ip', ['netns', 'exec', PODS[1]!, process.execPath, '-e', "require('net').createServer((s) => s.end('hello from pod 2\\n')).listen(8080, () => console.log('listening'))"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout!.on('data', (b: Buffer) => b.toString().includes('listening') && resolve());
        server.on('exit', (code) => reject(new Error(`the server in pod 2 exited with ${code}`)));
      });
      const reply = execFileSync(
        'ip',
        [
          'netns',
          'exec',
          PODS[0]!,
          process.execPath,
          '-e',
          `const s = require('net').connect(8080, '${target}'); s.on('data', (d) => process.stdout.write(d)); s.on('error', (e) => { console.error(e.message); process.exit(1); });`,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(reply, 'what pod 1 read from 10.198.0.3:8080').toBe('hello from pod 2\n');
    } finally {
      server.kill();
    }

    // An interface that exists already: refused, and no second veth is left on the node.
    const before = ip(['-n', NODE, '-o', 'link', 'show', 'type', 'veth']).trim().split('\n').length;
    await expect(net.createVeth(`/var/run/netns/${PODS[0]}`, 'eth0', hostVethName(), 'kubelings-k0')).rejects.toThrow('already exists');
    expect(ip(['-n', NODE, '-o', 'link', 'show', 'type', 'veth']).trim().split('\n').length, 'veths on the node').toBe(before);

    expect([(await call('DEL', 0)).exitCode, (await call('DEL', 1)).exitCode, (await call('DEL', 1)).exitCode], 'DEL, DEL, DEL again').toEqual([0, 0, 0]);
    expect(ip(['-n', NODE, '-o', 'link', 'show', 'type', 'veth']).trim(), 'veths on the node after DEL').toBe('');
    for (const ns of [...PODS, NODE]) ip(['netns', 'del', ns]);
    expect(leftovers(), 'namespaces left').toEqual([]);
  },
  120_000,
);
