/**
 * API types the engine's apiserver, client and components share, in the shapes Kubernetes puts on
 * the wire: metav1.Status for errors, lists, watch events, Tables, and the kinds the control plane
 * reads field by field (Pod, Node, Service, Deployment, ReplicaSet, PriorityClass, Lease). There is one set:
 * the scheduler, hollow nodes, the apiserver and later components all read these. Generic object
 * metadata lives in engine/objects/types.ts. Fields are optional where Kubernetes leaves them out
 * (omitempty).
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
  /** `continue`: the token of an expired list's 410 that goes on at the latest revision. */
  metadata: Record<string, never> | { resourceVersion?: string; continue?: string };
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

// ── core/v1 ─────────────────────────────────────────────────────────────────────────────────
// The kinds the control plane reads field by field, in the shapes Kubernetes writes them. The
// scheduler, the hollow nodes, the apiserver's printers and later components all use these; the
// types are open (`[field: string]: unknown`) where objects from the apiserver carry more.

/** Resource quantities by name (`cpu: "500m"`, `memory: 1Gi`); JSON may carry plain numbers. */
export type ResourceList = Record<string, string | number>;

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  hostPort?: number;
  hostIP?: string;
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
  resources?: { requests?: ResourceList; limits?: ResourceList };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  imagePullPolicy?: string;
  /** Only on init containers: `Always` makes it a sidecar that keeps running beside the app. */
  restartPolicy?: 'Always';
  [field: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: 'Equal' | 'Exists';
  value?: string;
  effect?: '' | 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

/** One term: every expression and field must hold (AND). An empty term matches no node. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** Only `metadata.name` is supported, with In and NotIn, as in Kubernetes. */
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  /** The terms are ORed: the node must match at least one. */
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
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
  affinity?: { nodeAffinity?: NodeAffinity; [kind: string]: unknown };
  priority?: number;
  priorityClassName?: string;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  overhead?: ResourceList;
  volumes?: { name: string; [source: string]: unknown }[];
  /** Pod conditions (set by others) that must be True too before the kubelet calls the pod Ready. */
  readinessGates?: { conditionType: string }[];
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

/** A condition of a pod, node or workload (metav1.Condition's older, per-kind shapes). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
}

export type PodCondition = Condition;
export type NodeCondition = Condition;

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  reason?: string;
  message?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  nominatedNodeName?: string;
  startTime?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  qosClass?: string;
  [field: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

/** core/v1 PodTemplate: a pod template kept as an object of its own (`kubectl get podtemplates`). */
export interface PodTemplate extends KubeObject {
  template?: PodTemplateSpec;
}

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: Condition[];
  addresses?: { type: string; address: string }[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string; [k: string]: unknown };
  images?: { names: string[]; sizeBytes: number }[];
  [field: string]: unknown;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; [field: string]: unknown };
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

// ── apps/v1 ─────────────────────────────────────────────────────────────────────────────────

export interface Deployment extends KubeObject {
  spec: DeploymentSpec & { [field: string]: unknown };
  status?: DeploymentStatus;
}

// ── scheduling.k8s.io/v1 ────────────────────────────────────────────────────────────────────

/** A name for a pod priority. */
export interface PriorityClass extends KubeObject {
  value: number;
  globalDefault?: boolean;
  preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  description?: string;
}

// ── autoscaling/v1 ──────────────────────────────────────────────────────────────────────────

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

// ── Added for lesson 04's exercises 04-08 (garbage collector and namespaces, EndpointSlices, ──────
// node lifecycle, DaemonSets, StatefulSets, Jobs and CronJobs): the fields those controllers read
// and write, in core/v1, discovery.k8s.io/v1, apps/v1 and batch/v1 shapes.

/** core/v1 ObjectReference: what an EndpointSlice's targetRef and a CronJob's active list hold. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

/** core/v1 Namespace: spec.finalizers holds `kubernetes` until the namespace controller is done. */
export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: 'Active' | 'Terminating'; conditions?: Condition[] };
}

/** discovery.k8s.io/v1 EndpointConditions. */
export interface EndpointConditions {
  /** Serving and not terminating: send new connections here. */
  ready?: boolean;
  /** The pod is Ready, whether or not it is terminating. */
  serving?: boolean;
  /** The pod has a deletionTimestamp. */
  terminating?: boolean;
}

/** discovery.k8s.io/v1 Endpoint: one pod's addresses in an EndpointSlice. */
export interface Endpoint {
  addresses: string[];
  conditions: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectReference;
}

/** discovery.k8s.io/v1 EndpointPort: a Service port resolved to a number for these endpoints. */
export interface EndpointPort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

/** discovery.k8s.io/v1 EndpointSlice: up to 100 endpoints of one Service sharing one set of ports. */
export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports?: EndpointPort[];
}

/** apps/v1 DaemonSetUpdateStrategy. */
export interface DaemonSetUpdateStrategy {
  type?: 'RollingUpdate' | 'OnDelete';
  rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
}

/** apps/v1 DaemonSet: one pod on every eligible node. */
export interface DaemonSet extends KubeObject {
  spec: {
    selector: LabelSelector;
    template: PodTemplateSpec;
    updateStrategy?: DaemonSetUpdateStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
}

/** apps/v1 StatefulSet: pods with stable names web-0, web-1, ... created and removed in order. */
export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    volumeClaimTemplates?: unknown[];
    [field: string]: unknown;
  };
  status?: StatefulSetStatus;
}

/** apps/v1 ControllerRevision: one version of a StatefulSet's (or DaemonSet's) template, kept as history. */
export interface ControllerRevision extends KubeObject {
  /** The state of this revision: for a StatefulSet, `{ spec: { template: ..., $patch: replace } }`. */
  data?: unknown;
  revision: number;
}

/** batch/v1 JobCondition: SuccessCriteriaMet, Complete, FailureTarget, Failed, Suspended. */
export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobSpec {
  template: PodTemplateSpec;
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  selector?: LabelSelector;
  manualSelector?: boolean;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  ttlSecondsAfterFinished?: number;
  [field: string]: unknown;
}

export interface JobStatus {
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  startTime?: string;
  completionTime?: string;
  conditions?: JobCondition[];
}

/** batch/v1 Job: run pods until `completions` of them succeed, or give up after `backoffLimit` failures. */
export interface Job extends KubeObject {
  spec: JobSpec;
  status?: JobStatus;
}

/** batch/v1 CronJob: a Job made from `jobTemplate` at each time `schedule` names. */
export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    jobTemplate: { metadata?: ObjectMeta; spec: JobSpec };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

// ── policy/v1 (eviction and disruption budgets) ─────────────────────────────────────────────

/** metav1.Condition: the newer condition shape (PodDisruptionBudget status). */
export interface MetaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** policy/v1 PodDisruptionBudget: how many of a set of pods voluntary disruptions may take at once. */
export interface PodDisruptionBudget extends KubeObject {
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: LabelSelector;
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow' | string;
  };
  status?: {
    observedGeneration?: number;
    /** Pod name → when the eviction subresource allowed its eviction (RFC 3339). */
    disruptedPods?: Record<string, string>;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    conditions?: MetaCondition[];
  };
}
