/**
 * Storage kinds' own checks, worded as upstream words them (v1.32):
 *
 * - PersistentVolume: ValidatePersistentVolumeSpec (pkg/apis/core/validation/validation.go):
 *   access modes, capacity (exactly `storage`, above zero), reclaim policy, exactly one volume
 *   source (hostPath, nfs and local are inspected; the other sources are counted, as the engine
 *   runs none of them), `local` needs a required node affinity, storageClassName, volumeMode;
 *   ValidatePersistentVolumeUpdate: the volume source and volumeMode never change. The PV
 *   strategy validates the new object twice on update (ValidatePersistentVolume, then
 *   ValidatePersistentVolumeUpdate which calls it again), so its causes come twice, as upstream's.
 * - PersistentVolumeClaim updates (ValidatePersistentVolumeClaimUpdate): the spec is frozen except
 *   volumeName while unset, storageClassName from unset, resources.requests.storage of a bound
 *   claim, and volumeAttributesClassName; a bound claim's request may not drop to or below its
 *   status.capacity (RecoverVolumeExpansionFailure, on by default since 1.32).
 * - StorageClass (pkg/apis/storage/validation): provisioner required and a qualified name,
 *   parameters (at most 512, 256 KiB, no empty key), reclaimPolicy Delete or Retain,
 *   volumeBindingMode; on update parameters, provisioner, reclaimPolicy and volumeBindingMode are
 *   fixed.
 *
 * Upstream appends a go-cmp diff of the two specs to its "spec is immutable" messages. go-cmp
 * deliberately randomises its diff's whitespace, so no client can match it byte for byte; the
 * engine appends its own diff in the same shape (`-`/`+` lines per changed field).
 *
 * Pure: returns causes, reads any JSON shape defensively.
 */
import { canonical } from '../canonical.ts';
import { forbiddenField, invalidShown, invalidValue, notSupported, notSupportedShown, required, tooLong } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { arr, obj, text } from './containers.ts';
import { dns1123SubdomainProblems, qualifiedNameProblems } from './formats.ts';
import { goQuote } from './go-values.ts';
import { goQuantity, readQuantity, ZERO_QUANTITY, type QuantityFunctions } from './quantity.ts';

type Any = Record<string, unknown>;

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** The sources ValidatePersistentVolumeSpec tries, in its order, with the name its "more than 1" error uses. */
const PV_SOURCES: [string, string][] = [
  ['hostPath', 'hostPath'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['nfs', 'nfs'],
  ['rbd', 'rbd'],
  ['quobyte', 'quobyte'],
  ['cephfs', 'cephFS'],
  ['iscsi', 'iscsi'],
  ['cinder', 'cinder'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['scaleIO', 'scaleIO'],
  ['local', 'local'],
  ['storageos', 'storageos'],
  ['csi', 'csi'],
];

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** validatePathNoBacksteps. */
function noBacksteps(path: string, at: string): StatusCause[] {
  return path.split('/').includes('..') ? [invalidValue(at, path, "must not contain '..'")] : [];
}

/** The volume source checks the engine inspects (hostPath, nfs, local). */
function pvSourceCauses(kind: string, source: Any, at: string): StatusCause[] {
  switch (kind) {
    case 'hostPath': {
      const path = text(source.path);
      if (!path) return [required(`${at}.path`)];
      const causes = noBacksteps(path, `${at}.path`);
      if (present(source.type) && !HOST_PATH_TYPES.includes(source.type as string)) causes.push(notSupported(`${at}.type`, source.type, HOST_PATH_TYPES));
      return causes;
    }
    case 'nfs': {
      const causes: StatusCause[] = [];
      if (!text(source.server)) causes.push(required(`${at}.server`));
      const path = text(source.path);
      if (!path) causes.push(required(`${at}.path`));
      if (!path.startsWith('/')) causes.push(invalidValue(`${at}.path`, path, 'must be an absolute path'));
      return causes;
    }
    case 'local': {
      const path = text(source.path);
      return path ? noBacksteps(path, `${at}.path`) : [required(`${at}.path`)];
    }
    default:
      return [];
  }
}

/** core.ResourceList as %#v prints it (keys sorted, as fmt prints maps). */
function goResourceList(list: unknown, fns: QuantityFunctions): string {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return 'core.ResourceList(nil)';
  const entries = Object.entries(list as Any).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = entries.map(([k, v]) => {
    const q = readQuantity(fns, v);
    return `${goQuote(k)}:${goQuantity(v, q ? fns.format(q) : String(v))}`;
  });
  return `core.ResourceList{${shown.join(', ')}}`;
}

/** Quantity.Value(): whole units, rounded away from zero. */
function wholeUnits(nanos: bigint): bigint {
  const units = nanos / 1_000_000_000n;
  if (units * 1_000_000_000n === nanos) return units;
  return nanos > 0n ? units + 1n : units - 1n;
}

function accessModeCauses(modes: unknown[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const mode of modes) if (!ACCESS_MODES.includes(mode as string)) causes.push(notSupported(at, mode, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m as string))) {
    causes.push(forbiddenField(at, 'may not use ReadWriteOncePod with other access modes'));
  }
  return causes;
}

/** ValidatePersistentVolume, less the metadata. */
export function persistentVolumeCauses(pv: unknown, fns: QuantityFunctions): StatusCause[] {
  const spec = obj(obj(pv).spec);
  const causes: StatusCause[] = [];
  const modes = arr(spec.accessModes);
  if (modes.length === 0) causes.push(required('spec.accessModes'));
  causes.push(...accessModeCauses(modes, 'spec.accessModes'));
  const capacity = obj(spec.capacity);
  const names = Object.keys(capacity);
  if (names.length === 0) causes.push(required('spec.capacity'));
  if (!names.includes('storage') || names.length > 1) causes.push(notSupportedShown('spec.capacity', goResourceList(spec.capacity, fns), ['storage']));
  for (const name of names) {
    const q = readQuantity(fns, capacity[name]);
    if (!q) continue;
    const at = `spec.capacity[${name}]`;
    if (wholeUnits(q.nanos) < 0n) causes.push(invalidValue(at, Number(wholeUnits(q.nanos)), 'must be a valid resource quantity'));
    if (fns.compare(q, ZERO_QUANTITY) <= 0) causes.push(invalidValue(at, fns.format(q), 'must be greater than zero'));
  }
  const policy = text(spec.persistentVolumeReclaimPolicy);
  if (policy && !PV_RECLAIM_POLICIES.includes(policy)) causes.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, PV_RECLAIM_POLICIES));
  const nodeAffinityRequired = present(obj(spec.nodeAffinity).required);
  let count = 0;
  for (const [kind, shown] of PV_SOURCES) {
    if (!present(spec[kind])) continue;
    // flexVolume is counted without the "more than 1" check, as upstream does.
    if (count > 0 && kind !== 'flexVolume') {
      causes.push(forbiddenField(`spec.${shown}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    causes.push(...pvSourceCauses(kind, obj(spec[kind]), `spec.${kind}`));
    if (kind === 'local' && !nodeAffinityRequired) causes.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (count === 0) causes.push(required('spec', 'must specify a volume type'));
  const hostPath = text(obj(spec.hostPath).path);
  if (present(spec.hostPath) && hostPath.replace(/\/+/g, '/') === '/' && policy === 'Recycle') {
    causes.push(forbiddenField('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
  }
  const className = text(spec.storageClassName);
  if (className) causes.push(...dns1123SubdomainProblems(className).map((m) => invalidValue('spec.storageClassName', className, m)));
  if (present(spec.volumeMode) && !VOLUME_MODES.includes(spec.volumeMode as string)) causes.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return causes;
}

/** The fields of a PersistentVolumeSpec that are not its volume source. */
const PV_NON_SOURCE_FIELDS = new Set([
  'capacity',
  'accessModes',
  'claimRef',
  'persistentVolumeReclaimPolicy',
  'storageClassName',
  'mountOptions',
  'volumeMode',
  'nodeAffinity',
  'volumeAttributesClassName',
]);

function pick(spec: Any, keep: (key: string) => boolean): Any {
  return Object.fromEntries(Object.entries(spec).filter(([k, v]) => keep(k) && present(v)));
}

/** Go's exported field name of a JSON field: `accessModes` -> `AccessModes`. */
function goField(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The engine's stand-in for go-cmp's diff of two structs: a `-` and a `+` line per changed field. */
export function specDiff(type: string, before: Any, after: Any): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const lines = [`  ${type}{`];
  let same = 0;
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (canonical(a ?? null) === canonical(b ?? null)) {
      same++;
      continue;
    }
    if (present(a)) lines.push(`- \t${goField(key)}: ${JSON.stringify(a)},`);
    if (present(b)) lines.push(`+ \t${goField(key)}: ${JSON.stringify(b)},`);
  }
  if (same) lines.push(`  \t... // ${same} identical fields`);
  lines.push('  }');
  return lines.join('\n');
}

/** The PV strategy's ValidateUpdate: the new object validated (twice, as upstream), then what may not change. */
export function persistentVolumeUpdateCauses(pv: unknown, old: unknown, fns: QuantityFunctions): StatusCause[] {
  const causes = [...persistentVolumeCauses(pv, fns), ...persistentVolumeCauses(pv, fns)];
  const spec = obj(obj(pv).spec);
  const oldSpec = obj(obj(old).spec);
  const source = pick(spec, (k) => !PV_NON_SOURCE_FIELDS.has(k));
  const oldSource = pick(oldSpec, (k) => !PV_NON_SOURCE_FIELDS.has(k));
  if (canonical(source) !== canonical(oldSource)) {
    const diff = specDiff('core.PersistentVolumeSource', oldSource, source);
    causes.push(forbiddenField('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${diff}`));
  }
  if (canonical(spec.volumeMode ?? null) !== canonical(oldSpec.volumeMode ?? null)) causes.push(invalidValue('volumeMode', spec.volumeMode ?? null, 'field is immutable'));
  return causes;
}

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** ValidatePersistentVolumeClaimUpdate's own checks (the claim itself is validated by the caller). */
export function claimUpdateCauses(claim: unknown, old: unknown, fns: QuantityFunctions): StatusCause[] {
  const c = obj(claim);
  const o = obj(old);
  const spec: Any = { ...obj(c.spec) };
  const oldSpec: Any = { ...obj(o.spec) };
  const causes: StatusCause[] = [];
  if (!text(oldSpec.volumeName)) oldSpec.volumeName = spec.volumeName;
  const annotations = obj(obj(c.metadata).annotations);
  const oldAnnotations = obj(obj(o.metadata).annotations);
  const oldBeta = oldAnnotations[BETA_STORAGE_CLASS];
  // validateStorageClassUpgradeFromAnnotation: the class moves from the beta annotation to the field, unchanged.
  const fromAnnotation = present(oldBeta) && !present(oldSpec.storageClassName) && present(spec.storageClassName) && spec.storageClassName === oldBeta && annotations[BETA_STORAGE_CLASS] === oldBeta;
  if (fromAnnotation) delete spec.storageClassName;
  else {
    if (text(annotations[BETA_STORAGE_CLASS]) !== text(oldBeta)) causes.push(invalidValue(`metadata.annotations.${BETA_STORAGE_CLASS}`, text(annotations[BETA_STORAGE_CLASS]), 'field is immutable'));
    // validateStorageClassUpgradeFromNil: a class may be set once on a claim that had none.
    if (!present(oldBeta) && !present(oldSpec.storageClassName) && text(spec.storageClassName)) oldSpec.storageClassName = spec.storageClassName;
  }
  const bound = obj(c.status).phase === 'Bound';
  const requests = obj(obj(spec.resources).requests);
  const oldRequests = obj(obj(oldSpec.resources).requests);
  if (bound && present(obj(spec.resources).requests)) {
    spec.resources = { ...obj(spec.resources), requests: { ...requests, storage: oldRequests.storage } };
    if (!present(oldRequests.storage)) delete (spec.resources as Any & { requests: Any }).requests.storage;
  }
  spec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  const clean = (s: Any) => pick(s, () => true);
  if (canonical(clean(spec)) !== canonical(clean(oldSpec))) {
    const diff = specDiff('core.PersistentVolumeClaimSpec', clean(oldSpec), clean(spec));
    causes.push(forbiddenField('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`));
  }
  const size = readQuantity(fns, requests.storage) ?? ZERO_QUANTITY;
  const oldSize = readQuantity(fns, oldRequests.storage) ?? ZERO_QUANTITY;
  const statusSize = readQuantity(fns, obj(obj(o.status).capacity).storage) ?? ZERO_QUANTITY;
  if (fns.compare(size, oldSize) < 0 && fns.compare(size, statusSize) <= 0) {
    causes.push(forbiddenField('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  const newMode = obj(c.spec).volumeMode;
  const oldMode = obj(o.spec).volumeMode;
  if (canonical(newMode ?? null) !== canonical(oldMode ?? null)) causes.push(invalidValue('volumeMode', newMode ?? null, 'field is immutable'));
  return causes;
}

const SC_RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
/** maxProvisionerParameterLen and maxProvisionerParameterSize. */
const MAX_PARAMETERS = 512;
const MAX_PARAMETER_BYTES = 256 * 1024;

/** ValidateStorageClass, less the metadata (allowedTopologies is not inspected). */
export function storageClassCauses(sc: unknown): StatusCause[] {
  const s = obj(sc);
  const causes: StatusCause[] = [];
  const provisioner = text(s.provisioner);
  if (!provisioner) causes.push(required('provisioner'));
  // 1.32 checks the lower-cased name and shows the name as given.
  else causes.push(...qualifiedNameProblems(provisioner.toLowerCase()).map((m) => invalidValue('provisioner', provisioner, m)));
  const parameters = Object.entries(obj(s.parameters));
  if (parameters.length > MAX_PARAMETERS) causes.push(tooLong('parameters', MAX_PARAMETERS));
  else {
    let total = 0;
    for (const [k, v] of parameters) {
      if (k.length < 1) causes.push(invalidValue('parameters', k, 'field can not be empty.'));
      total += Buffer.byteLength(k) + Buffer.byteLength(text(v));
    }
    if (total > MAX_PARAMETER_BYTES) causes.push(tooLong('parameters', MAX_PARAMETER_BYTES));
  }
  const policy = text(s.reclaimPolicy);
  if (policy && !SC_RECLAIM_POLICIES.includes(policy)) causes.push(notSupported('reclaimPolicy', policy, SC_RECLAIM_POLICIES));
  if (!present(s.volumeBindingMode)) causes.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(s.volumeBindingMode as string)) causes.push(notSupported('volumeBindingMode', s.volumeBindingMode, BINDING_MODES));
  return causes;
}

/** ValidateStorageClassUpdate: what may not change. */
export function storageClassUpdateCauses(sc: unknown, old: unknown): StatusCause[] {
  const s = obj(sc);
  const o = obj(old);
  const causes: StatusCause[] = [];
  if (canonical(s.parameters ?? null) !== canonical(o.parameters ?? null)) causes.push(forbiddenField('parameters', 'updates to parameters are forbidden.'));
  if (text(s.provisioner) !== text(o.provisioner)) causes.push(forbiddenField('provisioner', 'updates to provisioner are forbidden.'));
  if (text(s.reclaimPolicy) !== text(o.reclaimPolicy)) causes.push(forbiddenField('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (text(s.volumeBindingMode) !== text(o.volumeBindingMode)) causes.push(invalidShown('volumeBindingMode', goQuote(text(s.volumeBindingMode)), 'field is immutable'));
  return causes;
}
