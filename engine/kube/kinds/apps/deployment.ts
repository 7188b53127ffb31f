/**
 * apps/v1 Deployment: a ReplicaSet per pod template, rolled from one to the next.
 * Upstream: pkg/registry/apps/deployment (strategy.go), pkg/apis/apps/v1/defaults.go.
 */
import { age, AGE, containerImages, containerNames, count, formatSelector, NAME } from '../../printers.ts';
import { f, kept, LabelSelector, PodTemplateSpec, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { bool, conditionsStatus, intOrString, ints, labelSelector, obj, podTemplateSpec, str, top } from '../../schema-nodes.ts';
import type { Deployment } from '../../types.ts';
import { defineKind, scaleSubresource, statusSubresource } from '../define.ts';
import { defaultTemplate, IMMUTABLE_SELECTOR, withSpecCopy } from '../workloads.ts';
import { validateDeployment } from './validation.ts';

const RollingUpdateDeployment: ProtobufMessage = { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') };
const DeploymentSpec: ProtobufMessage = {
  1: kept('replicas', 'int32'),
  2: f('selector', LabelSelector),
  3: f('template', PodTemplateSpec),
  4: f('strategy', { 1: f('type', 'string'), 2: f('rollingUpdate', RollingUpdateDeployment) }),
  5: f('minReadySeconds', 'int32'),
  6: kept('revisionHistoryLimit', 'int32'),
  7: f('paused', 'bool'),
  9: kept('progressDeadlineSeconds', 'int32'),
};

export const DEPLOYMENTS = defineKind<Deployment>({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: [scaleSubresource(), statusSubresource('Deployment')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({
      ...ints('replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'),
      paused: bool,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
    }),
    status: conditionsStatus,
  }),
  protobuf: withMeta({ 2: f('spec', DeploymentSpec) }),
  strategy: {
    defaults(input, fns) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        spec.replicas ??= 1;
        spec.strategy = { ...(spec.strategy ?? {}) };
        spec.strategy.type ??= 'RollingUpdate';
        if (spec.strategy.type === 'RollingUpdate') spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(spec.strategy.rollingUpdate ?? {}) };
        spec.revisionHistoryLimit ??= 10;
        spec.progressDeadlineSeconds ??= 600;
        spec.template = defaultTemplate(fns, spec.template);
      }
      return object as Deployment;
    },
    // PrepareForCreate: `status: {}` (an empty DeploymentStatus).
    prepareForCreate: (deployment) => ({ ...deployment, status: {} }),
    validate: (object, fns) => validateDeployment(object, fns),
    immutableFields: [IMMUTABLE_SELECTOR],
  },
  // deploymentStatusStrategy.GetResetFields: a status write leaves the spec and the labels as they are.
  statusResets: [['metadata', 'labels']],
  printer: {
    columns: [NAME, ['Ready', 'string'], ['Up-to-date', 'string'], ['Available', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (d, now) => {
      const s = d.status ?? {};
      return [
        d.metadata.name ?? '',
        `${count(s.readyReplicas)}/${count(d.spec?.replicas)}`,
        count(s.updatedReplicas),
        count(s.availableReplicas),
        age(d, now),
        containerNames(d.spec?.template),
        containerImages(d.spec?.template),
        formatSelector(d.spec?.selector),
      ];
    },
  },
});
