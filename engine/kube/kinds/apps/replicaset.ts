/**
 * apps/v1 ReplicaSet: keeps `replicas` pods of one template running.
 * Upstream: pkg/registry/apps/replicaset (strategy.go), pkg/apis/apps/v1/defaults.go.
 */
import { age, AGE, containerImages, containerNames, count, formatSelector, NAME } from '../../printers.ts';
import { conditionsStatus, ints, labelSelector, obj, podTemplateSpec, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, fieldsAt, scaleSubresource, statusSubresource } from '../define.ts';
import { defaultTemplate, IMMUTABLE_SELECTOR, withSpecCopy } from '../workloads.ts';
import { validateReplicaSet } from './validation.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const REPLICA_SETS = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  subresources: [scaleSubresource(), statusSubresource('ReplicaSet')],
  generation: true,
  resetStatusOnCreate: true,
  fields: fieldsAt('status.replicas'),
  schema: top({ spec: obj({ ...ints('replicas', 'minReadySeconds'), selector: labelSelector, template: podTemplateSpec }), status: conditionsStatus }),
  strategy: {
    defaults(input, fns) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        spec.replicas ??= 1;
        spec.template = defaultTemplate(fns, spec.template);
      }
      return object as KubeObject;
    },
    validate: (object, fns) => validateReplicaSet(object, fns),
    immutableFields: [IMMUTABLE_SELECTOR],
  },
  printer: {
    columns: [NAME, ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const r = o as Any;
      return [
        o.metadata.name ?? '',
        count(r.spec?.replicas),
        count(r.status?.replicas),
        count(r.status?.readyReplicas),
        age(o, now),
        containerNames(r.spec?.template),
        containerImages(r.spec?.template),
        formatSelector(r.spec?.selector),
      ];
    },
  },
});
