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
 * - `scalar`: a string, number or boolean; `any`: not modelled, anything is accepted.
 *
 * What is modelled is exact for the fields it lists (checked against k8s.io/api v0.32); what is not
 * modelled is `any` or `open`, so a manifest from the Kubernetes documentation is never refused.
 */

export type SchemaNode =
  | { type: 'object'; fields: Record<string, SchemaNode>; open?: boolean }
  | { type: 'map'; values: SchemaNode }
  | { type: 'list'; items: SchemaNode; mergeKey?: string; setMerge?: boolean }
  | { type: 'scalar' }
  | { type: 'any' };

export const any: SchemaNode = { type: 'any' };
export const scalar: SchemaNode = { type: 'scalar' };
const stringMap: SchemaNode = { type: 'map', values: scalar };
const obj = (fields: Record<string, SchemaNode>, open = false): SchemaNode => ({ type: 'object', fields, ...(open ? { open } : {}) });
const list = (items: SchemaNode, mergeKey?: string): SchemaNode => ({ type: 'list', items, ...(mergeKey ? { mergeKey } : {}) });
const scalars = (...names: string[]) => Object.fromEntries(names.map((n) => [n, scalar]));
const anys = (...names: string[]) => Object.fromEntries(names.map((n) => [n, any]));

const ownerReference = obj(scalars('apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'));

export const objectMeta = obj({
  ...scalars('name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'),
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: list(ownerReference, 'uid'),
  finalizers: { type: 'list', items: scalar, setMerge: true },
  managedFields: list(any),
});

const labelSelector = obj({ matchLabels: stringMap, matchExpressions: list(obj({ key: scalar, operator: scalar, values: list(scalar) })) });

const containerPort = obj(scalars('name', 'hostPort', 'containerPort', 'protocol', 'hostIP'));
const envVar = obj({ name: scalar, value: scalar, valueFrom: any });
const volumeMount = obj(scalars('name', 'readOnly', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'));
const quantityMap: SchemaNode = { type: 'map', values: scalar };
const resources = obj({ limits: quantityMap, requests: quantityMap, claims: list(any) });

const containerFields = {
  ...scalars('name', 'image', 'workingDir', 'restartPolicy', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'stdin', 'stdinOnce', 'tty'),
  command: list(scalar),
  args: list(scalar),
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
const ephemeralContainer = obj({ ...containerFields, targetContainerName: scalar });

const toleration = obj(scalars('key', 'operator', 'value', 'effect', 'tolerationSeconds'));

export const podSpec = obj({
  volumes: list(obj({ name: scalar }, true), 'name'),
  initContainers: list(container, 'name'),
  containers: list(container, 'name'),
  ephemeralContainers: list(ephemeralContainer, 'name'),
  ...scalars('restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'dnsPolicy', 'serviceAccountName', 'serviceAccount',
    'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'hostname', 'subdomain',
    'schedulerName', 'priorityClassName', 'priority', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'setHostnameAsFQDN',
    'hostUsers', 'hostnameOverride'),
  nodeSelector: stringMap,
  securityContext: any,
  imagePullSecrets: list(obj({ name: scalar }), 'name'),
  affinity: any,
  tolerations: list(toleration),
  hostAliases: list(obj({ ip: scalar, hostnames: list(scalar) }), 'ip'),
  dnsConfig: any,
  readinessGates: list(obj({ conditionType: scalar })),
  overhead: quantityMap,
  topologySpreadConstraints: list(any, 'topologyKey'),
  os: obj({ name: scalar }),
  schedulingGates: list(obj({ name: scalar }), 'name'),
  resourceClaims: list(any, 'name'),
  resources,
});

const conditionsStatus = obj({ conditions: list(any, 'type') }, true);

export const podTemplateSpec = obj({ metadata: objectMeta, spec: podSpec });

const top = (fields: Record<string, SchemaNode>): SchemaNode => obj({ apiVersion: scalar, kind: scalar, metadata: objectMeta, ...fields });

const jobSpec = obj({
  ...scalars('parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'manualSelector',
    'ttlSecondsAfterFinished', 'completionMode', 'suspend', 'podReplacementPolicy', 'managedBy'),
  podFailurePolicy: any,
  successPolicy: any,
  selector: labelSelector,
  template: podTemplateSpec,
});

const servicePort = obj({ ...scalars('name', 'protocol', 'appProtocol', 'port', 'nodePort'), targetPort: scalar });

/** Schemas by `apiVersion/kind`. */
export const SCHEMAS: Readonly<Record<string, SchemaNode>> = {
  'v1/Pod': top({ spec: podSpec, status: obj({ conditions: list(any, 'type') }, true) }),
  'v1/ConfigMap': top({ data: stringMap, binaryData: stringMap, immutable: scalar }),
  'v1/Secret': top({ data: stringMap, stringData: stringMap, type: scalar, immutable: scalar }),
  'v1/Namespace': top({ spec: obj({ finalizers: list(scalar) }), status: any }),
  'v1/Node': top({
    spec: obj({ ...scalars('podCIDR', 'providerID', 'unschedulable', 'externalID'), podCIDRs: list(scalar), taints: list(any), configSource: any }),
    status: obj({ conditions: list(any, 'type'), addresses: list(any, 'type') }, true),
  }),
  'v1/Service': top({
    spec: obj({
      ports: list(servicePort, 'port'),
      selector: stringMap,
      ...scalars('clusterIP', 'type', 'sessionAffinity', 'loadBalancerIP', 'externalName', 'externalTrafficPolicy', 'healthCheckNodePort',
        'publishNotReadyAddresses', 'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution'),
      clusterIPs: list(scalar),
      externalIPs: list(scalar),
      loadBalancerSourceRanges: list(scalar),
      ipFamilies: list(scalar),
      sessionAffinityConfig: any,
    }),
    status: conditionsStatus,
  }),
  'v1/Endpoints': top({ subsets: list(any) }),
  'v1/Event': top({
    ...anys('involvedObject', 'source', 'series', 'related'),
    ...scalars('reason', 'message', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'action', 'reportingComponent', 'reportingInstance'),
  }),
  'v1/ServiceAccount': top({ secrets: list(any), imagePullSecrets: list(obj({ name: scalar })), automountServiceAccountToken: scalar }),
  'v1/PersistentVolume': top({ spec: any, status: any }),
  'v1/PersistentVolumeClaim': top({ spec: any, status: any }),
  'v1/Binding': top({ target: obj(scalars('kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath')) }),
  'apps/v1/Deployment': top({
    spec: obj({
      ...scalars('replicas', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'),
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: obj({ type: scalar, rollingUpdate: obj(scalars('maxUnavailable', 'maxSurge')) }),
    }),
    status: conditionsStatus,
  }),
  'apps/v1/ReplicaSet': top({ spec: obj({ ...scalars('replicas', 'minReadySeconds'), selector: labelSelector, template: podTemplateSpec }), status: conditionsStatus }),
  'apps/v1/StatefulSet': top({
    spec: obj({
      ...scalars('replicas', 'serviceName', 'podManagementPolicy', 'revisionHistoryLimit', 'minReadySeconds'),
      selector: labelSelector,
      template: podTemplateSpec,
      volumeClaimTemplates: list(any),
      ...anys('updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'ordinals'),
    }),
    status: conditionsStatus,
  }),
  'apps/v1/DaemonSet': top({
    spec: obj({ ...scalars('minReadySeconds', 'revisionHistoryLimit'), selector: labelSelector, template: podTemplateSpec, updateStrategy: any }),
    status: conditionsStatus,
  }),
  'batch/v1/Job': top({ spec: jobSpec, status: conditionsStatus }),
  'batch/v1/CronJob': top({
    spec: obj({
      ...scalars('schedule', 'timeZone', 'startingDeadlineSeconds', 'concurrencyPolicy', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'),
      jobTemplate: obj({ metadata: objectMeta, spec: jobSpec }),
    }),
    status: any,
  }),
  'coordination.k8s.io/v1/Lease': top({
    spec: obj(scalars('holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions', 'strategy', 'preferredHolder')),
  }),
  'discovery.k8s.io/v1/EndpointSlice': top({ addressType: scalar, endpoints: list(any), ports: list(any) }),
  'rbac.authorization.k8s.io/v1/Role': top({ rules: list(any) }),
  'rbac.authorization.k8s.io/v1/ClusterRole': top({ rules: list(any), aggregationRule: any }),
  'rbac.authorization.k8s.io/v1/RoleBinding': top({ subjects: list(any), roleRef: any }),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': top({ subjects: list(any), roleRef: any }),
  'storage.k8s.io/v1/StorageClass': top({
    ...scalars('provisioner', 'reclaimPolicy', 'allowVolumeExpansion', 'volumeBindingMode'),
    parameters: stringMap,
    mountOptions: list(scalar),
    allowedTopologies: list(any),
  }),
  'autoscaling/v1/Scale': top({ spec: obj({ replicas: scalar }), status: any }),
};

/** The schema of a kind, or `any` for kinds not modelled (nothing is refused, lists replace). */
export function schemaFor(apiVersion: string, kind: string): SchemaNode {
  return SCHEMAS[`${apiVersion}/${kind}`] ?? obj({ apiVersion: scalar, kind: scalar, metadata: objectMeta }, true);
}
