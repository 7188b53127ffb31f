/**
 * Per-kind behaviour, after the real apiserver's "strategies" (pkg/registry/<group>/<kind>/strategy.go):
 * what a create starts from, which defaults each kind gets, and what each kind must satisfy.
 * The pieces the learner writes in 03-validation (pod spec defaults, object metadata and pod spec
 * validation) are called through the loaded component; the rest (workload selectors, Service ports,
 * ConfigMap keys, immutable fields) is given here.
 *
 * Every function is pure and returns new objects; nothing here touches the store.
 */
import type { ApiserverExercises, NameRule } from './exercises.ts';
import { duplicate, forbiddenField, immutable, invalidValue, notSupported, required } from '../kube/field-errors.ts';
import type { ResourceInfo } from '../kube/resources.ts';
import type { KubeObject, PodSpec, StatusCause } from '../kube/types.ts';
import type { ObjectsExercises } from '../objects/exercises.ts';
import type { LabelSelector, StringMap } from '../objects/types.ts';
import { SERVICE_NODE_PORT_RANGE } from '../params.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const clone = <T>(v: T): T => structuredClone(v);

/** JSON with object keys sorted: equal values give equal text whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The naming rule of a resource's objects (ValidateObjectMeta's nameFn). */
export function nameRuleFor(info: ResourceInfo): NameRule {
  if (info.resource === 'namespaces') return 'dns1123-label';
  if (info.resource === 'services') return 'dns1035-label';
  if (info.group === 'rbac.authorization.k8s.io') return 'path-segment';
  return 'dns1123-subdomain';
}

/** The status a new object of this kind starts from (the client's status is dropped). */
export function prepareForCreate(info: ResourceInfo, object: KubeObject): KubeObject {
  if (!info.resetStatusOnCreate) return object;
  const next = { ...object };
  delete next.status;
  return next;
}

function defaultTemplate(impl: ApiserverExercises, template: Any | undefined): Any | undefined {
  if (!template || typeof template !== 'object') return template;
  const spec = template.spec;
  return { ...template, spec: spec && typeof spec === 'object' ? impl.defaultPodSpec(spec as PodSpec) : spec };
}

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
 * (DefaultTolerationSeconds). Priority is the Priority plugin's (priority.ts).
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

/** Kubernetes' defaults for an object (SetObjectDefaults_* and the defaulting admission plugins). */
export function defaultObject(impl: ApiserverExercises, info: ResourceInfo, input: KubeObject): KubeObject {
  const object: Any = { ...input };
  const spec: Any | undefined = object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? { ...object.spec } : undefined;
  switch (`${info.group}/${info.kind}`) {
    case '/Pod': {
      if (spec) {
        object.spec = admitPodDefaults(impl.defaultPodSpec(spec as PodSpec));
        const status: Any = { ...(object.status ?? {}) };
        status.phase ??= 'Pending';
        status.qosClass ??= qosClass(object.spec);
        object.status = status;
      }
      return object as KubeObject;
    }
    case 'apps/Deployment':
      if (spec) {
        spec.replicas ??= 1;
        spec.strategy = { ...(spec.strategy ?? {}) };
        spec.strategy.type ??= 'RollingUpdate';
        if (spec.strategy.type === 'RollingUpdate') spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(spec.strategy.rollingUpdate ?? {}) };
        spec.revisionHistoryLimit ??= 10;
        spec.progressDeadlineSeconds ??= 600;
        spec.template = defaultTemplate(impl, spec.template);
      }
      break;
    case 'apps/ReplicaSet':
      if (spec) {
        spec.replicas ??= 1;
        spec.template = defaultTemplate(impl, spec.template);
      }
      break;
    case 'apps/StatefulSet':
      if (spec) {
        spec.replicas ??= 1;
        spec.podManagementPolicy ??= 'OrderedReady';
        spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
        spec.revisionHistoryLimit ??= 10;
        spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
        spec.template = defaultTemplate(impl, spec.template);
      }
      break;
    case 'apps/DaemonSet':
      if (spec) {
        spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
        spec.revisionHistoryLimit ??= 10;
        spec.template = defaultTemplate(impl, spec.template);
      }
      break;
    case 'batch/Job':
      if (spec) {
        if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
        spec.parallelism ??= 1;
        spec.backoffLimit ??= 6;
        spec.completionMode ??= 'NonIndexed';
        spec.suspend ??= false;
        spec.podReplacementPolicy ??= 'TerminatingOrFailed';
        spec.template = defaultTemplate(impl, spec.template);
      }
      break;
    case 'batch/CronJob':
      if (spec) {
        spec.concurrencyPolicy ??= 'Allow';
        spec.suspend ??= false;
        spec.successfulJobsHistoryLimit ??= 3;
        spec.failedJobsHistoryLimit ??= 1;
        if (spec.jobTemplate?.spec) spec.jobTemplate = { ...spec.jobTemplate, spec: { ...spec.jobTemplate.spec, template: defaultTemplate(impl, spec.jobTemplate.spec.template) } };
      }
      break;
    case '/Service':
      if (spec) {
        spec.type ??= 'ClusterIP';
        if (spec.type !== 'ExternalName') {
          spec.sessionAffinity ??= 'None';
          spec.ipFamilies ??= ['IPv4'];
          spec.ipFamilyPolicy ??= 'SingleStack';
          spec.internalTrafficPolicy ??= 'Cluster';
          if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
        }
        if (Array.isArray(spec.ports)) {
          spec.ports = spec.ports.map((p: Any) => (p && typeof p === 'object' ? { ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port } : p));
        }
      }
      object.status ??= { loadBalancer: {} };
      break;
    case '/Namespace':
      object.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      object.status = { phase: 'Active', ...(object.status ?? {}) };
      return object as KubeObject;
    case '/Secret': {
      object.type ??= 'Opaque';
      if (object.stringData && typeof object.stringData === 'object') {
        const data: Any = { ...(object.data ?? {}) };
        for (const [k, v] of Object.entries(object.stringData as StringMap)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        object.data = data;
        delete object.stringData;
      }
      return object as KubeObject;
    }
    case '/Node': {
      const status: Any | undefined = object.status && typeof object.status === 'object' ? { ...object.status } : undefined;
      if (status?.capacity && !status.allocatable) status.allocatable = clone(status.capacity);
      if (status) object.status = status;
      return object as KubeObject;
    }
    case '/PersistentVolume':
      if (spec) {
        spec.persistentVolumeReclaimPolicy ??= 'Retain';
        spec.volumeMode ??= 'Filesystem';
      }
      object.status = { phase: 'Pending', ...(object.status ?? {}) };
      break;
    case '/PersistentVolumeClaim':
      if (spec) spec.volumeMode ??= 'Filesystem';
      object.status = { phase: 'Pending', ...(object.status ?? {}) };
      break;
    case 'storage.k8s.io/StorageClass':
      object.reclaimPolicy ??= 'Delete';
      object.volumeBindingMode ??= 'Immediate';
      return object as KubeObject;
  }
  if (spec) object.spec = spec;
  return object as KubeObject;
}

function selectorIsEmpty(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

function showSelector(selector: LabelSelector | undefined): string {
  return `v1.LabelSelector{MatchLabels:${JSON.stringify(selector?.matchLabels ?? null)}, MatchExpressions:${JSON.stringify(selector?.matchExpressions ?? null)}}`;
}

function validateReplicas(value: unknown, field: string): StatusCause[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return [invalidValue(field, value, 'must be greater than or equal to 0')];
  return [];
}

function validateTemplated(impl: ApiserverExercises, objects: ObjectsExercises, object: Any, old: Any | undefined, allowedRestart: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = object.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const kind = object.kind as string;
  const selector: LabelSelector | undefined = spec.selector;
  const autoSelector = kind === 'Job' && spec.manualSelector !== true;
  if (!autoSelector) {
    if (!selector) causes.push(required('spec.selector'));
    else if (selectorIsEmpty(selector)) causes.push(invalidValue('spec.selector', showSelector(selector), `empty selector is invalid for ${kind.toLowerCase()}`));
  }
  causes.push(...validateReplicas(spec.replicas, 'spec.replicas'));
  const template = spec.template;
  if (!template || typeof template !== 'object') {
    causes.push(required('spec.template'));
    return causes;
  }
  const labels: StringMap = template.metadata?.labels ?? {};
  if (selector && !selectorIsEmpty(selector)) {
    let matches = false;
    try {
      matches = objects.matchesSelector(selector, labels);
    } catch (error) {
      causes.push(invalidValue('spec.selector', showSelector(selector), (error as Error).message));
      matches = true;
    }
    if (!matches) causes.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (!template.spec || typeof template.spec !== 'object') causes.push(required('spec.template.spec'));
  else {
    causes.push(...impl.validatePodSpec(template.spec as PodSpec, 'spec.template.spec'));
    const restart = template.spec.restartPolicy;
    if (restart !== undefined && !allowedRestart.includes(restart)) {
      causes.push(kind === 'Job' ? required('spec.template.spec.restartPolicy', `valid values: ${allowedRestart.map((r) => JSON.stringify(r)).join(', ')}`) : notSupported('spec.template.spec.restartPolicy', restart, allowedRestart));
    }
  }
  if (old && kind !== 'Job' && canonical(old.spec?.selector) !== canonical(selector)) {
    causes.push(invalidValue('spec.selector', showSelector(selector), 'field is immutable'));
  }
  return causes;
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
function validateDataKeys(object: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const field of ['data', 'binaryData']) {
    for (const key of Object.keys(object[field] ?? {})) {
      if (!CONFIG_KEY.test(key) || key.length > 253) {
        causes.push(invalidValue(`${field}[${key}]`, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      }
      if (seen.has(key)) causes.push(duplicate(`${field}[${key}]`, key));
      seen.add(key);
    }
  }
  return causes;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateService(object: Any, old: Any | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = object.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) causes.push(notSupported('spec.type', type, SERVICE_TYPES));
  const ports: Any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && type !== 'ExternalName' && !headless) causes.push(required('spec.ports'));
  if (type === 'ExternalName' && !spec.externalName) causes.push(required('spec.externalName'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) causes.push(required(`${at}.name`));
    if (p?.name) {
      if (names.has(p.name)) causes.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) causes.push(invalidValue(`${at}.port`, p?.port, 'must be between 1 and 65535, inclusive'));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    const target = p?.targetPort;
    if (typeof target === 'number' && (!Number.isInteger(target) || target < 1 || target > 65535)) {
      causes.push(invalidValue(`${at}.targetPort`, target, 'must be between 1 and 65535, inclusive'));
    } else if (typeof target === 'string' && !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(target)) {
      causes.push(invalidValue(`${at}.targetPort`, target, 'must be no more than 15 characters, contain only lowercase alphanumerics or \'-\', and start and end with an alphanumeric'));
    }
    if (p?.nodePort !== undefined && p.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') causes.push(forbiddenField(`${at}.nodePort`, 'may not be used when `type` is \'ClusterIP\''));
      else if (!Number.isInteger(p.nodePort) || p.nodePort < SERVICE_NODE_PORT_RANGE.first || p.nodePort > SERVICE_NODE_PORT_RANGE.last) {
        causes.push(invalidValue(`${at}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${SERVICE_NODE_PORT_RANGE.first}-${SERVICE_NODE_PORT_RANGE.last}`));
      }
    }
  });
  if (old?.spec?.clusterIP && spec.clusterIP !== undefined && spec.clusterIP !== old.spec.clusterIP && type !== 'ExternalName' && old.spec.type !== 'ExternalName') {
    causes.push(invalidValue('spec.clusterIPs[0]', [spec.clusterIP], 'may not change once set'));
  }
  return causes;
}

/** Pod fields that an update may change (ValidatePodUpdate). */
function podUpdateCauses(object: Any, old: Any): StatusCause[] {
  const strip = (spec: Any) => {
    const s = clone(spec ?? {});
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

/**
 * Every problem with an object about to be stored (create: `old` undefined; update: the stored one).
 * Metadata and pod specs go through the learner's 03-validation functions.
 */
export function validateObject(impl: ApiserverExercises, objects: ObjectsExercises, info: ResourceInfo, input: KubeObject, old?: KubeObject): StatusCause[] {
  const object = input as Any;
  const causes = impl.validateObjectMeta(object.metadata ?? {}, { namespaced: info.namespaced, nameRule: nameRuleFor(info) });
  switch (`${info.group}/${info.kind}`) {
    case '/Pod':
      if (!object.spec || typeof object.spec !== 'object') causes.push(required('spec'));
      else {
        causes.push(...impl.validatePodSpec(object.spec as PodSpec, 'spec'));
        if (old) causes.push(...podUpdateCauses(object, old as Any));
      }
      break;
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/StatefulSet':
    case 'apps/DaemonSet':
      causes.push(...validateTemplated(impl, objects, object, old as Any | undefined, ['Always']));
      break;
    case 'batch/Job': {
      causes.push(...validateTemplated(impl, objects, object, old as Any | undefined, ['OnFailure', 'Never']));
      for (const field of ['parallelism', 'completions', 'backoffLimit']) causes.push(...validateReplicas(object.spec?.[field], `spec.${field}`));
      break;
    }
    case 'batch/CronJob': {
      const schedule = object.spec?.schedule;
      if (!schedule) causes.push(required('spec.schedule'));
      else if (typeof schedule !== 'string' || (!schedule.startsWith('@') && schedule.trim().split(/\s+/).length !== 5)) {
        causes.push(invalidValue('spec.schedule', schedule, 'unparseable schedule: expected exactly 5 fields or a descriptor such as @hourly'));
      }
      if (!object.spec?.jobTemplate?.spec?.template?.spec) causes.push(required('spec.jobTemplate.spec.template.spec'));
      else causes.push(...impl.validatePodSpec(object.spec.jobTemplate.spec.template.spec, 'spec.jobTemplate.spec.template.spec'));
      break;
    }
    case '/Service':
      causes.push(...validateService(object, old as Any | undefined));
      break;
    case '/ConfigMap':
    case '/Secret': {
      causes.push(...validateDataKeys(object));
      if (info.kind === 'Secret' && old && (old as Any).type !== object.type) causes.push(immutable('type', object.type));
      if (old && (old as Any).immutable === true) {
        for (const field of ['data', 'binaryData', 'immutable']) {
          if (canonical((old as Any)[field]) !== canonical(object[field])) causes.push(forbiddenField(field, 'field is immutable when `immutable` is set'));
        }
      }
      if (info.kind === 'Secret') {
        for (const [key, value] of Object.entries(object.data ?? {})) {
          if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
            causes.push(invalidValue(`data[${key}]`, '<secret contents redacted>', 'must be base64-encoded data'));
          }
        }
      }
      break;
    }
  }
  return causes;
}
