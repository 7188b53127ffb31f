/**
 * What the apiserver's end-to-end tests share: one in-process apiserver per test file (in-memory
 * store unless a data dir is given), and a kubectl runner with its own KUBECONFIG and --cache-dir
 * in a temporary folder, so nothing reaches ~/.kube. kubectl runs asynchronously: the server lives
 * in the same process and must keep answering while kubectl waits.
 *
 * The apiserver serves HTTPS with a CA of its own and refuses requests without a bearer token: a
 * test's raw HTTP goes through `server.fetch` (or `fetchWithToken`), which trusts the CA and adds
 * the admin's token; the kubeconfig carries both, as `cluster up` writes it.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer, type ApiServerOptions } from '#engine/apiserver/server.ts';
import { createStore } from '#engine/etcd/store.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { writeKubeconfig, type ClusterAccess } from '#engine/cluster/kubeconfig.ts';
import { KubeClient } from '#engine/client/client.ts';
import { httpsFetch, type Fetch } from './https-fetch.ts';

/** True when a kubectl binary is on the PATH. */
export const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

export interface TestServer {
  api: ApiServer;
  store: KVStore;
  url: string;
  /** The admin's bearer token. */
  token: string;
  /** The CA certificate (PEM) the server's certificate comes from. */
  ca: string;
  /** What a kubeconfig needs: url, CA, token. */
  access: ClusterAccess;
  client: KubeClient;
  /** fetch() of a path on this server with the admin's token (headers in `init` are kept). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** fetch() that trusts `ca` and adds `Authorization: Bearer <token>` to what `init` sends. */
export function fetchWithToken(token: string, ca: string): Fetch {
  return httpsFetch(ca, { Authorization: `Bearer ${token}` });
}

export async function startTestServer(options: Partial<ApiServerOptions> & { dataDir?: string } = {}): Promise<TestServer> {
  const store = options.store ?? (await createStore({ dataDir: options.dataDir }));
  const api = await startApiServer({ port: 0, ...options, store });
  const client = new KubeClient({ server: api.url, ca: api.ca, userAgent: 'kubelings-test', token: api.adminToken });
  const authed = fetchWithToken(api.adminToken, api.ca);
  return {
    api,
    store,
    url: api.url,
    token: api.adminToken,
    ca: api.ca,
    access: { server: api.url, ca: api.ca, token: api.adminToken },
    client,
    fetch: (path, init) => authed(`${api.url}${path}`, init),
    async close() {
      client.close();
      await api.close();
      await store.close();
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as a terminal shows them. */
  output: string;
}

export interface Kubectl {
  dir: string;
  kubeconfig: string;
  /** Runs `kubectl <args>`; `input` goes to stdin (for `-f -`). */
  run(args: string[], input?: string): Promise<Run>;
  /** Starts a long-running kubectl (get -w); collect its output, stop it with kill(). */
  start(args: string[]): { child: ChildProcess; output(): string; waitFor(text: string | RegExp, ms?: number): Promise<string> };
  /** Writes a manifest into the temp folder and returns its path. */
  file(name: string, text: string): string;
  cleanup(): void;
}

/** One kubectl command may take this long before it is killed: seconds are normal on a loaded machine; this stops a hang. */
const KUBECTL_RUN_MS = 60_000;

/** kubectl with a kubeconfig for this cluster (url, CA, admin token), as `cluster up` writes it. */
export function kubectlFor(access: ClusterAccess): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, access);
  return kubectlWith(kubeconfig, dir);
}

/** kubectl with this kubeconfig, left as it is (HOME and --cache-dir in `dir`, a new temporary folder by default). */
export function kubectlWith(kubeconfig: string, dir = mkdtempSync(join(tmpdir(), 'kubelings-kubectl-'))): Kubectl {
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };
  const base = ['--cache-dir', join(dir, 'cache')];
  const children = new Set<ChildProcess>();
  return {
    dir,
    kubeconfig,
    run(args, input) {
      return new Promise((resolve) => {
        const child = execFile('kubectl', [...base, ...args], { env, timeout: KUBECTL_RUN_MS, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr, output: stdout + stderr });
        });
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    start(args) {
      const child = spawn('kubectl', [...base, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      let text = '';
      const waiters: { test: (t: string) => boolean; resolve: (t: string) => void }[] = [];
      const onData = (chunk: Buffer) => {
        text += chunk.toString('utf8');
        for (const w of [...waiters])
          if (w.test(text)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(text);
          }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      return {
        child,
        output: () => text,
        waitFor(pattern, ms = 30_000) {
          const test = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
          if (test(text)) return Promise.resolve(text);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`kubectl ${args.join(' ')} did not print ${String(pattern)} within ${ms} ms; it printed:\n${text}`)), ms);
            waiters.push({ test, resolve: (t) => (clearTimeout(timer), resolve(t)) });
          });
        },
      };
    },
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup() {
      for (const child of children) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The rows of a table kubectl printed, each split on runs of 2+ spaces (so "0/1" and "10s" stay whole). */
export function rows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}
