/**
 * The Container Runtime Interface as TypeScript types: the messages and the two services of
 * kubernetes/cri-api pkg/apis/runtime/v1/api.proto (RuntimeService, ImageService), with the
 * proto's field names in lowerCamelCase as its JSON mapping writes them (pod_sandbox_id →
 * podSandboxId). Only the messages and fields this runtime serves are declared; a field left out
 * here is one the runtime does not read.
 *
 * Shapes that differ from the proto, on purpose:
 * - int64 nanosecond timestamps (createdAt, startedAt, finishedAt, stats timestamps) are `bigint`
 *   (a number loses the nanoseconds); other int64 fields (seconds, bytes, microseconds) are
 *   `number`, as they stay far below 2^53.
 * - enums are their proto names as strings ('CONTAINER_RUNNING'), not numbers.
 * - `bytes` fields are Uint8Array (Buffer).
 * - Exec and Attach return the streams themselves (ExecSession, AttachSession) where the CRI
 *   returns the URL of the runtime's streaming server: the kubelet serves them over WebSocket.
 *   PortForward is not a runtime call here (the kubelet dials the pod address itself).
 * - Fields under `kubelings` are this runtime's own additions (what the platform could not do, the
 *   port a built-in image really listens on); nothing in the CRI carries them.
 */
import type { Readable, Writable } from 'node:stream';

/** A map field of the proto (labels, annotations). */
export type StringMap = Record<string, string>;

export interface KeyValue {
  key: string;
  value: string;
}

// ── Version and status ───────────────────────────────────────────────────────────────────────────

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

/** RuntimeCondition: RuntimeReady and NetworkReady are the two the kubelet requires. */
export interface RuntimeCondition {
  type: 'RuntimeReady' | 'NetworkReady';
  status: boolean;
  reason: string;
  message: string;
}

export interface StatusResponse {
  status: { conditions: RuntimeCondition[] };
  /** Verbose information, JSON values (the proto's `info`). */
  info: StringMap;
  kubelings: RuntimeCapabilities;
}

/** What this runtime can do on this machine, said once at start and in every Status. */
export interface RuntimeCapabilities {
  /** cpu and memory limits: enforced through cgroups (v1 or v2), or not, with the reason. */
  resources: { enforced: boolean; driver: 'cgroupv1' | 'cgroupv2' | 'none'; reason?: string };
  /** Ports below 1024: bound as asked, or listened on at port + offset (see engine/cri/ports.ts). */
  lowPorts: { mode: 'bind' | 'remap'; offset: number; reason: string };
}

// ── Pod sandboxes ────────────────────────────────────────────────────────────────────────────────

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

export interface DNSConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMapping {
  protocol?: Protocol;
  containerPort?: number;
  hostPort?: number;
  hostIp?: string;
}

export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
  /** cgroup v2 files to write as they are ("memory.high": "…"). */
  unified?: StringMap;
}

export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  resources?: LinuxContainerResources;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** Absolute folder of the pod's container logs (the kubelet's /var/log/pods/<ns>_<name>_<uid>). */
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: StringMap;
  annotations?: StringMap;
  linux?: LinuxPodSandboxConfig;
}

export interface RunPodSandboxRequest {
  config: PodSandboxConfig;
  runtimeHandler?: string;
}

export interface RunPodSandboxResponse {
  podSandboxId: string;
}

export interface PodSandboxIdRequest {
  podSandboxId: string;
}

export type StopPodSandboxRequest = PodSandboxIdRequest;
export type RemovePodSandboxRequest = PodSandboxIdRequest;

export interface PodSandboxStatusRequest {
  podSandboxId: string;
  verbose?: boolean;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxNetworkStatus {
  ip: string;
  additionalIps: { ip: string }[];
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: bigint;
  network?: PodSandboxNetworkStatus;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}

export interface PodSandboxStatusResponse {
  status: PodSandboxStatus;
  /** Verbose only: JSON values (the CNI result, the sandbox's folder). */
  info: StringMap;
  containersStatuses: ContainerStatus[];
  timestamp: bigint;
}

export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState };
  labelSelector?: StringMap;
}

export interface ListPodSandboxRequest {
  filter?: PodSandboxFilter;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: bigint;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}

export interface ListPodSandboxResponse {
  items: PodSandbox[];
}

// ── Containers ───────────────────────────────────────────────────────────────────────────────────

export interface ImageSpec {
  image: string;
  annotations?: StringMap;
  userSpecifiedImage?: string;
}

export interface ContainerMetadata {
  name: string;
  attempt?: number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
}

export interface LinuxContainerSecurityContext {
  runAsUser?: { value: number };
  runAsGroup?: { value: number };
}

export interface LinuxContainerConfig {
  resources?: LinuxContainerResources;
  securityContext?: LinuxContainerSecurityContext;
}

/** The CRI's Signal enum (the common ones); RUNTIME_DEFAULT means the image's stop signal. */
export type StopSignal = 'RUNTIME_DEFAULT' | 'SIGTERM' | 'SIGQUIT' | 'SIGINT' | 'SIGKILL' | 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2';

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: StringMap;
  annotations?: StringMap;
  /** Relative to the sandbox's logDirectory (the kubelet's `<container>/<restartCount>.log`). */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig;
  stopSignal?: StopSignal;
}

export interface CreateContainerRequest {
  podSandboxId: string;
  config: ContainerConfig;
  sandboxConfig: PodSandboxConfig;
}

export interface CreateContainerResponse {
  containerId: string;
}

export interface ContainerIdRequest {
  containerId: string;
}

export type StartContainerRequest = ContainerIdRequest;
export type RemoveContainerRequest = ContainerIdRequest;
export type ReopenContainerLogRequest = ContainerIdRequest;

export interface StopContainerRequest {
  containerId: string;
  /** Seconds to wait after the stop signal before SIGKILL; 0 kills at once. */
  timeout: number;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  podSandboxId?: string;
  labelSelector?: StringMap;
}

export interface ListContainersRequest {
  filter?: ContainerFilter;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  imageId: string;
  state: ContainerState;
  createdAt: bigint;
  labels: StringMap;
  annotations: StringMap;
}

export interface ListContainersResponse {
  containers: Container[];
}

export interface ContainerStatusRequest {
  containerId: string;
  verbose?: boolean;
}

/** Where a built-in image listens: the container port asked for, and the port really bound. */
export interface ListenAddress {
  ip: string;
  containerPort: number;
  port: number;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: bigint;
  /** 0n until started. */
  startedAt: bigint;
  /** 0n until exited. */
  finishedAt: bigint;
  exitCode: number;
  image: ImageSpec;
  imageRef: string;
  imageId: string;
  /** 'Completed', 'Error', 'OOMKilled' or 'StartError' once exited; '' before. */
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  /** Absolute path of the live log file. */
  logPath: string;
  resources?: { linux?: LinuxContainerResources };
  stopSignal: StopSignal;
  kubelings: {
    /** The process id while running (0 otherwise). */
    pid: number;
    /** Whether the cpu/memory limits asked for are enforced, and why not when not. */
    resources: { enforced: boolean; reason?: string };
    /** Where a built-in image listens (nothing for busybox, which binds what its command binds). */
    listen?: ListenAddress;
    /** Things asked for that this runtime does not do (runAsUser, tty…), one sentence each. */
    warnings: string[];
  };
}

export interface ContainerStatusResponse {
  status: ContainerStatus;
  /** Verbose only: JSON values (pid, the working folder, the cgroup folders). */
  info: StringMap;
}

// ── Exec ─────────────────────────────────────────────────────────────────────────────────────────

export interface ExecSyncRequest {
  containerId: string;
  cmd: string[];
  /** Seconds; 0 means no limit. */
  timeout?: number;
}

export interface ExecSyncResponse {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
}

export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** A running exec: the streams the kubelet relays (over WebSocket, later) and its end. */
export interface ExecSession {
  stdin: Writable | null;
  stdout: Readable | null;
  /** null when not asked for, and with tty (the CRI merges stderr into stdout then). */
  stderr: Readable | null;
  /** Resolves with the exit code once the command has ended (137 when it was killed). */
  exited: Promise<{ exitCode: number }>;
  /** SIGKILL to the command's process group. */
  kill(): void;
  /** Sets the command's terminal size; absent when it has no terminal. */
  resize?(size: TerminalSize): void;
  /** Things asked for that this runtime does not do (no script(1) for a pseudo-terminal), one sentence each. */
  warnings: string[];
}

// ── Attach ───────────────────────────────────────────────────────────────────────────────────────

export interface AttachRequest {
  containerId: string;
  stdin?: boolean;
  /** The client's wish; the container's own `tty` decides whether stderr is merged (see attach.ts). */
  tty?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** An attach to a running container's own stdio (engine/cri/attach.ts). */
export interface AttachSession {
  /** Where the client's input goes: null when not asked for, or when the container has no stdin (input is dropped). */
  stdin: Writable | null;
  stdout: Readable | null;
  /** null when not asked for, and when the container has a tty (stderr comes on stdout then). */
  stderr: Readable | null;
  /** Resolves when the session is over: the container ended, the client's input ended (without stdinOnce), or detach(). */
  ended: Promise<void>;
  /** Leaves the container as it is and ends the session. */
  detach(): void;
  /** Sets the container's terminal size (a client's resize message); absent when it has no terminal. */
  resize?(size: TerminalSize): void;
}

/** A resize message of the streaming protocol (channel 4): columns and rows. */
export interface TerminalSize {
  Width?: number;
  Height?: number;
}

// ── Stats ────────────────────────────────────────────────────────────────────────────────────────

export interface UInt64Value {
  value: number;
}

export interface ContainerAttributes {
  id: string;
  metadata: ContainerMetadata;
  labels: StringMap;
  annotations: StringMap;
}

export interface CpuUsage {
  timestamp: bigint;
  usageCoreNanoSeconds?: UInt64Value;
  /** Averaged since the previous sample of the same container; absent on the first. */
  usageNanoCores?: UInt64Value;
}

export interface MemoryUsage {
  timestamp: bigint;
  workingSetBytes?: UInt64Value;
  availableBytes?: UInt64Value;
  usageBytes?: UInt64Value;
  rssBytes?: UInt64Value;
  pageFaults?: UInt64Value;
  majorPageFaults?: UInt64Value;
}

export interface FilesystemUsage {
  timestamp: bigint;
  fsId: { mountpoint: string };
  usedBytes: UInt64Value;
  inodesUsed: UInt64Value;
}

export interface ContainerStats {
  attributes: ContainerAttributes;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  writableLayer?: FilesystemUsage;
}

export interface ContainerStatsRequest {
  containerId: string;
}

export interface ContainerStatsResponse {
  stats: ContainerStats;
}

export interface ContainerStatsFilter {
  id?: string;
  podSandboxId?: string;
  labelSelector?: StringMap;
}

export interface ListContainerStatsRequest {
  filter?: ContainerStatsFilter;
}

export interface ListContainerStatsResponse {
  stats: ContainerStats[];
}

// ── Images ───────────────────────────────────────────────────────────────────────────────────────

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  uid?: { value: number };
  username: string;
  spec?: ImageSpec;
  pinned: boolean;
}

export interface ListImagesRequest {
  filter?: { image?: ImageSpec };
}

export interface ListImagesResponse {
  images: Image[];
}

export interface ImageStatusRequest {
  image: ImageSpec;
  verbose?: boolean;
}

export interface ImageStatusResponse {
  /** null when the image is not present (the CRI's nil). */
  image: Image | null;
  info: StringMap;
}

export interface PullImageRequest {
  image: ImageSpec;
  sandboxConfig?: PodSandboxConfig;
}

export interface PullImageResponse {
  imageRef: string;
}

// ── The services ─────────────────────────────────────────────────────────────────────────────────

/** RuntimeService, the methods this runtime serves, named as the proto names its rpcs. */
export interface RuntimeService {
  version(): Promise<VersionResponse>;
  status(req?: { verbose?: boolean }): Promise<StatusResponse>;
  runPodSandbox(req: RunPodSandboxRequest): Promise<RunPodSandboxResponse>;
  stopPodSandbox(req: StopPodSandboxRequest): Promise<void>;
  removePodSandbox(req: RemovePodSandboxRequest): Promise<void>;
  podSandboxStatus(req: PodSandboxStatusRequest): Promise<PodSandboxStatusResponse>;
  listPodSandbox(req?: ListPodSandboxRequest): Promise<ListPodSandboxResponse>;
  createContainer(req: CreateContainerRequest): Promise<CreateContainerResponse>;
  startContainer(req: StartContainerRequest): Promise<void>;
  stopContainer(req: StopContainerRequest): Promise<void>;
  removeContainer(req: RemoveContainerRequest): Promise<void>;
  listContainers(req?: ListContainersRequest): Promise<ListContainersResponse>;
  containerStatus(req: ContainerStatusRequest): Promise<ContainerStatusResponse>;
  reopenContainerLog(req: ReopenContainerLogRequest): Promise<void>;
  execSync(req: ExecSyncRequest): Promise<ExecSyncResponse>;
  exec(req: ExecRequest): Promise<ExecSession>;
  attach(req: AttachRequest): Promise<AttachSession>;
  containerStats(req: ContainerStatsRequest): Promise<ContainerStatsResponse>;
  listContainerStats(req?: ListContainerStatsRequest): Promise<ListContainerStatsResponse>;
  /** kubelings: how the node connects to a pod address when it cannot directly (kernel mode: through the node's relay); absent means connect directly. */
  readonly dialPod?: PodDialer | undefined;
}

/** Connects to `host:port` (a pod address); resolves once connected, rejects with the error (its `code` kept). */
export type PodDialer = (host: string, port: number) => Promise<import('node:net').Socket>;

/** ImageService, the methods this runtime serves. */
export interface ImageService {
  listImages(req?: ListImagesRequest): Promise<ListImagesResponse>;
  imageStatus(req: ImageStatusRequest): Promise<ImageStatusResponse>;
  pullImage(req: PullImageRequest): Promise<PullImageResponse>;
}
