/**
 * No process left behind: shutdown() kills every container process, exec process and stray
 * child (one that left its process group with setsid) and removes the runtime's cgroups; and when
 * the process owning a runtime is killed with SIGKILL (`kill -9` of the kubelet or of `cluster
 * up`'s supervisor), its containers live on as orphans until cleanupOrphans(root), or the next
 * runtime opened on that root, kills them from the state folder; the pod addresses they held stay
 * reserved until their sandboxes are stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cleanupOrphans, RUNTIME_ID_ENV } from '#engine/cri/orphans.ts';
import { isLive, pidsWithEnv } from '#engine/cri/procfs.ts';
import { ProcessRuntime } from '#engine/cri/runtime.ts';
import { ROOT } from '#engine/paths.ts';
import { http, onCleanup, openTestRuntime, startPod, testPod, testRoot, waitFor, waitForHttp, DEADLINE_MS } from './cri-harness.ts';

const linux = process.platform === 'linux';

/** Starts the fixture that owns a runtime; resolves with what it printed. */
async function startOwner(root: string, podCidr: string, logRoot: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/engine/fixtures/cri/owner.ts'), root, podCidr, logRoot], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const line = await waitFor(
    `the runtime owner to start its pods (stderr so far: ${err.slice(-300)})`,
    () => (out.includes('\n') ? out.split('\n')[0] : child.exitCode !== null ? Promise.reject(new Error(`owner exited ${child.exitCode}: ${err}`)) : undefined),
    DEADLINE_MS * 2,
  );
  const started = JSON.parse(line) as { runtimeId: string; pids: number[]; escaped: number; ips: string[]; containers: string[]; enforced: boolean };
  return { child, ...started };
}

async function killOwner(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

describe('nothing is left', () => {
  test('after shutdown(): no container, exec or stray process, no cgroup, no owner record', { timeout: 120_000 }, async () => {
    const t = await openTestRuntime();
    const web = await startPod(t, testPod({ image: 'nginx', resources: { limits: { memory: '256Mi' } } }));
    const shell = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'setsid sleep 1000 & echo $! > escaped.pid; sleep 1000'] }));
    const { info } = await t.runtime.containerStatus({ containerId: shell.containerIds[0]!, verbose: true });
    const workDir = (JSON.parse(info.info!) as { workDir: string }).workDir;
    const escaped = await waitFor('the stray process to write its pid', () => Number(readFileSync(join(workDir, 'escaped.pid'), 'utf8')) || undefined);
    const session = await t.runtime.exec({ containerId: web.containerIds[0]!, cmd: ['sleep', '1000'], stdout: true });
    await waitForHttp(web.ip, 80);
    const pids = await Promise.all([...web.containerIds, ...shell.containerIds].map(async (id) => (await t.runtime.containerStatus({ containerId: id })).status.kubelings.pid));
    const cgroupDirs = (JSON.parse((await t.runtime.containerStatus({ containerId: web.containerIds[0]!, verbose: true })).info.info!) as { cgroupDirs: string[] }).cgroupDirs;
    expect([...pids, escaped].every((pid) => isLive(pid))).toBe(true);

    await t.runtime.shutdown();
    for (const pid of [...pids, escaped]) expect(isLive(pid), `process ${pid}`).toBe(false);
    expect(await session.exited).toEqual({ exitCode: 137 });
    if (linux) expect(pidsWithEnv(RUNTIME_ID_ENV, t.runtime.runtimeId)).toEqual([]);
    expect(cgroupDirs.filter((d) => existsSync(d))).toEqual([]);
    expect(existsSync(join(t.root, 'owner.json'))).toBe(false);
    await expect(http('GET', web.ip, 80, '/')).rejects.toThrow();
    await expect(t.runtime.runPodSandbox({ config: { metadata: { name: 'late', namespace: 'default', uid: 'u' } } })).rejects.toMatchObject({ code: 'Unavailable' });
  });

  test('after SIGKILL of the process owning the runtime, cleanupOrphans(root) kills the orphans and records it', { timeout: 180_000 }, async () => {
    const place = testRoot();
    const owner = await startOwner(place.root, place.podCidr, place.logRoot);
    const all = [...owner.pids, owner.escaped];
    expect(all.every((pid) => isLive(pid))).toBe(true);
    await waitForHttp(owner.ips[0]!, 80);
    await expect(cleanupOrphans(place.root)).rejects.toMatchObject({ code: 'FailedPrecondition', message: expect.stringContaining(`owned by process ${owner.child.pid}, which runs`) });

    await killOwner(owner.child);
    // The owner is gone; its containers are not (this is what cleanup is for).
    expect(all.every((pid) => isLive(pid))).toBe(true);

    const report = await cleanupOrphans(place.root);
    for (const pid of all) expect(isLive(pid), `process ${pid}`).toBe(false);
    expect(report.killed).toEqual(expect.arrayContaining(owner.pids));
    if (linux) expect(pidsWithEnv(RUNTIME_ID_ENV, owner.runtimeId)).toEqual([]);
    if (owner.enforced) expect(report.cgroupsRemoved.length).toBeGreaterThan(0);
    expect(report.warnings).toEqual([]);
    expect(existsSync(join(place.root, 'owner.json'))).toBe(false);
    const record = JSON.parse(readFileSync(join(place.root, 'containers', owner.containers[0]!, 'container.json'), 'utf8')) as { state: string; exitCode: number; message: string };
    expect(record).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 137, message: expect.stringContaining('killed by cleanupOrphans') });

    // A new owner finds the pods not ready, their addresses still reserved until it stops them.
    const runtime = await ProcessRuntime.open({ root: place.root, podCidr: place.podCidr });
    onCleanup(() => runtime.shutdown());
    const { items } = await runtime.listPodSandbox();
    expect(items.map((s) => s.state)).toEqual(['SANDBOX_NOTREADY', 'SANDBOX_NOTREADY']);
    const fresh = await runtime.runPodSandbox({ config: { metadata: { name: 'fresh', namespace: 'default', uid: 'u-fresh' } } });
    const freshIP = (await runtime.podSandboxStatus({ podSandboxId: fresh.podSandboxId })).status.network!.ip;
    expect(owner.ips).not.toContain(freshIP);
    for (const sandbox of items) await runtime.stopPodSandbox({ podSandboxId: sandbox.id });
    for (const ip of owner.ips) expect(existsSync(join(place.root, 'cni', 'kubelings', ip))).toBe(false);
  });

  test('a runtime opened on a root whose owner was killed cleans up first, and says so', { timeout: 180_000 }, async () => {
    const place = testRoot();
    const owner = await startOwner(place.root, place.podCidr, place.logRoot);
    await killOwner(owner.child);
    const runtime = await ProcessRuntime.open({ root: place.root, podCidr: place.podCidr });
    onCleanup(() => runtime.shutdown());
    for (const pid of [...owner.pids, owner.escaped]) expect(isLive(pid), `process ${pid}`).toBe(false);
    expect(runtime.warnings[0]).toMatch(/^killed \d+ process\(es\) left by a previous owner of /);
    // A second owner at once is refused.
    await expect(ProcessRuntime.open({ root: place.root, podCidr: place.podCidr })).rejects.toMatchObject({ code: 'FailedPrecondition' });
  });

  test('an unreadable record is moved aside and named, and the rest of the root still opens', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['sleep', '1000'] }));
    const pid = (await t.runtime.containerStatus({ containerId: pod.containerIds[0]! })).status.kubelings.pid;
    await t.runtime.shutdown();
    writeFileSync(join(t.root, 'sandboxes', `${pod.sandboxId}.json`), '{"id": "half a rec');
    writeFileSync(join(t.root, 'containers', pod.containerIds[0]!, 'container.json'), 'garbage');
    const runtime = await ProcessRuntime.open({ root: t.root, podCidr: t.podCidr });
    onCleanup(() => runtime.shutdown());
    expect(isLive(pid)).toBe(false);
    expect(runtime.warnings.join('\n')).toMatch(/unreadable runtime record .*sandboxes\/[0-9a-f]{64}\.json .*moved aside to .*\.corrupt/);
    expect(runtime.warnings.join('\n')).toMatch(/unreadable runtime record .*container\.json/);
    expect(existsSync(join(t.root, 'sandboxes', `${pod.sandboxId}.json.corrupt`))).toBe(true);
    expect((await runtime.listPodSandbox()).items).toEqual([]);
    // Its address file is kept: a record that cannot be read never frees an address.
    expect(existsSync(join(t.root, 'cni', 'kubelings', pod.ip))).toBe(true);
    const fresh = await runtime.runPodSandbox({ config: { metadata: { name: 'fresh', namespace: 'default', uid: 'u' } } });
    expect((await runtime.podSandboxStatus({ podSandboxId: fresh.podSandboxId })).status.network!.ip).not.toBe(pod.ip);
  });
});
