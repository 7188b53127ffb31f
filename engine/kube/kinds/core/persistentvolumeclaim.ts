/**
 * core/v1 PersistentVolumeClaim: a pod's request for storage, bound to a PersistentVolume.
 * Upstream: pkg/registry/core/persistentvolumeclaim (strategy.go), pkg/apis/core/v1/defaults.go.
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { withSpecCopy } from '../workloads.ts';
import { accessModes } from './persistentvolume.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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
  },
  printer: {
    columns: [NAME, ['Status', 'string'], ['Volume', 'string'], ['Capacity', 'string'], ['Access Modes', 'string'], ['StorageClass', 'string'], ['VolumeAttributesClass', 'string'], AGE, ['VolumeMode', 'string', 1]],
    row: (o, now) => {
      const p = o as Any;
      const bound = p.spec?.volumeName;
      return [o.metadata.name ?? '', p.status?.phase ?? '', bound ?? '', bound ? p.status?.capacity?.storage ?? '' : '', bound ? accessModes(p.status?.accessModes) : '', p.spec?.storageClassName ?? '', p.spec?.volumeAttributesClassName ?? '<unset>', age(o, now), p.spec?.volumeMode ?? 'Filesystem'];
    },
  },
});
