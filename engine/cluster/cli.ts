/**
 * `kubelings cluster up|down|status`: the control plane as a background process.
 *
 *   cluster up [--port N] [--impl SPEC] [--nodes N ...]   start it (or say where it already runs),
 *     [--etcd-servers URL,...]                            keeping its data in a real etcd; compacting it
 *     [--etcd-compaction-interval 5m]                     this often (store-flags.ts)
 *                                                         wait until it answers, write the kubeconfig
 *                                                         and print the `export KUBECONFIG=...` line
 *   cluster down                                          stop it cleanly (SIGTERM, then SIGKILL
 *                                                         after CLUSTER_STOP_TIMEOUT_MS); data stays
 *   cluster status                                        running or not, where, whose code
 *   cluster repair [--data-dir DIR]                       repair a damaged store (engine/etcd/repair.ts):
 *                                                         keeps what it cuts, says what was lost
 *
 * Flags other than --port, --impl and --log-level are handed to the components as `flags`
 * (`--nodes 3` becomes { nodes: '3' }). Files: see paths.ts.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { KubelingsError } from '../errors.ts';
import { repairDataDir } from '../etcd/repair.ts';
import { loadComponent } from '../impl.ts';
import { ROOT } from '../paths.ts';
import { APISERVER_DEFAULT_PORT, CLUSTER_READY_TIMEOUT_MS, CLUSTER_STOP_TIMEOUT_MS } from '../params.ts';
import { isProcessAlive } from '../processes.ts';
import { COMPACTION_INTERVAL_FLAG, describeStore, ETCD_SERVERS_FLAG, flagArg, parseCompactionInterval, parseEtcdServers } from './store-flags.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { clusterPaths, type ClusterState } from './paths.ts';

const USAGE = `kubelings cluster: run the engine's control plane in the background

  npx kubelings cluster up [--port N] [--impl SPEC]   start it (port ${APISERVER_DEFAULT_PORT} unless told; 0 picks a free one)
      [--nodes N --hollow]                            with N simulated nodes (lesson 03); --hollow static
                                                      registers the Node objects only
      [--etcd-servers URL[,URL...]]                   keep the data in a real etcd (3.4+, http://) instead
                                                      of the built-in store in .kubelings/data
      [--etcd-compaction-interval 5m]                 compact the store this often (0: never)
  npx kubelings cluster down                          stop it (its data stays in .kubelings/data)
  npx kubelings cluster status                        is it running, where, whose code
  npx kubelings cluster repair [--data-dir DIR]       repair a damaged store (when up refuses to start it):
                                                      keeps what it cuts aside and says what was lost

--impl chooses whose code runs: solutions, exercises, mine, or e.g. exercises:apiserver.
`;

/** `--key value`, `--key=value` and bare `--flag` words after the verb, minus those the CLI itself reads. */
export function parseFlags(argv: string[], verb: string): Record<string, string | true> {
  const start = argv.indexOf(verb);
  const words = argv.slice(start + 1);
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('--')) continue;
    const eq = word.indexOf('=');
    if (eq > 0) flags[word.slice(2, eq)] = word.slice(eq + 1);
    else if (i + 1 < words.length && !words[i + 1]!.startsWith('--')) flags[word.slice(2)] = words[++i]!;
    else flags[word.slice(2)] = true;
  }
  return flags;
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readState(file: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

function ready(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${url}/readyz`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(1000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The warnings and errors logged since byte `from` of the log (this start's), as `component: message`
 * lines: what recovery cut and kept aside must reach the terminal, not only the log.
 */
function warningsSince(file: string, from: number): string[] {
  let text: string;
  try {
    text = readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^[WE]\d{4} \S+ ([^\]]+)\] ("(?:[^"\\]|\\.)*")/.exec(line);
    if (match) found.push(`${match[1]}: ${JSON.parse(match[2]!) as string}`);
  }
  return found;
}

function printReady(state: ClusterState, kubeconfig: string, already: boolean, warnings: string[] = []): void {
  const out = process.stdout;
  if (warnings.length > 0) out.write(`Warnings while starting (also in ${shown(clusterPaths().logFile)}):\n${warnings.map((w) => `  ${w}\n`).join('')}\n`);
  out.write(`${already ? 'The control plane is already running' : 'The control plane is up'} at ${state.url} (pid ${state.pid}, code: ${state.impl}).\n`);
  out.write(`Its data is kept in ${describeStore(state, shown)}; its log is ${shown(clusterPaths().logFile)}.\n\n`);
  out.write(`Point kubectl at it:\n\n  export KUBECONFIG=${kubeconfig}\n  kubectl get namespaces\n\nStop it with: npx kubelings cluster down\n`);
}

async function up(argv: string[]): Promise<number> {
  const paths = clusterPaths();
  mkdirSync(paths.home, { recursive: true });
  const running = readPid(paths.pidFile);
  if (running && isProcessAlive(running)) {
    const state = readState(paths.stateFile);
    if (state && (await ready(state.url))) {
      writeKubeconfig(paths.kubeconfig, state.url);
      printReady(state, paths.kubeconfig, true);
      return 0;
    }
    throw new KubelingsError(`A control plane (pid ${running}) is starting or stuck; run npx kubelings cluster down first, then up again.`);
  }
  rmSync(paths.stateFile, { force: true });
  const flags = parseFlags(argv, 'up');
  const port = flags.port === undefined ? APISERVER_DEFAULT_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KubelingsError(`--port takes a port number (0 picks a free one), not "${String(flags.port)}".`);
  const { port: _p, impl: _i, 'log-level': level, ...componentFlags } = flags;
  const etcdArg = flagArg(argv, ETCD_SERVERS_FLAG);
  const etcdServers = etcdArg === undefined ? [] : parseEtcdServers(etcdArg);
  const intervalArg = flagArg(argv, COMPACTION_INTERVAL_FLAG);
  const storeArgs = [
    ...(etcdServers.length ? [`--${ETCD_SERVERS_FLAG}`, etcdServers.join(',')] : []),
    ...(intervalArg === undefined ? [] : [`--${COMPACTION_INTERVAL_FLAG}`, String(parseCompactionInterval(intervalArg))]),
  ];

  const logFrom = existsSync(paths.logFile) ? statSync(paths.logFile).size : 0;
  const log = openSync(paths.logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'engine', 'cluster', 'daemon.ts'), '--port', String(port), '--data-dir', paths.dataDir, ...storeArgs, '--flags', JSON.stringify(componentFlags), '--log-level', typeof level === 'string' ? level : 'info'],
    { cwd: ROOT, detached: true, stdio: ['ignore', log, log], env: process.env },
  );
  closeSync(log);
  writeFileSync(paths.pidFile, `${child.pid}\n`);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.unref();

  const deadline = Date.now() + CLUSTER_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined || !isProcessAlive(child.pid!)) {
      rmSync(paths.pidFile, { force: true });
      throw new KubelingsError(`The control plane stopped while starting. The end of ${shown(paths.logFile)}:\n${tail(paths.logFile)}`);
    }
    const state = readState(paths.stateFile);
    if (state && (await ready(state.url))) {
      writeKubeconfig(paths.kubeconfig, state.url);
      printReady(state, paths.kubeconfig, false, warningsSince(paths.logFile, logFrom));
      return 0;
    }
    await sleep(100);
  }
  throw new KubelingsError(`The control plane did not answer within ${CLUSTER_READY_TIMEOUT_MS / 1000} s (pid ${child.pid}; see ${shown(paths.logFile)}). Stop it with npx kubelings cluster down.`);
}

async function down(): Promise<number> {
  const paths = clusterPaths();
  const pid = readPid(paths.pidFile);
  if (!pid || !isProcessAlive(pid)) {
    rmSync(paths.pidFile, { force: true });
    rmSync(paths.stateFile, { force: true });
    process.stdout.write('No control plane is running.\n');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + CLUSTER_STOP_TIMEOUT_MS;
  while (Date.now() < deadline && isProcessAlive(pid)) await sleep(50);
  let forced = false;
  if (isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    forced = true;
    while (isProcessAlive(pid)) await sleep(20);
  }
  rmSync(paths.pidFile, { force: true });
  rmSync(paths.stateFile, { force: true });
  process.stdout.write(
    forced
      ? `Stopped the control plane (pid ${pid}) with SIGKILL: it did not stop within ${CLUSTER_STOP_TIMEOUT_MS / 1000} s. See ${shown(paths.logFile)}.\n`
      : `Stopped the control plane (pid ${pid}). Its data stays in ${shown(paths.dataDir)}; cluster up brings it back.\n`,
  );
  return 0;
}

async function status(): Promise<number> {
  const paths = clusterPaths();
  const pid = readPid(paths.pidFile);
  if (!pid || !isProcessAlive(pid)) {
    process.stdout.write(`No control plane is running.${existsSync(paths.dataDir) ? ` Its data is in ${shown(paths.dataDir)}.` : ''} Start it with: npx kubelings cluster up\n`);
    return 1;
  }
  const state = readState(paths.stateFile);
  if (!state) {
    process.stdout.write(`A control plane (pid ${pid}) is starting; see ${shown(paths.logFile)}.\n`);
    return 1;
  }
  const answering = await ready(state.url);
  process.stdout.write(
    `The control plane is running at ${state.url} (pid ${pid}, code: ${state.impl}, since ${state.startedAt})${answering ? '' : ', but it does not answer /readyz'}.\n` +
      `  Its data is kept in ${describeStore(state, shown)}.\n` +
      `  export KUBECONFIG=${paths.kubeconfig}\n`,
  );
  return answering ? 0 : 1;
}

async function repair(argv: string[]): Promise<number> {
  const paths = clusterPaths();
  const flags = parseFlags(argv, 'repair');
  const dataDir = typeof flags['data-dir'] === 'string' ? resolve(flags['data-dir']) : paths.dataDir;
  const running = readPid(paths.pidFile);
  if (dataDir === paths.dataDir && running && isProcessAlive(running)) {
    throw new KubelingsError(`The control plane (pid ${running}) is running on ${shown(dataDir)}: stop it first (npx kubelings cluster down), then repair.`);
  }
  const report = await repairDataDir(dataDir, { parts: await loadComponent('etcd') });
  process.stdout.write(`${report.lines.join('\n')}\n`);
  return 0;
}

export async function clusterCommand(args: string[], argv: string[]): Promise<number> {
  const [verb] = args;
  if (argv.includes('--help') || argv.includes('-h') || verb === undefined || verb === 'help') {
    process.stdout.write(USAGE);
    // Asking for help succeeds; `cluster` alone is a usage mistake.
    return verb === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
  }
  if (verb === 'up') return up(argv);
  if (verb === 'down') return down();
  if (verb === 'status') return status();
  if (verb === 'repair') return repair(argv);
  throw new KubelingsError(`cluster takes up, down, status or repair (got "${verb}"). See npx kubelings cluster --help.`);
}
