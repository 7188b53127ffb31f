/**
 * The pieces of the structural schemas the engine serves: the node types, their builders, and the
 * nodes many kinds share (ObjectMeta, LabelSelector, PodSpec, PodTemplateSpec). Each kind's own
 * schema is in its definition (engine/kube/kinds/); schema.ts looks a kind's schema up.
 *
 * A schema says which fields each object may have (so `fieldValidation=Strict` can name an unknown
 * field, as the real apiserver's strict decoder does), their JSON types (the decoder's type check),
 * and how lists merge under a strategic merge patch (the `patchStrategy`/`patchMergeKey` struct
 * tags of k8s.io/api, e.g. containers merge by `name`, container ports by `containerPort`).
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
export const str: SchemaNode = { type: 'scalar', of: 'string' };
export const int: SchemaNode = { type: 'scalar', of: 'integer' };
export const bool: SchemaNode = { type: 'scalar', of: 'boolean' };
export const intOrString: SchemaNode = { type: 'scalar', of: 'int-or-string' };
export const stringMap: SchemaNode = { type: 'map', values: str };
export const obj = (fields: Record<string, SchemaNode>, open = false): SchemaNode => ({ type: 'object', fields, ...(open ? { open } : {}) });
export const list = (items: SchemaNode, mergeKey?: string): SchemaNode => ({ type: 'list', items, ...(mergeKey ? { mergeKey } : {}) });
export const strs = (...names: string[]) => Object.fromEntries(names.map((n) => [n, str]));
export const ints = (...names: string[]) => Object.fromEntries(names.map((n) => [n, int]));
export const bools = (...names: string[]) => Object.fromEntries(names.map((n) => [n, bool]));
export const anys = (...names: string[]) => Object.fromEntries(names.map((n) => [n, any]));

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

export const labelSelector = obj({ matchLabels: stringMap, matchExpressions: list(obj({ key: str, operator: str, values: list(str) })) });

const containerPort = obj({ ...strs('name', 'protocol', 'hostIP'), ...ints('hostPort', 'containerPort') });
const envVar = obj({ name: str, value: str, valueFrom: any });
const volumeMount = obj({ ...strs('name', 'recursiveReadOnly', 'mountPath', 'subPath', 'mountPropagation', 'subPathExpr'), readOnly: bool });
export const quantityMap: SchemaNode = { type: 'map', values: scalar };
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
  ...strs(
    'restartPolicy',
    'dnsPolicy',
    'serviceAccountName',
    'serviceAccount',
    'nodeName',
    'hostname',
    'subdomain',
    'schedulerName',
    'priorityClassName',
    'runtimeClassName',
    'preemptionPolicy',
    'hostnameOverride',
  ),
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

export const conditionsStatus = obj({ conditions: list(any, 'type') }, true);

export const podTemplateSpec = obj({ metadata: objectMeta, spec: podSpec });

export const top = (fields: Record<string, SchemaNode>): SchemaNode => obj({ apiVersion: str, kind: str, metadata: objectMeta, ...fields });

/** autoscaling/v1 Scale, the body of the scale subresource. */
export const scaleSchema = top({ spec: obj({ replicas: int }), status: any });
