/**
 * Component processes authenticate as themselves (issue 11, item 1): the supervisor issues a
 * bearer token per component user (system:kube-scheduler, system:kube-controller-manager, the
 * hollow-nodes component and each hollow node's kubelet, `system:node:<name>` in system:nodes, as
 * upstream's Node authorizer expects) and hands the CA and tokens over in the child's first IPC
 * message, never on its command line or in its environment (/proc/PID/cmdline is readable by
 * every user of the machine; upstream keeps them in each component's kubeconfig file, mode 0600).
 *
 * The apiserver runs in this process with an authorizer that records who asks; the components are
 * real processes under a real Supervisor. Deadlines are generous and say what they wait for.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthorizationAttributes, Authorizer } from '#engine/apiserver/auth.ts';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import type { ComponentMessage } from '#engine/cluster/component-process.ts';
import { createLogger } from '#engine/cluster/logger.ts';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { COMPONENT_SCRIPT, specsOf, Supervisor, type ComponentProcessState } from '#engine/cluster/supervisor.ts';
import type { Pod } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';

const hasProc = existsSync('/proc/self/cmdline');
/** Three component processes load the engine through tsx: seconds each on a loaded machine. */
const BLOCK_MS = 240_000;

async function until<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await get();
  }
  return last;
}

describe.skipIf(!hasProc)('each component process is its own user, and its token is nowhere but its IPC channel (needs /proc)', { timeout: BLOCK_MS }, () => {
  const home = mkdtempSync(join(tmpdir(), 'kubelings-proc-auth-'));
  const paths = clusterPaths(home);
  const flags = { nodes: 2, hollow: true };
  const seen: AuthorizationAttributes[] = [];
  const recording: Authorizer = {
    authorize(attributes) {
      seen.push(attributes);
      return { allowed: true };
    },
  };
  /** Every token the supervisor asked for, with its user. */
  const issued: { username: string; groups: string[]; token: string }[] = [];
  const supervisorLog = new PassThrough();
  let logged = '';
  supervisorLog.on('data', (chunk: Buffer) => void (logged += chunk.toString()));
  let cluster: Cluster;
  let supervisor: Supervisor;
  const state = (name: string): ComponentProcessState | undefined => supervisor.states().find((c) => c.name === name);

  beforeAll(async () => {
    cluster = await startCluster({ authorizer: recording });
    supervisor = new Supervisor({
      server: cluster.url,
      ca: cluster.ca,
      issueToken: (user) => {
        const token = cluster.apiserver.issueToken(user);
        issued.push({ username: user.username, groups: user.groups, token });
        return token;
      },
      dataDir: join(home, 'data'),
      flags,
      paths,
      logger: createLogger(supervisorLog, 'supervisor', 'debug'),
      logLevel: 'debug',
      env: { KUBELINGS_HOME: home, KUBELINGS_IMPL: 'solutions' },
    });
    await supervisor.start(specsOf(builtinComponents(flags)));
  }, BLOCK_MS);
  afterAll(async () => {
    await supervisor?.stop();
    await cluster?.stop();
    rmSync(home, { recursive: true, force: true });
  }, BLOCK_MS);

  test('a token per component user, issued once: the components, and each hollow node as system:node:<name> in system:nodes', () => {
    expect(supervisor.states().map((c) => [c.name, c.phase])).toEqual([
      ['hollow-nodes', 'running'],
      ['kube-scheduler', 'running'],
      ['kube-controller-manager', 'running'],
      ['cloud-controller-manager', 'running'],
    ]);
    expect(issued.map((i) => [i.username, [...i.groups].sort()])).toEqual([
      ['kubelings:hollow-nodes', ['system:authenticated']],
      ['system:node:hollow-node-0', ['system:authenticated', 'system:nodes']],
      ['system:node:hollow-node-1', ['system:authenticated', 'system:nodes']],
      ['system:kube-scheduler', ['system:authenticated']],
      ['system:kube-controller-manager', ['system:authenticated']],
      ['system:cloud-controller-manager', ['system:authenticated']],
    ]);
    expect(new Set(issued.map((i) => i.token)).size, 'each user has a token of its own').toBe(issued.length);
  });

  test('the apiserver sees each component as its own user: the scheduler binds, each node renews its own Lease', async () => {
    await cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'who-binds', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await until(
      'who-binds bound and Running',
      () => cluster.client.get<Pod>('pods', 'who-binds', { namespace: 'default' }),
      (p) => p.status?.phase === 'Running',
    );
    const binds = seen.filter((a) => a.verb === 'create' && a.resource === 'pods' && a.subresource === 'binding' && a.name === 'who-binds');
    expect(
      binds.map((a) => a.user.username),
      'who created the binding',
    ).toEqual(['system:kube-scheduler']);
    expect([...binds[0]!.user.groups]).toEqual(['system:authenticated']);
    for (const node of ['hollow-node-0', 'hollow-node-1']) {
      const renewals = await until(
        `${node}'s Lease written`,
        () => seen.filter((a) => a.resource === 'leases' && a.name === node && a.verb !== 'get'),
        (r) => r.length > 0,
      );
      expect(new Set(renewals.map((a) => a.user.username)), `who writes ${node}'s Lease`).toEqual(new Set([`system:node:${node}`]));
    }
    const status = seen.filter((a) => a.resource === 'pods' && a.subresource === 'status' && a.name === 'who-binds');
    expect(status.length).toBeGreaterThan(0);
    expect(status[0]!.user.username, "the pod's status is written by its node's kubelet").toMatch(/^system:node:hollow-node-[01]$/);
    await until(
      'the controller-manager asked something',
      () => seen.filter((a) => a.user.username === 'system:kube-controller-manager'),
      (r) => r.length > 0,
    );
    const users = new Set(seen.map((a) => a.user.username));
    expect(
      [...users].filter((u) => u.startsWith('system:anonymous')),
      'no component process is anonymous',
    ).toEqual([]);
  });

  test("no token is on any component process's command line, in its environment, or in a log", () => {
    expect(issued.length).toBe(6);
    for (const c of supervisor.states()) {
      const cmdline = readFileSync(`/proc/${c.pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${c.pid}/environ`, 'utf8');
      expect(cmdline, `${c.name} is a component process`).toContain(COMPONENT_SCRIPT);
      for (const { username, token } of issued) {
        expect(cmdline.includes(token), `${username}'s token on ${c.name}'s command line`).toBe(false);
        expect(environ.includes(token), `${username}'s token in ${c.name}'s environment`).toBe(false);
      }
    }
    const logs = readdirSync(paths.logsDir).map((f) => readFileSync(join(paths.logsDir, f), 'utf8'));
    expect(logs.length).toBe(4);
    expect(logs.join('')).toContain('"component started"');
    for (const { username, token } of [...issued, { username: 'kubelings-admin', token: cluster.token }]) {
      expect(
        logs.some((l) => l.includes(token)),
        `${username}'s token in a component's log`,
      ).toBe(false);
      expect(logged.includes(token), `${username}'s token in the supervisor's log`).toBe(false);
    }
    expect(readFileSync(paths.componentsFile, 'utf8')).not.toContain(issued[0]!.token.slice(0, 12));
  });

  test('kill -9 of the scheduler: started again with its same credentials (no new token), it binds as itself', async () => {
    const before = state('kube-scheduler')!;
    const tokens = issued.length;
    process.kill(before.pid!, 'SIGKILL');
    await until(
      'kube-scheduler running again under a new pid',
      () => state('kube-scheduler'),
      (c) => c?.phase === 'running' && c.pid !== before.pid,
    );
    expect(issued.length, 'no token issued for the restart').toBe(tokens);
    await cluster.client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-kill', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await until(
      'after-kill bound',
      () => cluster.client.get<Pod>('pods', 'after-kill', { namespace: 'default' }),
      (p) => !!p.spec.nodeName,
    );
    expect(seen.filter((a) => a.subresource === 'binding' && a.name === 'after-kill').map((a) => a.user.username)).toEqual(['system:kube-scheduler']);
  });
});

describe.skipIf(!hasProc)('a component process holds only the tokens it was given', { timeout: BLOCK_MS }, () => {
  test('a component asking for a client as a user it has no token for fails to start, and says which user and what to do', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kubelings-proc-greedy-'));
    const cluster = await startCluster();
    const supervisor = new Supervisor({
      server: cluster.url,
      ca: cluster.ca,
      issueToken: (u) => cluster.apiserver.issueToken(u),
      dataDir: join(home, 'data'),
      flags: {},
      paths: clusterPaths(home),
      logger: createLogger(undefined),
      env: { KUBELINGS_HOME: home },
    });
    try {
      await supervisor.start([{ name: 'greedy', module: 'test/engine/fixtures/components/greedy.ts', factory: 'components', user: { username: 'greedy', groups: [] } }]);
      const greedy = await until(
        'greedy exited',
        () => supervisor.states()[0]!,
        (c) => c.restarts >= 1,
      );
      expect(greedy.lastExit).toMatchObject({ code: 1, signal: null });
      expect(greedy.lastExit?.error).toBe(
        'the greedy process holds no token for the user "kubelings-admin": list that user in the component\'s identities (ClusterComponent.identities) so the supervisor issues one',
      );
    } finally {
      await supervisor.stop();
      await cluster.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('the supervisor gone before the process even listens (a daemon killed while it loads): it exits, rather than wait for ever for its start message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, COMPONENT_SCRIPT), '--component', 'kube-scheduler'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    child.disconnect(); // at once: long before tsx has loaded the script
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waited = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000).unref()); // generous: loading tsx on a loaded machine
    try {
      expect(await Promise.race([exited, waited]), 'exit code once orphaned').toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a first message that is not a start message (or none but a stray field) is refused: the process says so and exits 1', async () => {
    for (const bad of [
      { type: 'start', server: 'https://127.0.0.1:1' },
      { type: 'start', server: 'https://127.0.0.1:1', ca: 'x', token: 'y', identities: 'all', module: 'm', factory: 'f', flags: {} },
      'start',
    ]) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, COMPONENT_SCRIPT), '--component', 'kube-scheduler'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      const messages: ComponentMessage[] = [];
      child.on('message', (m: ComponentMessage) => {
        messages.push(m);
        if (m.type === 'hello') child.send(bad);
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, JSON.stringify(bad)).toBe(1);
      expect(
        messages.find((m) => m.type === 'failed'),
        JSON.stringify(bad),
      ).toEqual({ type: 'failed', error: "the supervisor's first message is not a start message" });
    }
  });
});
