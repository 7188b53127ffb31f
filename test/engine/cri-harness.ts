/**
 * What the container runtime's tests share: a runtime in a scratch folder with a pod address
 * block of its own (test files run in parallel, and two runtimes on one block would hand out the
 * same addresses), cleaned up after each test whatever happened (shutdown, cleanupOrphans, the
 * folder, the block); a sandbox-and-container starter from a Pod the test builds; waiting for a
 * condition with a generous deadline that names what it waits for; a small HTTP client.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach } from 'vitest';
import type { Container, Pod } from '#engine/kube/types.ts';
import { cleanupOrphans } from '#engine/cri/orphans.ts';
import { containerConfig, podSandboxConfig } from '#engine/cri/pod/configs.ts';
import { isLive } from '#engine/cri/procfs.ts';
import { nodePodCidr, ProcessRuntime, type ProcessRuntimeOptions } from '#engine/cri/runtime.ts';
import { scratchDir } from '../support/scratch.ts';

/** Generous: the machine may be loaded; a pass never depends on its speed. */
export const DEADLINE_MS = 45_000;

const BLOCKS = join(tmpdir(), 'kubelings-cri-test-blocks');

/** Claims a node block of the pod network no other live test process holds. */
function claimBlock(): { index: number; release: () => void } {
  mkdirSync(BLOCKS, { recursive: true });
  const start = 1 + Math.floor(Math.random() * 3000);
  for (let i = 0; i < 4000; i++) {
    const index = 1 + ((start + i) % 4000);
    const file = join(BLOCKS, String(index));
    try {
      closeSync(openSync(file, 'wx'));
      writeFileSync(file, String(process.pid));
      return { index, release: () => rmSync(file, { force: true }) };
    } catch {
      const owner = Number(readFileSyncSafe(file));
      if (owner && !isLive(owner)) rmSync(file, { force: true });
    }
  }
  throw new Error('no free pod address block for the test');
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Runs `fn` after the current test, pass or fail (last registered first). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export interface TestRuntime {
  runtime: ProcessRuntime;
  root: string;
  logRoot: string;
  podCidr: string;
}

/** A fresh scratch folder and pod address block for a runtime; the folder and block go after the test. */
export function testRoot(): { root: string; logRoot: string; podCidr: string } {
  const dir = scratchDir('kubelings-cri-');
  const block = claimBlock();
  const root = join(dir, 'runtime');
  onCleanup(() => {
    block.release();
    rmSync(dir, { recursive: true, force: true });
  });
  // Whatever the test left running under this root is killed, even if the test failed half-way.
  onCleanup(async () => {
    await cleanupOrphans(root, { force: true }).catch(() => undefined);
  });
  return { root, logRoot: join(dir, 'pods'), podCidr: nodePodCidr(block.index) };
}

/** A runtime in a fresh scratch folder, shut down and removed after the test. */
export async function openTestRuntime(options: Partial<ProcessRuntimeOptions> = {}): Promise<TestRuntime> {
  const place = testRoot();
  const root = options.root ?? place.root;
  const podCidr = options.podCidr ?? place.podCidr;
  const runtime = await ProcessRuntime.open({ ...options, root, podCidr });
  onCleanup(() => runtime.shutdown());
  return { runtime, root, logRoot: place.logRoot, podCidr };
}

let podCount = 0;

/** A Pod object with one container (or the ones given), as a test builds it. */
export function testPod(container: Partial<Container> & { image: string }, extra: { name?: string; containers?: Container[] } = {}): Pod {
  const name = extra.name ?? `pod-${++podCount}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}-${process.pid}` },
    spec: { containers: extra.containers ?? [{ name: 'main', ...container }] },
  };
}

export interface StartedPod {
  pod: Pod;
  sandboxId: string;
  ip: string;
  containerIds: string[];
}

/** RunPodSandbox, then CreateContainer and StartContainer for each container, as the kubelet would. */
export async function startPod(t: TestRuntime, pod: Pod, options: { start?: boolean } = {}): Promise<StartedPod> {
  const sandboxConfig = podSandboxConfig(pod, { logRoot: t.logRoot });
  const { podSandboxId } = await t.runtime.runPodSandbox({ config: sandboxConfig });
  const status = await t.runtime.podSandboxStatus({ podSandboxId });
  const containerIds: string[] = [];
  for (const container of pod.spec.containers) {
    const config = containerConfig(pod, container, { envs: (container.env ?? []).map((e) => ({ key: e.name, value: e.value ?? '' })) });
    const { containerId } = await t.runtime.createContainer({ podSandboxId, config, sandboxConfig });
    if (options.start !== false) await t.runtime.startContainer({ containerId });
    containerIds.push(containerId);
  }
  return { pod, sandboxId: podSandboxId, ip: status.status.network!.ip, containerIds };
}

/** Polls `probe` until it returns something other than undefined/false; fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, deadlineMs = DEADLINE_MS): Promise<T> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) throw new Error(`waited ${deadlineMs / 1000} s for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await sleep(25);
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request (as curl makes it); rejects on a connection error. */
export function http(method: string, host: string, port: number, path: string, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { method, host, port, path, agent: false, timeout: 10_000, headers: { 'User-Agent': 'curl/8.5.0', ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until host:port answers an HTTP GET of `path`. */
export function waitForHttp(host: string, port: number, path = '/'): Promise<HttpAnswer> {
  return waitFor(`http://${host}:${port}${path} to answer`, () => http('GET', host, port, path));
}

/** Waits until the container has exited; returns its status. */
export async function waitForExit(t: TestRuntime, containerId: string) {
  return waitFor(`container ${containerId.slice(0, 12)} to exit`, async () => {
    const { status } = await t.runtime.containerStatus({ containerId });
    return status.state === 'CONTAINER_EXITED' ? status : undefined;
  });
}
