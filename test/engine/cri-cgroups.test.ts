/**
 * cgroups: which hierarchy the runtime uses, read from mountinfo and /proc/self/cgroup (the
 * layouts of a cgroup v1 host like this one, a pure v2 host, a container with a namespaced cgroup
 * root, macOS, a non-root user); the files written for v1 and v2 (runc's conversions, see
 * values.ts); a v2 hierarchy without the controllers said as not enforced; and, on Linux as root,
 * the real thing: a container's cpu and memory limits in its cgroup files, a memory limit that
 * ends in OOMKilled with exit code 137 (the CRI: reason "must be set to OOMKilled for containers
 * terminated by cgroup-based Out-of-Memory killer"), and the folders gone afterwards.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { planCgroups } from '#engine/cri/cgroups/detect.ts';
import { CgroupDriver } from '#engine/cri/cgroups/driver.ts';
import { v1Writes, v2Writes } from '#engine/cri/cgroups/values.ts';
import { scratchDir } from '../support/scratch.ts';
import { onCleanup, openTestRuntime, startPod, testPod, waitForExit, waitFor } from './cri-harness.ts';

const V1_MOUNTINFO = `23 1 254:1 / / rw,relatime - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const V1_CGROUP = `4:memory:/user.slice
2:cpu,cpuacct:/user.slice
0::/user.slice/session-1.scope`;
const V2_MOUNTINFO = `23 1 254:1 / / rw - ext4 /dev/vda rw
30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate`;

describe('which cgroups', () => {
  test("cgroup v1 (also beside an empty cgroup2): the runtime's own folder in each controller", () => {
    expect(planCgroups({ platform: 'linux', uid: 0, mountinfo: V1_MOUNTINFO, procSelfCgroup: V1_CGROUP })).toEqual({
      driver: 'cgroupv1',
      own: { cpu: '/sys/fs/cgroup/cpu,cpuacct/user.slice', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/user.slice', memory: '/sys/fs/cgroup/memory/user.slice' },
    });
  });

  test('cgroup v2, also inside a container whose cgroup root is namespaced', () => {
    expect(planCgroups({ platform: 'linux', uid: 0, mountinfo: V2_MOUNTINFO, procSelfCgroup: '0::/system.slice/kubelet.service\n' })).toEqual({
      driver: 'cgroupv2',
      own: { unified: '/sys/fs/cgroup/system.slice/kubelet.service' },
    });
    const namespaced = '30 23 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
    expect(planCgroups({ platform: 'linux', uid: 0, mountinfo: namespaced, procSelfCgroup: '0::/docker/abc\n' }).own.unified).toBe('/sys/fs/cgroup');
  });

  test('none, with the reason: not Linux, not root, nothing mounted', () => {
    expect(planCgroups({ platform: 'darwin', uid: 501, mountinfo: '', procSelfCgroup: '' })).toMatchObject({
      driver: 'none',
      reason: 'cgroups exist only on Linux: cpu and memory limits are not enforced on darwin',
    });
    expect(planCgroups({ platform: 'linux', uid: 1000, mountinfo: V2_MOUNTINFO, procSelfCgroup: '0::/' })).toMatchObject({
      driver: 'none',
      reason: expect.stringContaining('not running as root (uid 1000)'),
    });
    expect(planCgroups({ platform: 'linux', uid: 0, mountinfo: '23 1 254:1 / / rw - ext4 /dev/vda rw', procSelfCgroup: '' })).toMatchObject({
      driver: 'none',
      reason: expect.stringContaining('no cgroup file system'),
    });
  });
});

describe('the files written', () => {
  const resources = { cpuShares: 512, cpuPeriod: 100_000, cpuQuota: 25_000, memoryLimitInBytes: 64 * 1024 * 1024 };

  test('v1: cpu.shares, the CFS period and quota, the memory limit and memsw equal to it', () => {
    expect(v1Writes(resources).map((w) => `${w.controller}/${w.file}=${w.value}`)).toEqual([
      'cpu/cpu.shares=512',
      'cpu/cpu.cfs_period_us=100000',
      'cpu/cpu.cfs_quota_us=25000',
      'memory/memory.limit_in_bytes=67108864',
      'memory/memory.memsw.limit_in_bytes=67108864',
    ]);
  });

  test('v2: cpu.weight, cpu.max "quota period" ("max" without a quota), memory.max, no swap, unified entries', () => {
    expect(v2Writes({ ...resources, unified: { 'memory.high': '50000000' } }, 100_000).map((w) => `${w.file}=${w.value}`)).toEqual([
      'cpu.weight=20',
      'cpu.max=25000 100000',
      'memory.max=67108864',
      'memory.swap.max=0',
      'memory.high=50000000',
    ]);
    expect(v2Writes({ cpuPeriod: 50_000 }, 100_000).map((w) => `${w.file}=${w.value}`)).toEqual(['cpu.max=max 50000']);
  });

  test("a v2 driver writes them into the container's folder and reads OOM kills from memory.events (on a stand-in cgroupfs)", () => {
    const fake = scratchDir('kubelings-cgroupfs-');
    onCleanup(() => rmSync(fake, { recursive: true, force: true }));
    writeFileSync(join(fake, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const driver = new CgroupDriver({ driver: 'cgroupv2', own: { unified: fake } }, 'kubelings-test');
    expect(driver.enforced).toBe(true);
    expect(readFileSync(join(fake, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory');
    const cgroup = driver.create('c1', resources);
    const dir = join(fake, 'kubelings-test', 'c1');
    expect(cgroup.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
    expect(['cpu.weight', 'cpu.max', 'memory.max'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(['20', '25000 100000', '67108864']);
    expect(existsSync(join(dir, 'memory.swap.max'))).toBe(false);
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    expect(cgroup.oomKills()).toBe(1);
  });

  test('a v2 hierarchy without the memory controller is said as not enforced, with why', () => {
    const fake = scratchDir('kubelings-cgroupfs-');
    onCleanup(() => rmSync(fake, { recursive: true, force: true }));
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'cgroup.controllers'), 'cpu pids\n');
    const driver = new CgroupDriver({ driver: 'cgroupv2', own: { unified: fake } }, 'kubelings-test');
    expect(driver.enforced).toBe(false);
    expect(driver.reason).toBe(`cgroup v2: ${fake} does not offer the memory controller (its cgroup.controllers: "cpu pids"): cpu and memory limits are not enforced`);
  });
});

describe('limits on this machine', () => {
  test("with cgroups turned off, a container's limits are reported as not enforced, with the reason", { timeout: 90_000 }, async () => {
    const t = await openTestRuntime({ cgroups: 'off' });
    expect((await t.runtime.status()).kubelings.resources).toMatchObject({ enforced: false, driver: 'none', reason: expect.stringContaining('turned off') });
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['sleep', '30'], resources: { limits: { memory: '32Mi' } } }));
    const { status } = await t.runtime.containerStatus({ containerId: pod.containerIds[0]! });
    expect(status.kubelings.resources).toEqual({ enforced: false, reason: expect.stringContaining('not enforced') });
  });

  const enforceable = process.platform === 'linux' && process.getuid?.() === 0;
  describe.skipIf(!enforceable)('Linux as root (skipped elsewhere: limits are then only reported)', () => {
    test("the cpu and memory limits are in the container's cgroup files, which are gone once it exits", { timeout: 90_000 }, async () => {
      const t = await openTestRuntime();
      const { kubelings } = await t.runtime.status();
      expect(kubelings.resources.enforced, kubelings.resources.reason).toBe(true);
      const pod = await startPod(t, testPod({ image: 'busybox', command: ['sleep', '30'], resources: { requests: { cpu: '500m' }, limits: { cpu: '250m', memory: '64Mi' } } }));
      const id = pod.containerIds[0]!;
      const { status, info } = await t.runtime.containerStatus({ containerId: id, verbose: true });
      expect(status.kubelings.resources).toEqual({ enforced: true });
      const dirs = (JSON.parse(info.info!) as { cgroupDirs: string[] }).cgroupDirs;
      const read = (file: string) => {
        const dir = dirs.find((d) => existsSync(join(d, file)));
        return dir ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
      };
      if (kubelings.resources.driver === 'cgroupv1') {
        expect([read('cpu.shares'), read('cpu.cfs_quota_us'), read('cpu.cfs_period_us'), read('memory.limit_in_bytes')]).toEqual(['512', '25000', '100000', String(64 * 1024 * 1024)]);
      } else {
        expect([read('cpu.weight'), read('cpu.max'), read('memory.max')]).toEqual(['20', '25000 100000', String(64 * 1024 * 1024)]);
      }
      expect(read('cgroup.procs')?.split('\n').map(Number)).toContain(status.kubelings.pid);
      await t.runtime.stopContainer({ containerId: id, timeout: 0 });
      expect(dirs.filter((d) => existsSync(d))).toEqual([]);
    });

    test('a container past its memory limit is OOM-killed: reason OOMKilled, exit code 137', { timeout: 90_000 }, async () => {
      const t = await openTestRuntime();
      // tail keeps the whole newline-free input in memory: it grows until the kernel kills it.
      const pod = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'head -c 1000000000 /dev/zero | tail'], resources: { limits: { memory: '32Mi' } } }));
      const status = await waitForExit(t, pod.containerIds[0]!);
      expect(status).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
      // A container that stays under its limit ends as it ends.
      const fine = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'head -c 1000000 /dev/zero | tail > /dev/null; exit 4'], resources: { limits: { memory: '32Mi' } } }));
      expect(await waitForExit(t, fine.containerIds[0]!)).toMatchObject({ exitCode: 4, reason: 'Error' });
      await waitFor('nothing left in the cgroups', async () => (await t.runtime.listContainerStats()).stats.length === 0);
    });
  });
});
