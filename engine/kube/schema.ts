/**
 * A small structural schema of the kinds the engine serves: which fields each object may have
 * (so `fieldValidation=Strict` can name an unknown field, as the real apiserver's strict decoder
 * does) and how lists merge under a strategic merge patch (the `patchStrategy`/`patchMergeKey`
 * struct tags of k8s.io/api, e.g. containers merge by `name`, container ports by `containerPort`).
 *
 * Node types:
 * - `object`: the listed fields; with `open: true` other fields are allowed too (not modelled);
 * - `map`: free string keys (labels, ConfigMap data), each value described by `values`;
 * - `list`: `items` describes each element; `mergeKey` (lists of objects) or `setMerge` (lists of
 *   strings such as finalizers) say the list merges under a strategic merge patch, otherwise a patch
 *   replaces it whole;
 * - `scalar`: a string, number or boolean, or with `of` exactly one of them (`int-or-string` for
 *   ports and percentages); `any`: not modelled, anything is accepted.
 *
 * What is modelled is exact for the fields it lists (checked against k8s.io/api v0.32); what is not
 * modelled is `any` or `open`, so a manifest from the Kubernetes documentation is never refused.
 */

export type SchemaNode =
  | { type: 'object'; fields: Record<string, SchemaNode>; open?: boolean }
  | { type: 'map'; values: SchemaNode }
  | { type: 'list'; items: SchemaNode; mergeKey?: string; setMerge?: boolean }
  | { type: 'scalar'; of?: ScalarKind }
  | { type: 'any' };

export type ScalarKind = 'string' | 'integer' | 'boolean' | 'int-or-string' | 'number';

export const any: SchemaNode = { type: 'any' };
export const scalar: SchemaNode = { type: 'scalar' };
const str: SchemaNode = { type: 'scalar', of: 'string' };
const int: SchemaNode = { type: 'scalar', of: 'integer' };
const bool: SchemaNode = { type: 'scalar', of: 'boolean' };
const intOrString: SchemaNode = { type: 'scalar', of: 'int-or-string' };
const stringMap: SchemaNode = { type: 'map', values: str };
const obj = (fields: Record<string, SchemaNode>, open = false): SchemaNode => ({ type: 'object', fields, ...(open ? { open } : {}) });
const list = (items: SchemaNode, mergeKey?: string): SchemaNode => ({ type: 'list', items, ...(mergeKey ? { mergeKey } : {}) });
const strs = (...names: string[]) => Object.fromEntries(names.map((n) => [n, str]));
const ints = (...names: string[]) => Object.fromEntries(names.map((n) => [n, int]));
const bools = (...names: string[]) => Object.fromEntries(names.map((n) => [n, bool]));
const anys = (...names: string[]) => Object.fromEntries(names.map((n) => [n, any]));

const ownerReference = obj({ ...strs('apiVersion', 'kind', 'name', 'uid'), ...bools('controller', 'blockOwnerDeletion') });

export const objectMeta = obj({
  ...strs('name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'),
  ...ints('generation', 'deletionGracePeriodSeconds'),
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: list(ownerReference, 'uid'),
  finalizers: { type: 'list', items: str, setMerge: true },
  managedFields: list(any),
});

const labelSelector = obj({ matchLabels: stringMap, matchExpressions: list(obj({ key: str, operator: str, values: list(str) })) });

const containerPort = obj({ ...strs('name', 'protocol', 'hostIP'), ...ints('hostPort', 'containerPort') });
const envVar = obj({ name: str, value: str, valueFrom: any });
const volumeMount = obj({ ...strs('name', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'), readOnly: bool });
const quantityMap: SchemaNode = { type: 'map', values: scalar };
const resources = obj({ limits: quantityMap, requests: quantityMap, claims: list(any) });

const containerFields = {
  ...strs('name', 'image', 'workingDir', 'restartPolicy', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy'),
  ...bools('stdin', 'stdinOnce', 'tty'),
  command: list(str),
  args: list(str),
  ports: list(containerPort, 'containerPort'),
  envFrom: list(any),
  env: list(envVar, 'name'),
  resources,
  resizePolicy: list(any),
  restartPolicyRules: list(any),
  volumeMounts: list(volumeMount, 'mountPath'),
  volumeDevices: list(any, 'devicePath'),
  ...anys('livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'securityContext'),
};
const container = obj(containerFields);
const ephemeralContainer = obj({ ...containerFields, targetContainerName: str });

const toleration = obj({ ...strs('key', 'operator', 'value', 'effect'), tolerationSeconds: int });

export const podSpec = obj({
  volumes: list(obj({ name: str }, true), 'name'),
  initContainers: list(container, 'name'),
  containers: list(container, 'name'),
  ephemeralContainers: list(ephemeralContainer, 'name'),
  ...strs('restartPolicy', 'dnsPolicy', 'serviceAccountName', 'serviceAccount', 'nodeName', 'hostname', 'subdomain', 'schedulerName',
    'priorityClassName', 'runtimeClassName', 'preemptionPolicy', 'hostnameOverride'),
  ...ints('terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'priority'),
  ...bools('automountServiceAccountToken', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'enableServiceLinks', 'setHostnameAsFQDN', 'hostUsers'),
  nodeSelector: stringMap,
  securityContext: any,
  imagePullSecrets: list(obj({ name: str }), 'name'),
  affinity: any,
  tolerations: list(toleration),
  hostAliases: list(obj({ ip: str, hostnames: list(str) }), 'ip'),
  dnsConfig: any,
  readinessGates: list(obj({ conditionType: str })),
  overhead: quantityMap,
  topologySpreadConstraints: list(any, 'topologyKey'),
  os: obj({ name: str }),
  schedulingGates: list(obj({ name: str }), 'name'),
  resourceClaims: list(any, 'name'),
  resources,
});

const conditionsStatus = obj({ conditions: list(any, 'type') }, true);

export const podTemplateSpec = obj({ metadata: objectMeta, spec: podSpec });

const top = (fields: Record<string, SchemaNode>): SchemaNode => obj({ apiVersion: str, kind: str, metadata: objectMeta, ...fields });

const jobSpec = obj({
  ...ints('parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'ttlSecondsAfterFinished'),
  ...bools('manualSelector', 'suspend'),
  ...strs('completionMode', 'podReplacementPolicy', 'managedBy'),
  podFailurePolicy: any,
  successPolicy: any,
  selector: labelSelector,
  template: podTemplateSpec,
});

const servicePort = obj({ ...strs('name', 'protocol', 'appProtocol'), ...ints('port', 'nodePort'), targetPort: intOrString });

/** Schemas by `apiVersion/kind`. */
export const SCHEMAS: Readonly<Record<string, SchemaNode>> = {
  'v1/Pod': top({ spec: podSpec, status: obj({ conditions: list(any, 'type') }, true) }),
  'v1/ConfigMap': top({ data: stringMap, binaryData: stringMap, immutable: bool }),
  'v1/Secret': top({ data: stringMap, stringData: stringMap, type: str, immutable: bool }),
  'v1/Namespace': top({ spec: obj({ finalizers: list(str) }), status: any }),
  'v1/Node': top({
    spec: obj({ ...strs('podCIDR', 'providerID', 'externalID'), unschedulable: bool, podCIDRs: list(str), taints: list(any), configSource: any }),
    status: obj({ conditions: list(any, 'type'), addresses: list(any, 'type') }, true),
  }),
  'v1/Service': top({
    spec: obj({
      ports: list(servicePort, 'port'),
      selector: stringMap,
      ...strs('clusterIP', 'type', 'sessionAffinity', 'loadBalancerIP', 'externalName', 'externalTrafficPolicy', 'ipFamilyPolicy', 'loadBalancerClass',
        'internalTrafficPolicy', 'trafficDistribution'),
      healthCheckNodePort: int,
      ...bools('publishNotReadyAddresses', 'allocateLoadBalancerNodePorts'),
      clusterIPs: list(str),
      externalIPs: list(str),
      loadBalancerSourceRanges: list(str),
      ipFamilies: list(str),
      sessionAffinityConfig: any,
    }),
    status: conditionsStatus,
  }),
  'v1/Endpoints': top({ subsets: list(any) }),
  'v1/Event': top({
    ...anys('involvedObject', 'source', 'series', 'related'),
    ...strs('reason', 'message', 'firstTimestamp', 'lastTimestamp', 'type', 'eventTime', 'action', 'reportingComponent', 'reportingInstance'),
    count: int,
  }),
  'v1/ServiceAccount': top({ secrets: list(any), imagePullSecrets: list(obj({ name: str })), automountServiceAccountToken: bool }),
  'v1/PersistentVolume': top({ spec: any, status: any }),
  'v1/PersistentVolumeClaim': top({ spec: any, status: any }),
  'v1/Binding': top({ target: obj(strs('kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath')) }),
  'apps/v1/Deployment': top({
    spec: obj({
      ...ints('replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'),
      paused: bool,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
    }),
    status: conditionsStatus,
  }),
  'apps/v1/ReplicaSet': top({ spec: obj({ ...ints('replicas', 'minReadySeconds'), selector: labelSelector, template: podTemplateSpec }), status: conditionsStatus }),
  'apps/v1/StatefulSet': top({
    spec: obj({
      ...ints('replicas', 'revisionHistoryLimit', 'minReadySeconds'),
      ...strs('serviceName', 'podManagementPolicy'),
      selector: labelSelector,
      template: podTemplateSpec,
      volumeClaimTemplates: list(any),
      ...anys('updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'ordinals'),
    }),
    status: conditionsStatus,
  }),
  'apps/v1/DaemonSet': top({
    spec: obj({ ...ints('minReadySeconds', 'revisionHistoryLimit'), selector: labelSelector, template: podTemplateSpec, updateStrategy: any }),
    status: conditionsStatus,
  }),
  'batch/v1/Job': top({ spec: jobSpec, status: conditionsStatus }),
  'batch/v1/CronJob': top({
    spec: obj({
      ...strs('schedule', 'timeZone', 'concurrencyPolicy'),
      ...ints('startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'),
      suspend: bool,
      jobTemplate: obj({ metadata: objectMeta, spec: jobSpec }),
    }),
    status: any,
  }),
  'coordination.k8s.io/v1/Lease': top({
    spec: obj({ ...strs('holderIdentity', 'acquireTime', 'renewTime', 'strategy', 'preferredHolder'), ...ints('leaseDurationSeconds', 'leaseTransitions') }),
  }),
  'discovery.k8s.io/v1/EndpointSlice': top({ addressType: str, endpoints: list(any), ports: list(any) }),
  'rbac.authorization.k8s.io/v1/Role': top({ rules: list(any) }),
  'rbac.authorization.k8s.io/v1/ClusterRole': top({ rules: list(any), aggregationRule: any }),
  'rbac.authorization.k8s.io/v1/RoleBinding': top({ subjects: list(any), roleRef: any }),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': top({ subjects: list(any), roleRef: any }),
  'storage.k8s.io/v1/StorageClass': top({
    ...strs('provisioner', 'reclaimPolicy', 'volumeBindingMode'),
    allowVolumeExpansion: bool,
    parameters: stringMap,
    mountOptions: list(str),
    allowedTopologies: list(any),
  }),
  'autoscaling/v1/Scale': top({ spec: obj({ replicas: int }), status: any }),
};

/** The schema of a kind, or `any` for kinds not modelled (nothing is refused, lists replace). */
export function schemaFor(apiVersion: string, kind: string): SchemaNode {
  return SCHEMAS[`${apiVersion}/${kind}`] ?? obj({ apiVersion: str, kind: str, metadata: objectMeta }, true);
}
