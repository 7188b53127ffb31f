/**
 * Reads the protobuf bodies kubectl 1.32 sends from its typed clients (`create configmap|secret|
 * namespace|deployment|service|serviceaccount|job|cronjob|role|...`, `auth can-i`): the `k8s\0`
 * magic, then a runtime.Unknown envelope {typeMeta{apiVersion=1, kind=2}=1, raw=2} whose raw bytes
 * are the object's own message. Field numbers are those of k8s.io/api's generated.proto files.
 *
 * Only decoding, and only the messages listed in MESSAGES: a body of another kind is refused with
 * 415 and a message saying which kinds are understood (kubectl does not fall back to JSON). Fields
 * not listed are skipped. Go writes non-pointer scalars even when zero; like its JSON encoder's
 * `omitempty`, zero scalars are dropped unless the field is a pointer (`keep`), and an empty Time
 * is dropped (metav1.Time's zero value is null in JSON).
 */
import { badRequest, unsupportedMediaType } from '../kube/errors.ts';

/** The magic prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
type Special = 'time' | 'quantity' | 'intOrString';
interface Field {
  name: string;
  type: Scalar | Special | Message | { map: Scalar | Special | Message };
  repeated?: boolean;
  /** A pointer field in Go: a zero value was sent on purpose and is kept. */
  keep?: boolean;
}
type Message = { [number: number]: Field };

const f = (name: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({ name, type, ...extra });
const rep = (name: string, type: Field['type']): Field => ({ name, type, repeated: true });
const kept = (name: string, type: Field['type']): Field => ({ name, type, keep: true });

const OwnerReference: Message = { 5: f('apiVersion', 'string'), 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 6: kept('controller', 'bool'), 7: kept('blockOwnerDeletion', 'bool') };
const ObjectMeta: Message = {
  1: f('name', 'string'), 2: f('generateName', 'string'), 3: f('namespace', 'string'), 5: f('uid', 'string'), 6: f('resourceVersion', 'string'),
  7: f('generation', 'int64'), 8: f('creationTimestamp', 'time'), 9: f('deletionTimestamp', 'time'), 10: kept('deletionGracePeriodSeconds', 'int64'),
  11: f('labels', { map: 'string' }), 12: f('annotations', { map: 'string' }), 13: rep('ownerReferences', OwnerReference), 14: rep('finalizers', 'string'),
};
const LabelSelectorRequirement: Message = { 1: f('key', 'string'), 2: f('operator', 'string'), 3: rep('values', 'string') };
const LabelSelector: Message = { 1: f('matchLabels', { map: 'string' }), 2: rep('matchExpressions', LabelSelectorRequirement) };
const ObjectReference: Message = { 1: f('kind', 'string'), 2: f('namespace', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('resourceVersion', 'string'), 7: f('fieldPath', 'string') };
const LocalObjectReference: Message = { 1: f('name', 'string') };
const ContainerPort: Message = { 1: f('name', 'string'), 2: f('hostPort', 'int32'), 3: kept('containerPort', 'int32'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') };
const EnvVar: Message = { 1: f('name', 'string'), 2: f('value', 'string') };
const ResourceRequirements: Message = { 1: f('limits', { map: 'quantity' }), 2: f('requests', { map: 'quantity' }) };
const Container: Message = {
  1: f('name', 'string'), 2: f('image', 'string'), 3: rep('command', 'string'), 4: rep('args', 'string'), 5: f('workingDir', 'string'),
  6: rep('ports', ContainerPort), 7: rep('env', EnvVar), 8: f('resources', ResourceRequirements), 13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'), 16: f('stdin', 'bool'), 17: f('stdinOnce', 'bool'), 18: f('tty', 'bool'), 20: f('terminationMessagePolicy', 'string'),
};
const PodSpec: Message = {
  2: rep('containers', Container), 20: rep('initContainers', Container), 3: f('restartPolicy', 'string'), 4: kept('terminationGracePeriodSeconds', 'int64'),
  5: kept('activeDeadlineSeconds', 'int64'), 6: f('dnsPolicy', 'string'), 7: f('nodeSelector', { map: 'string' }), 8: f('serviceAccountName', 'string'),
  9: f('serviceAccount', 'string'), 10: f('nodeName', 'string'), 11: f('hostNetwork', 'bool'), 15: rep('imagePullSecrets', LocalObjectReference),
  19: f('schedulerName', 'string'), 24: f('priorityClassName', 'string'), 25: kept('priority', 'int32'), 30: kept('enableServiceLinks', 'bool'),
};
const PodTemplateSpec: Message = { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) };
const RollingUpdateDeployment: Message = { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') };
const DeploymentSpec: Message = {
  1: kept('replicas', 'int32'), 2: f('selector', LabelSelector), 3: f('template', PodTemplateSpec),
  4: f('strategy', { 1: f('type', 'string'), 2: f('rollingUpdate', RollingUpdateDeployment) }),
  5: f('minReadySeconds', 'int32'), 6: kept('revisionHistoryLimit', 'int32'), 7: f('paused', 'bool'), 9: kept('progressDeadlineSeconds', 'int32'),
};
const JobSpec: Message = {
  1: kept('parallelism', 'int32'), 2: kept('completions', 'int32'), 3: kept('activeDeadlineSeconds', 'int64'), 4: f('selector', LabelSelector),
  5: kept('manualSelector', 'bool'), 6: f('template', PodTemplateSpec), 7: kept('backoffLimit', 'int32'), 8: kept('ttlSecondsAfterFinished', 'int32'),
  9: f('completionMode', 'string'), 10: kept('suspend', 'bool'),
};
const ServicePort: Message = { 1: f('name', 'string'), 2: f('protocol', 'string'), 3: kept('port', 'int32'), 4: f('targetPort', 'intOrString'), 5: f('nodePort', 'int32'), 6: f('appProtocol', 'string') };
const ServiceSpec: Message = {
  1: rep('ports', ServicePort), 2: f('selector', { map: 'string' }), 3: f('clusterIP', 'string'), 4: f('type', 'string'), 5: rep('externalIPs', 'string'),
  7: f('sessionAffinity', 'string'), 10: f('externalName', 'string'), 11: f('externalTrafficPolicy', 'string'), 18: rep('clusterIPs', 'string'),
};
const PolicyRule: Message = { 1: rep('verbs', 'string'), 2: rep('apiGroups', 'string'), 3: rep('resources', 'string'), 4: rep('resourceNames', 'string'), 5: rep('nonResourceURLs', 'string') };
const Subject: Message = { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') };
const RoleRef: Message = { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };
const ResourceAttributes: Message = {
  1: f('namespace', 'string'), 2: f('verb', 'string'), 3: f('group', 'string'), 4: f('version', 'string'), 5: f('resource', 'string'),
  6: f('subresource', 'string'), 7: f('name', 'string'),
};
const NonResourceAttributes: Message = { 1: f('path', 'string'), 2: f('verb', 'string') };
const SubjectAccessReviewSpec: Message = {
  1: f('resourceAttributes', ResourceAttributes), 2: f('nonResourceAttributes', NonResourceAttributes), 3: f('user', 'string'), 4: rep('groups', 'string'), 6: f('uid', 'string'),
};
const withMeta = (fields: Message): Message => ({ 1: f('metadata', ObjectMeta), ...fields });

/** The messages understood, by `apiVersion/kind`. */
const MESSAGES: Record<string, Message> = {
  'v1/ConfigMap': withMeta({ 2: f('data', { map: 'string' }), 3: f('binaryData', { map: 'bytes' }), 4: kept('immutable', 'bool') }),
  'v1/Secret': withMeta({ 2: f('data', { map: 'bytes' }), 3: f('type', 'string'), 4: f('stringData', { map: 'string' }), 5: kept('immutable', 'bool') }),
  'v1/Namespace': withMeta({ 2: f('spec', { 1: rep('finalizers', 'string') }) }),
  'v1/ServiceAccount': withMeta({ 2: rep('secrets', ObjectReference), 3: rep('imagePullSecrets', LocalObjectReference), 4: kept('automountServiceAccountToken', 'bool') }),
  'v1/Service': withMeta({ 2: f('spec', ServiceSpec) }),
  'v1/Pod': withMeta({ 2: f('spec', PodSpec) }),
  'apps/v1/Deployment': withMeta({ 2: f('spec', DeploymentSpec) }),
  'batch/v1/Job': withMeta({ 2: f('spec', JobSpec) }),
  'batch/v1/CronJob': withMeta({
    2: f('spec', {
      1: f('schedule', 'string'), 8: f('timeZone', 'string'), 2: kept('startingDeadlineSeconds', 'int64'), 3: f('concurrencyPolicy', 'string'),
      4: kept('suspend', 'bool'), 5: f('jobTemplate', { 1: f('metadata', ObjectMeta), 2: f('spec', JobSpec) }),
      6: kept('successfulJobsHistoryLimit', 'int32'), 7: kept('failedJobsHistoryLimit', 'int32'),
    }),
  }),
  'rbac.authorization.k8s.io/v1/Role': withMeta({ 2: rep('rules', PolicyRule) }),
  'rbac.authorization.k8s.io/v1/ClusterRole': withMeta({ 2: rep('rules', PolicyRule) }),
  'rbac.authorization.k8s.io/v1/RoleBinding': withMeta({ 2: rep('subjects', Subject), 3: f('roleRef', RoleRef) }),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': withMeta({ 2: rep('subjects', Subject), 3: f('roleRef', RoleRef) }),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': withMeta({ 2: f('spec', { 1: f('resourceAttributes', ResourceAttributes), 2: f('nonResourceAttributes', NonResourceAttributes) }) }),
  'authorization.k8s.io/v1/SelfSubjectRulesReview': withMeta({ 2: f('spec', { 1: f('namespace', 'string') }) }),
  'authorization.k8s.io/v1/SubjectAccessReview': withMeta({ 2: f('spec', SubjectAccessReviewSpec) }),
  'authorization.k8s.io/v1/LocalSubjectAccessReview': withMeta({ 2: f('spec', SubjectAccessReviewSpec) }),
};

/** The kinds a protobuf body may carry, for messages. */
export function protobufKinds(): string[] {
  return Object.keys(MESSAGES).map((k) => k.slice(k.lastIndexOf('/') + 1));
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw badRequest('protobuf body is truncated (in a varint)');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw badRequest('protobuf body has a varint longer than 10 bytes');
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (length < 0 || this.pos + length > this.end) throw badRequest('protobuf body is truncated (a field runs past the end)');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.advance(4);
    else throw badRequest(`protobuf body uses wire type ${wireType}, which Kubernetes messages never use`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw badRequest('protobuf body is truncated');
    this.pos += n;
  }
}

function toSigned(value: bigint, bits: 32 | 64): number {
  return Number(BigInt.asIntN(bits, value));
}

function decodeSpecial(type: Special, bytes: Buffer): unknown {
  const fields = decodeMessage(
    bytes,
    type === 'time' ? { 1: f('seconds', 'int64'), 2: f('nanos', 'int32') } : type === 'quantity' ? { 1: f('string', 'string') } : { 1: f('type', 'int64'), 2: kept('intVal', 'int32'), 3: f('strVal', 'string') },
  ) as Record<string, unknown>;
  if (type === 'time') {
    const seconds = Number(fields.seconds ?? 0);
    if (seconds === 0 && !fields.nanos) return undefined;
    return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  }
  if (type === 'quantity') return fields.string ?? '0';
  return Number(fields.type ?? 0) === 1 ? (fields.strVal ?? '') : (fields.intVal ?? 0);
}

function decodeValue(type: Field['type'], wireType: number, reader: Reader): unknown {
  if (typeof type === 'object' && !('map' in type)) {
    if (wireType !== 2) throw badRequest('protobuf body has a message field with the wrong wire type');
    return decodeMessage(reader.bytes(), type);
  }
  switch (type) {
    case 'string':
      if (wireType !== 2) throw badRequest('protobuf body has a string field with the wrong wire type');
      return reader.bytes().toString('utf8');
    case 'bytes':
      if (wireType !== 2) throw badRequest('protobuf body has a bytes field with the wrong wire type');
      return reader.bytes().toString('base64');
    case 'int32':
      if (wireType !== 0) throw badRequest('protobuf body has an integer field with the wrong wire type');
      return toSigned(reader.varint(), 32);
    case 'int64':
      if (wireType !== 0) throw badRequest('protobuf body has an integer field with the wrong wire type');
      return toSigned(reader.varint(), 64);
    case 'bool':
      if (wireType !== 0) throw badRequest('protobuf body has a boolean field with the wrong wire type');
      return reader.varint() !== 0n;
    case 'time':
    case 'quantity':
    case 'intOrString':
      if (wireType !== 2) throw badRequest('protobuf body has a message field with the wrong wire type');
      return decodeSpecial(type, reader.bytes());
  }
  throw badRequest('protobuf body has a field of an unexpected type');
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

/** Decodes one message by its field table; unknown fields are skipped. */
function decodeMessage(bytes: Buffer, message: Message): Record<string, unknown> {
  const reader = new Reader(bytes);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.end) {
    const tag = Number(reader.varint());
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) throw badRequest('protobuf body has a field numbered 0');
    const field = message[number];
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    const type = field.type;
    if (typeof type === 'object' && 'map' in type) {
      if (wireType !== 2) throw badRequest('protobuf body has a map entry with the wrong wire type');
      const entry = decodeMessage(reader.bytes(), { 1: f('key', 'string'), 2: f('value', type.map, { keep: true }) });
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[String(entry.key ?? '')] = entry.value ?? (type.map === 'string' || type.map === 'bytes' ? '' : {});
      continue;
    }
    const value = decodeValue(type, wireType, reader);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else if (value !== undefined && (field.keep || !isZero(value))) out[field.name] = value;
  }
  return out;
}

/**
 * Decodes a protobuf request body into the JSON object it stands for (apiVersion and kind set).
 * Throws 400 for a malformed body and 415 for a kind this server does not read in protobuf.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw badRequest('protobuf body does not start with the Kubernetes magic bytes "k8s\\0"');
  }
  const envelope = decodeMessage(body.subarray(4), {
    1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }),
    2: f('raw', 'bytes'),
    3: f('contentEncoding', 'string'),
    4: f('contentType', 'string'),
  });
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const message = MESSAGES[`${apiVersion}/${kind}`];
  if (!message) {
    throw unsupportedMediaType(
      PROTOBUF_CONTENT_TYPE,
      ['application/json', 'application/yaml'],
      `this server reads protobuf bodies only for ${protobufKinds().join(', ')}, not for ${kind || 'an unnamed kind'} ` +
        `(${apiVersion || 'no apiVersion'}); send JSON or YAML instead (for kubectl: --dry-run=client -o yaml | kubectl apply -f -)`,
    );
  }
  const raw = Buffer.from(String(envelope.raw ?? ''), 'base64');
  return { apiVersion, kind, ...decodeMessage(raw, message) };
}
