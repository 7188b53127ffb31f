/**
 * `npx kubelings cluster up|down|status` when things go wrong, as a learner meets them: a daemon
 * killed with -9 whose pid now belongs to another program, a bad --impl, a port already taken, a
 * second `cluster up` asking for something else, output piped into `head -1`, and the log of the
 * last run. Real processes, a temporary KUBELINGS_HOME per scenario, port 0 (or a port this test
 * holds); every daemon started here is stopped in afterAll.
 *
 * Starting a daemon loads the engine through tsx: seconds on a loaded machine. So the tests that
 * start one get CLUSTER_TEST_MS, and `cluster up` itself waits up to CLUSTER_READY_TIMEOUT_MS.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { rotateLog } from '#engine/cluster/logfile.ts';
import { checkDaemon, readDaemonRecord, writeDaemonRecord } from '#engine/cluster/pidfile.ts';
import { ROOT } from '#engine/paths.ts';
import { identitySource, isProcessAlive, processIdentity, type IdentitySource } from '#engine/processes.ts';

const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
/** A test that starts a daemon: its start loads the engine through tsx (seconds when the machine is busy). */
const CLUSTER_TEST_MS = 180_000;
const homes: string[] = [];
const bystanders: ChildProcess[] = [];

afterAll(async () => {
  for (const home of homes) {
    if (existsSync(join(home, 'cluster.pid'))) await kubelings(home, ['cluster', 'down']);
    rmSync(home, { recursive: true, force: true });
  }
  for (const child of bystanders) child.kill('SIGKILL');
}, CLUSTER_TEST_MS);

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'kubelings-cluster-cli-'));
  homes.push(home);
  return home;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubelings ...args` with KUBELINGS_HOME=home; with closedStdout, the reader of its stdout is gone from the start (as `| head -1` once head exits). */
function kubelings(home: string, args: string[], options: { closedStdout?: boolean } = {}): Promise<Run> {
  const env = { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '', NO_COLOR: '1' };
  if (options.closedStdout) {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: '', stderr }));
    });
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-lived process that has nothing to do with kubelings (its extra arguments show in its command line). */
function bystander(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)', ...args], { stdio: 'ignore' });
  bystanders.push(child);
  return child;
}

async function identityOf(pid: number, source?: IdentitySource) {
  // The child's /proc entry shows node's command line once exec is done (spawn returns after it).
  for (let i = 0; i < 100; i++) {
    const id = processIdentity(pid, source);
    if (id && id !== 'unknown' && id.commandLine.includes('setInterval')) return id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no identity for pid ${pid}`);
}

const sources: IdentitySource[] = identitySource() === 'proc' ? ['proc', 'ps'] : identitySource() === 'ps' ? ['ps'] : [];

describe.each(sources)('which process a pid is (identity from %s)', (source) => {
  const haveSource = source === 'proc' || processIdentity(process.pid, 'ps') !== undefined;

  test.skipIf(!haveSource)('an unrelated program under the pid of the pid file is a stranger, whatever the file records', async () => {
    const other = bystander();
    await identityOf(other.pid!, source);
    const dir = newHome();
    expect(checkDaemon({ pid: other.pid! }, join(dir, 'data'), source)).toMatchObject({ state: 'stranger' });
    expect(checkDaemon({ pid: other.pid!, startTime: 'long ago' }, join(dir, 'data'), source)).toMatchObject({ state: 'stranger' });
    expect(checkDaemon(undefined, join(dir, 'data'), source)).toEqual({ state: 'none' });
  });

  test.skipIf(!haveSource)("a program with the daemon's command line counts only if it also started when the pid file says", async () => {
    const dir = newHome();
    const dataDir = join(dir, 'data');
    const impostor = bystander('engine/cluster/daemon.ts', '--data-dir', dataDir);
    await identityOf(impostor.pid!, source);
    const pidFile = join(dir, 'cluster.pid');
    const record = writeDaemonRecord(pidFile, impostor.pid!, source);
    expect(readDaemonRecord(pidFile)).toEqual(record);
    expect(record.startTime, 'the pid file records a start time').toBeTruthy();
    expect(checkDaemon(record, dataDir, source), 'recorded at its start: it is the daemon').toMatchObject({ state: 'ours' });
    expect(checkDaemon({ ...record, startTime: `${record.startTime}0` }, dataDir, source), 'another start time: the pid was reused').toMatchObject({ state: 'stranger' });
    expect(checkDaemon(record, join(dir, 'other-data'), source), "another project's daemon is not ours").toMatchObject({ state: 'stranger' });
  });

  test.skipIf(!haveSource)('a pid that no longer runs is nobody', async () => {
    const gone = bystander();
    await identityOf(gone.pid!, source);
    gone.kill('SIGKILL');
    await new Promise((r) => gone.once('exit', r));
    expect(processIdentity(gone.pid!, source)).toBeUndefined();
    expect(checkDaemon({ pid: gone.pid! }, '/nowhere', source)).toMatchObject({ state: 'none' });
  });
});

test.skipIf(identitySource() !== 'proc')('a process that has ended but was not collected yet (a zombie) is not running', async () => {
  // sh starts a short sleep in the background, then becomes a long one, which never collects it.
  const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  bystanders.push(parent);
  const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
  for (let i = 0; i < 1500 && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i++) await new Promise((r) => setTimeout(r, 20));
  expect(isProcessAlive(pid), 'signal 0 still reaches a zombie').toBe(true);
  expect(processIdentity(pid, 'proc')).toBeUndefined();
});

test('where the system cannot tell which process a pid is, a live pid is unverified, never the daemon', async () => {
  const other = bystander('engine/cluster/daemon.ts', '--data-dir', '/x/data');
  expect(checkDaemon({ pid: other.pid! }, '/x/data', 'none')).toMatchObject({ state: 'unverified' });
  expect(checkDaemon({ pid: 2 ** 22 + 12345 }, '/x/data', 'none')).toMatchObject({ state: 'none' });
});

test('each start keeps the logs of the runs before it, up to CLUSTER_LOGS_KEPT', () => {
  const dir = newHome();
  const log = join(dir, 'cluster.log');
  for (let run = 1; run <= 7; run++) {
    rotateLog(log, 3);
    writeFileSync(log, `run ${run}\n`);
  }
  expect(readFileSync(log, 'utf8')).toBe('run 7\n');
  expect([1, 2, 3].map((n) => readFileSync(`${log}.${n}`, 'utf8'))).toEqual(['run 6\n', 'run 5\n', 'run 4\n']);
  expect(existsSync(`${log}.4`), 'older logs are deleted').toBe(false);
});

describe('cluster up/down/status when something is off', { timeout: CLUSTER_TEST_MS }, () => {
  // The control plane the later tests of this block share; the first test starts it. The tests
  // that set up a broken state get homes of their own, so each fails or passes on its own finding.
  const home = newHome();

  test('cluster up (and status) say which components run and whose code, the real node included', async () => {
    const up = await kubelings(home, ['cluster', 'up', '--port', '0']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const status = await kubelings(home, ['cluster', 'status']);
    expect(status.code).toBe(0);
    const running =
      'Running, and whose code:\n  the store                 the reference\n  the apiserver             the reference; selectors and quantities: the reference\n  kube-scheduler            the reference; selectors and quantities: the reference\n  kube-controller-manager   the reference; selectors and quantities: the reference\n  cloud-controller-manager  the reference\n  kubelet node-0            a real node: pods run as processes on this machine; its pod logic: the reference\n';
    for (const [verb, output] of [
      ['cluster up', up.stdout],
      ['cluster status', status.stdout],
    ] as const) {
      expect(output, verb).toContain(running);
      expect(output, `${verb}: a plain cluster up has a real node, so nothing is missing`).not.toContain('Not running');
      expect(output, `${verb}: the controller manager runs, so no "no controllers" line`).not.toContain('no controllers yet');
    }
    expect(up.stdout, 'the summary comes before the kubeconfig line').toMatch(/kubelet node-0[\s\S]*export KUBECONFIG=/);
  });

  test('--impl bogus: one sentence naming the choices, exit 2, no stack, nothing started', async () => {
    const own = newHome();
    const run = await kubelings(own, ['cluster', 'up', '--port', '0', '--impl', 'bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('"bogus" is not an implementation choice: use solutions, exercises, mine, or a tree with components such as exercises:scheduler,etcd.\n');
    expect(existsSync(join(own, 'cluster.pid')), 'no daemon was started').toBe(false);
  });

  test('a pid file naming an unrelated program (the daemon was killed, its pid reused): status, repair, down and up leave the program alone', async () => {
    const own = newHome();
    const other = bystander();
    await identityOf(other.pid!);
    mkdirSync(join(own, 'data'), { recursive: true });
    const leftBehind = (pidFile: string) => {
      writeFileSync(join(own, 'cluster.pid'), pidFile);
      writeFileSync(join(own, 'data', 'lock'), `${other.pid}\n`); // the store's lock, also left by the killed daemon
      writeFileSync(join(own, 'cluster.json'), JSON.stringify({ pid: other.pid, url: 'https://127.0.0.1:1', port: 1, impl: 'solutions', dataDir: join(own, 'data'), startedAt: '' }));
    };
    // As older kubelings wrote it (the pid alone), and as this one does (pid and start time).
    for (const pidFile of [`${other.pid}\n`, `${other.pid}\nstart-time: 1\n`]) {
      leftBehind(pidFile);
      const status = await kubelings(own, ['cluster', 'status']);
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(
        new RegExp(`^No control plane is running\\. The last control plane \\(pid ${other.pid}\\) did not stop cleanly, and pid ${other.pid} now belongs to another program`),
      );

      leftBehind(pidFile);
      const repair = await kubelings(own, ['cluster', 'repair']);
      expect(repair.stdout + repair.stderr, 'cluster repair does not take the program for a running control plane').not.toContain('stop it first');
      expect(isProcessAlive(other.pid!)).toBe(true);

      leftBehind(pidFile);
      const down = await kubelings(own, ['cluster', 'down']);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/^No control plane is running\. .*that program was left alone\. Removed its pid file\.\n$/);
      expect(isProcessAlive(other.pid!), 'cluster down did not signal the unrelated program').toBe(true);
    }

    leftBehind(`${other.pid}\n`);
    const up = await kubelings(own, ['cluster', 'up', '--port', '0']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain(`pid ${other.pid} now belongs to another program`);
    expect(up.stdout).toMatch(/The control plane is up at https:\/\/127\.0\.0\.1:\d+ \(pid \d+, code: solutions\)/);
    expect(isProcessAlive(other.pid!), 'cluster up did not signal it either').toBe(true);
    expect(readDaemonRecord(join(own, 'cluster.pid'))!.pid).not.toBe(other.pid);
    expect((await kubelings(own, ['cluster', 'down'])).stdout).toMatch(/^Stopped the control plane/);
  });

  test('cluster up asking for another port, other code or other nodes while one runs is refused and says why; a plain one reports it', async () => {
    const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { port: number; url: string };
    const otherPort = state.port === 65000 ? 65001 : 65000;
    const port = await kubelings(home, ['cluster', 'up', '--port', String(otherPort)]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain(`A control plane already runs at ${state.url}`);
    expect(port.stderr).toContain(`asked for port ${otherPort} (it listens on ${state.port})`);
    expect(port.stderr).toContain('npx kubelings cluster down, then cluster up again');

    const nodes = await kubelings(home, ['cluster', 'up', '--nodes', '3', '--hollow']);
    expect(nodes.code).toBe(2);
    expect(nodes.stderr).toContain('asked for --hollow --nodes 3 (it was started with none)');

    const impl = await kubelings(home, ['cluster', 'up', '--impl', 'exercises']);
    expect(impl.code).toBe(2);
    expect(impl.stderr).toContain('asked for code exercises (it runs solutions)');

    const same = await kubelings(home, ['cluster', 'up']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^The control plane is already running at /);
    expect((await kubelings(home, ['cluster', 'status'])).code, 'the running one was left as it was').toBe(0);
  });

  test('with nobody reading its output (| head -1), each verb does its work and exits 0 without a stack', async () => {
    const status = await kubelings(home, ['cluster', 'status'], { closedStdout: true });
    expect(status).toEqual({ code: 0, stdout: '', stderr: '' });
    const down = await kubelings(home, ['cluster', 'down'], { closedStdout: true });
    expect(down).toEqual({ code: 0, stdout: '', stderr: '' });
    const up = await kubelings(home, ['cluster', 'up', '--port', '0'], { closedStdout: true });
    expect(up).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await kubelings(home, ['cluster', 'status'])).stdout).toMatch(/^The control plane is running at /);
  });

  test("each start writes a fresh cluster.log and keeps the last run's as cluster.log.1", async () => {
    const current = readFileSync(join(home, 'cluster.log'), 'utf8');
    expect(current.match(/"control plane ready"/g), 'cluster.log holds this run only').toHaveLength(1);
    expect(readFileSync(join(home, 'cluster.log.1'), 'utf8'), 'the run stopped by cluster down').toMatch(/"stopped"\n$/);
  });

  test("after a kill -9 of the daemon: status says so, up starts again and keeps the killed run's log", async () => {
    const { pid } = readDaemonRecord(join(home, 'cluster.pid'))!;
    process.kill(pid, 'SIGKILL');
    while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 20));
    const status = await kubelings(home, ['cluster', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`No control plane is running. The last control plane (pid ${pid}) did not stop cleanly (was it killed?).`);
    const up = await kubelings(home, ['cluster', 'up', '--port', '0']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain(`The last control plane (pid ${pid}) did not stop cleanly (was it killed?). Its log is kept as`);
    const killedRun = readFileSync(join(home, 'cluster.log.1'), 'utf8');
    expect(killedRun).toContain('"control plane ready"');
    expect(killedRun, 'the killed run never logged a clean stop').not.toContain('"stopped"');
    expect((await kubelings(home, ['cluster', 'down'])).stdout).toMatch(/^Stopped the control plane/);
  });
});

describe('cluster up on a port already taken', { timeout: CLUSTER_TEST_MS }, () => {
  let holder: Server;
  afterAll(() => holder?.close());

  test('says so once, without lines from older logs, and exits 2', async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    const home = newHome();
    for (let attempt = 1; attempt <= 2; attempt++) {
      const run = await kubelings(home, ['cluster', 'up', '--port', String(port)]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `The control plane could not start: port ${port} on 127.0.0.1 is already taken (another cluster, or a real apiserver?): choose another with --port N, or --port 0 for any free port\n` +
          `(Its log: ${join(home, 'cluster.log')})\n`,
      );
    }
    expect(readFileSync(join(home, 'cluster.log.1'), 'utf8')).toContain('already taken');
    expect(existsSync(join(home, 'cluster.pid'))).toBe(false);
  });
});
