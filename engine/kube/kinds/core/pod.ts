/**
 * core/v1 Pod: one or more containers that run together on a node.
 * Upstream: pkg/registry/core/pod (strategy.go, storage/storage.go), pkg/apis/core/v1/defaults.go,
 * and the admission plugins that apply to pods only (ServiceAccount, DefaultTolerationSeconds,
 * Priority, LimitRanger). The pod spec's own defaults and validation are the learner's (03-validation).
 */
import { canonical } from '../../canonical.ts';
import { forbiddenField, required } from '../../field-errors.ts';
import { f, PodSpec as PodSpecMessage, withMeta } from '../../protobuf.ts';
import { any, list, obj, podSpec, top } from '../../schema-nodes.ts';
import type { Pod, PodSpec, PriorityClass, StatusCause } from '../../types.ts';
import { defineKind, readPath, statusSubresource } from '../define.ts';
import { admitPodPriority, PRIORITY_CLASSES } from '../scheduling/priorityclass.ts';
import { checkPodLimits, defaultPodResources } from './limitrange.ts';
import { POD_PRINTER } from './pod-printer.ts';
import { podStatusIPCauses } from './pod-status-ips.ts';
import { POD_SUBRESOURCES } from './pod-subresources.ts';
import { deletionCostCauses } from '../../validation/pod-deletion-cost.ts';
import { podOnlyCauses } from '../../validation/pod-spec.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The QoS class of a pod (pkg/apis/core/v1/helper/qos): Guaranteed, Burstable or BestEffort. */
function qosClass(spec: PodSpec): string {
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const any = all.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) => {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    return ['cpu', 'memory'].every((r) => lim[r] !== undefined && (req[r] === undefined || req[r] === lim[r]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The tolerations the DefaultTolerationSeconds admission plugin adds to every pod. */
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 300 },
];

/**
 * What pods get and pod templates do not: enableServiceLinks (SetDefaults_Pod), the service account
 * (the ServiceAccount admission plugin) and the not-ready/unreachable tolerations
 * (DefaultTolerationSeconds). Priority is the Priority plugin's (admission below).
 */
function admitPodDefaults(input: PodSpec): PodSpec {
  const spec: PodSpec = { ...input };
  spec.enableServiceLinks ??= true;
  spec.serviceAccountName ??= (spec.serviceAccount as string | undefined) ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of DEFAULT_TOLERATIONS) if (!tolerations.some((have) => have.key === t.key)) tolerations.push({ ...t });
  spec.tolerations = tolerations;
  return spec;
}

/** Pod fields that an update may change (ValidatePodUpdate). */
function podUpdateCauses(object: Any, old: Any): StatusCause[] {
  const strip = (spec: Any) => {
    const s = structuredClone(spec ?? {});
    for (const list of ['containers', 'initContainers']) for (const c of s[list] ?? []) delete c.image;
    delete s.activeDeadlineSeconds;
    delete s.tolerations;
    delete s.terminationGracePeriodSeconds;
    return canonical(s);
  };
  if (strip(object.spec) === strip(old.spec)) return [];
  return [
    forbiddenField(
      'spec',
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ),
  ];
}

function validatePod(pod: Pod, validatePodSpec: (spec: PodSpec, path: string) => StatusCause[], old?: Pod): StatusCause[] {
  if (!pod.spec || typeof pod.spec !== 'object') return [required('spec')];
  // ValidatePodSpecificAnnotations (the deletion cost; one already unreadable before an update may stay),
  // ValidatePodSpec, then validateContainersOnlyForPod (an image with spaces around it is refused in a pod only).
  return [
    ...deletionCostCauses(pod.metadata?.annotations, 'metadata.annotations', old ? (old.metadata?.annotations ?? {}) : undefined),
    ...validatePodSpec(pod.spec, 'spec'),
    ...podOnlyCauses(pod.spec, 'spec'),
  ];
}

export const PODS = defineKind<Pod>({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: [...POD_SUBRESOURCES, statusSubresource('Pod')],
  resetStatusOnCreate: true,
  // podStatusStrategy.GetResetFields: a status write leaves the spec, the deletion mark and the owners.
  statusResets: [
    ['metadata', 'deletionTimestamp'],
    ['metadata', 'ownerReferences'],
  ],
  returnDeletedObject: true,
  fields: {
    'spec.nodeName': readPath('spec.nodeName'),
    'spec.restartPolicy': readPath('spec.restartPolicy'),
    'spec.schedulerName': readPath('spec.schedulerName'),
    'spec.serviceAccountName': readPath('spec.serviceAccountName'),
    'spec.hostNetwork': readPath('spec.hostNetwork', 'false'),
    'status.phase': readPath('status.phase'),
    'status.podIP': readPath('status.podIP'),
    'status.nominatedNodeName': readPath('status.nominatedNodeName'),
  },
  schema: top({ spec: podSpec, status: obj({ conditions: list(any, 'type') }, true) }),
  protobuf: withMeta({ 2: f('spec', PodSpecMessage) }),
  strategy: {
    defaults(input, fns) {
      const object: Any = { ...input };
      if (object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec)) {
        object.spec = admitPodDefaults(fns.defaultPodSpec({ ...object.spec } as PodSpec));
        const status: Any = { ...(object.status ?? {}) };
        status.phase ??= 'Pending';
        status.qosClass ??= qosClass(object.spec);
        object.status = status;
      }
      return object as Pod;
    },
    validate: (pod, fns) => validatePod(pod, fns.validatePodSpec),
    validateUpdate: (pod, old, fns) => {
      const causes = validatePod(pod, fns.validatePodSpec, old);
      if (pod.spec && typeof pod.spec === 'object') causes.push(...podUpdateCauses(pod, old));
      return causes;
    },
    validateStatusUpdate: (pod) => podStatusIPCauses(pod),
  },
  admission: (env) => ({
    create: (pod) => {
      // LimitRanger may add requests and limits: the QoS class (PrepareForCreate's) follows them.
      if (defaultPodResources(env, pod) && pod.status) pod.status = { ...pod.status, qosClass: qosClass(pod.spec) };
      admitPodPriority(pod, env.cached(PRIORITY_CLASSES) as PriorityClass[]);
    },
    validateCreate: (pod) => checkPodLimits(env, pod),
  }),
  printer: POD_PRINTER,
});
