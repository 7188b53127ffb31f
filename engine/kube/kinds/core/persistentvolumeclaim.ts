/**
 * core/v1 PersistentVolumeClaim: a pod's request for storage, bound to a PersistentVolume.
 * Upstream: pkg/registry/core/persistentvolumeclaim (strategy.go), pkg/apis/core/v1/defaults.go.
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, top } from '../../schema-nodes.ts';
import { forbiddenField, invalidValue, notSupported, required } from '../../field-errors.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { dns1123SubdomainProblems } from '../../validation/formats.ts';
import { readQuantity, ZERO_QUANTITY } from '../../validation/quantity.ts';
import { labelSelectorCauses } from '../../validation/selectors.ts';
import type { StrategyFunctions } from '../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { claimUpdateCauses } from '../../validation/storage.ts';
import { withSpecCopy } from '../workloads.ts';
import { accessModes } from './persistentvolume.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

/**
 * ValidatePersistentVolumeClaimSpec (pkg/apis/core/validation): access modes (at least one,
 * ReadWriteOncePod alone), a selector, a storage request above zero (the learner's quantities),
 * storageClassName a subdomain, volumeMode Block or Filesystem.
 */
function validateClaim(claim: Any, fns: StrategyFunctions): StatusCause[] {
  const spec: Any = claim.spec && typeof claim.spec === 'object' ? claim.spec : {};
  const causes: StatusCause[] = [];
  const modes: unknown[] = Array.isArray(spec.accessModes) ? spec.accessModes : [];
  if (modes.length === 0) causes.push(required('spec.accessModes', 'at least 1 access mode is required'));
  causes.push(...labelSelectorCauses(spec.selector, 'spec.selector'));
  for (const mode of modes) if (!ACCESS_MODES.includes(mode as string)) causes.push(notSupported('spec.accessModes', mode, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m as string))) {
    causes.push(forbiddenField('spec.accessModes', 'may not use ReadWriteOncePod with other access modes'));
  }
  const requests = spec.resources?.requests;
  const raw = requests && typeof requests === 'object' ? (requests as Any).storage : undefined;
  if (raw === undefined || raw === null) causes.push(required('spec.resources[storage]'));
  else {
    const q = readQuantity(fns.quantities, raw);
    if (q && fns.quantities.compare(q, ZERO_QUANTITY) <= 0) causes.push(invalidValue('spec.resources[storage]', fns.quantities.format(q), 'must be greater than zero'));
  }
  if (typeof spec.storageClassName === 'string' && spec.storageClassName) {
    causes.push(...dns1123SubdomainProblems(spec.storageClassName).map((m) => invalidValue('spec.storageClassName', spec.storageClassName, m)));
  }
  if (spec.volumeMode !== undefined && spec.volumeMode !== null && !VOLUME_MODES.includes(spec.volumeMode)) causes.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return causes;
}

export const PERSISTENT_VOLUME_CLAIMS = defineKind({
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: [statusSubresource('PersistentVolumeClaim')],
  resetStatusOnCreate: true,
  schema: top({ spec: any, status: any }),
  strategy: {
    defaults(input) {
      const { object, spec } = withSpecCopy(input);
      if (spec) spec.volumeMode ??= 'Filesystem';
      object.status = { phase: 'Pending', ...(object.status ?? {}) };
      return object as KubeObject;
    },
    validate: (claim, fns) => validateClaim(claim, fns),
    // ValidatePersistentVolumeClaimUpdate: the claim as on create, then what may not change.
    validateUpdate: (claim, old, fns) => [...validateClaim(claim, fns), ...claimUpdateCauses(claim, old, fns.quantities)],
  },
  printer: {
    columns: [
      NAME,
      ['Status', 'string'],
      ['Volume', 'string'],
      ['Capacity', 'string'],
      ['Access Modes', 'string'],
      ['StorageClass', 'string'],
      ['VolumeAttributesClass', 'string'],
      AGE,
      ['VolumeMode', 'string', 1],
    ],
    row: (o, now) => {
      const p = o as Any;
      const bound = p.spec?.volumeName;
      return [
        o.metadata.name ?? '',
        p.status?.phase ?? '',
        bound ?? '',
        bound ? (p.status?.capacity?.storage ?? '') : '',
        bound ? accessModes(p.status?.accessModes) : '',
        p.spec?.storageClassName ?? '',
        p.spec?.volumeAttributesClassName ?? '<unset>',
        age(o, now),
        p.spec?.volumeMode ?? 'Filesystem',
      ];
    },
  },
});
