/**
 * ProcessRuntime: a container runtime behind the CRI (./api.ts), where each container is a real
 * OS process of this machine. A pod sandbox is an address of the pod network (from the CNI plugin
 * the runtime calls as a runtime calls one: ADD at RunPodSandbox, DEL at StopPodSandbox), a log
 * folder and a state record; a container is a process started from a built-in image, in its own
 * process group (and cgroup, where cpu and memory limits can be enforced), with its own working
 * folder, its stdout and stderr written to its log file in the CRI format.
 *
 * SECURITY: this runs what it is told. busybox runs the container's command through the machine's
 * shell, and ExecSync/Exec run any command, with the runtime's own privileges (root, when the
 * runtime is root). The kubelet may only feed it specs from an authenticated apiserver, and serve
 * exec only to authenticated, authorised requests.
 *
 * Invariants:
 * - when a container's main process ends, every other process of its group (and cgroup) is killed,
 *   as the kernel does when a container's PID 1 ends; so are its exec processes;
 * - a container is EXITED only once its last output is in its log file, so a follower that stops at
 *   "not running" has seen everything;
 * - StopContainer sends the stop signal (the config's, else the image's: SIGQUIT for nginx, else
 *   SIGTERM) to the main process, and after `timeout` seconds SIGKILL to the whole group;
 * - `shutdown()` leaves no process, and a runtime whose owner died is cleaned up by
 *   cleanupOrphans(root) (./orphans.ts), which `open` also runs on a root left behind;
 * - one owner per root: `open` refuses a root whose owner still runs.
 *
 * Kernel mode (`kernel` option): each sandbox is also a network namespace of its own
 * (`<podNetnsPrefix><id12>`, made before the plugin's ADD and removed after its DEL, or when ADD
 * fails), the plugin gets its path as CNI_NETNS, and every container and exec process is started
 * inside it with nsenter, which execs the command: the pid recorded is the command's own. The
 * node reaches pod addresses through `kernel.dial` (dialPod).
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { loopbackPlugin, LOOPBACK_PLUGIN_TYPE } from '../cni/loopback-plugin.ts';
import { formatIPv4, nodeBlock, parseCidr } from '../cni/ipv4.ts';
import { ip } from '../cni/net-ops.ts';
import { CNI_VERSION, type CniArgs, type CniPlugin, type NetConf } from '../cni/types.ts';
import { imagePrograms, type ImagePrograms } from '../images/bundle.ts';
import { appletArgv } from '../images/applets.ts';
import { builtinNames, imageDigestRef, imageId, lookupImage } from '../images/catalog.ts';
import { POD_NETWORK_CIDR, POD_NETWORK_NAME, POD_NODE_CIDR_MASK } from '../params.ts';
import type {
  ContainerConfig,
  ContainerStatsRequest,
  ContainerStatsResponse,
  ContainerStatusRequest,
  ContainerStatusResponse,
  CreateContainerRequest,
  CreateContainerResponse,
  AttachRequest,
  AttachSession,
  ExecRequest,
  ExecSession,
  ExecSyncRequest,
  ExecSyncResponse,
  ImageService,
  ImageStatusRequest,
  ImageStatusResponse,
  ListContainersRequest,
  ListContainersResponse,
  ListContainerStatsRequest,
  ListContainerStatsResponse,
  ListImagesRequest,
  ListImagesResponse,
  ListPodSandboxRequest,
  ListPodSandboxResponse,
  PodSandboxStatusRequest,
  PodSandboxStatusResponse,
  PullImageRequest,
  PullImageResponse,
  RunPodSandboxRequest,
  RunPodSandboxResponse,
  RuntimeCapabilities,
  RuntimeService,
  StatusResponse,
  StopContainerRequest,
  StringMap,
  VersionResponse,
} from './api.ts';
import { CgroupDriver, joinCommand } from './cgroups/driver.ts';
import { planCgroups } from './cgroups/detect.ts';
import { nowNs } from './clock.ts';
import { containerNotFound, CriError, sandboxNotFound } from './errors.ts';
import { attachContainer } from './attach.ts';
import { terminalArgv, terminalAvailable, terminalEnv } from './terminal.ts';
import { runExec, runExecSync, type ExecContext } from './exec.ts';
import { BuiltinImageService } from './images.ts';
import { checkRunnable, containerArgv, containerEnv, findExecutable, listenAddressFor, type LaunchInputs } from './launch.ts';
import { cleanupOrphans } from './orphans.ts';
import { decideLowPorts, tryListen, type LowPortsOption } from './ports.ts';
import { processStartTime } from './procfs.ts';
import { RuntimeState, type ContainerRecord, type SandboxRecord } from './state.ts';
import { startContainerProcess, stopContainerProcess, type LiveContainer } from './process.ts';
import { containerStats } from './stats.ts';
import { containerMatches, containerStatusOf, containerSummary, matchesLabels, sandboxSummary } from './views.ts';

export interface ProcessRuntimeOptions {
  /** The state folder (created); one runtime per folder. */
  root: string;
  /** This node's pod addresses (default: node 0's block of POD_NETWORK_CIDR). */
  podCidr?: string;
  /** The CNI plugin and its configuration (default: the built-in loopback plugin with host-local IPAM). */
  network?: { plugin: CniPlugin; conf: NetConf };
  /** Ports below 1024: probe ('auto', the default), or force 'bind' or 'remap'. */
  lowPorts?: LowPortsOption;
  /** 'off' never uses cgroups (limits then reported as not enforced, with that reason). */
  cgroups?: 'auto' | 'off';
  /** Kernel mode: a network namespace per sandbox (see the header); `network` is then the kernel plugin. */
  kernel?: KernelSandboxes;
}

export interface KernelSandboxes {
  /** Sandbox namespaces are named this plus 12 hex digits of the sandbox id (netns-layout.ts: `kln-<tag>-n<i>-`). */
  podNetnsPrefix: string;
  /** How this node connects to a pod address (the node's relay). */
  dial(host: string, port: number): Promise<Socket>;
}

const NETNS_DIR = '/var/run/netns';

/** Node `index`'s pod addresses. */
export function nodePodCidr(index: number): string {
  return nodeBlock(POD_NETWORK_CIDR, POD_NODE_CIDR_MASK, index);
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The roots opened by this process (one owner per root, also within a process). */
const openRoots = new Set<string>();

function newId(): string {
  return randomBytes(32).toString('hex');
}

export class ProcessRuntime implements RuntimeService, ImageService {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, LiveContainer>();
  private readonly images = new BuiltinImageService();
  private closed = false;

  private constructor(
    readonly root: string,
    private readonly state: RuntimeState,
    readonly runtimeId: string,
    private readonly network: { plugin: CniPlugin; conf: NetConf },
    private readonly cgroups: CgroupDriver,
    readonly capabilities: RuntimeCapabilities,
    private readonly networkProblem: string | undefined,
    private readonly programs: ImagePrograms,
    /** What went wrong while opening (unreadable records, orphans killed), one sentence each. */
    readonly warnings: string[],
    private readonly kernel: KernelSandboxes | undefined,
    private readonly nsenter: string | undefined,
  ) {}

  /** Connects to `host:port` as this node can: through the node's relay in kernel mode; undefined means a direct connection. */
  get dialPod(): ((host: string, port: number) => Promise<Socket>) | undefined {
    return this.kernel?.dial;
  }

  /** Opens (or takes over) the runtime at `options.root`; cleans up after a previous owner that died. */
  static async open(options: ProcessRuntimeOptions): Promise<ProcessRuntime> {
    const root = resolve(options.root);
    if (openRoots.has(root)) throw new CriError('FailedPrecondition', `the runtime at ${root} is already open in this process`);
    mkdirSync(root, { recursive: true });
    const warnings: string[] = [];
    const report = await cleanupOrphans(root);
    if (report.killed.length > 0) warnings.push(`killed ${report.killed.length} process(es) left by a previous owner of ${root}: ${report.killed.join(', ')}`);
    warnings.push(...report.warnings);
    const state = new RuntimeState(root);
    state.writeOwner({ pid: process.pid, startTime: processStartTime(process.pid), startedAt: new Date().toISOString() });
    const runtimeId = state.runtimeId();

    const podCidr = options.podCidr ?? nodePodCidr(0);
    const block = parseCidr(podCidr, true);
    const gateway = formatIPv4(block.network + 1);
    const network = options.network ?? {
      plugin: loopbackPlugin,
      conf: { cniVersion: CNI_VERSION, name: POD_NETWORK_NAME, type: LOOPBACK_PLUGIN_TYPE, ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], dataDir: join(root, 'cni') } },
    };
    const probe = options.kernel ? '' : await tryListen(gateway, 0);
    const networkProblem =
      probe === ''
        ? undefined
        : `the pod network's addresses (${podCidr}) are not local here: listening on ${gateway} failed with ${probe}${process.platform === 'darwin' ? ' (macOS routes only 127.0.0.1 to loopback: add the addresses with `sudo ifconfig lo0 alias <address>`)' : ''}`;
    const lowPorts = await decideLowPorts(options.lowPorts ?? 'auto', options.kernel ? '127.0.0.1' : gateway);
    const nsenter = options.kernel ? findExecutable('nsenter', process.env.PATH ?? '', '/') : undefined;
    if (options.kernel && !nsenter) throw new CriError('FailedPrecondition', 'kernel mode needs nsenter (util-linux) on PATH to start containers in their network namespace');

    let layout = planCgroups({
      platform: process.platform,
      uid: process.getuid?.() ?? -1,
      mountinfo: process.platform === 'linux' ? safeRead('/proc/self/mountinfo') : '',
      procSelfCgroup: process.platform === 'linux' ? safeRead('/proc/self/cgroup') : '',
    });
    if (options.cgroups === 'off') layout = { driver: 'none', own: {}, reason: "cgroups are turned off for this runtime (cgroups: 'off'): cpu and memory limits are not enforced" };
    const cgroups = new CgroupDriver(layout, `kubelings-${runtimeId}`);
    const capabilities: RuntimeCapabilities = {
      resources: { enforced: cgroups.enforced, driver: cgroups.driver, ...(cgroups.reason ? { reason: cgroups.reason } : {}) },
      lowPorts,
    };
    const programs = await imagePrograms();
    if (programs.warning) warnings.push(programs.warning);

    const runtime = new ProcessRuntime(root, state, runtimeId, network, cgroups, capabilities, networkProblem, programs, warnings, options.kernel, nsenter);
    openRoots.add(root);
    for (const sandbox of state.loadSandboxes()) runtime.sandboxes.set(sandbox.id, sandbox);
    for (const record of state.loadContainers()) {
      const image = lookupImage(record.imageName);
      if (!image || !runtime.sandboxes.has(record.podSandboxId)) {
        warnings.push(`container record ${record.id} names ${image ? `sandbox ${record.podSandboxId}, which is gone` : `image "${record.imageName}", which is not built in`}: removed`);
        state.removeContainer(record.id);
        continue;
      }
      runtime.containers.set(record.id, { record, image, execs: new Set() });
    }
    warnings.push(...state.warnings);
    return runtime;
  }

  // ── Version and status ─────────────────────────────────────────────────────────────────────────

  async version(): Promise<VersionResponse> {
    return { version: '0.1.0', runtimeName: 'kubelings', runtimeVersion: VERSION, runtimeApiVersion: 'v1' };
  }

  async status(req: { verbose?: boolean } = {}): Promise<StatusResponse> {
    return {
      status: {
        conditions: [
          { type: 'RuntimeReady', status: !this.closed, reason: this.closed ? 'RuntimeShutDown' : '', message: this.closed ? 'the runtime was shut down' : '' },
          { type: 'NetworkReady', status: !this.networkProblem, reason: this.networkProblem ? 'NetworkPluginNotReady' : '', message: this.networkProblem ?? '' },
        ],
      },
      info: req.verbose ? { config: JSON.stringify({ root: this.root, runtimeId: this.runtimeId, network: this.network.conf, warnings: this.warnings }) } : {},
      kubelings: this.capabilities,
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new CriError('Unavailable', 'the runtime was shut down');
  }

  // ── Pod sandboxes ──────────────────────────────────────────────────────────────────────────────

  private sandbox(id: string): SandboxRecord {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) throw sandboxNotFound(id);
    return sandbox;
  }

  private cniArgs(sandbox: SandboxRecord): CniArgs {
    const m = sandbox.config.metadata;
    return {
      containerId: sandbox.id,
      netns: sandbox.netns ? join(NETNS_DIR, sandbox.netns) : '',
      ifName: 'eth0',
      args: [
        ['IgnoreUnknown', '1'],
        ['K8S_POD_NAMESPACE', m.namespace],
        ['K8S_POD_NAME', m.name],
        ['K8S_POD_INFRA_CONTAINER_ID', sandbox.id],
        ['K8S_POD_UID', m.uid],
      ],
    };
  }

  async runPodSandbox(req: RunPodSandboxRequest): Promise<RunPodSandboxResponse> {
    this.assertOpen();
    const m = req.config?.metadata;
    if (!m?.name || !m.namespace || !m.uid) throw new CriError('InvalidArgument', 'the sandbox config needs metadata with a name, a namespace and a uid');
    if (req.runtimeHandler && req.runtimeHandler !== 'kubelings') throw new CriError('InvalidArgument', `unknown runtime handler "${req.runtimeHandler}": this runtime has only "kubelings" (or "")`);
    const attempt = m.attempt ?? 0;
    const name = `${m.name}_${m.namespace}_${m.uid}_${attempt}`;
    const clash = [...this.sandboxes.values()].find(
      (s) => s.config.metadata.name === m.name && s.config.metadata.namespace === m.namespace && s.config.metadata.uid === m.uid && (s.config.metadata.attempt ?? 0) === attempt,
    );
    if (clash) throw new CriError('AlreadyExists', `failed to reserve sandbox name "${name}": name "${name}" is reserved for "${clash.id}"`);
    const logDirectory = req.config.logDirectory ?? join(this.root, 'pods', `${m.namespace}_${m.name}_${m.uid}`);
    if (!isAbsolute(logDirectory)) throw new CriError('InvalidArgument', `the sandbox's log directory must be an absolute path, not "${logDirectory}"`);
    const id = newId();
    const sandbox: SandboxRecord = { id, config: req.config, runtimeHandler: req.runtimeHandler ?? '', createdAt: nowNs(), state: 'SANDBOX_READY', logDirectory };
    mkdirSync(logDirectory, { recursive: true });
    if (this.kernel) {
      const netns = `${this.kernel.podNetnsPrefix}${id.slice(0, 12)}`;
      try {
        await ip(['netns', 'add', netns]);
        sandbox.netns = netns;
        await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
      } catch (error) {
        await this.removeSandboxNetns(sandbox);
        throw new CriError('Unknown', `failed to create the network namespace of sandbox "${id}": ${(error as Error).message}`);
      }
    }
    let result;
    try {
      result = await this.network.plugin.add(this.network.conf, this.cniArgs(sandbox));
    } catch (error) {
      await this.network.plugin.del(this.network.conf, this.cniArgs(sandbox)).catch(() => undefined);
      await this.removeSandboxNetns(sandbox);
      throw new CriError('Unknown', `failed to setup network for sandbox "${id}": plugin type="${this.network.conf.type}" name="${this.network.conf.name}" failed (add): ${(error as Error).message}`);
    }
    const podIP = result.ips[0]?.address.split('/')[0];
    if (!podIP) {
      await this.network.plugin.del(this.network.conf, this.cniArgs(sandbox)).catch(() => undefined);
      await this.removeSandboxNetns(sandbox);
      throw new CriError('Unknown', `failed to setup network for sandbox "${id}": plugin type="${this.network.conf.type}" name="${this.network.conf.name}" returned no address`);
    }
    sandbox.network = { ip: podIP, ifName: 'eth0', result, released: false };
    this.sandboxes.set(id, sandbox);
    this.state.saveSandbox(sandbox);
    return { podSandboxId: id };
  }

  async stopPodSandbox(req: { podSandboxId: string }): Promise<void> {
    const sandbox = this.sandbox(req.podSandboxId);
    for (const entry of this.containers.values()) {
      if (entry.record.podSandboxId === sandbox.id) await this.stopContainer({ containerId: entry.record.id, timeout: 0 });
    }
    if (sandbox.network && !sandbox.network.released) {
      try {
        await this.network.plugin.del({ ...this.network.conf, prevResult: sandbox.network.result }, this.cniArgs(sandbox));
      } catch (error) {
        throw new CriError(
          'Unknown',
          `failed to destroy network for sandbox "${sandbox.id}": plugin type="${this.network.conf.type}" name="${this.network.conf.name}" failed (delete): ${(error as Error).message}`,
        );
      }
      sandbox.network.released = true;
    }
    await this.removeSandboxNetns(sandbox);
    sandbox.state = 'SANDBOX_NOTREADY';
    this.state.saveSandbox(sandbox);
  }

  /** Removes the sandbox's network namespace (kernel mode), when it has one. */
  private async removeSandboxNetns(sandbox: SandboxRecord): Promise<void> {
    if (!sandbox.netns) return;
    await ip(['netns', 'del', sandbox.netns]).catch((error: Error) => {
      if (!/No such file|not exist/i.test(error.message)) throw new CriError('Unknown', `failed to remove the network namespace of sandbox "${sandbox.id}": ${error.message}`);
    });
    delete sandbox.netns;
  }

  /** `argv` started inside the sandbox's network namespace (nsenter execs it: same pid). */
  private inSandboxNetns(sandbox: SandboxRecord, argv: string[]): string[] {
    if (!this.kernel) return argv;
    if (!sandbox.netns || !this.nsenter) throw new Error(`sandbox "${sandbox.id}" has no network namespace`);
    return [this.nsenter, `--net=${join(NETNS_DIR, sandbox.netns)}`, '--', ...argv];
  }

  async removePodSandbox(req: { podSandboxId: string }): Promise<void> {
    if (!this.sandboxes.has(req.podSandboxId)) return;
    await this.stopPodSandbox(req);
    for (const entry of [...this.containers.values()]) {
      if (entry.record.podSandboxId === req.podSandboxId) await this.removeContainer({ containerId: entry.record.id });
    }
    this.sandboxes.delete(req.podSandboxId);
    this.state.removeSandbox(req.podSandboxId);
  }

  async podSandboxStatus(req: PodSandboxStatusRequest): Promise<PodSandboxStatusResponse> {
    const sandbox = this.sandbox(req.podSandboxId);
    const ready = sandbox.state === 'SANDBOX_READY' && sandbox.network && !sandbox.network.released;
    const containers = [...this.containers.values()].filter((c) => c.record.podSandboxId === sandbox.id);
    return {
      status: {
        ...sandboxSummary(sandbox),
        ...(ready ? { network: { ip: sandbox.network!.ip, additionalIps: [] } } : {}),
      },
      info: req.verbose ? { info: JSON.stringify({ cniResult: sandbox.network?.result, logDirectory: sandbox.logDirectory }) } : {},
      containersStatuses: containers.map((c) => containerStatusOf(c)),
      timestamp: nowNs(),
    };
  }

  async listPodSandbox(req: ListPodSandboxRequest = {}): Promise<ListPodSandboxResponse> {
    const f = req.filter ?? {};
    const items = [...this.sandboxes.values()]
      .filter((s) => (!f.id || s.id.startsWith(f.id)) && (!f.state || s.state === f.state.state) && matchesLabels(s.config.labels ?? {}, f.labelSelector))
      .map((s) => sandboxSummary(s));
    return { items };
  }

  // ── Containers ─────────────────────────────────────────────────────────────────────────────────

  private entry(id: string): LiveContainer {
    const entry = this.containers.get(id);
    if (!entry) throw containerNotFound(id);
    return entry;
  }

  async createContainer(req: CreateContainerRequest): Promise<CreateContainerResponse> {
    this.assertOpen();
    const sandbox = this.sandbox(req.podSandboxId);
    if (sandbox.state !== 'SANDBOX_READY') throw new CriError('FailedPrecondition', `sandbox "${sandbox.id}" is not ready: a container can only be created in a ready sandbox`);
    const config: ContainerConfig = req.config;
    if (!config?.metadata?.name) throw new CriError('InvalidArgument', 'the container config needs metadata with a name');
    const attempt = config.metadata.attempt ?? 0;
    const clash = [...this.containers.values()].find(
      (c) => c.record.podSandboxId === sandbox.id && c.record.config.metadata.name === config.metadata.name && (c.record.config.metadata.attempt ?? 0) === attempt,
    );
    const m = sandbox.config.metadata;
    const name = `${config.metadata.name}_${m.name}_${m.namespace}_${m.uid}_${attempt}`;
    if (clash) throw new CriError('AlreadyExists', `failed to reserve container name "${name}": name "${name}" is reserved for "${clash.record.id}"`);
    const reference = config.image?.image ?? '';
    const image = lookupImage(reference);
    if (!image) throw new CriError('NotFound', `failed to get image "${reference}": not found (pull it first; the built-in images are ${builtinNames()})`);
    checkRunnable(image, config);
    const logPath = normalize(config.logPath ?? `${config.metadata.name}/${attempt}.log`);
    if (isAbsolute(logPath) || logPath.startsWith('..')) throw new CriError('InvalidArgument', `the container's log path must be relative to the sandbox's log directory, not "${config.logPath}"`);
    for (const { key } of config.envs ?? []) {
      if (!key || key.includes('=') || key.includes('\0')) throw new CriError('InvalidArgument', `invalid environment variable name "${key}"`);
    }
    const workingDir = normalize(`/${config.workingDir ?? ''}`);
    const id = newId();
    const rootfs = join(this.state.containerDir(id), 'rootfs');
    const warnings: string[] = [];
    const uid = config.linux?.securityContext?.runAsUser?.value;
    if (uid !== undefined && uid !== process.getuid?.()) warnings.push(`runAsUser ${uid} is not applied: the process runs as the runtime's user (uid ${process.getuid?.() ?? 'unknown'})`);
    if (config.tty && !terminalAvailable()) warnings.push('tty is not provided: script(1) (util-linux) is not installed, so the process reads and writes pipes, not a terminal');
    for (const mount of config.mounts ?? []) if (mount.readonly) warnings.push(`the mount at ${mount.containerPath} is not read-only: a link to ${mount.hostPath} in the container's folder`);
    const resources = config.linux?.resources;
    const limits = Boolean(resources && (resources.cpuQuota || resources.memoryLimitInBytes || resources.cpuShares));
    const record: ContainerRecord = {
      id,
      podSandboxId: sandbox.id,
      config,
      imageName: image.name,
      imageRef: imageDigestRef(image),
      imageId: imageId(image),
      createdAt: nowNs(),
      startedAt: 0n,
      finishedAt: 0n,
      state: 'CONTAINER_CREATED',
      exitCode: 0,
      reason: '',
      message: '',
      pid: 0,
      logPath: join(sandbox.logDirectory, logPath),
      workDir: join(rootfs, workingDir),
      cgroupDirs: [],
      resourcesEnforced: limits && this.cgroups.enforced,
      ...(limits && !this.cgroups.enforced ? { resourcesReason: this.cgroups.reason } : {}),
      ...(image.program && sandbox.network ? { listen: listenAddressFor(image, config, sandbox.network.ip, this.capabilities.lowPorts) } : {}),
      warnings,
    };
    mkdirSync(record.workDir, { recursive: true });
    mkdirSync(join(rootfs, 'tmp'), { recursive: true }); // every image has a /tmp (kubectl cp's usual target)
    for (const mount of config.mounts ?? []) {
      const at = join(rootfs, normalize(`/${mount.containerPath}`));
      mkdirSync(dirname(at), { recursive: true });
      rmSync(at, { recursive: true, force: true });
      symlinkSync(mount.hostPath, at);
    }
    this.containers.set(id, { record, image, execs: new Set() });
    this.state.saveContainer(record);
    return { containerId: id };
  }

  private launchInputs(entry: LiveContainer): LaunchInputs {
    const sandbox = this.sandbox(entry.record.podSandboxId);
    return {
      image: entry.image,
      config: entry.record.config,
      containerId: entry.record.id,
      runtimeId: this.runtimeId,
      hostname: sandbox.config.hostname || sandbox.config.metadata.name,
      rootfs: join(this.state.containerDir(entry.record.id), 'rootfs'),
      workDir: entry.record.workDir,
      podIP: sandbox.network?.ip ?? '',
      podNamespace: sandbox.config.metadata.namespace,
      ...(entry.record.listen ? { listen: entry.record.listen } : {}),
      programs: this.programs,
    };
  }

  /** Marks a container that could not start (containerd's StartError, exit code 128) and throws. */
  private failStart(entry: LiveContainer, message: string): never {
    const record = entry.record;
    record.state = 'CONTAINER_EXITED';
    record.startedAt = record.finishedAt = nowNs();
    record.exitCode = 128;
    record.reason = 'StartError';
    record.message = message;
    this.state.saveContainer(record);
    throw new CriError('Unknown', `failed to start container "${record.id}": ${message}`);
  }

  async startContainer(req: { containerId: string }): Promise<void> {
    this.assertOpen();
    const entry = this.entry(req.containerId);
    const record = entry.record;
    if (record.state !== 'CONTAINER_CREATED') throw new CriError('FailedPrecondition', `container "${record.id}" is in ${record.state} state: only a created container can be started`);
    const sandbox = this.sandbox(record.podSandboxId);
    if (sandbox.state !== 'SANDBOX_READY') this.failStart(entry, `sandbox "${sandbox.id}" is not ready`);
    const inputs = this.launchInputs(entry);
    const baseEnv = containerEnv(inputs);
    let argv: string[];
    try {
      argv = containerArgv(inputs, baseEnv);
    } catch (error) {
      this.failStart(entry, `failed to create shim task: OCI runtime create failed: unable to start container process: ${(error as Error).message}`);
    }
    let env = baseEnv;
    if (record.config.tty) {
      const onTerminal = terminalArgv(argv);
      if (onTerminal) {
        argv = onTerminal;
        env = terminalEnv(baseEnv);
        entry.terminal = true;
      }
    }
    const resources = record.config.linux?.resources;
    if (record.resourcesEnforced && resources) {
      try {
        entry.cgroup = this.cgroups.create(record.id, resources);
        record.cgroupDirs = entry.cgroup.dirs;
      } catch (error) {
        this.failStart(entry, `failed to create the container's cgroup: ${(error as Error).message}`);
      }
      argv = joinCommand(entry.cgroup.procsFiles, argv);
    }
    try {
      argv = this.inSandboxNetns(sandbox, argv);
    } catch (error) {
      if (entry.cgroup) await entry.cgroup.destroy();
      entry.cgroup = undefined;
      this.failStart(entry, (error as Error).message);
    }
    try {
      await startContainerProcess(entry, argv, env, (r) => this.save(r));
    } catch (error) {
      if (entry.cgroup) await entry.cgroup.destroy();
      entry.cgroup = undefined;
      this.failStart(entry, (error as Error).message);
    }
  }

  /** Writes a container's record, unless the container was removed meanwhile. */
  private save(record: ContainerRecord): void {
    if (this.containers.has(record.id)) this.state.saveContainer(record);
  }

  async stopContainer(req: StopContainerRequest): Promise<void> {
    const entry = this.entry(req.containerId);
    await stopContainerProcess(entry, Math.max(0, Number(req.timeout) || 0) * 1000);
  }

  async removeContainer(req: { containerId: string }): Promise<void> {
    const entry = this.containers.get(req.containerId);
    if (!entry) return;
    if (entry.record.state === 'CONTAINER_RUNNING') await this.stopContainer({ containerId: req.containerId, timeout: 0 });
    this.containers.delete(req.containerId);
    this.state.removeContainer(req.containerId);
  }

  async listContainers(req: ListContainersRequest = {}): Promise<ListContainersResponse> {
    return { containers: [...this.containers.values()].filter((c) => containerMatches(c, req.filter ?? {})).map(containerSummary) };
  }

  async containerStatus(req: ContainerStatusRequest): Promise<ContainerStatusResponse> {
    const entry = this.entry(req.containerId);
    const info: StringMap = {};
    if (req.verbose) info.info = JSON.stringify({ pid: entry.record.pid, workDir: entry.record.workDir, cgroupDirs: entry.record.cgroupDirs, runtimeSpec: { args: entry.child?.spawnargs } });
    return { status: containerStatusOf(entry), info };
  }

  async reopenContainerLog(req: { containerId: string }): Promise<void> {
    const entry = this.entry(req.containerId);
    if (entry.record.state !== 'CONTAINER_RUNNING' || !entry.writer) throw new CriError('FailedPrecondition', `container "${entry.record.id}" is not running: its log is not reopened`);
    entry.writer.reopen();
    if (entry.writer.lastError) throw new CriError('Unknown', `failed to reopen the log of container "${entry.record.id}": ${entry.writer.lastError.message}`);
  }

  // ── Exec and stats ─────────────────────────────────────────────────────────────────────────────

  private execContext(containerId: string): ExecContext {
    const entry = this.entry(containerId);
    if (entry.record.state !== 'CONTAINER_RUNNING' || !entry.env) throw new CriError('FailedPrecondition', `container "${containerId}" is not running (${entry.record.state}): cannot exec in it`);
    const sandbox = this.sandboxes.get(entry.record.podSandboxId);
    return {
      env: entry.env,
      cwd: entry.record.workDir,
      ...(entry.cgroup ? { procsFiles: entry.cgroup.procsFiles } : {}),
      ...(this.kernel && sandbox ? { wrap: (argv: string[]) => this.inSandboxNetns(sandbox, argv) } : {}),
      applet: (command) =>
        appletArgv(
          this.programs,
          command,
          (entry.record.config.mounts ?? []).map((m) => m.containerPath),
        ),
      track: (child) => {
        entry.execs.add(child);
        if (child.pid) this.state.saveExec(containerId, child.pid, processStartTime(child.pid));
        child.once('exit', () => {
          entry.execs.delete(child);
          if (child.pid) this.state.removeExec(containerId, child.pid);
        });
      },
    };
  }

  async execSync(req: ExecSyncRequest): Promise<ExecSyncResponse> {
    this.assertOpen();
    return runExecSync(this.execContext(req.containerId), req);
  }

  async exec(req: ExecRequest): Promise<ExecSession> {
    this.assertOpen();
    return runExec(this.execContext(req.containerId), req);
  }

  async attach(req: AttachRequest): Promise<AttachSession> {
    this.assertOpen();
    return attachContainer(this.entry(req.containerId), req);
  }

  async containerStats(req: ContainerStatsRequest): Promise<ContainerStatsResponse> {
    const entry = this.entry(req.containerId);
    return { stats: this.statsOf(entry) };
  }

  private statsOf(entry: LiveContainer) {
    const { stats, sample } = containerStats({ record: entry.record, cgroup: entry.cgroup, previous: entry.lastCpu, rootfs: join(this.state.containerDir(entry.record.id), 'rootfs') });
    if (sample) entry.lastCpu = sample;
    return stats;
  }

  async listContainerStats(req: ListContainerStatsRequest = {}): Promise<ListContainerStatsResponse> {
    const f = req.filter ?? {};
    const running = [...this.containers.values()].filter(
      (c) =>
        c.record.state === 'CONTAINER_RUNNING' &&
        containerMatches(c, { ...(f.id ? { id: f.id } : {}), ...(f.podSandboxId ? { podSandboxId: f.podSandboxId } : {}), ...(f.labelSelector ? { labelSelector: f.labelSelector } : {}) }),
    );
    return { stats: running.map((c) => this.statsOf(c)) };
  }

  // ── Images ─────────────────────────────────────────────────────────────────────────────────────

  listImages(req?: ListImagesRequest): Promise<ListImagesResponse> {
    return this.images.listImages(req);
  }

  imageStatus(req: ImageStatusRequest): Promise<ImageStatusResponse> {
    return this.images.imageStatus(req);
  }

  pullImage(req: PullImageRequest): Promise<PullImageResponse> {
    return this.images.pullImage(req);
  }

  // ── Shutdown ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Stops every container (SIGKILL unless `timeoutSeconds` gives them the stop signal first), ends
   * exec processes, removes the runtime's cgroups and gives up the root. Sandboxes become not
   * ready; their addresses stay reserved until StopPodSandbox (a later owner's) releases them.
   */
  async shutdown(options: { timeoutSeconds?: number } = {}): Promise<void> {
    if (this.closed) return;
    const stops = [...this.containers.values()].map((entry) => this.stopContainer({ containerId: entry.record.id, timeout: options.timeoutSeconds ?? 0 }).catch(() => undefined));
    await Promise.all(stops);
    this.closed = true;
    for (const sandbox of this.sandboxes.values()) {
      if (sandbox.state !== 'SANDBOX_READY') continue;
      sandbox.state = 'SANDBOX_NOTREADY';
      this.state.saveSandbox(sandbox);
    }
    await this.cgroups.removeBase();
    await cleanupOrphans(this.root, { force: true });
    this.state.removeOwner();
    openRoots.delete(this.root);
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
