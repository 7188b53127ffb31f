/**
 * API types the engine's apiserver, client and components share, in the shapes Kubernetes puts on
 * the wire: metav1.Status for errors, lists, watch events, Tables, and the kinds the control plane
 * reads field by field (Pod, Node, Service, Deployment). Generic object metadata lives in
 * engine/objects/types.ts. Fields are optional where Kubernetes leaves them out (omitempty).
 */
import type { KubeObject, LabelSelector, ObjectMeta, StringMap } from '../objects/types.ts';

export type { KubeObject, ObjectMeta, LabelSelector, StringMap };

/** One reason a request was refused, pointing at a field (metav1.StatusCause). */
export interface StatusCause {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueDuplicate`, ... */
  reason: string;
  message: string;
  /** The field path: `spec.containers[0].image`. */
  field: string;
}

/** metav1.Status: every error on the wire, and some successes (a delete). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  /** `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`, `Expired`, ... */
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** metav1.ListMeta. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** A list of objects: `PodList`. */
export interface KubeList<T extends KubeObject = KubeObject> {
  kind: string;
  apiVersion: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One line of a watch stream (metav1.WatchEvent). ERROR events carry a Status. */
export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** metav1.TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  /** 0: always shown; 1 and up: only with `-o wide`. */
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  /** PartialObjectMetadata (includeObject=Metadata, the default) or the object itself. */
  object?: unknown;
}

/** metav1.Table: what `kubectl get` asks for and prints. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
  hostPort?: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  env?: EnvVar[];
  resources?: { requests?: StringMap; limits?: StringMap };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  imagePullPolicy?: string;
  [field: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: StringMap;
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  schedulerName?: string;
  tolerations?: Toleration[];
  affinity?: unknown;
  priority?: number;
  priorityClassName?: string;
  volumes?: { name: string; [source: string]: unknown }[];
  [field: string]: unknown;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image?: string;
  imageID?: string;
  started?: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode: number; reason?: string; signal?: number; finishedAt?: string; startedAt?: string };
  };
  lastState?: ContainerStatus['state'];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  reason?: string;
  message?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  nominatedNodeName?: string;
  startTime?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  qosClass?: string;
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface NodeStatus {
  capacity?: StringMap;
  allocatable?: StringMap;
  conditions?: Condition[];
  addresses?: { type: string; address: string }[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string; [k: string]: unknown };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[]; podCIDR?: string; podCIDRs?: string[] };
  status?: NodeStatus;
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    selector?: StringMap;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    sessionAffinity?: string;
    [field: string]: unknown;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

export interface Deployment extends KubeObject {
  spec: DeploymentSpec & { [field: string]: unknown };
  status?: DeploymentStatus;
}

/** autoscaling/v1 Scale: the scale subresource of deployments, replicasets and statefulsets. */
export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: ObjectMeta;
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

// ── Added for lesson 04 "controllers" (ReplicaSet, Deployment status, Lease) ────────────────────
// The fields the controller-manager reads and writes, in apps/v1 and coordination.k8s.io/v1 shapes.

/** apps/v1 ReplicaSetCondition (type ReplicaFailure when creating or deleting pods failed). */
export interface ReplicaSetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
  };
  status?: ReplicaSetStatus;
}

/** apps/v1 DeploymentCondition: Available, Progressing, ReplicaFailure. */
export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

/** apps/v1 DeploymentSpec, every field the deployment controller reads. */
export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: { type?: 'RollingUpdate' | 'Recreate' | string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

/** coordination.k8s.io/v1 Lease: node heartbeats and leader election. Times are MicroTime strings. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}
