/**
 * apps/v1 DaemonSet: one pod of a template on every (matching) node.
 * Upstream: pkg/registry/apps/daemonset (strategy.go), pkg/apis/apps/v1/defaults.go.
 */
import { age, AGE, containerImages, containerNames, count, formatLabels, formatSelector, NAME } from '../../printers.ts';
import { any, conditionsStatus, ints, labelSelector, obj, podTemplateSpec, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { defaultTemplate, IMMUTABLE_SELECTOR, withSpecCopy } from '../workloads.ts';
import { validateDaemonSet } from './validation.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const DAEMON_SETS = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  subresources: [statusSubresource('DaemonSet')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({ ...ints('minReadySeconds', 'revisionHistoryLimit'), selector: labelSelector, template: podTemplateSpec, updateStrategy: any }),
    status: conditionsStatus,
  }),
  strategy: {
    defaults(input, fns) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        // SetDefaults_DaemonSet: RollingUpdate, with maxUnavailable 1 and maxSurge 0 where unset.
        spec.updateStrategy = { ...(spec.updateStrategy ?? {}) };
        spec.updateStrategy.type ??= 'RollingUpdate';
        if (spec.updateStrategy.type === 'RollingUpdate') spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...(spec.updateStrategy.rollingUpdate ?? {}) };
        spec.revisionHistoryLimit ??= 10;
        spec.template = defaultTemplate(fns, spec.template);
      }
      return object as KubeObject;
    },
    validate: (object, fns) => validateDaemonSet(object, fns),
    immutableFields: [IMMUTABLE_SELECTOR],
  },
  printer: {
    columns: [
      NAME,
      ['Desired', 'integer'],
      ['Current', 'integer'],
      ['Ready', 'integer'],
      ['Up-to-date', 'integer'],
      ['Available', 'integer'],
      ['Node Selector', 'string'],
      AGE,
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ],
    row: (o, now) => {
      const d = o as Any;
      const s = d.status ?? {};
      return [
        o.metadata.name ?? '',
        count(s.desiredNumberScheduled),
        count(s.currentNumberScheduled),
        count(s.numberReady),
        count(s.updatedNumberScheduled),
        count(s.numberAvailable),
        formatLabels(d.spec?.template?.spec?.nodeSelector),
        age(o, now),
        containerNames(d.spec?.template),
        containerImages(d.spec?.template),
        formatSelector(d.spec?.selector),
      ];
    },
  },
});
