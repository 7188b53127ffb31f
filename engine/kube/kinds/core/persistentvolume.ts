/**
 * core/v1 PersistentVolume: a piece of storage in the cluster, bound to at most one claim.
 * Upstream: pkg/registry/core/persistentvolume (strategy.go), pkg/apis/core/v1/defaults.go;
 * validation in engine/kube/validation/storage.ts.
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { persistentVolumeCauses, persistentVolumeUpdateCauses } from '../../validation/storage.ts';
import { withSpecCopy } from '../workloads.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Access modes as kubectl abbreviates them: RWO, ROX, RWX, RWOP. */
export function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

export const PERSISTENT_VOLUMES = defineKind({
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  kind: 'PersistentVolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: [statusSubresource('PersistentVolume')],
  resetStatusOnCreate: true,
  schema: top({ spec: any, status: any }),
  strategy: {
    defaults(input) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        spec.persistentVolumeReclaimPolicy ??= 'Retain';
        spec.volumeMode ??= 'Filesystem';
      }
      object.status = { phase: 'Pending', ...(object.status ?? {}) };
      return object as KubeObject;
    },
    validate: (pv, fns) => persistentVolumeCauses(pv, fns.quantities),
    validateUpdate: (pv, old, fns) => persistentVolumeUpdateCauses(pv, old, fns.quantities),
  },
  printer: {
    columns: [
      NAME,
      ['Capacity', 'string'],
      ['Access Modes', 'string'],
      ['Reclaim Policy', 'string'],
      ['Status', 'string'],
      ['Claim', 'string'],
      ['StorageClass', 'string'],
      ['VolumeAttributesClass', 'string'],
      ['Reason', 'string'],
      AGE,
      ['VolumeMode', 'string', 1],
    ],
    row: (o, now) => {
      const p = o as Any;
      const claim = p.spec?.claimRef ? `${p.spec.claimRef.namespace}/${p.spec.claimRef.name}` : '';
      return [
        o.metadata.name ?? '',
        p.spec?.capacity?.storage ?? '',
        accessModes(p.spec?.accessModes),
        p.spec?.persistentVolumeReclaimPolicy ?? '',
        p.status?.phase ?? '',
        claim,
        p.spec?.storageClassName ?? '',
        p.spec?.volumeAttributesClassName ?? '<unset>',
        p.status?.reason ?? '',
        age(o, now),
        p.spec?.volumeMode ?? 'Filesystem',
      ];
    },
  },
});
