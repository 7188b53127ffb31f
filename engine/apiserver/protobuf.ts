/**
 * Reads the protobuf bodies kubectl 1.32 sends from its typed clients (`create configmap|secret|
 * namespace|deployment|service|serviceaccount|job|cronjob|role|...`, `auth can-i`): the `k8s\0`
 * magic, then a runtime.Unknown envelope {typeMeta{apiVersion=1, kind=2}=1, raw=2} whose raw bytes
 * are the object's own message. Field numbers are those of k8s.io/api's generated.proto files.
 *
 * Only decoding, and only the kinds whose definition (engine/kube/kinds/) carries a `protobuf`
 * message, plus the options every group version carries (metav1.DeleteOptions, which kubectl's
 * typed clients send with a delete: `kubectl drain` without eviction): a body of another kind is
 * refused with 415 and a message saying which kinds are understood (kubectl does not fall back
 * to JSON). Fields not listed are skipped. Go writes
 * non-pointer scalars even when zero; like its JSON encoder's `omitempty`, zero scalars are dropped
 * unless the field is a pointer (`keep`), and an empty Time is dropped (metav1.Time's zero value is
 * null in JSON). The field tables and their builders are in engine/kube/protobuf.ts.
 */
import { badRequest, unsupportedMediaType } from '../kube/errors.ts';
import { DeleteOptions, f, kept, type ProtobufField, type ProtobufMessage, type ProtobufSpecial } from '../kube/protobuf.ts';
import { groupVersion, KINDS } from '../kube/resources.ts';

/** The magic prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/**
 * The message of each kind kubectl may send in protobuf, by `apiVersion/kind`, from the kind
 * definitions: a kind's own, and the bodies of its subresources that take one (a subresource's
 * kind, in its group/version or its parent's).
 */
function messages(): Map<string, ProtobufMessage> {
  const byKind = new Map<string, ProtobufMessage>();
  for (const kind of KINDS) if (kind.protobuf) byKind.set(`${groupVersion(kind)}/${kind.kind}`, kind.protobuf);
  for (const kind of KINDS) {
    for (const sub of kind.subresources) {
      const key = `${groupVersion({ group: sub.group ?? kind.group, version: sub.version ?? kind.version })}/${sub.kind}`;
      if (sub.protobuf && !byKind.has(key)) byKind.set(key, sub.protobuf);
    }
  }
  return byKind;
}

/**
 * Messages registered in every group version (metav1.AddToGroupVersion), read whatever apiVersion
 * the envelope names: client-go sends a core delete's options as `v1` DeleteOptions, an apps
 * delete's as `apps/v1`, and so on.
 */
const IN_EVERY_GROUP_VERSION: Readonly<Record<string, ProtobufMessage>> = { DeleteOptions };

let known: Map<string, ProtobufMessage> | undefined;

/** The kinds a protobuf body may carry, for messages. */
export function protobufKinds(): string[] {
  known ??= messages();
  return [...[...known.keys()].map((k) => k.slice(k.lastIndexOf('/') + 1)), ...Object.keys(IN_EVERY_GROUP_VERSION)];
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}

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

function decodeSpecial(type: ProtobufSpecial, bytes: Buffer): unknown {
  const fields = decodeMessage(
    bytes,
    type === 'time'
      ? { 1: f('seconds', 'int64'), 2: f('nanos', 'int32') }
      : type === 'quantity'
        ? { 1: f('string', 'string') }
        : { 1: f('type', 'int64'), 2: kept('intVal', 'int32'), 3: f('strVal', 'string') },
  ) as Record<string, unknown>;
  if (type === 'time') {
    const seconds = Number(fields.seconds ?? 0);
    if (seconds === 0 && !fields.nanos) return undefined;
    return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  }
  if (type === 'quantity') return fields.string ?? '0';
  return Number(fields.type ?? 0) === 1 ? (fields.strVal ?? '') : (fields.intVal ?? 0);
}

function decodeValue(type: ProtobufField['type'], wireType: number, reader: Reader): unknown {
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
function decodeMessage(bytes: Buffer, message: ProtobufMessage): Record<string, unknown> {
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
    if (field.inline && value !== null && typeof value === 'object') {
      Object.assign(out, value);
      continue;
    }
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
  known ??= messages();
  const message = known.get(`${apiVersion}/${kind}`) ?? (apiVersion ? IN_EVERY_GROUP_VERSION[kind] : undefined);
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
