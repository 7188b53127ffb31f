/**
 * How protobuf bodies map to JSON: the field tables of the messages kubectl 1.32 sends in protobuf
 * (k8s.io/api's generated.proto field numbers), for the decoder in engine/apiserver/protobuf.ts.
 * Here are the table types, their builders and the messages many kinds share (ObjectMeta,
 * LabelSelector, PodSpec, PodTemplateSpec); each kind's own message is in its definition
 * (engine/kube/kinds/), under `protobuf`.
 *
 * Only the fields listed are read; others are skipped. Go writes non-pointer scalars even when
 * zero; like its JSON encoder's `omitempty`, the decoder drops zero scalars unless the field is a
 * pointer (`kept`).
 */

export type ProtobufScalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
export type ProtobufSpecial = 'time' | 'quantity' | 'intOrString';
export interface ProtobufField {
  name: string;
  type: ProtobufScalar | ProtobufSpecial | ProtobufMessage | { map: ProtobufScalar | ProtobufSpecial | ProtobufMessage };
  repeated?: boolean;
  /** A pointer field in Go: a zero value was sent on purpose and is kept. */
  keep?: boolean;
  /** An embedded struct with `json:",inline"`: its fields appear in the parent (an IngressRule's http). */
  inline?: boolean;
}
/** A message's fields by field number (k8s.io/api's generated.proto). */
export type ProtobufMessage = { [number: number]: ProtobufField };

export const f = (name: string, type: ProtobufField['type'], extra: Partial<ProtobufField> = {}): ProtobufField => ({ name, type, ...extra });
export const rep = (name: string, type: ProtobufField['type']): ProtobufField => ({ name, type, repeated: true });
export const kept = (name: string, type: ProtobufField['type']): ProtobufField => ({ name, type, keep: true });

export const OwnerReference: ProtobufMessage = {
  5: f('apiVersion', 'string'),
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  6: kept('controller', 'bool'),
  7: kept('blockOwnerDeletion', 'bool'),
};
export const ObjectMeta: ProtobufMessage = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int64'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: kept('deletionGracePeriodSeconds', 'int64'),
  11: f('labels', { map: 'string' }),
  12: f('annotations', { map: 'string' }),
  13: rep('ownerReferences', OwnerReference),
  14: rep('finalizers', 'string'),
};
export const LabelSelectorRequirement: ProtobufMessage = { 1: f('key', 'string'), 2: f('operator', 'string'), 3: rep('values', 'string') };
export const LabelSelector: ProtobufMessage = { 1: f('matchLabels', { map: 'string' }), 2: rep('matchExpressions', LabelSelectorRequirement) };
export const ObjectReference: ProtobufMessage = {
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('fieldPath', 'string'),
};
export const LocalObjectReference: ProtobufMessage = { 1: f('name', 'string') };
export const ContainerPort: ProtobufMessage = { 1: f('name', 'string'), 2: f('hostPort', 'int32'), 3: kept('containerPort', 'int32'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') };
export const EnvVar: ProtobufMessage = { 1: f('name', 'string'), 2: f('value', 'string') };
export const ResourceRequirements: ProtobufMessage = { 1: f('limits', { map: 'quantity' }), 2: f('requests', { map: 'quantity' }) };
export const Container: ProtobufMessage = {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: rep('command', 'string'),
  4: rep('args', 'string'),
  5: f('workingDir', 'string'),
  6: rep('ports', ContainerPort),
  7: rep('env', EnvVar),
  8: f('resources', ResourceRequirements),
  13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'),
  16: f('stdin', 'bool'),
  17: f('stdinOnce', 'bool'),
  18: f('tty', 'bool'),
  20: f('terminationMessagePolicy', 'string'),
};
export const PodSpec: ProtobufMessage = {
  2: rep('containers', Container),
  20: rep('initContainers', Container),
  3: f('restartPolicy', 'string'),
  4: kept('terminationGracePeriodSeconds', 'int64'),
  5: kept('activeDeadlineSeconds', 'int64'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', { map: 'string' }),
  8: f('serviceAccountName', 'string'),
  9: f('serviceAccount', 'string'),
  10: f('nodeName', 'string'),
  11: f('hostNetwork', 'bool'),
  15: rep('imagePullSecrets', LocalObjectReference),
  19: f('schedulerName', 'string'),
  24: f('priorityClassName', 'string'),
  25: kept('priority', 'int32'),
  30: kept('enableServiceLinks', 'bool'),
};
export const PodTemplateSpec: ProtobufMessage = { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) };

/** metav1.Preconditions and metav1.DeleteOptions (apimachinery's meta/v1 generated.proto): the body of a delete, and of an eviction. */
export const Preconditions: ProtobufMessage = { 1: f('uid', 'string'), 2: f('resourceVersion', 'string') };
export const DeleteOptions: ProtobufMessage = {
  1: kept('gracePeriodSeconds', 'int64'),
  2: f('preconditions', Preconditions),
  3: kept('orphanDependents', 'bool'),
  4: f('propagationPolicy', 'string'),
  5: rep('dryRun', 'string'),
  6: kept('ignoreStoreReadErrorWithClusterBreakingPotential', 'bool'),
};

/** A top-level message: ObjectMeta at field 1, then the kind's own fields. */
export const withMeta = (fields: ProtobufMessage): ProtobufMessage => ({ 1: f('metadata', ObjectMeta), ...fields });
