/**
 * Builders and the recording client for the controllers suites: objects as the informers' caches
 * hold them, listers preloaded with them (the engine's own Indexer), and a ControllerClient that
 * records each call as an action, as client-go's fake clientset does, so a test runs one sync and
 * compares the actions with a list (sample-controller's controller_test.go).
 */
import { ApiError } from '#engine/kube/errors.ts';
import type { ControllerClient, NamespacedResource, ObjectIdentity, PropagationPolicy } from '#engine/controllers/api.ts';
import type {
  DaemonSetSyncContext,
  DeploymentSyncContext,
  EndpointSliceSyncContext,
  GarbageCollectorContext,
  GraphNode,
  NamespaceSyncContext,
  NodeLifecycleContext,
  ReplicaSetSyncContext,
  StatefulSetSyncContext,
} from '#engine/controllers/exercises.ts';
import { OwnerGraph } from '#engine/controllers/owner-graph.ts';
import { ControllerExpectations } from '#engine/controllers/expectations.ts';
import { formatTime } from '#engine/controllers/pods.ts';
import { Indexer } from '#engine/controllers/indexer.ts';
import type {
  Condition,
  ControllerRevision,
  CronJob,
  DaemonSet,
  Deployment,
  DeploymentSpec,
  EndpointSlice,
  Job,
  KubeObject,
  Lease,
  Namespace,
  Node,
  Pod,
  PodTemplateSpec,
  ReplicaSet,
  Service,
  StatefulSet,
} from '#engine/kube/types.ts';
import type { Taint, Toleration } from '#engine/scheduler/types.ts';
import type { OwnerReference } from '#engine/objects/types.ts';

/** The tests' "now": 2024-01-01T00:10:00Z. */
export const NOW = Date.parse('2024-01-01T00:10:00Z');
export const ago = (seconds: number) => formatTime(NOW - seconds * 1000);

let uids = 0;
export const uid = (name: string) => `uid-${name}-${++uids}`;

/** Where an object lives, as actions name it: `default/web`, or `web` for a cluster-scoped one. */
const at = (ref: { namespace?: string; name?: string }) => (ref.namespace ? `${ref.namespace}/${ref.name}` : `${ref.name}`);
const liveKey = (kind: string, namespace: string | undefined, name: string | undefined) => `${kind.toLowerCase()}/${namespace ?? ''}/${name}`;

export function ownerRefTo(owner: KubeObject, kind = owner.kind, controller = true): OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller, blockOwnerDeletion: true };
}

export interface PodOptions {
  ns?: string;
  labels?: Record<string, string>;
  owner?: KubeObject;
  node?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Ready since this many seconds ago (the Ready condition's lastTransitionTime); false: not ready. */
  readySince?: number | false;
  /** Created this many seconds ago. */
  age?: number;
  restarts?: number;
  deleting?: boolean;
  deletionCost?: number;
  uid?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const ready = o.readySince !== undefined && o.readySince !== false;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: o.uid ?? uid(name),
      creationTimestamp: ago(o.age ?? 60),
      labels: o.labels ?? { app: 'web' },
      ...(o.owner ? { ownerReferences: [ownerRefTo(o.owner)] } : {}),
      ...(o.deleting ? { deletionTimestamp: ago(1) } : {}),
      ...(o.deletionCost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.deletionCost) } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ago(ready ? (o.readySince as number) : 30) }],
      containerStatuses: [{ name: 'c', ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

/** A running, ready pod of `owner` on `node`, ready for 60 s. */
export const readyPod = (name: string, owner: ReplicaSet, node = 'node-1', extra: PodOptions = {}) =>
  pod(name, { owner, node, readySince: 60, labels: owner.spec.template.metadata?.labels, ...extra });

export function template(labels: Record<string, string> = { app: 'web' }, image = 'nginx:1.14.2'): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'nginx', image }] } };
}

export interface RSOptions {
  ns?: string;
  replicas?: number;
  labels?: Record<string, string>;
  template?: PodTemplateSpec;
  owner?: KubeObject;
  generation?: number;
  minReadySeconds?: number;
  status?: ReplicaSet['status'];
  annotations?: Record<string, string>;
  age?: number;
  deleting?: boolean;
}

export function replicaSet(name: string, o: RSOptions = {}): ReplicaSet {
  const labels = o.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: uid(name),
      generation: o.generation ?? 1,
      creationTimestamp: ago(o.age ?? 600),
      labels,
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owner ? { ownerReferences: [ownerRefTo(o.owner, 'Deployment')] } : {}),
      ...(o.deleting ? { deletionTimestamp: ago(1) } : {}),
    },
    spec: { replicas: o.replicas ?? 3, selector: { matchLabels: labels }, template: o.template ?? template(labels), ...(o.minReadySeconds ? { minReadySeconds: o.minReadySeconds } : {}) },
    status: o.status ?? { replicas: 0, observedGeneration: o.generation ?? 1 },
  };
}

export function deployment(name: string, spec: Partial<DeploymentSpec> = {}, extra: { generation?: number; status?: Deployment['status']; annotations?: Record<string, string> } = {}): Deployment {
  const labels = { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: uid(name), generation: extra.generation ?? 1, creationTimestamp: ago(900), ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas: 3,
      selector: { matchLabels: labels },
      template: template(labels),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
    status: extra.status ?? {},
  };
}

/** A ControllerClient that records every call; `fail(action)` may return an error to refuse it. */
export class Recorder implements ControllerClient {
  readonly actions: string[] = [];
  readonly events: string[] = [];
  readonly created: KubeObject[] = [];
  statuses: unknown[] = [];
  private names = 0;
  constructor(readonly fail: (action: string, n: number) => Error | undefined = () => undefined) {}

  private act<T>(action: string, result: T): Promise<T> {
    this.actions.push(action);
    const error = this.fail(action, this.actions.length);
    return error ? Promise.reject(error) : Promise.resolve(structuredClone(result));
  }

  createPod(namespace: string, pod: Pod) {
    const created = { ...structuredClone(pod), metadata: { ...pod.metadata, name: pod.metadata.name || `${pod.metadata.generateName}${++this.names}`, uid: uid('created') } };
    this.created.push(created);
    return this.act(`create pod ${namespace}/${pod.metadata.name || pod.metadata.generateName}`, created);
  }
  deletePod(namespace: string, name: string) {
    return this.act(`delete pod ${namespace}/${name}`, undefined);
  }
  patchPodOwnerReferences(pod: Pod, refs: OwnerReference[]) {
    return this.act(`patch pod ${pod.metadata.namespace}/${pod.metadata.name} ownerReferences=[${refs.map((r) => `${r.kind}/${r.name}${r.controller ? ' (controller)' : ''}`).join(', ')}]`, {
      ...pod,
      metadata: { ...pod.metadata, ownerReferences: refs },
    });
  }
  createReplicaSet(rs: ReplicaSet) {
    this.created.push(structuredClone(rs));
    return this.act(`create replicaset ${rs.metadata.namespace}/${rs.metadata.name} replicas=${rs.spec.replicas}`, { ...rs, metadata: { ...rs.metadata, uid: uid('rs'), creationTimestamp: ago(0) } });
  }
  updateReplicaSet(rs: ReplicaSet) {
    return this.act(`update replicaset ${rs.metadata.namespace}/${rs.metadata.name} replicas=${rs.spec.replicas}`, rs);
  }
  updateReplicaSetStatus(rs: ReplicaSet) {
    this.statuses.push(structuredClone(rs.status));
    return this.act(`update replicaset ${rs.metadata.namespace}/${rs.metadata.name} status`, rs);
  }
  patchReplicaSetOwnerReferences(rs: ReplicaSet, refs: OwnerReference[]) {
    return this.act(`patch replicaset ${rs.metadata.namespace}/${rs.metadata.name} ownerReferences=[${refs.map((r) => `${r.kind}/${r.name}`).join(', ')}]`, {
      ...rs,
      metadata: { ...rs.metadata, ownerReferences: refs },
    });
  }
  deleteReplicaSet(namespace: string, name: string) {
    return this.act(`delete replicaset ${namespace}/${name}`, undefined);
  }
  updateDeployment(d: Deployment) {
    return this.act(`update deployment ${d.metadata.namespace}/${d.metadata.name} revision=${d.metadata.annotations?.['deployment.kubernetes.io/revision']}`, d);
  }
  updateDeploymentStatus(d: Deployment) {
    this.statuses.push(structuredClone(d.status));
    return this.act(`update deployment ${d.metadata.namespace}/${d.metadata.name} status`, d);
  }

  /** What the apiserver holds now, read by getObject and listObjects (a live read, not a cache). */
  readonly live = new Map<string, KubeObject>();
  /** Objects written with an update (EndpointSlices, ControllerRevisions), in order. */
  readonly updated: KubeObject[] = [];
  /** Each taint list written with updateNodeTaints. */
  readonly taints: Taint[][] = [];

  /** Puts objects in the fake apiserver (getObject finds them; listObjects lists them). */
  store(...objects: KubeObject[]): this {
    for (const o of objects) this.live.set(liveKey(o.kind, o.metadata.namespace, o.metadata.name), structuredClone(o));
    return this;
  }
  getObject(ref: Omit<ObjectIdentity, 'uid'>) {
    return this.act(`get ${ref.kind.toLowerCase()} ${at(ref)}`, this.live.get(liveKey(ref.kind, ref.namespace, ref.name)));
  }
  deleteObject(ref: ObjectIdentity, propagationPolicy: PropagationPolicy) {
    const action = `delete ${ref.kind.toLowerCase()} ${at(ref)} propagationPolicy=${propagationPolicy}`;
    const refused = this.fail(action, this.actions.length + 1);
    const key = liveKey(ref.kind, ref.namespace, ref.name);
    const o = this.live.get(key);
    if (!refused && o?.metadata.uid === ref.uid) this.deleteLive(key, o);
    this.actions.push(action);
    return refused ? Promise.reject(refused) : Promise.resolve();
  }
  /** As the apiserver deletes: objects with finalizers, and pods on a node (graceful), stay with a deletionTimestamp. */
  private deleteLive(key: string, o: KubeObject): void {
    const graceful = o.kind === 'Pod' && Boolean((o as Pod).spec.nodeName);
    if ((o.metadata.finalizers?.length ?? 0) > 0 || graceful) o.metadata.deletionTimestamp ??= ago(0);
    else this.live.delete(key);
  }
  patchOwnerReferences(ref: ObjectIdentity, refs: OwnerReference[]) {
    const current = this.live.get(liveKey(ref.kind, ref.namespace, ref.name)) ?? { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace, uid: ref.uid } };
    return this.act(`patch ${ref.kind.toLowerCase()} ${at(ref)} ownerReferences=[${refs.map((r) => `${r.kind}/${r.name}${r.blockOwnerDeletion ? ' (blocking)' : ''}`).join(', ')}]`, {
      ...current,
      metadata: { ...current.metadata, ownerReferences: refs },
    } as KubeObject);
  }
  removeFinalizer(ref: ObjectIdentity, finalizer: string) {
    return this.act(`remove finalizer ${finalizer} from ${ref.kind.toLowerCase()} ${at(ref)}`, undefined);
  }
  listObjects(resource: NamespacedResource, namespace: string) {
    const items = [...this.live.values()].filter((o) => o.kind === resource.kind && o.metadata.namespace === namespace);
    return this.act(`list ${resource.resource} in ${namespace}`, items);
  }
  /** Deletes as the apiserver would: objects with finalizers, and pods on a node (graceful), stay with a deletionTimestamp. */
  deleteCollection(resource: NamespacedResource, namespace: string) {
    const action = `deletecollection ${resource.resource} in ${namespace}`;
    const refused = this.fail(action, this.actions.length + 1);
    if (!refused) {
      for (const [key, o] of this.live) if (o.kind === resource.kind && o.metadata.namespace === namespace) this.deleteLive(key, o);
    }
    this.actions.push(action);
    return refused ? Promise.reject(refused) : Promise.resolve();
  }
  updateNamespaceStatus(ns: Namespace) {
    this.statuses.push(structuredClone(ns.status));
    return this.act(`update namespace ${ns.metadata.name} status`, ns);
  }
  finalizeNamespace(ns: Namespace) {
    return this.act(`finalize namespace ${ns.metadata.name} finalizers=[${(ns.spec?.finalizers ?? []).join(', ')}]`, ns);
  }
  createEndpointSlice(slice: EndpointSlice) {
    const created = { ...structuredClone(slice), metadata: { ...slice.metadata, name: `${slice.metadata.generateName}${++this.names}`, uid: uid('slice') } };
    this.created.push(created);
    return this.act(`create endpointslice ${slice.metadata.namespace}/${slice.metadata.generateName}`, created);
  }
  updateEndpointSlice(slice: EndpointSlice) {
    this.updated.push(structuredClone(slice));
    return this.act(`update endpointslice ${at(slice.metadata)}`, slice);
  }
  deleteEndpointSlice(namespace: string, name: string) {
    return this.act(`delete endpointslice ${namespace}/${name}`, undefined);
  }
  updateNodeStatus(node: Node) {
    this.statuses.push(structuredClone(node.status));
    return this.act(`update node ${node.metadata.name} status`, node);
  }
  updateNodeTaints(node: Node, taints: Taint[]) {
    this.taints.push(structuredClone(taints));
    return this.act(`update node ${node.metadata.name} taints=[${taints.map((t) => `${t.key}:${t.effect}`).join(', ')}]`, { ...node, spec: { ...node.spec, taints } });
  }
  markPodNotReady(pod: Pod) {
    return this.act(`mark pod ${at(pod.metadata)} not ready`, undefined);
  }
  evictPod(pod: Pod) {
    return this.act(`evict pod ${at(pod.metadata)}`, undefined);
  }
  updateDaemonSetStatus(ds: DaemonSet) {
    this.statuses.push(structuredClone(ds.status));
    return this.act(`update daemonset ${at(ds.metadata)} status`, ds);
  }
  updateStatefulSetStatus(set: StatefulSet) {
    this.statuses.push(structuredClone(set.status));
    return this.act(`update statefulset ${at(set.metadata)} status`, set);
  }
  createControllerRevision(rev: ControllerRevision) {
    this.created.push(structuredClone(rev));
    return this.act(`create controllerrevision ${at(rev.metadata)} revision=${rev.revision}`, { ...rev, metadata: { ...rev.metadata, uid: uid('rev') } });
  }
  updateControllerRevision(rev: ControllerRevision) {
    this.updated.push(structuredClone(rev));
    return this.act(`update controllerrevision ${at(rev.metadata)} revision=${rev.revision}`, rev);
  }
  createJob(job: Job) {
    this.created.push(structuredClone(job));
    return this.act(`create job ${at(job.metadata)}`, { ...job, metadata: { ...job.metadata, uid: uid('job') } });
  }
  updateJobStatus(job: Job) {
    this.statuses.push(structuredClone(job.status));
    return this.act(`update job ${at(job.metadata)} status`, job);
  }
  updateCronJobStatus(cj: CronJob) {
    this.statuses.push(structuredClone(cj.status));
    return this.act(`update cronjob ${at(cj.metadata)} status`, cj);
  }
  recordEvent(object: KubeObject, type: string, reason: string, message: string) {
    this.events.push(`${type} ${reason} ${message}`);
  }
  /** The last status written. */
  lastStatus<T>(): T {
    return this.statuses[this.statuses.length - 1] as T;
  }
}

export const notFound = (what: string) => new ApiError({ code: 404, reason: 'NotFound', message: `${what} not found` });
export const forbidden = (message: string) => new ApiError({ code: 403, reason: 'Forbidden', message });

export function rsContext(
  objects: { replicaSets?: ReplicaSet[]; pods?: Pod[] },
  recorder = new Recorder(),
  now = NOW,
): { ctx: ReplicaSetSyncContext; recorder: Recorder; expectations: ControllerExpectations } {
  const expectations = new ControllerExpectations(() => now);
  const ctx: ReplicaSetSyncContext = {
    now: () => now,
    replicaSets: Indexer.of(objects.replicaSets ?? []),
    pods: Indexer.of(objects.pods ?? []),
    expectations,
    client: recorder,
    burstReplicas: 500,
  };
  return { ctx, recorder, expectations };
}

export function deploymentContext(
  objects: { deployments?: Deployment[]; replicaSets?: ReplicaSet[]; pods?: Pod[] },
  recorder = new Recorder(),
  now = NOW,
): { ctx: DeploymentSyncContext; recorder: Recorder } {
  return {
    recorder,
    ctx: {
      now: () => now,
      deployments: Indexer.of(objects.deployments ?? []),
      replicaSets: Indexer.of(objects.replicaSets ?? []),
      pods: Indexer.of(objects.pods ?? []),
      client: recorder,
    },
  };
}

// ── 04-garbage-collector ──────────────────────────────────────────────────────────────────────────

export interface ObjOptions {
  ns?: string;
  uid?: string;
  owners?: OwnerReference[];
  finalizers?: string[];
  /** A deletionTimestamp this many seconds ago. */
  deletedAgo?: number;
  extra?: Record<string, unknown>;
}

const API_VERSIONS: Record<string, string> = { Deployment: 'apps/v1', ReplicaSet: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1' };

/** Any object, as the informers and the apiserver hold it. */
export function obj(kind: string, name: string, o: ObjOptions = {}): KubeObject {
  return {
    apiVersion: API_VERSIONS[kind] ?? 'v1',
    kind,
    metadata: {
      name,
      ...(kind === 'Namespace' || kind === 'Node' ? {} : { namespace: o.ns ?? 'default' }),
      uid: o.uid ?? uid(name),
      creationTimestamp: ago(600),
      ...(o.owners ? { ownerReferences: o.owners } : {}),
      ...(o.finalizers ? { finalizers: o.finalizers } : {}),
      ...(o.deletedAgo !== undefined ? { deletionTimestamp: ago(o.deletedAgo) } : {}),
    },
    ...(o.extra ?? {}),
  };
}

/** An owner reference to `owner`; blocking (blockOwnerDeletion) unless told otherwise. */
export function refTo(owner: KubeObject, o: { controller?: boolean; blocking?: boolean } = {}): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: o.controller ?? true, blockOwnerDeletion: o.blocking ?? true };
}

/** The engine's owner graph, fed with these objects as the informers would. */
export function graphOf(...objects: KubeObject[]): OwnerGraph {
  const graph = new OwnerGraph();
  for (const o of objects) graph.observe(undefined, o);
  return graph;
}

/** A GarbageCollectorContext over a recorder; `queued` and `absent` collect what the sync asked for. */
export function gcContext(recorder = new Recorder()): { ctx: GarbageCollectorContext; recorder: Recorder; queued: string[]; absent: string[] } {
  const queued: string[] = [];
  const absent: string[] = [];
  const name = (n: GraphNode) => `${n.identity.kind.toLowerCase()} ${n.identity.namespace ? `${n.identity.namespace}/` : ''}${n.identity.name}`;
  return {
    recorder,
    queued,
    absent,
    ctx: {
      now: () => NOW,
      client: recorder,
      attemptToDelete: (n) => queued.push(name(n)),
      reportAbsent: (n) => absent.push(name(n)),
    },
  };
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const PODS: NamespacedResource = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', verbs: CRUD };
export const CONFIGMAPS: NamespacedResource = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', verbs: CRUD };
export const DEPLOYMENTS: NamespacedResource = { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', verbs: CRUD };

export function namespaceContext(namespaces: Namespace[], resources: NamespacedResource[], recorder = new Recorder(), now = NOW): { ctx: NamespaceSyncContext; recorder: Recorder } {
  return { recorder, ctx: { now: () => now, namespaces: Indexer.of(namespaces), resources, client: recorder } };
}

/** A namespace; `deletedAgo` gives it a deletionTimestamp. */
export function namespace(
  name: string,
  o: { deletedAgo?: number; phase?: 'Active' | 'Terminating'; finalizers?: string[]; conditions?: Namespace['status'] extends infer S ? (S extends { conditions?: infer C } ? C : never) : never } = {},
): Namespace {
  return {
    ...(obj('Namespace', name, { deletedAgo: o.deletedAgo }) as Namespace),
    spec: { finalizers: o.finalizers ?? ['kubernetes'] },
    status: { phase: o.phase ?? 'Active', ...(o.conditions ? { conditions: o.conditions } : {}) },
  };
}

// ── 05-endpointslices ─────────────────────────────────────────────────────────────────────────────

export function service(
  name: string,
  o: {
    ns?: string;
    selector?: Record<string, string> | null;
    ports?: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never;
    labels?: Record<string, string>;
    clusterIP?: string;
    type?: 'ClusterIP' | 'ExternalName';
    publishNotReadyAddresses?: boolean;
    uid?: string;
  } = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.ns ?? 'default', uid: o.uid ?? `uid-svc-${name}`, creationTimestamp: ago(600), ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }),
      ports: o.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      clusterIP: o.clusterIP ?? '10.96.0.10',
      ...(o.type ? { type: o.type } : {}),
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

export interface EpPodOptions {
  ns?: string;
  ip?: string | null;
  ready?: boolean;
  deleting?: boolean;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  node?: string;
  labels?: Record<string, string>;
  /** Named container ports: name → number (TCP unless `udp`). */
  ports?: Record<string, number>;
  udp?: string[];
  hostname?: string;
  subdomain?: string;
}

/** A pod as a Service sees it: an IP (127.0.0.N by default), Running and Ready, on node-1. */
export function epPod(name: string, n: number, o: EpPodOptions = {}): Pod {
  const ip = o.ip === null ? undefined : (o.ip ?? `10.0.0.${n}`);
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}`, creationTimestamp: ago(60), labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ...(o.ports
            ? { ports: Object.entries(o.ports).map(([portName, containerPort]) => ({ name: portName, containerPort, protocol: o.udp?.includes(portName) ? ('UDP' as const) : ('TCP' as const) })) }
            : {}),
        },
      ],
      ...(o.node === '' ? {} : { nodeName: o.node ?? 'node-1' }),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? (ip ? 'Running' : 'Pending'),
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ago(30) }],
    },
  };
}

export function sliceContext(
  objects: { services?: Service[]; pods?: Pod[]; slices?: EndpointSlice[] },
  recorder = new Recorder(),
): { ctx: EndpointSliceSyncContext; recorder: Recorder; expectations: ControllerExpectations } {
  const expectations = new ControllerExpectations(() => NOW);
  return {
    recorder,
    expectations,
    ctx: {
      now: () => NOW,
      services: Indexer.of(objects.services ?? []),
      pods: Indexer.of(objects.pods ?? []),
      endpointSlices: Indexer.of(objects.slices ?? []),
      expectations,
      client: recorder,
      maxEndpointsPerSlice: 100,
    },
  };
}

// ── 06-node-lifecycle ─────────────────────────────────────────────────────────────────────────────

/** The 1.32 default --node-monitor-grace-period (40 s before; kubernetes CHANGELOG/CHANGELOG-1.32.md, #126287). */
export const GRACE_MS = 50_000;

export interface NodeOptions {
  /** The Ready condition's status (default True) and heartbeat, seconds ago (default 5). */
  ready?: 'True' | 'False' | 'Unknown';
  heartbeatAgo?: number;
  conditions?: Condition[];
  taints?: Taint[];
  createdAgo?: number;
  labels?: Record<string, string>;
}

/** A node with the four conditions a kubelet reports (Ready as told, the pressures False). */
export function node(name: string, o: NodeOptions = {}): Node {
  const at = ago(o.heartbeatAgo ?? 5);
  const c = (type: string, status: 'True' | 'False' | 'Unknown', reason: string): Condition => ({
    type,
    status,
    reason,
    message: `${type} is ${status}`,
    lastHeartbeatTime: at,
    lastTransitionTime: ago(3600),
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, creationTimestamp: ago(o.createdAgo ?? 7200), labels: o.labels ?? { 'kubernetes.io/hostname': name } },
    spec: { ...(o.taints ? { taints: o.taints } : {}) },
    status: {
      conditions: o.conditions ?? [
        c('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        c('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        c('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        c('Ready', o.ready ?? 'True', o.ready === 'False' ? 'KubeletNotReady' : 'KubeletReady'),
      ],
    },
  };
}

/** The node's Lease in kube-node-lease, renewed `renewedAgo` seconds ago. */
export function lease(nodeName: string, renewedAgo: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: 'kube-node-lease', uid: `uid-lease-${nodeName}` },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new Date(NOW - renewedAgo * 1000).toISOString().replace('Z', '000Z') },
  };
}

/** A Running, Ready pod on `nodeName` with these tolerations. */
export function podOn(name: string, nodeName: string, tolerations: Toleration[] = [], o: { deleting?: boolean; ready?: boolean } = {}): Pod {
  return {
    ...pod(name, { node: nodeName, readySince: o.ready === false ? false : 60, deleting: o.deleting }),
    spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName, tolerations },
  };
}

/** The tolerations the DefaultTolerationSeconds admission plugin gives every pod: 300 s of not-ready and unreachable. */
export const DEFAULT_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

export function nodeContext(objects: { nodes?: Node[]; leases?: Lease[]; pods?: Pod[] }, recorder = new Recorder(), now = NOW): { ctx: NodeLifecycleContext; recorder: Recorder } {
  return {
    recorder,
    ctx: { now: () => now, nodes: Indexer.of(objects.nodes ?? []), leases: Indexer.of(objects.leases ?? []), pods: Indexer.of(objects.pods ?? []), client: recorder, gracePeriodMs: GRACE_MS },
  };
}

// ── 07-daemonset-statefulset ──────────────────────────────────────────────────────────────────────

export function daemonSet(
  name: string,
  o: {
    template?: PodTemplateSpec;
    nodeSelector?: Record<string, string>;
    maxUnavailable?: number | string;
    updateStrategy?: 'RollingUpdate' | 'OnDelete';
    generation?: number;
    status?: DaemonSet['status'];
    selector?: DaemonSet['spec']['selector'];
    hostNetwork?: boolean;
  } = {},
): DaemonSet {
  const t = o.template ?? template({ app: name }, 'fluentd:1');
  if (o.nodeSelector) t.spec.nodeSelector = o.nodeSelector;
  if (o.hostNetwork) t.spec.hostNetwork = true;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: `uid-ds-${name}`, generation: o.generation ?? 1, creationTimestamp: ago(900) },
    spec: {
      selector: o.selector ?? { matchLabels: { app: name } },
      template: t,
      updateStrategy: { type: o.updateStrategy ?? 'RollingUpdate', ...(o.maxUnavailable !== undefined ? { rollingUpdate: { maxUnavailable: o.maxUnavailable } } : {}) },
    },
    status: o.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  };
}

/** A pod of `ds` for `nodeName`: bound (spec.nodeName) unless `unbound`, pinned by affinity either way. */
export function daemonPod(
  name: string,
  ds: DaemonSet,
  nodeName: string,
  hash: string,
  o: { unbound?: boolean; ready?: boolean; age?: number; phase?: 'Running' | 'Failed' | 'Succeeded' | 'Pending'; deleting?: boolean } = {},
): Pod {
  const p = pod(name, {
    owner: ds,
    node: o.unbound ? undefined : nodeName,
    readySince: o.ready === false ? false : 60,
    age: o.age ?? 60,
    labels: { app: ds.metadata.name!, 'controller-revision-hash': hash },
    phase: o.phase,
    deleting: o.deleting,
  });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } } };
  return p;
}

export function daemonContext(
  objects: { daemonSets?: DaemonSet[]; nodes?: Node[]; pods?: Pod[] },
  recorder = new Recorder(),
): { ctx: DaemonSetSyncContext; recorder: Recorder; expectations: ControllerExpectations } {
  const expectations = new ControllerExpectations(() => NOW);
  return {
    recorder,
    expectations,
    ctx: {
      now: () => NOW,
      daemonSets: Indexer.of(objects.daemonSets ?? []),
      nodes: Indexer.of(objects.nodes ?? []),
      pods: Indexer.of(objects.pods ?? []),
      expectations,
      client: recorder,
      burstReplicas: 250,
    },
  };
}

export function statefulSet(
  name: string,
  o: { replicas?: number; policy?: 'OrderedReady' | 'Parallel'; partition?: number; onDelete?: boolean; image?: string; status?: StatefulSet['status']; deleting?: boolean; generation?: number } = {},
): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default', uid: `uid-sts-${name}`, generation: o.generation ?? 1, creationTimestamp: ago(900), ...(o.deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      template: template({ app: name }, o.image ?? 'nginx:1'),
      serviceName: name,
      ...(o.policy ? { podManagementPolicy: o.policy } : {}),
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
    },
    status: o.status ?? { replicas: 0 },
  };
}

/** Pod `<set>-<ordinal>` at `revision`: Running and Ready unless told otherwise. */
export function statefulPod(set: StatefulSet, ordinal: number, revision: string, o: { ready?: boolean; phase?: 'Pending' | 'Running' | 'Failed' | 'Succeeded'; deleting?: boolean } = {}): Pod {
  const name = `${set.metadata.name}-${ordinal}`;
  const p = pod(name, {
    owner: set,
    node: 'node-1',
    readySince: o.ready === false ? false : 60,
    labels: { app: set.metadata.name!, 'controller-revision-hash': revision },
    phase: o.phase,
    deleting: o.deleting,
    uid: `uid-${name}`,
  });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  return p;
}

export function statefulContext(
  objects: { statefulSets?: StatefulSet[]; pods?: Pod[]; revisions?: ControllerRevision[] },
  recorder = new Recorder(),
): { ctx: StatefulSetSyncContext; recorder: Recorder } {
  return {
    recorder,
    ctx: { now: () => NOW, statefulSets: Indexer.of(objects.statefulSets ?? []), pods: Indexer.of(objects.pods ?? []), revisions: Indexer.of(objects.revisions ?? []), client: recorder },
  };
}
