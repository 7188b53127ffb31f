/**
 * The supervisor inside the daemon: it runs each component of `cluster up` (the hollow nodes,
 * kube-scheduler, kube-controller-manager) as an OS process of its own (component-process.ts), so a
 * learner's component that loops forever or crashes stalls neither the apiserver nor the others.
 *
 *   const supervisor = new Supervisor({ server, ca, issueToken, dataDir, flags, paths, logger });
 *   await supervisor.start(specsOf(builtinComponents(flags)));  // each ready, failed or given up on
 *   await supervisor.stop();                                   // SIGTERM, then SIGKILL: none left
 *
 * A component process is described by a ComponentSpec: its name, the module and factory export
 * that make it (`(flags) => ClusterComponent[]`, the one of that name runs), the user it is to the
 * apiserver and the further users it acts as (each hollow node's kubelet). The supervisor issues a
 * token for each of those users once (apiserver.issueToken; kept across the process's restarts)
 * and hands them over in the FIRST message on the child's IPC channel (ComponentStart: server, CA,
 * tokens, module, factory, flags), never on its command line or in its environment, which other
 * users of the machine can read (/proc/PID/cmdline, ps e). The child asks for it (`hello`) once
 * it listens, so the message cannot arrive before anyone reads it. Tokens are never logged.
 *
 * Each process's stdout and stderr go through the supervisor to logs/NAME.log (appended across
 * restarts within a run; rotated at each `cluster up` like cluster.log), bounded within a run by
 * COMPONENT_LOG_MAX_BYTES: past it the file becomes NAME.log.old and a new one begins
 * (bounded-log.ts). One that exits is started again after SUPERVISOR_BACKOFF_INITIAL_MS,
 * doubled at each crash up to SUPERVISOR_BACKOFF_MAX_MS, and back to the first wait once it has
 * stayed up SUPERVISOR_BACKOFF_RESET_MS (as the kubelet's CrashLoopBackOff). One that stops sending
 * its heartbeat for SUPERVISOR_UNRESPONSIVE_MS, while starting or running, is reported `not
 * responding` (a busy loop?), not killed.
 *
 * What it sees is kept in components.json (written whole, then renamed) for `cluster status`:
 * each component's pid, state, restarts, last exit. The children share the daemon's process group
 * and carry `--data-dir` on their command line, so `cluster down` can find any that outlive a
 * killed daemon (leftoverComponents).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../paths.ts';
import {
  COMPONENT_LOG_MAX_BYTES,
  SUPERVISOR_BACKOFF_INITIAL_MS,
  SUPERVISOR_BACKOFF_MAX_MS,
  SUPERVISOR_BACKOFF_RESET_MS,
  SUPERVISOR_HEARTBEAT_MS,
  SUPERVISOR_START_WAIT_MS,
  SUPERVISOR_STOP_TIMEOUT_MS,
  SUPERVISOR_UNRESPONSIVE_MS,
} from '../params.ts';
import { processIdentity } from '../processes.ts';
import type { UserInfo } from '../apiserver/auth.ts';
import { BoundedLog } from './bounded-log.ts';
import type { ClusterComponent } from './cluster.ts';
import type { ComponentMessage, ComponentStart } from './component-process.ts';
import type { Logger } from './logger.ts';
import type { clusterPaths } from './paths.ts';

/** The script every component process runs; its command line names it. */
export const COMPONENT_SCRIPT = 'engine/cluster/component-process.ts';

/** The module and export that make the built-in components (builtin.ts). */
export const BUILTIN_MODULE = { module: 'engine/cluster/builtin.ts', factory: 'builtinComponents' } as const;

/** One component process to run: what it is, where its code is, and who it is to the apiserver. */
export interface ComponentSpec {
  /** Its name: `--component NAME`, logs/NAME.log, its row in components.json. */
  name: string;
  /** The module (path from the repository root) whose `factory` export, `(flags) => ClusterComponent[]`, makes it. */
  module: string;
  factory: string;
  /** Who it is to the apiserver (its `client`). */
  user: UserInfo;
  /** The other users it acts as (clientAs, newClient): a token each. */
  identities?: UserInfo[];
  /** The flags its factory is called with (default: the supervisor's). */
  flags?: Record<string, unknown>;
}

/** The user a component is when it names none: the user of its name, as startCluster does. */
export function componentUser(component: Pick<ClusterComponent, 'name' | 'user'>): UserInfo {
  return component.user ?? { username: component.name, groups: [] };
}

/** A spec per built-in component these flags make (builtin.ts), in start order. */
export function specsOf(components: readonly ClusterComponent[], from: { module: string; factory: string } = BUILTIN_MODULE): ComponentSpec[] {
  return components.map((c) => ({ name: c.name, ...from, user: componentUser(c), identities: c.identities ?? [] }));
}

export type ComponentPhase = 'starting' | 'running' | 'not responding' | 'restarting' | 'stopped';

/** One component process as the supervisor sees it (a row of components.json). */
export interface ComponentProcessState {
  name: string;
  /** The pid of its current process (absent while it waits to be restarted). */
  pid?: number;
  phase: ComponentPhase;
  /** How many times it exited and was (or will be) started again. */
  restarts: number;
  /** When its current process started, or when it will be started again (phase restarting). */
  since: string;
  lastExit?: { code: number | null; signal: string | null; at: string; error?: string };
  /** Its log file. */
  log: string;
}

/** What components.json holds. */
export interface ComponentsFile {
  supervisorPid: number;
  components: ComponentProcessState[];
}

export interface SupervisorOptions {
  /** The apiserver's URL. */
  server: string;
  /** The CA certificate (PEM) the children trust for it. */
  ca: string;
  /** A new bearer token the apiserver knows as `user` (ApiServer.issueToken). */
  issueToken(user: UserInfo): string;
  /** The cluster's data folder (only named on the children's command lines, see the header). */
  dataDir: string;
  flags: Record<string, unknown>;
  paths: ReturnType<typeof clusterPaths>;
  logger: Logger;
  logLevel?: string;
  /** Extra environment for every child (the daemon's is inherited). */
  env?: Record<string, string>;
  /** Each component log's bound within a run (default COMPONENT_LOG_MAX_BYTES). */
  logMaxBytes?: number;
  /** After SIGTERM, how long a component gets to stop before SIGKILL (SUPERVISOR_STOP_TIMEOUT_MS when absent; tests on a loaded machine give more). */
  stopTimeoutMs?: number;
  /** How long start() waits for each component to be ready or fail once (SUPERVISOR_START_WAIT_MS when absent; tests on a loaded machine give more). */
  startWaitMs?: number;
}

interface Child {
  spec: ComponentSpec;
  /** Issued at its first start, kept across restarts; only ever sent over its IPC channel. */
  credentials: Pick<ComponentStart, 'token' | 'identities'>;
  state: ComponentProcessState;
  /** logs/NAME.log, open from its first start to the supervisor's stop. */
  log?: BoundedLog;
  process?: ChildProcess;
  startedAt: number;
  lastAlive: number;
  backoffMs: number;
  restartTimer?: NodeJS.Timeout;
  lastError?: string;
  /** It said `ready` (its current process). */
  ready: boolean;
  /** Settles the first start: ready, failed, or exited. */
  firstStart?: () => void;
}

/**
 * How long to wait before starting again a process that exited after `uptimeMs`, when the wait
 * due was `dueMs`; and the wait due after that. Doubling up to SUPERVISOR_BACKOFF_MAX_MS, back to
 * SUPERVISOR_BACKOFF_INITIAL_MS for a process that had stayed up SUPERVISOR_BACKOFF_RESET_MS.
 */
export function restartDelay(dueMs: number, uptimeMs: number): { delayMs: number; nextMs: number } {
  const delayMs = uptimeMs >= SUPERVISOR_BACKOFF_RESET_MS ? SUPERVISOR_BACKOFF_INITIAL_MS : dueMs;
  return { delayMs, nextMs: Math.min(delayMs * 2, SUPERVISOR_BACKOFF_MAX_MS) };
}

export class Supervisor {
  private readonly children = new Map<string, Child>();
  private stopping = false;
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly options: SupervisorOptions) {
    mkdirSync(options.paths.logsDir, { recursive: true });
    this.watchdog = setInterval(() => this.checkHeartbeats(), SUPERVISOR_HEARTBEAT_MS);
    this.watchdog.unref();
  }

  /** Starts every component; resolves once each is ready, has failed once, or startWaitMs (SUPERVISOR_START_WAIT_MS) passed. */
  async start(specs: ComponentSpec[]): Promise<void> {
    const waits = specs.map((spec) => {
      const name = spec.name;
      if (this.children.has(name)) throw new Error(`two component processes named ${name}`);
      const child: Child = {
        spec,
        credentials: {
          token: this.options.issueToken(spec.user),
          identities: (spec.identities ?? []).map((user) => ({ user, token: this.options.issueToken(user) })),
        },
        state: { name, phase: 'starting', restarts: 0, since: new Date().toISOString(), log: join(this.options.paths.logsDir, `${name}.log`) },
        startedAt: Date.now(),
        lastAlive: Date.now(),
        backoffMs: SUPERVISOR_BACKOFF_INITIAL_MS,
        ready: false,
      };
      this.children.set(name, child);
      const settled = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.startWaitMs ?? SUPERVISOR_START_WAIT_MS);
        child.firstStart = () => {
          clearTimeout(timer);
          child.firstStart = undefined;
          resolve();
        };
      });
      this.launch(child);
      return settled;
    });
    await Promise.all(waits);
    this.save();
  }

  /** Each component's state, in start order. */
  states(): ComponentProcessState[] {
    return [...this.children.values()].map((c) => ({ ...c.state }));
  }

  private launch(child: Child): void {
    const { options } = this;
    const name = child.state.name;
    const log = (child.log ??= new BoundedLog(child.state.log, options.logMaxBytes ?? COMPONENT_LOG_MAX_BYTES, (problem) => options.logger.warn(problem, { component: name })));
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, COMPONENT_SCRIPT),
        '--component',
        name,
        '--data-dir',
        options.dataDir,
        '--log-level',
        options.logLevel ?? 'info',
        '--stopped-nodes',
        options.paths.stoppedNodesFile,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...options.env } },
    );
    proc.stdout!.on('data', (chunk: Buffer) => log.write(chunk));
    proc.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    child.process = proc;
    child.startedAt = Date.now();
    child.lastAlive = Date.now();
    child.lastError = undefined;
    child.ready = false;
    child.state = { ...child.state, pid: proc.pid, phase: 'starting', since: new Date(child.startedAt).toISOString() };
    this.save();
    proc.on('message', (message: ComponentMessage) => {
      child.lastAlive = Date.now();
      if (message.type === 'hello') {
        // Its first message: what to run and its credentials (see the header).
        const start: ComponentStart = {
          type: 'start',
          server: options.server,
          ca: options.ca,
          module: child.spec.module,
          factory: child.spec.factory,
          flags: child.spec.flags ?? options.flags,
          ...child.credentials,
        };
        if (proc.connected) proc.send(start);
      } else if (message.type === 'ready') {
        child.ready = true;
        this.setPhase(child, 'running');
        options.logger.info('component started', { component: name, pid: proc.pid });
        child.firstStart?.();
      } else if (message.type === 'alive') {
        if (child.state.phase === 'not responding') {
          this.setPhase(child, child.ready ? 'running' : 'starting');
          options.logger.info('component responds again', { component: name, pid: proc.pid });
        }
      } else if (message.type === 'failed') {
        child.lastError = message.error;
      }
    });
    proc.on('error', (error) => {
      child.lastError = error.message;
    });
    proc.on('exit', (code, signal) => this.exited(child, proc, code, signal));
  }

  private exited(child: Child, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child.process !== proc) return;
    child.process = undefined;
    const name = child.state.name;
    const lastExit = { code, signal, at: new Date().toISOString(), ...(child.lastError ? { error: child.lastError } : {}) };
    if (this.stopping) {
      child.state = { ...child.state, pid: undefined, phase: 'stopped', lastExit };
      return;
    }
    const { delayMs: delay, nextMs } = restartDelay(child.backoffMs, Date.now() - child.startedAt);
    child.backoffMs = nextMs;
    child.state = { ...child.state, pid: undefined, phase: 'restarting', restarts: child.state.restarts + 1, since: new Date(Date.now() + delay).toISOString(), lastExit };
    this.options.logger.warn('component exited; restarting it', {
      component: name,
      code: code ?? undefined,
      signal: signal ?? undefined,
      error: child.lastError,
      in: `${delay / 1000}s`,
      restarts: child.state.restarts,
    });
    this.save();
    child.firstStart?.();
    child.restartTimer = setTimeout(() => {
      child.restartTimer = undefined;
      if (!this.stopping) this.launch(child);
    }, delay);
  }

  private setPhase(child: Child, phase: ComponentPhase): void {
    if (child.state.phase === phase) return;
    child.state = { ...child.state, phase };
    this.save();
  }

  private checkHeartbeats(): void {
    const now = Date.now();
    for (const child of this.children.values()) {
      if ((child.state.phase === 'running' || child.state.phase === 'starting') && now - child.lastAlive > SUPERVISOR_UNRESPONSIVE_MS) {
        this.setPhase(child, 'not responding');
        this.options.logger.warn('component not responding (no heartbeat: stuck in a loop?)', {
          component: child.state.name,
          pid: child.state.pid,
          for: `${Math.round((now - child.lastAlive) / 1000)}s`,
        });
      }
    }
  }

  /** Writes components.json whole (then renames it into place). */
  private save(): void {
    if (this.stopping) return;
    const file = this.options.paths.componentsFile;
    const body: ComponentsFile = { supervisorPid: process.pid, components: this.states() };
    try {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      this.options.logger.warn(`cannot write ${file}: ${(error as Error).message}`);
    }
  }

  /** Stops every component: SIGTERM, SIGKILL after SUPERVISOR_STOP_TIMEOUT_MS; resolves once all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    const waits: Promise<void>[] = [];
    for (const child of this.children.values()) {
      if (child.restartTimer) clearTimeout(child.restartTimer);
      const proc = child.process;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) continue;
      waits.push(
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => {
            this.options.logger.warn('component did not stop in time; killing it', { component: child.state.name, pid: proc.pid });
            proc.kill('SIGKILL');
          }, this.options.stopTimeoutMs ?? SUPERVISOR_STOP_TIMEOUT_MS);
          proc.once('close', () => {
            // Exited, and what it wrote last is in its log.
            clearTimeout(kill);
            resolve();
          });
          proc.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(waits);
    for (const child of this.children.values()) child.log?.close();
    rmSync(this.options.paths.componentsFile, { force: true });
  }
}

/** components.json, or undefined when absent or unreadable. */
export function readComponentsFile(file: string): ComponentsFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ComponentsFile;
    return Array.isArray(parsed.components) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Component processes of the cluster on `dataDir` that still run (after a kill -9 of the daemon,
 * or one stuck in a loop): the pids in components.json whose process runs component-process.ts on
 * this data folder. Pids that now belong to anything else are left out.
 */
export function leftoverComponents(file: string, dataDir: string): number[] {
  const found: number[] = [];
  for (const c of readComponentsFile(file)?.components ?? []) {
    if (!c.pid) continue;
    const identity = processIdentity(c.pid);
    if (!identity || identity === 'unknown') continue;
    const line = identity.commandLine.replaceAll('\\', '/');
    if (line.includes(COMPONENT_SCRIPT) && line.includes(`--data-dir ${dataDir.replaceAll('\\', '/')}`)) found.push(c.pid);
  }
  return found;
}
