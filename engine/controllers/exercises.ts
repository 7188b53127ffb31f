/**
 * What the learner builds in lesson 04 "controllers". `exercises/controllers/index.ts` (stubs) and
 * `solutions/controllers/index.ts` (reference) both export an object that `satisfies` this
 * interface. The engine (engine/controllers/) gives the machinery every controller shares: shared
 * informers with indexes (informers.ts, indexer.ts), workers over the learner's workqueue
 * (workers.ts), expectations (expectations.ts), leader election (leader-election.ts) and the
 * controller-manager component (component.ts) that wires the learner's sync functions in.
 *
 * Every controller has the shape of kubernetes/sample-controller: informers turn watch events into
 * keys (`namespace/name`) on a workqueue; workers take a key and call an idempotent, level-triggered
 * `sync(key, ctx)` that reads only the informers' listers, compares what is with what should be,
 * and writes the difference through `ctx.client`. A sync that throws is retried with backoff
 * (addRateLimited); one that succeeds is forgotten (forget). Nothing here reads a clock: `ctx.now()`.
 *
 * Exercises 04-08 add the garbage collector and the namespace controller, EndpointSlices, node
 * lifecycle (the taint manager's evictions), DaemonSets and StatefulSets, and the CronJob
 * schedule; the engine wires each in the same way (its newXController file beside
 * replicaset-controller.ts).
 */
import type { LabelSelector, OwnerReference } from '../objects/types.ts';
import type {
  Condition,
  ControllerRevision,
  DaemonSet,
  Deployment,
  DeploymentStatus,
  Endpoint,
  EndpointPort,
  EndpointSlice,
  KubeObject,
  Lease,
  Namespace,
  Node,
  Pod,
  PodTemplateSpec,
  ReplicaSet,
  ReplicaSetStatus,
  Service,
  StatefulSet,
} from '../kube/types.ts';
import type { Taint } from '../scheduler/types.ts';
import type { ControllerClient, NamespacedResource, ObjectIdentity } from './api.ts';
import type { ControllerExpectations } from './expectations.ts';
import type { Lister } from './indexer.ts';

// ── 01-workqueue ──────────────────────────────────────────────────────────────────────────────────

/** client-go's workqueue.RateLimiter: how long an item waits before it is retried. */
export interface RateLimiter {
  /** The delay for this retry of `item`, in ms; each call counts one more failure of it. */
  when(item: string): number;
  /** The item succeeded: forget its failures (its next delay starts from the bottom again). */
  forget(item: string): void;
  /** How many times `item` has been retried since it was last forgotten. */
  numRequeues(item: string): number;
}

export interface WorkQueueOptions {
  /** The clock, in ms. Tests move it by hand. */
  now(): number;
  /** Default: the default controller rate limiter on the same clock. */
  rateLimiter?: RateLimiter;
}

/**
 * client-go's rate-limiting, delaying workqueue of keys (util/workqueue: queue.go, delaying_queue.go,
 * rate_limiting_queue.go). A key is in at most one of: the queue (waiting for a worker), processing
 * (a worker has it), or both "processing and dirty" (added again while being processed: it goes
 * back in the queue when done() is called). A key is never handed to two workers at once, and a
 * key added several times before a worker takes it is processed once.
 */
export interface WorkQueue {
  /** Marks `key` as needing processing (ignored after shutDown). */
  add(key: string): void;
  /** How many keys wait in the queue (not counting those being processed or delayed). */
  len(): number;
  /**
   * The next key to process, in the order they were added, or undefined when none is ready (it
   * never waits: the engine's workers wait for the next add or for nextReadyAt()). The key stays
   * "processing" until done(key). After shutDown, keys still queued are handed out, then undefined.
   */
  get(): string | undefined;
  /** The worker has finished with `key`; if it was added meanwhile, it is queued again now. */
  done(key: string): void;
  /** Stops accepting keys; get() drains what is queued. */
  shutDown(): void;
  shuttingDown(): boolean;
  /** Adds `key` once `delayMs` have passed on the clock (at once if <= 0); an earlier time wins. */
  addAfter(key: string, delayMs: number): void;
  /** Adds `key` after the rate limiter's delay for it (a retry after a failed sync). */
  addRateLimited(key: string): void;
  /** The key was processed successfully: the rate limiter forgets its failures. */
  forget(key: string): void;
  /** The rate limiter's count of retries for `key`. */
  numRequeues(key: string): number;
  /** When the earliest delayed key becomes ready (clock ms), or undefined when none waits. */
  nextReadyAt(): number | undefined;
}

// ── 02-replicaset ─────────────────────────────────────────────────────────────────────────────────

/** What a controller claims among the objects its selector could match (ClaimPods, ClaimReplicaSets). */
export interface ClaimResult<T> {
  /** The objects the owner controls after the claim: those it already owned and still matches, plus the adopted. */
  claimed: T[];
  /** Orphans that match: give them the owner as controller (a patch each). */
  adopt: T[];
  /** Owned objects whose labels no longer match: remove the owner's reference (a patch each). */
  release: T[];
}

/** The outcome of one sync: succeed quietly, or ask to be run again after a while. */
export interface SyncResult {
  /** Run this key again after this long (minReadySeconds to wait out, a progress deadline to check). */
  requeueAfterMs?: number;
}

/** Everything syncReplicaSet may read and do (the engine builds it; the suites build one from fakes). */
export interface ReplicaSetSyncContext {
  now(): number;
  /** The informers' caches: read, never modify (copy with structuredClone first). */
  replicaSets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
  /** Creates and deletes sent but not yet seen in the pod informer (engine/controllers/expectations.ts). */
  expectations: ControllerExpectations;
  client: ControllerClient;
  /** Most pods created or deleted in one sync (REPLICASET_BURST_REPLICAS). */
  burstReplicas: number;
}

// ── 03-deployment ─────────────────────────────────────────────────────────────────────────────────

/** Everything syncDeployment may read and do. */
export interface DeploymentSyncContext {
  now(): number;
  deployments: Lister<Deployment>;
  replicaSets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
  client: ControllerClient;
}

/** How far a rolling update may go: both as whole numbers of pods. */
export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

// ── 04-garbage-collector ──────────────────────────────────────────────────────────────────────────

/** One object in the garbage collector's owner graph (the engine keeps it: owner-graph.ts). */
export interface GraphNode {
  /** apiVersion, kind, namespace, name and uid (of a virtual node: as its dependents' owner references name it). */
  readonly identity: ObjectIdentity;
  /** Its owner references, as the informers last showed them. */
  readonly owners: readonly OwnerReference[];
  /** The objects whose owner references name this one. */
  readonly dependents: readonly GraphNode[];
  /** It has a deletionTimestamp. */
  readonly beingDeleted: boolean;
  /** It has a deletionTimestamp and the foregroundDeletion finalizer: it waits for its blocking dependents. */
  readonly deletingDependents: boolean;
  /** Only named in a dependent's owner reference so far: no informer has shown the object itself. */
  readonly virtual: boolean;
}

/** What a live GET found for one owner reference. */
export interface OwnerLookup {
  /** An object of that apiVersion, kind and name exists (in the dependent's namespace, or cluster-wide). */
  exists: boolean;
  /** Its uid, when it exists. */
  uid?: string;
  /** It has a deletionTimestamp and the foregroundDeletion finalizer. */
  deletingDependents?: boolean;
}

/** classifyReferences: an item's owner references sorted in three. */
export interface OwnerReferenceClassification {
  /** The owner exists, with that uid, and is not waiting for its dependents to go. */
  solid: OwnerReference[];
  /** The owner is gone, or the name now belongs to another object (another uid). */
  dangling: OwnerReference[];
  /** The owner exists and is being deleted in the foreground (deletingDependents). */
  waitingForDependentsDeletion: OwnerReference[];
}

/** What attemptToDeleteItem and orphanDependents may do. */
export interface GarbageCollectorContext {
  now(): number;
  /** Live reads and writes: the collector asks the apiserver itself, because its graph may be behind. */
  client: ControllerClient;
  /** Look at `node` again (put it on the attemptToDelete queue). */
  attemptToDelete(node: GraphNode): void;
  /** The object of `node` is gone or has another uid now: the graph drops the node and looks at its dependents. */
  reportAbsent(node: GraphNode): void;
}

/** Everything syncNamespace may read and do. */
export interface NamespaceSyncContext {
  now(): number;
  namespaces: Lister<Namespace>;
  /** Every namespaced resource the apiserver serves with the `delete` verb (discovery). */
  resources: readonly NamespacedResource[];
  client: ControllerClient;
}

// ── 05-endpointslices ─────────────────────────────────────────────────────────────────────────────

/** One pod as an endpoint of a Service: the endpoint and the ports resolved for that pod. */
export interface PodEndpoint {
  endpoint: Endpoint;
  ports: EndpointPort[];
}

/** What reconcileEndpointSlices decided: the slices to create, to update (changed copies) and to delete. */
export interface EndpointSliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** Everything syncService may read and do. */
export interface EndpointSliceSyncContext {
  now(): number;
  services: Lister<Service>;
  pods: Lister<Pod>;
  endpointSlices: Lister<EndpointSlice>;
  /** Slices created but not yet seen in the informer, per Service key (the engine lowers them as they arrive). */
  expectations: ControllerExpectations;
  client: ControllerClient;
  /** Most endpoints in one slice (ENDPOINTSLICE_MAX_ENDPOINTS: upstream's --max-endpoints-per-slice, 100). */
  maxEndpointsPerSlice: number;
}

// ── 06-node-lifecycle ─────────────────────────────────────────────────────────────────────────────

/** Everything syncNode may read and do. */
export interface NodeLifecycleContext {
  now(): number;
  nodes: Lister<Node>;
  /** The node Leases, in namespace kube-node-lease, named after their nodes. */
  leases: Lister<Lease>;
  /** Pods; NODE_INDEX files them by spec.nodeName. */
  pods: Lister<Pod>;
  client: ControllerClient;
  /** How long a node may go without a heartbeat (--node-monitor-grace-period: NODE_MONITOR_GRACE_PERIOD_MS). */
  gracePeriodMs: number;
}

// ── 07-daemonset-statefulset ──────────────────────────────────────────────────────────────────────

/** Everything syncDaemonSet may read and do. */
export interface DaemonSetSyncContext {
  now(): number;
  daemonSets: Lister<DaemonSet>;
  nodes: Lister<Node>;
  pods: Lister<Pod>;
  expectations: ControllerExpectations;
  client: ControllerClient;
  /** Most pods created or deleted in one sync (DAEMONSET_BURST_REPLICAS, upstream 250). */
  burstReplicas: number;
}

/** One step of a StatefulSet's plan: create the pod of an ordinal (at the current or the update revision), or delete a pod. */
export type StatefulSetAction = { action: 'create'; ordinal: number; revision: 'current' | 'update' } | { action: 'delete'; pod: Pod; reason: 'finished' | 'condemned' | 'update' };

/** Everything syncStatefulSet may read and do. */
export interface StatefulSetSyncContext {
  now(): number;
  statefulSets: Lister<StatefulSet>;
  pods: Lister<Pod>;
  /** ControllerRevisions; CONTROLLER_INDEX files them by their StatefulSet's uid. */
  revisions: Lister<ControllerRevision>;
  client: ControllerClient;
}

// ── the whole component ───────────────────────────────────────────────────────────────────────────

export interface ControllersExercises {
  // 01-workqueue
  /** ItemExponentialFailureRateLimiter: baseDelayMs × 2^failures, at most maxDelayMs, per item. */
  newItemExponentialFailureRateLimiter(baseDelayMs: number, maxDelayMs: number): RateLimiter;
  /** BucketRateLimiter: a token bucket of `burst` tokens refilled at `qps` a second on the clock. */
  newBucketRateLimiter(qps: number, burst: number, now: () => number): RateLimiter;
  /** MaxOfRateLimiter: asks every limiter (each counts the failure) and waits the longest. */
  newMaxOfRateLimiter(...limiters: RateLimiter[]): RateLimiter;
  /** DefaultControllerRateLimiter: max of 5 ms..1,000 s per item and 10 qps burst 100 overall. */
  newDefaultControllerRateLimiter(now: () => number): RateLimiter;
  newWorkQueue(options: WorkQueueOptions): WorkQueue;

  // 02-replicaset
  /** Not Succeeded, not Failed, not being deleted (controller.IsPodActive). */
  isPodActive(pod: Pod): boolean;
  /** Ready, and Ready for longer than minReadySeconds at `now` (podutil.IsPodAvailable). */
  isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean;
  /** ClaimObject for each object: which the owner keeps, adopts and releases. */
  claimObjects<T extends KubeObject>(owner: KubeObject, selector: LabelSelector, objects: readonly T[]): ClaimResult<T>;
  /** The `diff` pods to delete first on scale-down (ActivePodsWithRanks), related pods ranking co-located ones. */
  getPodsToDelete(pods: readonly Pod[], relatedPods: readonly Pod[], diff: number, now: number): Pod[];
  /** slowStartBatch: call `fn` count times in batches of 1, 2, 4, ... concurrently; stop after a batch with a failure. */
  slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<unknown>): Promise<{ successes: number; error?: Error }>;
  /** calculateStatus: the ReplicaSet's status from its active claimed pods and the error of this sync's creates or deletes. */
  calculateReplicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: Error | undefined, now: number): ReplicaSetStatus;
  /** One sync of the ReplicaSet `key`: claim, create or delete, write the status. */
  syncReplicaSet(key: string, ctx: ReplicaSetSyncContext): Promise<SyncResult>;

  // 03-deployment
  /** ResolveFenceposts: maxSurge rounded up, maxUnavailable down, of `replicas`; both 0 gives maxUnavailable 1. */
  resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, replicas: number): Fenceposts;
  /** ComputeHash: the pod-template-hash label value of a template (FNV-32a, safe-encoded). */
  computeHash(template: PodTemplateSpec, collisionCount?: number): string;
  /** NewRSNewReplicas: how many replicas the new ReplicaSet may have now. */
  newRSNewReplicas(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number;
  /** reconcileOldReplicaSets' arithmetic: the new spec.replicas of each old ReplicaSet to scale down, by name. */
  scaleDownOldReplicaSets(deployment: Deployment, oldRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): Map<string, number>;
  /** calculateStatus: the replica counts from the ReplicaSets' statuses, and the Available condition. */
  calculateDeploymentStatus(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus;
  /** syncRolloutStatus: calculateDeploymentStatus plus the Progressing condition, and when to look again for a stuck rollout. */
  rolloutStatus(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): { status: DeploymentStatus; requeueAfterMs?: number };
  /** One sync of the Deployment `key`: claim its ReplicaSets, find or create the new one, roll out, write the status. */
  syncDeployment(key: string, ctx: DeploymentSyncContext): Promise<SyncResult>;

  // 04-garbage-collector
  /** classifyReferences: owners[i] is what a live GET found for references[i]. */
  classifyOwnerReferences(references: readonly OwnerReference[], owners: readonly OwnerLookup[]): OwnerReferenceClassification;
  /** attemptToDeleteItem: keep the item, drop its dangling references, or delete it (background, foreground or orphan). */
  attemptToDeleteItem(item: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult>;
  /** attemptToOrphan: remove the owner's reference from each dependent, then the owner's `orphan` finalizer. */
  orphanDependents(owner: GraphNode, ctx: GarbageCollectorContext): Promise<SyncResult>;
  /** The namespace controller: Terminating, every resource deleted, conditions, then the `kubernetes` finalizer removed. */
  syncNamespace(key: string, ctx: NamespaceSyncContext): Promise<SyncResult>;

  // 05-endpointslices
  /** The endpoints of a Service's pods (one per pod with an IP), with each pod's own ports. */
  podEndpoints(service: Service, pods: readonly Pod[]): PodEndpoint[];
  /** The reconciler: which slices to create, update and delete so that every endpoint is in exactly one. */
  reconcileEndpointSlices(service: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], maxEndpointsPerSlice: number): EndpointSliceChanges;
  /** One sync of the Service `key`: its pods to EndpointSlices. */
  syncService(key: string, ctx: EndpointSliceSyncContext): Promise<SyncResult>;

  // 06-node-lifecycle
  /** tryUpdateNodeHealth: the node's conditions at `now`, Unknown once no heartbeat came for the grace period. */
  nodeHealth(node: Node, lease: Lease | undefined, now: number, gracePeriodMs: number): Condition[];
  /** The taints the node lifecycle controller keeps on a node with this Ready condition. */
  taintsForReadiness(ready: Condition | undefined, now: number): Taint[];
  /** The taint manager: when `pod` must be evicted from a node with these taints (ms), or undefined: never. */
  evictionTime(pod: Pod, taints: readonly Taint[], now: number): number | undefined;
  /** One sync of the node `key`: health, taints, pods marked not ready, evictions. */
  syncNode(key: string, ctx: NodeLifecycleContext): Promise<SyncResult>;

  // 07-daemonset-statefulset
  /** NodeShouldRunDaemonPod: place a daemon pod on this node? keep one that is there? */
  nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean };
  /** One sync of the DaemonSet `key`: one pod per eligible node, rolled out, and the status. */
  syncDaemonSet(key: string, ctx: DaemonSetSyncContext): Promise<SyncResult>;
  /** The StatefulSet controller's plan for one sync (stateful_set_control.go), in order. */
  statefulSetActions(set: StatefulSet, pods: readonly Pod[], revisions: { current: string; update: string }, now: number): StatefulSetAction[];
  /** One sync of the StatefulSet `key`: revisions, the plan carried out, and the status. */
  syncStatefulSet(key: string, ctx: StatefulSetSyncContext): Promise<SyncResult>;

  // 08-cronjob-schedule
  /** The first time strictly after `after` (ms, UTC) that the cron schedule names; undefined if none within 5 years. */
  nextScheduleTime(schedule: string, after: number): number | undefined;
}

export type { ControllerClient, NamespacedResource, ObjectIdentity, OwnerReference };
