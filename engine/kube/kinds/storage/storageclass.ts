/**
 * storage.k8s.io/v1 StorageClass: how volumes of a class are provisioned.
 * Upstream: pkg/registry/storage/storageclass (strategy.go), pkg/apis/storage/v1/defaults.go;
 * validation in engine/kube/validation/storage.ts.
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, bool, list, str, stringMap, strs, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { storageClassCauses, storageClassUpdateCauses } from '../../validation/storage.ts';
import { defineKind } from '../define.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const STORAGE_CLASSES = defineKind({
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  kind: 'StorageClass',
  namespaced: false,
  shortNames: ['sc'],
  schema: top({
    ...strs('provisioner', 'reclaimPolicy', 'volumeBindingMode'),
    allowVolumeExpansion: bool,
    parameters: stringMap,
    mountOptions: list(str),
    allowedTopologies: list(any),
  }),
  strategy: {
    defaults(input) {
      const object: Any = { ...input };
      object.reclaimPolicy ??= 'Delete';
      object.volumeBindingMode ??= 'Immediate';
      return object as KubeObject;
    },
    validate: (sc) => storageClassCauses(sc),
    // The strategy's ValidateUpdate: ValidateStorageClass, then ValidateStorageClassUpdate.
    validateUpdate: (sc, old) => [...storageClassCauses(sc), ...storageClassUpdateCauses(sc, old)],
  },
  printer: {
    columns: [NAME, ['Provisioner', 'string'], ['ReclaimPolicy', 'string'], ['VolumeBindingMode', 'string'], ['AllowVolumeExpansion', 'string'], AGE],
    row: (o, now) => {
      const s = o as Any;
      const isDefault = s.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
      return [
        `${o.metadata.name}${isDefault ? ' (default)' : ''}`,
        s.provisioner ?? '',
        s.reclaimPolicy ?? 'Delete',
        s.volumeBindingMode ?? 'Immediate',
        String(Boolean(s.allowVolumeExpansion)),
        age(o, now),
      ];
    },
  },
});
