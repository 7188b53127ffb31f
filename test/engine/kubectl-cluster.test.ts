/**
 * `npx kubelings cluster up|down|status` as a learner runs it: a background control plane with
 * its data in KUBELINGS_HOME/data, a kubeconfig, and kubectl talking to it. Objects created before
 * `cluster down` are there after `cluster up`. Its credentials (CA, admin token) are private files
 * kept across restarts. Each run uses a temporary KUBELINGS_HOME and a free port, and stops the
 * control plane it started.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { parse as parseYaml } from 'yaml';
import { HAS_KUBECTL, kubectlWith, rows, type Kubectl } from './apiserver-harness.ts';
import { httpsFetch } from './https-fetch.ts';

const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
// Each test starts or stops the daemon (the engine loads through tsx) and runs kubectl: seconds each,
// many on a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let home: string;

/** `kubectl get nodes` once node-0 is Ready (its kubelet registers it just after cluster up). */
async function waitForNodes(kubectl: Kubectl): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    const out = (await kubectl.run(['get', 'nodes'])).output;
    if (/\bReady\b/.test(out) || Date.now() > until) return out;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function kubelings(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '' }, timeout: 110_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0, output: stdout + stderr });
    });
  });
}

function serverOf(kubeconfig: string): string {
  return /server: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1]!;
}

describe.skipIf(!HAS_KUBECTL)(`kubelings cluster up/down with kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, () => {
  let kubectl: Kubectl | undefined;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'kubelings-cluster-'));
  });
  afterAll(async () => {
    kubectl?.cleanup();
    if (existsSync(join(home, 'cluster.pid'))) await kubelings('cluster', 'down');
    rmSync(home, { recursive: true, force: true });
  });

  test('cluster up starts the control plane in the background and prints the export line', async () => {
    const up = await kubelings('cluster', 'up', '--port', '0');
    expect(up.code, up.output).toBe(0);
    expect(up.output).toContain(`export KUBECONFIG=${join(home, 'kubeconfig')}`);
    expect(up.output).toMatch(/The control plane is up at https:\/\/127\.0\.0\.1:\d+ \(pid \d+, code: solutions\)/);
    // A plain cluster up has one real node (wording: cluster-summary.test.ts).
    expect(up.output).toContain('Running, and whose code:\n');
    expect(up.output).toContain('\n  kubelet node-0 ');
    expect(up.output).not.toContain('Not running:');
    expect(existsSync(join(home, 'cluster.pid'))).toBe(true);
    const status = await kubelings('cluster', 'status');
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/^The control plane is running at https:\/\/127\.0\.0\.1:\d+/);
  });

  test('its credentials are files only this user can read; the kubeconfig holds the CA and the admin token; a request without it is refused', async () => {
    for (const file of ['kubeconfig', 'tokens.csv', 'pki/ca.key', 'pki/apiserver.key']) {
      expect((statSync(join(home, file)).mode & 0o777).toString(8), `mode of ${file}`).toBe('600');
    }
    const config = parseYaml(readFileSync(join(home, 'kubeconfig'), 'utf8'));
    const token = config.users[0].user.token as string;
    expect(token, 'the kubeconfig has a bearer token of 43 base64url characters (32 random bytes)').toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The admin's line, then the apiserver's credential towards the kubelets (they read this file too).
    expect(readFileSync(join(home, 'tokens.csv'), 'utf8')).toMatch(
      new RegExp(`^${token},kubelings-admin,kubelings-admin,"system:masters"\\n[A-Za-z0-9_-]{43},kube-apiserver-kubelet-client,kube-apiserver-kubelet-client,"system:masters"\\n$`),
    );
    const ca = Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
    expect(ca).toBe(readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'));
    expect(config.clusters[0].cluster['insecure-skip-tls-verify'], 'the server is verified, not trusted blindly').toBeUndefined();
    const url = serverOf(join(home, 'kubeconfig'));
    const anonymous = await httpsFetch(ca)(`${url}/api/v1/secrets`);
    expect([anonymous.status, await anonymous.json()]).toEqual([
      401,
      { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
    ]);
    expect((await httpsFetch(ca, { Authorization: `Bearer ${token}` })(`${url}/api/v1/secrets`)).status).toBe(200);
  });

  test('kubectl works against it, and what it creates survives cluster down and up', async () => {
    const tokenBefore = readFileSync(join(home, 'tokens.csv'), 'utf8');
    const caBefore = readFileSync(join(home, 'pki', 'ca.crt'), 'utf8');
    const copy = join(home, 'kubeconfig-copy');
    copyFileSync(join(home, 'kubeconfig'), copy);
    kubectl = kubectlWith(join(home, 'kubeconfig'));
    const nodes = await waitForNodes(kubectl);
    expect(nodes, 'what cluster up said: one real node').toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nnode-0\s+Ready\s+<none>\s+\S+\s+v1\.32\.0-kubelings\n$/);
    const create = await kubectl.run(['create', 'configmap', 'keep-me', '--from-literal=answer=42']);
    expect(create.output).toBe('configmap/keep-me created\n');
    await kubectl.run(['apply', '-f', join(import.meta.dirname, 'kubectl-manifests', 'nginx-deployment.yaml')]);

    const down = await kubelings('cluster', 'down');
    expect(down.output).toMatch(/^Stopped the control plane \(pid \d+\)\. Its data stays in /);
    expect(existsSync(join(home, 'cluster.pid'))).toBe(false);

    const up = await kubelings('cluster', 'up', '--port', '0');
    expect(up.code, up.output).toBe(0);
    kubectl.cleanup();
    kubectl = kubectlWith(join(home, 'kubeconfig'));
    const cm = await kubectl.run(['get', 'configmap', 'keep-me', '-o', 'jsonpath={.data.answer}']);
    expect(cm.stdout).toBe('42');
    const deployments = rows((await kubectl.run(['get', 'deployments'])).stdout);
    expect(deployments.map((r) => r[0])).toEqual(['NAME', 'nginx-deployment']);
    const namespaces = rows((await kubectl.run(['get', 'namespaces'])).stdout).map((r) => r[0]);
    expect(namespaces, 'bootstrap does not duplicate anything on restart').toEqual(['NAME', 'default', 'kube-node-lease', 'kube-public', 'kube-system']);
    // The credentials are kept across restarts: a copy of the kubeconfig still works (but for the port).
    expect(readFileSync(join(home, 'tokens.csv'), 'utf8')).toBe(tokenBefore);
    expect(readFileSync(join(home, 'pki', 'ca.crt'), 'utf8')).toBe(caBefore);
    const old = kubectlWith(copy);
    try {
      const r = await old.run(['--server', serverOf(join(home, 'kubeconfig')), 'get', 'configmap', 'keep-me', '-o', 'name']);
      expect(r.output).toBe('configmap/keep-me\n');
    } finally {
      old.cleanup();
    }
  });

  test('cluster down stops it cleanly; a second down says there is nothing to stop', async () => {
    expect((await kubelings('cluster', 'down')).output).toMatch(/^Stopped the control plane/);
    expect((await kubelings('cluster', 'down')).output).toBe('No control plane is running.\n');
    expect(readFileSync(join(home, 'cluster.log'), 'utf8')).toMatch(/"stopped"\n$/);
  });
});
