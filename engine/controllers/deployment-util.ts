/**
 * Deployment helpers (given, not graded), after kubernetes pkg/controller/deployment/util/
 * deployment_util.go: the annotation and label names, the condition reasons and messages that
 * `kubectl rollout status` and `kubectl describe` read, condition setters, revisions, template
 * comparison ignoring pod-template-hash, and the printer the template hash is computed over.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, KubeObject, PodTemplateSpec, ReplicaSet } from '../kube/types.ts';
import { formatTime } from './pods.ts';

/** The label that tells a Deployment's ReplicaSets (and their pods) apart. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The revision of a ReplicaSet, and of its Deployment (the revision of its new ReplicaSet). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Earlier revisions a ReplicaSet had before a rollback reused it, comma-separated. */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
/** spec.replicas of the Deployment when it last scaled this ReplicaSet. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** spec.replicas + maxSurge of the Deployment when it last scaled this ReplicaSet. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** Annotations never copied from a Deployment to its ReplicaSets (annotationsToSkip). */
export const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

// Condition types and reasons (deployment_util.go), and the messages the controller writes.
export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';
export const NEW_REPLICA_SET_CREATED = 'NewReplicaSetCreated';
export const FOUND_NEW_REPLICA_SET = 'FoundNewReplicaSet';
export const REPLICA_SET_UPDATED = 'ReplicaSetUpdated';
export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';
export const DEPLOYMENT_PAUSED = 'DeploymentPaused';
export const DEPLOYMENT_RESUMED = 'DeploymentResumed';
export const REPLICA_SET_CREATE_ERROR = 'ReplicaSetCreateError';

export const MESSAGES = {
  available: 'Deployment has minimum availability.',
  unavailable: 'Deployment does not have minimum availability.',
  created: (rs: string) => `Created new replica set "${rs}"`,
  found: (rs: string) => `Found new replica set "${rs}"`,
  progressing: (rs: string) => `ReplicaSet "${rs}" is progressing.`,
  complete: (rs: string) => `ReplicaSet "${rs}" has successfully progressed.`,
  timedOut: (rs: string) => `ReplicaSet "${rs}" has timed out progressing.`,
  paused: 'Deployment is paused',
  resumed: 'Deployment is resumed',
} as const;

/** NewDeploymentCondition: both times `now`. */
export function newDeploymentCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: number): DeploymentCondition {
  const at = formatTime(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition, in place on `status`: a condition with the same status and reason as
 * the current one changes nothing (its times stay); the same status with a new reason keeps the
 * lastTransitionTime; anything else replaces it.
 */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

/** The revision annotation as a number (0 when absent or unreadable). */
export function revisionOf(object: KubeObject): number {
  const n = Number(object.metadata.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The highest revision among the ReplicaSets (MaxRevision). */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
}

/** A template without the pod-template-hash label, for comparisons. */
function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/** EqualIgnoreHash: the same template, whatever their pod-template-hash labels say. */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return deepHashString(withoutHash(a)) === deepHashString(withoutHash(b));
}

/**
 * The text a template's hash is computed over: every field, map keys sorted, so that equal
 * templates always print the same. Upstream (hashutil.DeepHashObject) prints the Go struct with
 * go-spew (`%#v`, sorted keys), which names Go types and every unset field; that text depends on the
 * Go structs of each Kubernetes release, so our hashes have upstream's shape (FNV-32a, safe-encoded)
 * but not its values.
 */
export function deepHashString(value: unknown): string {
  if (value === undefined) return 'nil';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(deepHashString).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${deepHashString(v)}`).join(',')}}`;
}

/** The number of replicas a Deployment wants (spec.replicas, 1 when unset as the apiserver defaults). */
export function desiredReplicas(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

/** The sum of spec.replicas of the ReplicaSets (GetReplicaCountForReplicaSets). */
export function specReplicasOf(rss: readonly ReplicaSet[]): number {
  return rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
}

/** The sum of status.availableReplicas (GetAvailableReplicaCountForReplicaSets). */
export function availableReplicasOf(rss: readonly ReplicaSet[]): number {
  return rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
}

/** True when the two statuses say the same (zero and absent counts are equal), as reflect.DeepEqual would after decoding. */
export function sameDeploymentStatus(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    collisionCount: s?.collisionCount ?? 0,
    conditions: s?.conditions ?? [],
  });
  return deepHashString(norm(a)) === deepHashString(norm(b));
}
