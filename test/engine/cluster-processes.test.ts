/**
 * The control plane as processes (issue 11, item 1 and 4), as a learner meets it through
 * `npx kubelings cluster up|status|down` and `npx kubelings node stop|start`, with the real kubectl:
 *
 * - each component (hollow nodes, kube-scheduler, kube-controller-manager, cloud-controller-manager) runs in an OS process of
 *   its own under the daemon, logs to logs/NAME.log, and `cluster status` lists its pid and health;
 * - a component killed with -9 leaves the apiserver and the others serving, and the supervisor
 *   starts it again (its pid changes, status counts the exit, and it does its work again);
 * - a learner's scheduler stuck in `while (true)` stalls nothing else: kubectl and /readyz answer,
 *   status names it NOT RESPONDING; a learner's controller-manager that throws while loading is
 *   restarted with backoff and status shows its error; `cluster down` ends them all, the stuck one
 *   too, and a kill -9 of the daemon followed by `cluster down` leaves nothing either (/proc);
 * - `node stop NAME` makes the node NotReady (kubectl) and its Deployment's pods are made again on
 *   the others; `node start NAME` brings it back Ready; an unknown name is refused with the names.
 *
 * Real processes in a temporary KUBELINGS_HOME per block, port 0. Deadlines are generous and say
 * what they wait for; nothing here depends on how fast the machine is.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { silentLogger } from '#engine/cluster/logger.ts';
import { followStoppedNodes, readStoppedNodes, writeStoppedNodes } from '#engine/cluster/node-control.ts';
import { readCaCert } from '#engine/cluster/pki-files.ts';
import { describeProcesses } from '#engine/cluster/summary.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import { readComponentsFile, restartDelay, type ComponentProcessState } from '#engine/cluster/supervisor.ts';
import type { Node, Pod } from '#engine/kube/types.ts';
import { SUPERVISOR_BACKOFF_INITIAL_MS, SUPERVISOR_BACKOFF_MAX_MS, SUPERVISOR_BACKOFF_RESET_MS, SUPERVISOR_UNRESPONSIVE_MS } from '#engine/params.ts';
import { ROOT } from '#engine/paths.ts';
import { isProcessAlive } from '#engine/processes.ts';
import { httpsFetch } from './https-fetch.ts';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl) console.log('kubectl is not installed: the cluster-processes tests are skipped.');
const hasProc = existsSync('/proc/self/cmdline');
const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
/** A block that starts daemons: each start loads the engine through tsx in 4 processes (seconds on a loaded machine). */
const BLOCK_MS = 240_000;

function kubelings(home: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '', NO_COLOR: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

async function kubectl(home: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', join(home, 'kubeconfig'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

async function until<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await get();
  }
  return last;
}

/** Pids of every process whose command line names `home` (the daemon and its components carry its data folder). */
function processesOf(home: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(home) && !/\) [ZX] /.test(state)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const componentsOf = (home: string): ComponentProcessState[] => readComponentsFile(join(home, 'components.json'))?.components ?? [];
const componentOf = (home: string, name: string) => componentsOf(home).find((c) => c.name === name);
const daemonPid = (home: string) => Number(readFileSync(join(home, 'cluster.pid'), 'utf8').split('\n')[0]);
const ppidOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

test('restart backoff: 1 s doubling to 30 s at each crash, back to 1 s once a process stayed up long enough', () => {
  let due = SUPERVISOR_BACKOFF_INITIAL_MS;
  const waits: number[] = [];
  for (let crash = 0; crash < 8; crash++) {
    const { delayMs, nextMs } = restartDelay(due, 100);
    waits.push(delayMs);
    due = nextMs;
  }
  expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000].map((ms) => Math.min(ms, SUPERVISOR_BACKOFF_MAX_MS)));
  expect(restartDelay(SUPERVISOR_BACKOFF_MAX_MS, SUPERVISOR_BACKOFF_RESET_MS)).toEqual({ delayMs: SUPERVISOR_BACKOFF_INITIAL_MS, nextMs: 2 * SUPERVISOR_BACKOFF_INITIAL_MS });
  expect(restartDelay(8_000, SUPERVISOR_BACKOFF_RESET_MS - 1).delayMs, 'a process up for less than the reset time keeps backing off').toBe(8_000);
});

test('cluster status wording: pid and health of each process, the wait before a restart, the last exit and its error', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const text = describeProcesses(
    100,
    [
      { name: 'hollow-nodes', pid: 101, phase: 'running', restarts: 0, since: '2025-12-31T23:59:00Z' },
      { name: 'kube-scheduler', pid: 102, phase: 'not responding', restarts: 0, since: '2025-12-31T23:59:00Z' },
      { name: 'kube-controller-manager', phase: 'restarting', restarts: 3, since: '2026-01-01T00:00:04Z', lastExit: { code: 1, signal: null, at: '2025-12-31T23:59:59Z', error: 'boom' } },
    ],
    '.kubelings/logs',
    now,
  );
  expect(text).toBe(
    "Processes (each component's log: .kubelings/logs/NAME.log):\n" +
      '  store, apiserver         pid 100  running (the daemon, the supervisor of the others)\n' +
      '  hollow-nodes             pid 101  running\n' +
      '  kube-scheduler           pid 102  NOT RESPONDING: no heartbeat (stuck in a loop?); the others keep serving\n' +
      '  kube-controller-manager  -        RESTARTING in 4 s (exited 3 times, last: exit code 1: boom)\n',
  );
  expect(describeProcesses(100, undefined, 'logs', now)).toContain('components        -        unknown: the supervisor wrote no components.json');
});

test('the stopped-nodes file: listed nodes paused, the others resumed; a corrupt file is logged and stops nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-stopped-'));
  const file = join(dir, 'stopped-nodes.json');
  const calls: string[] = [];
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (m: string) => void warnings.push(m), info: () => {} };
  const stopFollowing = followStoppedNodes(file, { pause: (n) => void calls.push(`pause ${n}`), resume: (n) => void calls.push(`resume ${n}`) }, logger);
  try {
    writeStoppedNodes(file, ['hollow-node-1', 'hollow-node-1', 'hollow-node-0']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readStoppedNodes(file)).toEqual(['hollow-node-0', 'hollow-node-1']);
    await until(
      'both paused',
      () => [...calls],
      (c) => c.length === 2,
    );
    expect(calls.sort()).toEqual(['pause hollow-node-0', 'pause hollow-node-1']);
    calls.length = 0;
    writeStoppedNodes(file, ['hollow-node-0']);
    await until(
      'hollow-node-1 resumed',
      () => [...calls],
      (c) => c.length === 1,
    );
    expect(calls).toEqual(['resume hollow-node-1']);
    calls.length = 0;
    writeFileSync(file, '{"stopped": "hollow-node-0"'); // cut short, and not a list
    await until(
      'hollow-node-0 resumed after the file broke',
      () => [...calls],
      (c) => c.length === 1,
    );
    expect(calls).toEqual(['resume hollow-node-0']);
    expect(warnings[0]).toMatch(/stopped-nodes\.json cannot be read as \{"stopped": \[names\]\} \(.*\): every node runs$/);
  } finally {
    stopFollowing();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.skipIf(!hasKubectl || !hasProc)('cluster up --nodes 3 --hollow: one process per component, a killed one restarted, node stop/start (needs kubectl and /proc)', { timeout: BLOCK_MS }, () => {
  const home = mkdtempSync(join(tmpdir(), 'kubelings-procs-'));
  let client: KubeClient;
  beforeAll(async () => {
    const up = await kubelings(home, [
      'cluster',
      'up',
      '--port',
      '0',
      '--nodes',
      '3',
      '--hollow',
      '--node-lease-duration-seconds',
      '2',
      '--node-monitor-grace-period',
      '3s',
      '--node-monitor-period',
      '500ms',
    ]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    client = new KubeClient({ server: /server: (\S+)/.exec(readFileSync(join(home, 'kubeconfig'), 'utf8'))![1]!, ca: readCaCert(join(home, 'pki')), token: readAdminToken(join(home, 'tokens.csv')) });
  }, BLOCK_MS);
  afterAll(async () => {
    client?.close();
    if (existsSync(join(home, 'cluster.pid'))) await kubelings(home, ['cluster', 'down']);
    rmSync(home, { recursive: true, force: true });
  }, BLOCK_MS);

  test('each component runs in its own process under the daemon, with its own log; cluster status lists pid and health', async () => {
    const daemon = daemonPid(home);
    const components = await until(
      'every component process running',
      () => componentsOf(home),
      (cs) => cs.length === 4 && cs.every((c) => c.phase === 'running'),
    );
    expect(components.map((c) => c.name)).toEqual(['hollow-nodes', 'kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager']);
    for (const c of components) {
      expect(c.pid, c.name).not.toBe(daemon);
      expect(ppidOf(c.pid!), `${c.name}'s parent is the daemon`).toBe(daemon);
      const cmdline = readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline, `${c.name}'s command line`).toContain(join(ROOT, 'engine/cluster/component-process.ts'));
      expect(cmdline.slice(cmdline.indexOf('--component'), cmdline.indexOf('--component') + 2)).toEqual(['--component', c.name]);
      expect(readFileSync(join(home, 'logs', `${c.name}.log`), 'utf8'), `logs/${c.name}.log`).toContain('"component started"');
    }
    expect(readFileSync(join(home, 'logs', 'hollow-nodes.log'), 'utf8')).toContain('"hollow nodes ready" nodes=3');
    const status = await kubelings(home, ['cluster', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Processes (each component's log: ${join(home, 'logs')}/NAME.log):\n`);
    expect(status.stdout).toMatch(new RegExp(`\\n  store, apiserver +pid ${daemon} +running \\(the daemon`));
    for (const c of components) expect(status.stdout).toMatch(new RegExp(`\\n  ${c.name} +pid ${c.pid} +running\\n`));
  });

  test('kill -9 of kube-scheduler: the apiserver keeps answering, the supervisor starts it again, and it schedules', async () => {
    const before = componentOf(home, 'kube-scheduler')!;
    const others = componentsOf(home).filter((c) => c.name !== 'kube-scheduler');
    process.kill(before.pid!, 'SIGKILL');
    expect(await kubectl(home, 'get', 'ns', 'default', '-o', 'name'), 'the apiserver answers while the scheduler is down').toBe('namespace/default\n');
    const after = (await until(
      'kube-scheduler running again under a new pid',
      () => componentOf(home, 'kube-scheduler'),
      (c) => c?.phase === 'running' && c.pid !== before.pid,
    ))!;
    expect(after).toMatchObject({ restarts: 1, lastExit: { signal: 'SIGKILL', code: null } });
    for (const o of others) expect(componentOf(home, o.name)?.pid, `${o.name} was left alone`).toBe(o.pid);
    expect(readFileSync(join(home, 'cluster.log'), 'utf8')).toMatch(/W\d{4} [\d:.]+ supervisor\] "component exited; restarting it" component=kube-scheduler signal=SIGKILL in=1s restarts=1/);
    const status = await kubelings(home, ['cluster', 'status']);
    expect(status.stdout).toMatch(new RegExp(`\\n  kube-scheduler +pid ${after.pid} +running \\(exited once, last: killed by SIGKILL\\)\\n`));
    await kubectl(home, 'run', 'after-restart', '--image=nginx');
    const pod = await until(
      'the pod created after the restart bound and Running',
      () => client.get<Pod>('pods', 'after-restart', { namespace: 'default' }),
      (p) => p.status?.phase === 'Running',
    );
    expect(pod.spec.nodeName).toMatch(/^hollow-node-\d$/);
    await kubectl(home, 'delete', 'pod', 'after-restart', '--wait=false');
  });

  test("node stop refuses a name that is not one of the cluster's hollow nodes, and says which there are", async () => {
    for (const name of ['hollow-node-3', 'node-1', '../cluster.json']) {
      const run = await kubelings(home, ['node', 'stop', name]);
      expect(run.code, name).toBe(2);
      expect(run.stderr).toBe(`There is no hollow node named "${name}" in this cluster: its nodes are hollow-node-0, hollow-node-1, hollow-node-2.\n`);
    }
    const none = await kubelings(home, ['node', 'stop']);
    expect(none.stderr).toBe('node stop takes a node name: one of hollow-node-0, hollow-node-1, hollow-node-2.\n');
    expect(existsSync(join(home, 'stopped-nodes.json')), 'nothing was written').toBe(false);
  });

  test("node stop: the node goes NotReady and its Deployment's pods are made again elsewhere; node start: Ready again", async () => {
    const manifest = join(home, 'fragile.yaml');
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: fragile}
spec:
  replicas: 6
  selector: {matchLabels: {app: fragile}}
  template:
    metadata: {labels: {app: fragile}}
    spec:
      containers: [{name: c, image: nginx:1.14.2}]
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
`,
    );
    await kubectl(home, 'apply', '-f', manifest);
    expect(await kubectl(home, 'rollout', 'status', 'deployment/fragile', '--timeout=90s')).toContain('successfully rolled out');
    const placed = (await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=fragile' })).items;
    const counts = new Map<string, number>();
    for (const p of placed) counts.set(p.spec.nodeName!, (counts.get(p.spec.nodeName!) ?? 0) + 1);
    const dead = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const victims = placed.filter((p) => p.spec.nodeName === dead).map((p) => p.metadata.name!);

    const stop = await kubelings(home, ['node', 'stop', dead]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Stopped ${dead}'s heartbeats, as a crashed kubelet would`);
    expect(statSync(join(home, 'stopped-nodes.json')).mode & 0o777, "the control file is the owner's alone").toBe(0o600);
    expect((await kubelings(home, ['node', 'list'])).stdout).toContain(`${dead}  stopped`);
    await until(
      `kubectl get node ${dead}: NotReady`,
      () => kubectl(home, 'get', 'node', dead, '--no-headers'),
      (out) => /^\S+\s+NotReady\s/.test(out),
      90_000,
    );
    await until(
      "the stopped node's pods evicted and 6 fragile pods Running on the other nodes",
      () => client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=fragile' }).then((l) => l.items),
      (pods) => {
        const evicted = victims.every((v) => pods.find((p) => p.metadata.name === v)?.metadata.deletionTimestamp);
        return evicted && pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.spec.nodeName !== dead).length === 6;
      },
      90_000,
    );
    expect(readFileSync(join(home, 'logs', 'hollow-nodes.log'), 'utf8')).toContain(`"node heartbeats stopped (kubelings node stop)" node=${dead}`);

    const start = await kubelings(home, ['node', 'start', dead]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toBe(`Started ${dead}'s heartbeats again: it reports Ready on its next heartbeat.\n`);
    await until(
      `${dead} Ready again and untainted`,
      () => client.get<Node>('nodes', dead),
      (n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')),
      90_000,
    );
    expect(await kubectl(home, 'get', 'node', dead, '--no-headers')).toMatch(/^\S+\s+Ready\s/);
    await kubectl(home, 'delete', 'deployment', 'fragile');
  });

  test('cluster down ends every component process: none is left in /proc', async () => {
    expect(processesOf(home).length, 'the daemon and its 4 components run before').toBe(5);
    const down = await kubelings(home, ['cluster', 'down']);
    expect(down.stdout).toMatch(/^Stopped the control plane/);
    expect(processesOf(home)).toEqual([]);
    expect(existsSync(join(home, 'components.json'))).toBe(false);
  });
});

describe.skipIf(!hasKubectl || !hasProc)("a learner's scheduler stuck in while (true) and a controller-manager that throws while loading (needs kubectl and /proc)", { timeout: BLOCK_MS }, () => {
  const home = mkdtempSync(join(tmpdir(), 'kubelings-procs-stuck-'));
  const learner = mkdtempSync(join(tmpdir(), 'kubelings-procs-learner-'));
  // The learner's trees: the reference scheduler with a scheduleOne that never returns, and
  // controllers whose index throws as it loads.
  writeFileSync(join(learner, 'package.json'), '{"type": "module"}\n'); // as the project's own: ESM
  mkdirSync(join(learner, 'scheduler'));
  writeFileSync(
    join(learner, 'scheduler', 'index.ts'),
    `import reference from ${JSON.stringify(join(ROOT, 'solutions', 'scheduler', 'index.ts'))};\nexport default { ...reference, scheduleOne: () => { while (true) { /* a learner's loop that never ends */ } } };\n`,
  );
  mkdirSync(join(learner, 'controllers'));
  writeFileSync(join(learner, 'controllers', 'index.ts'), `throw new Error('a learner bug in controllers/index.ts');\nexport default {};\n`);
  // cluster up prints the controller-manager's first failure only if it came within the supervisor's
  // start wait (20 s): loading tsx and the learner's file may take longer on a loaded machine.
  const env = { KUBELINGS_EXERCISES_PATH: learner, KUBELINGS_COMPONENT_START_WAIT_MS: '90000' };
  const impl = ['--impl', 'exercises:scheduler,controllers'];
  afterAll(async () => {
    if (existsSync(join(home, 'cluster.pid'))) await kubelings(home, ['cluster', 'down'], env);
    for (const pid of processesOf(home)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
    rmSync(learner, { recursive: true, force: true });
  }, BLOCK_MS);

  const stuckCluster = async (pod: string) => {
    const up = await kubelings(home, ['cluster', 'up', '--port', '0', '--nodes', '1', '--hollow', ...impl], env);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain('kube-scheduler            yours (exercises/scheduler)');
    // The learner hears at once that their controller-manager does not start, and why.
    expect(up.stdout).toMatch(
      /\n {2}kube-controller-manager +(pid \d+|-) +(RESTARTING( in \d+ s)?|starting) \(exited (once|\d+ times), last: exit code 1: a learner bug in controllers\/index\.ts\)\n/,
    );
    await kubectl(home, 'run', pod, '--image=nginx');
    return (await until(
      `kube-scheduler NOT RESPONDING (no heartbeat for ${SUPERVISOR_UNRESPONSIVE_MS / 1000} s)`,
      () => componentOf(home, 'kube-scheduler'),
      (c) => c?.phase === 'not responding',
      120_000,
    ))!;
  };

  test('the stuck scheduler stalls neither kubectl nor /readyz; status names it; the crashing controller-manager is restarted with backoff; cluster down ends them all', async () => {
    const stuck = await stuckCluster('spinner');
    expect(isProcessAlive(stuck.pid!), 'the stuck scheduler still runs (it is reported, not killed)').toBe(true);
    expect(await kubectl(home, 'get', 'ns', 'default', '-o', 'name')).toBe('namespace/default\n');
    const url = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')).url as string;
    const fetch = httpsFetch(readCaCert(join(home, 'pki')), { authorization: `Bearer ${readAdminToken(join(home, 'tokens.csv'))}` });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/namespaces/default/pods/spinner`)).status).toBe(200);

    const crashing = (await until(
      'kube-controller-manager exited twice and restarting',
      () => componentOf(home, 'kube-controller-manager'),
      (c) => (c?.restarts ?? 0) >= 2,
      120_000,
    ))!;
    expect(crashing.lastExit).toMatchObject({ code: 1, signal: null, error: 'a learner bug in controllers/index.ts' });
    expect(readFileSync(join(home, 'logs', 'kube-controller-manager.log'), 'utf8')).toContain('"component failed to start" error="a learner bug in controllers/index.ts"');
    const status = await kubelings(home, ['cluster', 'status'], env);
    expect(status.stdout).toMatch(new RegExp(`\\n  kube-scheduler +pid ${stuck.pid} +NOT RESPONDING: no heartbeat \\(stuck in a loop\\?\\); the others keep serving\\n`));
    expect(status.stdout).toMatch(/\n {2}kube-controller-manager +(pid \d+|-) +(RESTARTING( in \d+ s)?|starting) \(exited \d+ times, last: exit code 1: a learner bug in controllers\/index\.ts\)\n/);
    expect(componentOf(home, 'hollow-nodes')?.phase, 'the hollow nodes keep running').toBe('running');

    const down = await kubelings(home, ['cluster', 'down'], env);
    expect(down.stdout, 'the stuck process was killed by the supervisor, the daemon stopped cleanly').toMatch(/^Stopped the control plane \(pid \d+\)\. Its data stays/);
    expect(readFileSync(join(home, 'cluster.log'), 'utf8')).toContain('"component did not stop in time; killing it" component=kube-scheduler');
    expect(processesOf(home)).toEqual([]);
  });

  test('kill -9 of the daemon while the scheduler is stuck: cluster down still leaves no process behind', async () => {
    const stuck = await stuckCluster('spinner-again');
    const daemon = daemonPid(home);
    process.kill(daemon, 'SIGKILL');
    await until(
      'the daemon gone',
      () => isProcessAlive(daemon),
      (alive) => !alive,
    );
    // The components that still run their event loop notice the daemon is gone and exit; the stuck one cannot.
    // Named by their command lines, so that a failure says which process stayed.
    const commandOf = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return ''; // gone meanwhile
      }
    };
    const named = () => processesOf(home).map((pid) => `${pid} ${/--component (\S+)/.exec(commandOf(pid))?.[1] ?? 'daemon?'}`);
    await until('only the stuck scheduler left', named, (left) => left.length === 1 && left[0] === `${stuck.pid} kube-scheduler`);
    const down = await kubelings(home, ['cluster', 'down'], env);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`No control plane is running. The last control plane (pid ${daemon}) did not stop cleanly (was it killed?).`);
    await until(
      'no process of this cluster left',
      () => processesOf(home),
      (pids) => pids.length === 0,
      10_000,
    );
  });
});
