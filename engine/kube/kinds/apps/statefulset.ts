/**
 * apps/v1 StatefulSet: pods with stable names and storage, started and stopped in order.
 * Upstream: pkg/registry/apps/statefulset (strategy.go), pkg/apis/apps/v1/defaults.go.
 */
import { age, AGE, containerImages, containerNames, count, NAME } from '../../printers.ts';
import { anys, conditionsStatus, ints, labelSelector, list, any, obj, podTemplateSpec, strs, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, scaleSubresource, statusSubresource } from '../define.ts';
import { defaultTemplate, IMMUTABLE_SELECTOR, withSpecCopy } from '../workloads.ts';
import { validateStatefulSet, validateStatefulSetUpdate } from './validation.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const STATEFUL_SETS = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  kind: 'StatefulSet',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: [scaleSubresource(), statusSubresource('StatefulSet')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({
      ...ints('replicas', 'revisionHistoryLimit', 'minReadySeconds'),
      ...strs('serviceName', 'podManagementPolicy'),
      selector: labelSelector,
      template: podTemplateSpec,
      volumeClaimTemplates: list(any),
      ...anys('updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'ordinals'),
    }),
    status: conditionsStatus,
  }),
  strategy: {
    defaults(input, fns) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        spec.replicas ??= 1;
        spec.podManagementPolicy ??= 'OrderedReady';
        spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
        spec.revisionHistoryLimit ??= 10;
        spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
        spec.template = defaultTemplate(fns, spec.template);
      }
      return object as KubeObject;
    },
    // StatefulSet names are DNS labels (ValidateStatefulSetName): the pods' hostnames are made from them.
    nameRule: 'dns1123-label',
    validate: (object, fns) => validateStatefulSet(object, fns),
    validateUpdate: (object, old, fns) => validateStatefulSetUpdate(object, old, fns),
    immutableFields: [IMMUTABLE_SELECTOR],
  },
  printer: {
    columns: [NAME, ['Ready', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1]],
    row: (o, now) => {
      const s = o as Any;
      return [o.metadata.name ?? '', `${count(s.status?.readyReplicas)}/${count(s.spec?.replicas)}`, age(o, now), containerNames(s.spec?.template), containerImages(s.spec?.template)];
    },
  },
});
