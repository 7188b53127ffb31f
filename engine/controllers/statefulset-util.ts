/**
 * StatefulSet helpers (given, not graded), after kubernetes pkg/controller/statefulset/
 * stateful_set_utils.go (getParentNameAndOrdinal, newStatefulSetPod, initIdentity, getPodRevision,
 * newRevision, ApplyRevision, isRunningAndReady) and pkg/controller/history (NewControllerRevision,
 * FindEqualRevisions): a pod's ordinal and revision, the pod of an ordinal, the ControllerRevision
 * of a template and the template of a revision. Pure functions; nothing is modified in place.
 */
import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet } from '../kube/types.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from './daemon-util.ts';
import { deepHashString } from './deployment-util.ts';
import { isPodReady, newControllerRef, podFromTemplate } from './pods.ts';

export { CONTROLLER_REVISION_HASH_LABEL };
/** The label naming a stateful pod (statefulset.kubernetes.io/pod-name): a Service can select one pod. */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** The label holding a stateful pod's ordinal (apps.kubernetes.io/pod-index). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The label on a ControllerRevision holding its hash (controller.kubernetes.io/hash). */
export const CONTROLLER_REVISION_HASH_KEY = 'controller.kubernetes.io/hash';

/** getParentNameAndOrdinal: the ordinal of a pod named `<set>-<n>` of this set; undefined for any other name. */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? '');
  if (!m || m[1] !== set.metadata.name) return undefined;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** getPodRevision: the revision a pod was made from (its controller-revision-hash label). */
export function revisionOfPod(pod: Pod): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

/** isRunningAndReady: phase Running and the Ready condition True. */
export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/**
 * newVersionedStatefulSetPod: the pod `<set>-<ordinal>` from `template` (the template of its
 * revision), controlled by the set, with its identity (hostname, subdomain = serviceName, the
 * pod-name and pod-index labels) and the controller-revision-hash label set to `revision`.
 */
export function statefulSetPod(set: StatefulSet, template: PodTemplateSpec, ordinal: number, revision: string): Pod {
  const pod = podFromTemplate(template, set, newControllerRef(set, 'apps/v1', 'StatefulSet'));
  const name = `${set.metadata.name}-${ordinal}`;
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH_LABEL]: revision };
  pod.spec.hostname = name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  return pod;
}

/**
 * newRevision: the ControllerRevision `<set>-<hash>` of the set's current template, number
 * `revision`, owned by the set, labelled with the template's labels and its hash; its data is the
 * patch that puts the template back: { spec: { template: { ..., $patch: replace } } }.
 */
export function newRevision(set: StatefulSet, revision: number, hash: string): ControllerRevision {
  const template = structuredClone(set.spec.template);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${set.metadata.name}-${hash}`,
      namespace: set.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_KEY]: hash },
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    data: { spec: { template: { ...template, $patch: 'replace' } } },
    revision,
  };
}

/** ApplyRevision: the pod template a revision holds. */
export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec {
  const data = revision.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined;
  const template: PodTemplateSpec & { $patch?: string } = structuredClone(data?.spec?.template ?? { spec: { containers: [] } });
  delete template.$patch;
  return template;
}

/** FindEqualRevisions' test: the revision holds exactly this template. */
export function revisionHoldsTemplate(revision: ControllerRevision, template: PodTemplateSpec): boolean {
  return deepHashString(templateOfRevision(revision)) === deepHashString(template);
}
