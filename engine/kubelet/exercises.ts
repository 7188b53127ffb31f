/**
 * What the learner builds in lesson 05 "the kubelet". `exercises/kubelet/index.ts` (stubs) and
 * `solutions/kubelet/index.ts` (reference) both export an object that `satisfies` this interface.
 * The kubelet agent (engine/kubelet/agent…) reaches the learner's code only through
 * `loadComponent('kubelet')`: it registers the Node, renews the Lease, watches the pods bound to it
 * and runs one pod worker per pod over the CRI runtime (engine/cri); these functions are the
 * decisions it takes on the way.
 *
 * Every function here is pure and deterministic: no clock is read (times come in as `now`, in ms
 * since the epoch, or through an injected `now()`), no process is started, nothing is written. A
 * probe is run by the agent and handed in as a function. Shapes follow upstream so the agent can
 * use the results as the real kubelet does:
 *   01-pod-status   pkg/kubelet/kubelet_pods.go generateAPIPodStatus, getPhase,
 *                   convertToAPIContainerStatuses; pkg/kubelet/status/generate.go;
 *                   pkg/kubelet/container/helpers.go ShouldContainerBeRestarted
 *   02-sync-pod     pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions;
 *                   kuberuntime_container.go killContainer (grace periods, preStop)
 *   03-restarts     kuberuntime_container.go doBackOff; client-go util/flowcontrol/backoff.go
 *   04-probes       pkg/kubelet/prober/worker.go doProbe; prober_manager.go UpdatePodStatus
 *   05-node-status  pkg/kubelet/nodestatus/setters.go; pkg/kubelet/cm/node_container_manager_linux.go
 *                   (allocatable); pkg/kubelet/lifecycle/predicate.go (admission)
 *
 * Invariants every implementation keeps: inputs are never modified (copy first); times written into
 * API objects are RFC 3339 in whole seconds, UTC (formatTime in engine/controllers/pods.ts).
 */
import type { RuntimeCondition } from '../cri/api.ts';
import type { Condition, Container, ContainerStatus, Node, Pod, PodStatus, ResourceList } from '../kube/types.ts';

// ── Shared: what the runtime reports, and the containers' extra fields ───────────────────────────

/**
 * One container as the runtime reports it: kubecontainer.Status, built by the agent from a CRI
 * ContainerStatus (engine/cri/api.ts) with its nanosecond times turned into ms.
 */
export interface RuntimeContainerStatus {
  /** The CRI container id. The API's containerID is `kubelings://<id>`. */
  id: string;
  /** The container's name in the pod spec (CRI metadata.name). */
  name: string;
  /** CONTAINER_CREATED / _RUNNING / _EXITED / _UNKNOWN, lower-cased. */
  state: 'created' | 'running' | 'exited' | 'unknown';
  /** ms since the epoch. */
  createdAt: number;
  /** ms; absent until started. */
  startedAt?: number;
  /** ms; absent until exited. */
  finishedAt?: number;
  /** Meaningful once exited. */
  exitCode: number;
  /** 'Completed', 'Error', 'OOMKilled', 'StartError' once exited; '' before. */
  reason: string;
  message: string;
  /**
   * How many times the kubelet had restarted this container when it created this one (the CRI
   * metadata.attempt, upstream's io.kubernetes.container.restartCount label): 0 for the first.
   * Older exited instances may have been removed by then, so count with this, not with the list.
   */
  restartCount: number;
  /** The image exactly as the pod spec named it when this container was created. */
  image: string;
  /** The image's id (CRI imageRef). */
  imageId: string;
}

/** One pod sandbox: kubecontainer.SandboxStatus. */
export interface RuntimeSandboxStatus {
  id: string;
  state: 'ready' | 'notready';
  /** 0 for the pod's first sandbox, then 1, 2, … (CRI metadata.attempt). */
  attempt: number;
  createdAt: number;
  /** The pod's IP, once the network is set up. */
  ip?: string;
}

/** Everything the runtime knows of one pod: kubecontainer.PodStatus. */
export interface RuntimePodStatus {
  uid: string;
  name: string;
  namespace: string;
  /** Newest first (by createdAt). Usually one; none before the first sync. */
  sandboxes: RuntimeSandboxStatus[];
  /**
   * Every container the runtime still has for the pod, exited ones included, newest first (by
   * createdAt): the first one of a name is its current instance, the next one its previous.
   */
  containers: RuntimeContainerStatus[];
}

/** A probe's or a hook's action (core/v1 ProbeHandler, LifecycleHandler). */
export interface Handler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: 'HTTP' | 'HTTPS'; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  /** Lifecycle hooks only: sleep this long. */
  sleep?: { seconds: number };
}

/**
 * core/v1 Probe. The apiserver may leave the numbers out; their defaults are upstream's:
 * initialDelaySeconds 0, timeoutSeconds 1, periodSeconds 10, successThreshold 1,
 * failureThreshold 3 (PROBE_DEFAULTS in the exercise files).
 */
export interface Probe extends Handler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  /** Liveness and startup probes: the grace period of a kill they cause (overrides the pod's). */
  terminationGracePeriodSeconds?: number;
}

/** The container fields the kubelet reads beyond engine/kube/types.ts's Container. */
export interface KubeletContainer extends Container {
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
}

/** The API ContainerStatus with the fields the kubelet writes that engine/kube/types.ts leaves out. */
export interface ApiContainerStatus extends ContainerStatus {
  /** `kubelings://<runtime id>`; absent while the container was never created. */
  containerID?: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode: number; reason?: string; message?: string; signal?: number; startedAt?: string; finishedAt?: string; containerID?: string };
  };
  lastState?: ApiContainerStatus['state'];
}

/** A probe's outcome (prober/results: Success, Failure; Unknown before the first result). */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** Which probe a worker runs. */
export type ProbeType = 'liveness' | 'readiness' | 'startup';

/**
 * The probe results the kubelet keeps (prober/results.Manager), by runtime container id (the
 * RuntimeContainerStatus id: what follows `kubelings://` in an API containerID). `get` returns
 * undefined when nothing was recorded for that container (no worker, or the worker has not seen
 * the container yet).
 */
export interface ProbeResults {
  get(containerId: string): ProbeResult | undefined;
  set(containerId: string, result: ProbeResult): void;
  remove(containerId: string): void;
}

// ── 01-pod-status ─────────────────────────────────────────────────────────────────────────────────

/** What generateAPIPodStatus reads. */
export interface PodStatusInput {
  /** The pod: its spec, and its status as last written (kept: condition times, startTime, old states). */
  pod: Pod;
  /** What the runtime reports now. */
  runtime: RuntimePodStatus;
  /** Startup probe results by container id (a container without startupProbe has started once running). */
  startup: Pick<ProbeResults, 'get'>;
  /** Readiness probe results by container id (a container without readinessProbe is ready once started). */
  readiness: Pick<ProbeResults, 'get'>;
  /**
   * Why the last sync could not start a container, by container name (the kubelet's reasonCache):
   * `{ reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=…' }`,
   * ErrImagePull, ImagePullBackOff, CreateContainerError… Shown as the waiting state of a container
   * that will be restarted.
   */
  waitingReasons: ReadonlyMap<string, { reason: string; message: string }>;
  /** The kubelet has finished with the pod: its containers will not be restarted (podIsTerminal). */
  podIsTerminal: boolean;
  /** The node's IP (hostIP). */
  hostIP: string;
  now: number;
}

// ── 02-sync-pod ───────────────────────────────────────────────────────────────────────────────────

/** Why a container is killed (kuberuntime's containerKillReason; '' for a changed definition, as upstream leaves it). */
export type KillReason = 'StartupProbe' | 'LivenessProbe' | 'FailedPostStartHook' | 'Unknown' | '';

/** One container to stop (containerToKillInfo). */
export interface ContainerToKill {
  /** The runtime container id. */
  id: string;
  name: string;
  reason: KillReason;
  /** As upstream words it: "Container web failed liveness probe", "Container web definition changed"… */
  message: string;
}

/** What one sync must do to a pod (kuberuntime's podActions), container names where upstream keeps indexes. */
export interface PodActions {
  /** Stop every container and the sandbox first. */
  killPod: boolean;
  /** Create a new sandbox (after killing the pod). */
  createSandbox: boolean;
  /** The newest sandbox's id ('' when there is none): the one to start containers in, or to stop when a new one is created. */
  sandboxId: string;
  /** The newest sandbox's attempt, or one more than it when a new one is to be created (0 for the first). */
  attempt: number;
  /** Init containers to start now, in spec order: at most one regular one at a time, and the sidecars before it. */
  initContainersToStart: string[];
  /** App containers to start now, in spec order. */
  containersToStart: string[];
  /** Running containers to stop, each with why. */
  containersToKill: ContainerToKill[];
}

// ── 03-restarts ───────────────────────────────────────────────────────────────────────────────────

/**
 * client-go's flowcontrol.Backoff: a delay per key that starts at `initialMs`, doubles at each
 * next() up to `maxMs`, and is forgotten once a key has been quiet for 2 × maxMs.
 */
export interface Backoff {
  /** The key's current delay in ms (0 when it has none). */
  get(key: string): number;
  /** One more failure at `eventTime`: start at initialMs (new or expired key) or double, capped. Records now() as its last update. */
  next(key: string, eventTime: number): void;
  /** Still inside the delay counted from `eventTime` (now() - eventTime < delay); false for an expired or unknown key. */
  isInBackOffSince(key: string, eventTime: number): boolean;
  /** Forget the key. */
  reset(key: string): void;
  /** Forget every key quiet for longer than 2 × maxMs at now(). */
  gc(): void;
}

/** What doBackOff decided before starting a container. */
export interface BackOffDecision {
  /** Do not start the container in this sync. */
  inBackOff: boolean;
  /** 'CrashLoopBackOff' when in back-off. */
  reason?: string;
  /** "back-off 20s restarting failed container=web pod=web-1_default(uid)". */
  message?: string;
}

// ── 04-probes ─────────────────────────────────────────────────────────────────────────────────────

/** Runs one probe of a container (the agent's prober: httpGet, tcpSocket, exec, with timeoutSeconds). A throw is a prober error: the result is thrown away. */
export type RunProbe = (probeType: ProbeType, probe: Probe, containerId: string) => Promise<'success' | 'failure'>;

export interface ProbeWorkerOptions {
  probeType: ProbeType;
  pod: Pod;
  container: KubeletContainer;
  /** Where this worker writes its results (one ProbeResults per probe type on the kubelet). */
  results: ProbeResults;
  runProbe: RunProbe;
  now(): number;
}

/** One probe worker (prober/worker.go): the agent calls doProbe every periodMs. */
export interface ProbeWorker {
  /** The probe's period in ms (periodSeconds, default 10 s). */
  readonly periodMs: number;
  /**
   * One round: look at the pod's latest API status (undefined: none yet) and maybe run the probe.
   * `pod` is the pod as the kubelet knows it now (its deletionTimestamp). Resolves false when the
   * worker should stop for good, true to be called again after periodMs.
   */
  doProbe(pod: Pod, status: PodStatus | undefined): Promise<boolean>;
}

// ── 05-node-status ────────────────────────────────────────────────────────────────────────────────

/** What the kubelet observed about its node this round (the setters' inputs). */
export interface NodeObservations {
  /** The CRI Status's conditions (RuntimeReady, NetworkReady); empty before the first Status answered. */
  runtimeConditions: readonly RuntimeCondition[];
  /** The eviction manager's signals. */
  memoryPressure: boolean;
  diskPressure: boolean;
  pidPressure: boolean;
}

/** The kubelet's reservations (--kube-reserved, --system-reserved, --eviction-hard). */
export interface NodeReservations {
  kubeReserved?: ResourceList;
  systemReserved?: ResourceList;
  /** Hard eviction thresholds: 'memory.available' and 'nodefs.available', a quantity or a percentage of capacity ('10%'). */
  evictionHard?: Record<string, string>;
}

/** A pod admission verdict (lifecycle.PodAdmitResult). */
export interface PodAdmitResult {
  admit: boolean;
  /** On rejection: 'OutOfcpu', 'OutOfmemory', 'OutOfpods', 'NodeAffinity', … */
  reason?: string;
  message?: string;
}

// ── the whole component ───────────────────────────────────────────────────────────────────────────

export interface KubeletExercises {
  // 01-pod-status
  /** getPhase: the pod's phase from the API statuses of its init and app containers (one list, both kinds). */
  getPhase(pod: Pod, statuses: readonly ApiContainerStatus[], podIsTerminal: boolean): NonNullable<PodStatus['phase']>;
  /** convertToAPIContainerStatuses (+ the prober's started/ready): the statuses of `containers`, in spec order. */
  containerStatuses(input: PodStatusInput, which: 'init' | 'app'): ApiContainerStatus[];
  /** generateAPIPodStatus: phase, container statuses, conditions (times kept when unchanged), IPs, startTime. */
  generateAPIPodStatus(input: PodStatusInput): PodStatus;
  /** ShouldContainerBeRestarted: start this container (again) in this sync? (restartPolicy; also used by 02) */
  shouldContainerBeRestarted(container: Container, pod: Pod, runtime: RuntimePodStatus): boolean;

  // 02-sync-pod
  /** computePodActions: what this sync does; liveness and startup results by container id. */
  computePodActions(pod: Pod, runtime: RuntimePodStatus, liveness: Pick<ProbeResults, 'get'>, startup: Pick<ProbeResults, 'get'>): PodActions;
  /** setTerminationGracePeriod: seconds a container gets between its stop signal and SIGKILL. */
  terminationGracePeriod(pod: Pod, container: KubeletContainer, reason: KillReason): number;
  /** killContainer's arithmetic: the timeout StopContainer gets after a preStop hook that took `preStopSeconds` (undefined: no hook ran). */
  stopTimeout(gracePeriodSeconds: number, preStopSeconds: number | undefined, gracePeriodOverride?: number): number;

  // 03-restarts
  /** flowcontrol.NewBackOff on the injected clock. */
  newBackoff(initialMs: number, maxMs: number, now: () => number): Backoff;
  /** doBackOff: is the container's restart delayed? Records the restart in `backoff` when it is not. */
  doBackOff(pod: Pod, container: Container, runtime: RuntimePodStatus, backoff: Backoff): BackOffDecision;

  // 04-probes
  newProbeWorker(options: ProbeWorkerOptions): ProbeWorker;

  // 05-node-status
  /** The node's MemoryPressure, DiskPressure, PIDPressure and Ready conditions at `now`, from the previous ones. */
  nodeConditions(previous: readonly Condition[] | undefined, observed: NodeObservations, now: number): Condition[];
  /** Allocatable: capacity minus kube-reserved, system-reserved and the hard eviction thresholds, never below 0. */
  nodeAllocatable(capacity: ResourceList, reservations: NodeReservations): ResourceList;
  /** The kubelet's own fit check of a pod bound to it (lifecycle's predicateAdmitHandler). */
  admitPod(pod: Pod, node: Node, otherPods: readonly Pod[]): PodAdmitResult;
}
