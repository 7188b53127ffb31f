/**
 * What a controller's sync function may do to the cluster: every write goes through this
 * interface, never through the apiserver directly. The engine implements it over KubeClient
 * (kube-api.ts, which also records upstream's Events for pod creates and deletes, as
 * RealPodControl does); the hidden suites implement it with a recorder that keeps each call as an
 * action (`create pods default/web-`), as client-go's fake clientset does, and compare the list.
 *
 * Every method rejects with the apiserver's error (an ApiError) when the write is refused.
 */
import type { ControllerRevision, CronJob, DaemonSet, Deployment, EndpointSlice, Job, KubeObject, Namespace, Node, Pod, ReplicaSet, StatefulSet } from '../kube/types.ts';
import type { OwnerReference } from '../objects/types.ts';
import type { Taint } from '../scheduler/types.ts';

/** Which object a call is about, as an owner reference names it: apiVersion and kind, then name (and namespace), and its uid. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects (Node, Namespace). */
  namespace?: string;
  name: string;
  uid: string;
}

/** A namespaced resource the apiserver serves (from discovery), for the namespace controller. */
export interface NamespacedResource {
  /** '' for the core group. */
  group: string;
  version: string;
  /** The plural: `pods`, `deployments`. */
  resource: string;
  kind: string;
  /** The verbs it supports: the namespace controller needs `delete`; `deletecollection` and `list` are used when there. */
  verbs: readonly string[];
}

/** How a DELETE treats the object's dependents (metav1.DeletionPropagation). */
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface ControllerClient {
  /** POST a pod (from podFromTemplate: generateName set, name empty). Resolves with the created pod. */
  createPod(namespace: string, pod: Pod, owner: KubeObject): Promise<Pod>;
  /** DELETE a pod; `owner` is the controller deleting it (for the SuccessfulDelete Event). */
  deletePod(namespace: string, name: string, owner: KubeObject): Promise<void>;
  /**
   * Adopt or release: set the pod's metadata.ownerReferences to `ownerReferences` (the whole
   * list), only if the pod still has uid `pod.metadata.uid`.
   */
  patchPodOwnerReferences(pod: Pod, ownerReferences: OwnerReference[]): Promise<Pod>;

  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** PUT the ReplicaSet (spec.replicas, annotations); optimistic: carries its resourceVersion. */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** PUT .../status. */
  updateReplicaSetStatus(rs: ReplicaSet): Promise<ReplicaSet>;
  /** Adopt or release a ReplicaSet (as patchPodOwnerReferences). */
  patchReplicaSetOwnerReferences(rs: ReplicaSet, ownerReferences: OwnerReference[]): Promise<ReplicaSet>;
  deleteReplicaSet(namespace: string, name: string): Promise<void>;

  /** PUT the Deployment (its revision annotation). */
  updateDeployment(d: Deployment): Promise<Deployment>;
  /** PUT .../status. */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;

  // ── 04-garbage-collector: live reads and writes of any kind, named by identity ──
  /** GET the object now, from the apiserver (not a cache); undefined when it does not exist. */
  getObject(ref: Omit<ObjectIdentity, 'uid'>): Promise<KubeObject | undefined>;
  /** DELETE the object with this propagationPolicy, only if it still has uid `ref.uid` (a precondition). */
  deleteObject(ref: ObjectIdentity, propagationPolicy: PropagationPolicy): Promise<void>;
  /** Set the object's metadata.ownerReferences to `ownerReferences` (the whole list), only if it still has uid `ref.uid`. */
  patchOwnerReferences(ref: ObjectIdentity, ownerReferences: OwnerReference[]): Promise<KubeObject>;
  /** Remove `finalizer` from the object's metadata.finalizers (read, then an optimistic write; retried on a conflict). */
  removeFinalizer(ref: ObjectIdentity, finalizer: string): Promise<void>;
  /** The namespace controller: list every object of a resource in a namespace, now. */
  listObjects(resource: NamespacedResource, namespace: string): Promise<KubeObject[]>;
  /** The namespace controller: DELETE the whole collection of a resource in a namespace (propagationPolicy Background). */
  deleteCollection(resource: NamespacedResource, namespace: string): Promise<void>;
  /** PUT namespaces/<name>/status. */
  updateNamespaceStatus(ns: Namespace): Promise<Namespace>;
  /** PUT namespaces/<name>/finalize: the namespace's spec.finalizers as given. */
  finalizeNamespace(ns: Namespace): Promise<Namespace>;

  // ── 05-endpointslices ──
  /** POST an EndpointSlice (generateName set). */
  createEndpointSlice(slice: EndpointSlice): Promise<EndpointSlice>;
  /** PUT an EndpointSlice; optimistic: carries its resourceVersion. */
  updateEndpointSlice(slice: EndpointSlice): Promise<EndpointSlice>;
  deleteEndpointSlice(namespace: string, name: string): Promise<void>;

  // ── 06-node-lifecycle ──
  /** PUT nodes/<name>/status (the conditions). */
  updateNodeStatus(node: Node): Promise<Node>;
  /** Set the node's spec.taints to `taints` (the whole list). */
  updateNodeTaints(node: Node, taints: Taint[]): Promise<Node>;
  /** MarkPodsNotReady: the pod's Ready condition to False (its node stopped reporting). */
  markPodNotReady(pod: Pod): Promise<void>;
  /** The taint manager's eviction: a DisruptionTarget condition on the pod, then DELETE it. */
  evictPod(pod: Pod): Promise<void>;

  // ── 07-daemonset-statefulset ──
  /** PUT daemonsets/<name>/status. */
  updateDaemonSetStatus(ds: DaemonSet): Promise<DaemonSet>;
  /** PUT statefulsets/<name>/status. */
  updateStatefulSetStatus(set: StatefulSet): Promise<StatefulSet>;
  createControllerRevision(revision: ControllerRevision): Promise<ControllerRevision>;
  /** PUT a ControllerRevision (its revision number, on a rollback). */
  updateControllerRevision(revision: ControllerRevision): Promise<ControllerRevision>;

  // ── Jobs and CronJobs (the reference controller-manager) ──
  createJob(job: Job): Promise<Job>;
  updateJobStatus(job: Job): Promise<Job>;
  updateCronJobStatus(cronJob: CronJob): Promise<CronJob>;

  /** A core/v1 Event about `object` (kubectl describe shows it); best effort, never rejects. */
  recordEvent(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
