/**
 * Pod addresses: host-local IPAM as containernetworking/plugins keeps it
 * (plugins/ipam/host-local: backend/disk/backend.go for the files, backend/allocator for the
 * round-robin order and the "no IP addresses available in range set" error, main.go for CHECK's
 * message), the loopback plugin's CNI 1.0 result, the pod network's place in 127/8, and a
 * cross-check against the real host-local binary (Debian's containernetworking-plugins) on the
 * same folder. The property that matters most: a live pod's address is never handed out again,
 * over any sequence of ADDs and DELs and restarts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { execCniPlugin } from '#engine/cni/exec-plugin.ts';
import { hostLocalAdd, hostLocalCheck, hostLocalDel, HostLocalStore } from '#engine/cni/host-local.ts';
import { cidrContains, nodeBlock, parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { loopbackPlugin } from '#engine/cni/loopback-plugin.ts';
import type { CniArgs, NetConf } from '#engine/cni/types.ts';
import { POD_NETWORK_CIDR, SERVICE_CLUSTER_IP_RANGE } from '#engine/params.ts';
import { podCIDR as hollowPodCIDR } from '#engine/hollow/objects.ts';
import { useSeed } from '#grading';
import { scratchDir } from '../support/scratch.ts';
import { onCleanup } from './cri-harness.ts';

function dataDir(): string {
  const dir = scratchDir('kubelings-ipam-');
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function conf(dir: string, range: Record<string, string> = { subnet: '127.64.0.0/24' }): NetConf {
  return { cniVersion: '1.0.0', name: 'kubelings', type: 'kubelings-loopback', ipam: { type: 'host-local', ranges: [[{ subnet: '127.64.0.0/24', ...range }]], dataDir: dir } };
}

const args = (containerId: string): CniArgs => ({ containerId, netns: '', ifName: 'eth0' });
const address = (dir: string, id: string) => hostLocalAdd(conf(dir), args(id)).ips[0]!.address;

describe('the pod network', () => {
  test("lies inside 127/8, clear of the Service range and of the hollow nodes' pod ranges; one /24 per node", () => {
    const pods = parseCidr(POD_NETWORK_CIDR, true);
    const services = parseCidr(SERVICE_CLUSTER_IP_RANGE, true);
    expect(cidrContains(parseCidr('127.0.0.0/8'), pods.network) && cidrContains(parseCidr('127.0.0.0/8'), pods.last)).toBe(true);
    expect(pods.last < services.network || pods.network > services.last).toBe(true);
    for (const index of [0, 1, 255, 4095]) {
      const hollow = parseCidr(hollowPodCIDR(index));
      expect(hollow.last < pods.network || hollow.network > pods.last, `hollow node ${index}'s ${hollowPodCIDR(index)}`).toBe(true);
    }
    expect(nodeBlock(POD_NETWORK_CIDR, 24, 0)).toBe('127.64.0.0/24');
    expect(nodeBlock(POD_NETWORK_CIDR, 24, 300)).toBe('127.65.44.0/24');
    expect(() => nodeBlock(POD_NETWORK_CIDR, 24, 4096)).toThrow('127.64.0.0/12 holds 4096 blocks of /24: there is no block 4096');
  });
});

describe('host-local', () => {
  test('hands out .2, .3, … (the gateway .1 is skipped), one file per address naming the container and interface', () => {
    const dir = dataDir();
    expect(hostLocalAdd(conf(dir), args('a'))).toEqual({ cniVersion: '1.0.0', ips: [{ address: '127.64.0.2/24', gateway: '127.64.0.1' }], routes: [] });
    expect(address(dir, 'b')).toBe('127.64.0.3/24');
    const folder = join(dir, 'kubelings');
    expect(readdirSync(folder).sort()).toEqual(['127.64.0.2', '127.64.0.3', 'last_reserved_ip.0', 'lock']);
    expect(readFileSync(join(folder, '127.64.0.2'), 'utf8')).toBe('a\r\neth0');
    expect(readFileSync(join(folder, 'last_reserved_ip.0'), 'utf8')).toBe('127.64.0.3');
  });

  test('goes round-robin: a released address is handed out again only after the rest of the range', () => {
    const dir = dataDir();
    const range = { rangeStart: '127.64.0.10', rangeEnd: '127.64.0.12' };
    const add = (id: string) => hostLocalAdd(conf(dir, range), args(id)).ips[0]!.address;
    expect([add('a'), add('b')]).toEqual(['127.64.0.10/24', '127.64.0.11/24']);
    hostLocalDel(conf(dir, range), args('a'));
    expect(add('c')).toBe('127.64.0.12/24');
    expect(add('d')).toBe('127.64.0.10/24');
    expect(() => add('e')).toThrow('failed to allocate for range 0: no IP addresses available in range set: 127.64.0.10-127.64.0.12');
  });

  test('ADD again for the same container and interface returns its address; DEL twice is fine; CHECK fails once released', () => {
    const dir = dataDir();
    expect(address(dir, 'a')).toBe('127.64.0.2/24');
    expect(address(dir, 'a')).toBe('127.64.0.2/24');
    expect(readdirSync(join(dir, 'kubelings')).filter((n) => n.startsWith('127.'))).toEqual(['127.64.0.2']);
    expect(() => hostLocalCheck(conf(dir), args('a'))).not.toThrow();
    hostLocalDel(conf(dir), args('a'));
    hostLocalDel(conf(dir), args('a'));
    expect(() => hostLocalCheck(conf(dir), args('a'))).toThrow('host-local: Failed to find address added by container a');
  });

  test('a file it cannot read, or does not recognise, keeps its address reserved; stray files and a bad last_reserved_ip are ignored', () => {
    const dir = dataDir();
    const folder = join(dir, 'kubelings');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '127.64.0.2'), '\0\0garbage');
    mkdirSync(join(folder, '127.64.0.3'));
    writeFileSync(join(folder, 'notes.txt'), 'hello');
    writeFileSync(join(folder, 'last_reserved_ip.0'), 'not an address');
    expect(address(dir, 'a')).toBe('127.64.0.4/24');
    hostLocalDel(conf(dir), args('a'));
    expect(existsSync(join(folder, '127.64.0.2'))).toBe(true);
  });

  test("a malformed range is refused with the plugin's words", () => {
    const dir = dataDir();
    expect(() => hostLocalAdd(conf(dir, { subnet: '127.64.0.1/24' }), args('a'))).toThrow('Network has host bits set. For a subnet mask of length 24 the network address is 127.64.0.0');
    expect(() => hostLocalAdd(conf(dir, { subnet: '127.64.0.0/31' }), args('a'))).toThrow('Network 127.64.0.0/31 too small to allocate from');
    expect(() => hostLocalAdd(conf(dir, { rangeStart: '127.65.0.1' }), args('a'))).toThrow('RangeStart 127.65.0.1 not in network 127.64.0.0/24');
    expect(() => hostLocalAdd({ ...conf(dir), ipam: { type: 'host-local', ranges: [[{ subnet: '127.64.0.0/24' }]] } }, args('a'))).toThrow('ipam.dataDir');
  });

  test("never hands out a live pod's address, over any sequence of ADDs, DELs and restarts", ({ task }) => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), pod: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('del' as const), pod: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('restart' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        const dir = scratchDir('kubelings-ipam-prop-');
        try {
          const range = { rangeStart: '127.64.0.2', rangeEnd: '127.64.0.21' };
          const live = new Map<number, string>();
          for (const step of ops) {
            if (step.kind === 'restart') {
              // A crash in the middle of a reservation leaves its temporary file; the next owner
              // reads the folder afresh (nothing is kept in memory) and must not count it.
              mkdirSync(join(dir, 'kubelings'), { recursive: true });
              writeFileSync(join(dir, 'kubelings', `.reserving-99999-127.64.0.${2 + (live.size % 20)}`), 'crashed\r\neth0');
              continue;
            }
            const id = `pod-${step.pod}`;
            if (step.kind === 'del') {
              hostLocalDel(conf(dir, range), args(id));
              live.delete(step.pod);
              continue;
            }
            let got: string;
            try {
              got = hostLocalAdd(conf(dir, range), args(id)).ips[0]!.address;
            } catch (error) {
              expect((error as Error).message).toContain('no IP addresses available');
              expect(live.size).toBe(20);
              continue;
            }
            if (live.has(step.pod)) expect(got).toBe(live.get(step.pod));
            for (const [other, ip] of live) if (other !== step.pod) expect(ip, `pod-${other} holds ${ip}`).not.toBe(got);
            live.set(step.pod, got);
          }
          const files = new HostLocalStore(dir, 'kubelings').allocations();
          expect(files.size).toBe(live.size);
          for (const [pod, ip] of live) expect(files.get(parseIPv4(ip.split('/')[0]!))).toBe(`pod-${pod}\r\neth0`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed: useSeed(task), numRuns: 150 },
    );
  });
});

describe('the loopback plugin', () => {
  test('ADD gives a CNI 1.0 result on the loopback interface; DEL releases; CHECK notices a lost address', async () => {
    const dir = dataDir();
    const result = await loopbackPlugin.add(conf(dir), args('sandbox-1'));
    expect(result).toEqual({ cniVersion: '1.0.0', interfaces: [{ name: 'lo' }], ips: [{ address: '127.64.0.2/24', gateway: '127.64.0.1', interface: 0 }], routes: [{ dst: '127.0.0.0/8' }] });
    await loopbackPlugin.check({ ...conf(dir), prevResult: result }, args('sandbox-1'));
    await loopbackPlugin.del(conf(dir), args('sandbox-1'));
    await expect(loopbackPlugin.check({ ...conf(dir), prevResult: result }, args('sandbox-1'))).rejects.toThrow('Failed to find address added by container sandbox-1');
    await expect(loopbackPlugin.add({ ...conf(dir), ipam: { type: 'dhcp' } }, args('x'))).rejects.toThrow('allocates through host-local, not "dhcp"');
  });
});

const REAL_HOST_LOCAL = '/usr/lib/cni/host-local';

describe.skipIf(!existsSync(REAL_HOST_LOCAL))(`cross-check with the reference plugin (${REAL_HOST_LOCAL}; apt-get install containernetworking-plugins)`, () => {
  test("the real host-local and ours share one folder: each sees the other's addresses, and DEL by either releases", async () => {
    const dir = dataDir();
    const real = execCniPlugin(REAL_HOST_LOCAL);
    const realConf = { ...conf(dir), type: 'host-local' };
    const realArgs = (id: string): CniArgs => ({ ...args(id), netns: '/proc/self/ns/net' });
    expect(address(dir, 'ours-1')).toBe('127.64.0.2/24');
    const fromReal = await real.add(realConf, realArgs('theirs-1'));
    expect(fromReal.ips.map((ip) => ip.address)).toEqual(['127.64.0.3/24']);
    expect(readFileSync(join(dir, 'kubelings', '127.64.0.3'), 'utf8')).toBe('theirs-1\r\neth0');
    expect(address(dir, 'ours-2')).toBe('127.64.0.4/24');
    await real.check(realConf, realArgs('ours-2'));
    await real.del(realConf, realArgs('ours-1'));
    hostLocalDel(conf(dir), args('theirs-1'));
    expect(readdirSync(join(dir, 'kubelings')).filter((n) => n.startsWith('127.'))).toEqual(['127.64.0.4']);
    await expect(real.check(realConf, realArgs('theirs-1'))).rejects.toThrow('Failed to find address added by container theirs-1');
  });
});
