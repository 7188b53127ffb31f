/**
 * `kubelings cluster up|down|status`: the control plane as a background process (the store and the
 * apiserver in the daemon, each other component in a process of its own under it: supervisor.ts).
 *
 *   cluster up [--port N] [--impl SPEC] [--nodes N ...]   start it (or say where it already runs),
 *     [--etcd-servers URL,...]                            keeping its data in a real etcd; compacting it
 *     [--etcd-compaction-interval 5m]                     this often (store-flags.ts)
 *                                                         wait until it answers, write the kubeconfig
 *                                                         and print the `export KUBECONFIG=...` line,
 *                                                         what runs, whose code, and what is missing
 *   cluster down                                          stop it cleanly (SIGTERM, then SIGKILL
 *                                                         after CLUSTER_STOP_TIMEOUT_MS); data stays
 *   cluster status                                        running or not, where, whose code, and each
 *                                                         process: pid, running/restarting/not responding
 *   cluster repair [--data-dir DIR]                       repair a damaged store (engine/etcd/repair.ts):
 *                                                         keeps what it cuts, says what was lost
 *
 * --network loopback|kernel|auto (default auto, or KUBELINGS_NETWORK): the pod network's mode
 * (engine/cni/netns-layout.ts); `up` resolves auto here and hands the components the mode chosen.
 *
 * Flags other than --port, --impl and --log-level are handed to the components as `flags`
 * (`--nodes 3` becomes { nodes: '3' }, `--node-cpu 8` { nodeCpu: '8' }). Files: see paths.ts.
 *
 * Invariants: a pid from cluster.pid is signalled only once pidfile.ts has verified that it is
 * still this project's daemon (a pid left by a killed daemon may belong to any program by now);
 * one project runs one control plane, and `up` never silently hands back one that differs from
 * what was asked; each start gets a fresh cluster.log, the last runs' logs are kept (logfile.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { join, relative, resolve } from 'node:path';
import { describeNetwork, resolveNetworkMode } from '../cni/netns-layout.ts';
import { KubelingsError } from '../errors.ts';
import { repairDataDir } from '../etcd/repair.ts';
import { currentChoice, formatImplChoice, loadComponent } from '../impl.ts';
import { ROOT } from '../paths.ts';
import { APISERVER_DEFAULT_PORT, CLUSTER_PROBE_TIMEOUT_MS, CLUSTER_READY_TIMEOUT_MS, CLUSTER_STOP_TIMEOUT_MS } from '../params.ts';
import { isProcessAlive } from '../processes.ts';
import { COMPACTION_INTERVAL_FLAG, describeStore, ETCD_SERVERS_FLAG, flagArg, parseCompactionInterval, parseEtcdServers } from './store-flags.ts';
import { writeClusterKubeconfig } from './kubeconfig.ts';
import { rotateLog, startFailureIn, tailOf, warningsIn } from './logfile.ts';
import { stopLeftoverContainers } from '../kubelet/leftovers.ts';
import { clusterPaths, type ClusterState } from './paths.ts';
import { readCaCert } from './pki-files.ts';
import { checkDaemon, readDaemonRecord, stillTheSame, writeDaemonRecord, type DaemonCheck, type DaemonRecord } from './pidfile.ts';
import { describeCluster, describeProcesses, type RegisteredNodes } from './summary.ts';
import { leftoverComponents, readComponentsFile } from './supervisor.ts';
import { readAdminToken } from './token-file.ts';

const USAGE = `kubelings cluster: run the engine's control plane in the background

  npx kubelings cluster up [--port N] [--impl SPEC]   start it (port ${APISERVER_DEFAULT_PORT} unless told; 0 picks a free one)
      [--nodes N --hollow]                            with N simulated nodes (lesson 03); --hollow static
                                                      registers the Node objects only
      [--etcd-servers URL[,URL...]]                   keep the data in a real etcd (3.4+, http://) instead
                                                      of the built-in store in .kubelings/data
      [--etcd-compaction-interval 5m]                 compact the store this often (0: never)
      [--network loopback|kernel|auto]                the pod network: 127.x addresses in the machine's
                                                      namespace, or a network namespace per pod and node
                                                      (root, Linux, ip, nft); auto picks kernel when it can
      [--cni kubelings|debian]                        kernel mode's CNI plugin: the lesson 06 plugin
                                                      (--impl chooses whose), or /usr/lib/cni's bridge
  npx kubelings cluster down                          stop it (its data stays in .kubelings/data)
  npx kubelings cluster status                        is it running, where, whose code
  npx kubelings cluster repair [--data-dir DIR]       repair a damaged store (when up refuses to start it):
                                                      keeps what it cuts aside and says what was lost

--impl chooses whose code runs: solutions, exercises, mine, or e.g. exercises:apiserver.
`;

/** Flags the verbs read themselves (kept as written); the rest go to the components. */
const OWN_FLAGS = ['port', 'impl', 'log-level', 'data-dir'];

/** `--key value`, `--key=value` and bare `--flag` words after the verb; `--node-cpu` becomes nodeCpu. */
export function parseFlags(argv: string[], verb: string): Record<string, string | true> {
  const start = argv.indexOf(verb);
  const words = argv.slice(start + 1);
  const flags: Record<string, string | true> = {};
  const key = (word: string) => (OWN_FLAGS.includes(word) ? word : word.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--')) continue;
    const eq = word.indexOf('=');
    if (eq > 0) flags[key(word.slice(2, eq))] = word.slice(eq + 1);
    else if (i + 1 < words.length && !words[i + 1]!.startsWith('--')) flags[key(word.slice(2))] = words[++i]!;
    else flags[key(word.slice(2))] = true;
  }
  return flags;
}

function readState(file: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** GETs `path` from the apiserver: the status code and body, or undefined when it does not answer. */
function ask(url: string, path: string): Promise<{ code: number; body: string } | undefined> {
  return new Promise((resolve) => {
    let ca: string;
    let token: string;
    try {
      ca = readCaCert(clusterPaths().pkiDir);
      token = readAdminToken(clusterPaths().tokenFile);
    } catch {
      return resolve(undefined);
    }
    if (!url.startsWith('https:')) return resolve(undefined);
    const req = get(`${url}${path}`, { ca, headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(undefined));
    });
    req.setTimeout(CLUSTER_PROBE_TIMEOUT_MS, () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

async function ready(url: string): Promise<boolean> {
  return (await ask(url, '/readyz'))?.code === 200;
}

/** Whether any Node object exists (1 or 0), or undefined when the apiserver would not say. */
async function registeredNodes(url: string): Promise<RegisteredNodes> {
  const reply = await ask(url, '/api/v1/nodes?limit=1');
  if (reply?.code !== 200) return undefined;
  try {
    return ((JSON.parse(reply.body) as { items?: unknown[] }).items ?? []).length;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function printReady(state: ClusterState, kubeconfig: string, already: boolean, warnings: string[] = []): Promise<void> {
  const out = process.stdout;
  if (warnings.length > 0) out.write(`Warnings while starting (also in ${shown(clusterPaths().logFile)}):\n${warnings.map((w) => `  ${w}\n`).join('')}\n`);
  out.write(`${already ? 'The control plane is already running' : 'The control plane is up'} at ${state.url} (pid ${state.pid}, code: ${state.impl}).\n`);
  out.write(`Its data is kept in ${describeStore(state, shown)}; its log is ${shown(clusterPaths().logFile)}.\n\n`);
  out.write(describeCluster(state, await registeredNodes(state.url)));
  out.write(describeProcesses(state.pid, readComponentsFile(clusterPaths().componentsFile)?.components, shown(clusterPaths().logsDir), Date.now()));
  out.write(`\nPoint kubectl at it:\n\n  export KUBECONFIG=${kubeconfig}\n  kubectl get namespaces\n\nStop it with: npx kubelings cluster down\n`);
}

/** Removes the files a daemon that is gone left behind: its pid and state files, and its data folder lock. */
function clearStaleFiles(paths: ReturnType<typeof clusterPaths>, record: DaemonRecord | undefined): void {
  // Component processes that outlived their daemon (one stuck in a loop never notices it is gone).
  for (const pid of leftoverComponents(paths.componentsFile, paths.dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(paths.componentsFile, { force: true });
  rmSync(paths.pidFile, { force: true });
  rmSync(paths.stateFile, { force: true });
  if (!record) return;
  // The store's lock names the daemon's pid; a reused pid would keep the data folder locked forever.
  const lock = join(paths.dataDir, 'lock');
  try {
    if (Number.parseInt(readFileSync(lock, 'utf8'), 10) === record.pid) rmSync(lock, { force: true });
  } catch {
    // no lock
  }
}

/** One sentence on a pid file whose daemon is gone, or '' when there was no pid file. */
function staleNote(check: DaemonCheck): string {
  if (check.state === 'stranger') {
    return `The last control plane (pid ${check.record.pid}) did not stop cleanly, and pid ${check.record.pid} now belongs to another program (${check.why}); that program was left alone.`;
  }
  if (check.state === 'none' && check.record) return `The last control plane (pid ${check.record.pid}) did not stop cleanly (was it killed?).`;
  return '';
}

function unverifiedError(record: DaemonRecord, pidFile: string): KubelingsError {
  return new KubelingsError(
    `${shown(pidFile)} names pid ${record.pid}, and a process runs under it, but this system offers no way to tell whether it is ` +
      `the control plane (no /proc, no ps), so kubelings leaves it alone. If it is not (see your task manager), delete ${shown(pidFile)} and run the command again.`,
  );
}

/** What `up` asked for that the running control plane does not have; [] when it matches. */
function differences(state: ClusterState, argv: string[], flags: Record<string, string | true>, componentFlags: Record<string, unknown>): string[] {
  const found: string[] = [];
  if (flags.port !== undefined && Number(flags.port) !== 0 && Number(flags.port) !== state.port) found.push(`port ${flags.port} (it listens on ${state.port})`);
  if (argv.some((a) => a === '--impl' || a.startsWith('--impl='))) {
    const wanted = formatImplChoice(currentChoice());
    if (wanted !== state.impl) found.push(`code ${wanted} (it runs ${state.impl})`);
  }
  const started = startedFlags(state, componentFlags);
  if (Object.keys(componentFlags).length > 0 && started && JSON.stringify(sorted(componentFlags)) !== JSON.stringify(sorted(started))) {
    found.push(`${showFlags(componentFlags)} (it was started with ${showFlags(started) || 'none'})`);
  }
  return found;
}

/** The flags the running one was started with, as comparable to `asked`: the network mode `up` resolved counts only when this `up` names one. */
function startedFlags(state: ClusterState, asked: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!state.flags) return undefined;
  const { network, ...rest } = state.flags;
  return asked.network === undefined ? rest : { ...rest, network };
}

function sorted(flags: Record<string, unknown>): [string, unknown][] {
  return Object.entries(flags).sort(([a], [b]) => a.localeCompare(b));
}

function showFlags(flags: Record<string, unknown>): string {
  return sorted(flags)
    .map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${v === true ? '' : ` ${String(v)}`}`)
    .join(' ');
}

async function up(argv: string[]): Promise<number> {
  const paths = clusterPaths();
  const flags = parseFlags(argv, 'up');
  const port = flags.port === undefined ? APISERVER_DEFAULT_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KubelingsError(`--port takes a port number (0 picks a free one), not "${String(flags.port)}".`);
  const impl = formatImplChoice(currentChoice()); // a bad --impl is refused here, in one sentence
  const { port: _p, impl: _i, 'log-level': level, ...componentFlags } = flags;
  let network;
  try {
    network = resolveNetworkMode(componentFlags.network ?? process.env.KUBELINGS_NETWORK);
  } catch (error) {
    throw new KubelingsError((error as Error).message);
  }
  const etcdArg = flagArg(argv, ETCD_SERVERS_FLAG);
  const etcdServers = etcdArg === undefined ? [] : parseEtcdServers(etcdArg);
  const intervalArg = flagArg(argv, COMPACTION_INTERVAL_FLAG);
  const storeArgs = [
    ...(etcdServers.length ? [`--${ETCD_SERVERS_FLAG}`, etcdServers.join(',')] : []),
    ...(intervalArg === undefined ? [] : [`--${COMPACTION_INTERVAL_FLAG}`, String(parseCompactionInterval(intervalArg))]),
  ];
  mkdirSync(paths.home, { recursive: true });

  const check = checkDaemon(readDaemonRecord(paths.pidFile), paths.dataDir);
  if (check.state === 'ours' || check.state === 'unverified') {
    const state = readState(paths.stateFile);
    if (state && (await ready(state.url))) {
      const asked = differences(state, argv, flags, componentFlags);
      if (asked.length > 0) {
        throw new KubelingsError(
          `A control plane already runs at ${state.url} (pid ${state.pid}, code: ${state.impl}${Object.keys(startedFlags(state, componentFlags) ?? {}).length ? `, ${showFlags(startedFlags(state, componentFlags)!)}` : ''}), ` +
            `and this cluster up asked for ${asked.join(' and ')}. One project runs one control plane (they would share ${shown(paths.dataDir)}), so nothing was changed.\n` +
            `Use the running one (export KUBECONFIG=${paths.kubeconfig}), or stop it first: npx kubelings cluster down, then cluster up again with your flags.`,
        );
      }
      writeClusterKubeconfig(paths, state.url);
      await printReady(state, paths.kubeconfig, true);
      return 0;
    }
    if (check.state === 'unverified') throw unverifiedError(check.record, paths.pidFile);
    throw new KubelingsError(`A control plane (pid ${check.record.pid}) is starting or stuck; run npx kubelings cluster down first, then up again.`);
  }
  const note = staleNote(check);
  clearStaleFiles(paths, check.record);

  rotateLog(paths.logFile);
  const log = openSync(paths.logFile, 'w');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'engine', 'cluster', 'daemon.ts'),
      '--port',
      String(port),
      '--data-dir',
      paths.dataDir,
      ...storeArgs,
      '--flags',
      JSON.stringify({ ...componentFlags, network: network.mode }),
      '--log-level',
      typeof level === 'string' ? level : 'info',
    ],
    { cwd: ROOT, detached: true, stdio: ['ignore', log, log], env: { ...process.env, KUBELINGS_IMPL: impl } },
  );
  closeSync(log);
  writeDaemonRecord(paths.pidFile, child.pid!);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.unref();
  if (note) process.stdout.write(`${note} Its log is kept as ${shown(`${paths.logFile}.1`)}.\n`);

  const readyTimeoutMs = Number(process.env.KUBELINGS_CLUSTER_READY_TIMEOUT_MS) || CLUSTER_READY_TIMEOUT_MS;
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined || !isProcessAlive(child.pid!)) {
      rmSync(paths.pidFile, { force: true });
      const reason = startFailureIn(paths.logFile);
      throw new KubelingsError(
        reason
          ? `The control plane could not start: ${reason}\n(Its log: ${shown(paths.logFile)})`
          : `The control plane stopped while starting. The end of ${shown(paths.logFile)}:\n${tailOf(paths.logFile) || '(nothing)'}`,
      );
    }
    const state = readState(paths.stateFile);
    if (state && (await ready(state.url))) {
      writeClusterKubeconfig(paths, state.url);
      process.stdout.write(`Pod network: ${network.mode} mode, ${network.reason}.\n${network.mode === 'kernel' ? `${describeNetwork('kernel', paths.home)}\n` : ''}`);
      await printReady(state, paths.kubeconfig, false, warningsIn(paths.logFile));
      return 0;
    }
    await sleep(100);
  }
  throw new KubelingsError(`The control plane did not answer within ${readyTimeoutMs / 1000} s (pid ${child.pid}; see ${shown(paths.logFile)}). Stop it with npx kubelings cluster down.`);
}

async function down(): Promise<number> {
  const paths = clusterPaths();
  const check = checkDaemon(readDaemonRecord(paths.pidFile), paths.dataDir);
  if (check.state === 'unverified') throw unverifiedError(check.record, paths.pidFile);
  if (check.state !== 'ours') {
    clearStaleFiles(paths, check.record);
    const note = staleNote(check);
    process.stdout.write(`No control plane is running.${note ? ` ${note} Removed its pid file.` : ''}\n`);
    await reportLeftoverContainers(paths.home);
    return 0;
  }
  const pid = check.record.pid;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + CLUSTER_STOP_TIMEOUT_MS;
  while (Date.now() < deadline && stillTheSame(check)) await sleep(50);
  let forced = false;
  if (stillTheSame(check)) {
    process.kill(pid, 'SIGKILL');
    forced = true;
    const killed = Date.now() + CLUSTER_STOP_TIMEOUT_MS;
    while (stillTheSame(check)) {
      if (Date.now() > killed)
        throw new KubelingsError(`The control plane (pid ${pid}) is still there ${(2 * CLUSTER_STOP_TIMEOUT_MS) / 1000} s after SIGTERM and SIGKILL; look at it with ps -p ${pid}.`);
      await sleep(20);
    }
  }
  clearStaleFiles(paths, forced ? check.record : undefined);
  process.stdout.write(
    forced
      ? `Stopped the control plane (pid ${pid}) with SIGKILL: it did not stop within ${CLUSTER_STOP_TIMEOUT_MS / 1000} s. See ${shown(paths.logFile)}.\n`
      : `Stopped the control plane (pid ${pid}). Its data stays in ${shown(paths.dataDir)}; cluster up brings it back.\n`,
  );
  await reportLeftoverContainers(paths.home);
  return 0;
}

/** Ends the container processes real nodes left behind (a kubelet killed with the daemon) and says so. */
async function reportLeftoverContainers(home: string): Promise<void> {
  const { killed, warnings } = await stopLeftoverContainers(home);
  if (killed > 0) process.stdout.write(`Stopped ${killed} container process${killed === 1 ? '' : 'es'} left by the nodes.\n`);
  for (const warning of warnings) process.stderr.write(`${warning}\n`);
}

async function status(): Promise<number> {
  const paths = clusterPaths();
  const check = checkDaemon(readDaemonRecord(paths.pidFile), paths.dataDir);
  const state = readState(paths.stateFile);
  if (check.state === 'none' || check.state === 'stranger') {
    const note = staleNote(check);
    process.stdout.write(
      `No control plane is running.${note ? ` ${note}` : ''}${existsSync(paths.dataDir) ? ` Its data is in ${shown(paths.dataDir)}.` : ''} Start it with: npx kubelings cluster up\n`,
    );
    return 1;
  }
  const pid = check.record.pid;
  if (!state) {
    if (check.state === 'unverified') throw unverifiedError(check.record, paths.pidFile);
    process.stdout.write(`A control plane (pid ${pid}) is starting; see ${shown(paths.logFile)}.\n`);
    return 1;
  }
  const answering = await ready(state.url);
  if (check.state === 'unverified' && !answering) throw unverifiedError(check.record, paths.pidFile);
  process.stdout.write(
    `The control plane is running at ${state.url} (pid ${pid}, code: ${state.impl}, since ${state.startedAt})${answering ? '' : ', but it does not answer /readyz'}.\n` +
      `  Its data is kept in ${describeStore(state, shown)}.\n` +
      `  ${describeNetwork(state.flags?.network, paths.home)}\n` +
      `  export KUBECONFIG=${paths.kubeconfig}\n`,
  );
  if (answering) process.stdout.write(describeCluster(state, await registeredNodes(state.url)));
  process.stdout.write(describeProcesses(pid, readComponentsFile(paths.componentsFile)?.components, shown(paths.logsDir), Date.now()));
  return answering ? 0 : 1;
}

async function repair(argv: string[]): Promise<number> {
  const paths = clusterPaths();
  const flags = parseFlags(argv, 'repair');
  const dataDir = typeof flags['data-dir'] === 'string' ? resolve(flags['data-dir']) : paths.dataDir;
  if (dataDir === paths.dataDir) {
    const check = checkDaemon(readDaemonRecord(paths.pidFile), paths.dataDir);
    if (check.state === 'ours' || check.state === 'unverified') {
      throw new KubelingsError(`The control plane (pid ${check.record.pid}) is running on ${shown(dataDir)}: stop it first (npx kubelings cluster down), then repair.`);
    }
    clearStaleFiles(paths, check.record);
  }
  const report = await repairDataDir(dataDir, { parts: await loadComponent('etcd') });
  process.stdout.write(`${report.lines.join('\n')}\n`);
  return 0;
}

/** The verbs. */
const VERBS: Record<string, (argv: string[]) => Promise<number>> = { up, down, status, repair };

/**
 * A reader that went away (`cluster up | head -1`) is not an error: the command's work is done or
 * continues, only its words have nowhere to go.
 */
let ignoringClosedStdout = false;
function ignoreClosedStdout(): void {
  if (ignoringClosedStdout) return;
  ignoringClosedStdout = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

export async function clusterCommand(args: string[], argv: string[]): Promise<number> {
  ignoreClosedStdout();
  const [verb] = args;
  if (argv.includes('--help') || argv.includes('-h') || verb === undefined || verb === 'help') {
    process.stdout.write(USAGE);
    // Asking for help succeeds; `cluster` alone is a usage mistake.
    return verb === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  const run = VERBS[verb];
  if (!run) throw new KubelingsError(`cluster takes ${Object.keys(VERBS).join(', ')} (got "${verb}"). See npx kubelings cluster --help.`);
  return run(argv);
}
