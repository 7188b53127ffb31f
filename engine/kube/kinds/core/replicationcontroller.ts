/**
 * core/v1 ReplicationController: the ReplicaSet's predecessor, with a plain label map for a
 * selector. Served so that `kubectl apply --prune` works with kubectl's default allowlist (which
 * names it) and so the disruption controller can count its replicas; no controller runs it here.
 *
 * Upstream: pkg/registry/core/replicationcontroller (strategy.go: generation, status subresource,
 * scale subresource), pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController (the selector
 * and the labels from the template's labels when unset, replicas 1), pkg/apis/core/validation
 * ValidateReplicationControllerSpec and ValidatePodTemplateSpecForRC, pkg/printers/internalversion
 * printReplicationController (NAME DESIRED CURRENT READY AGE, wide: CONTAINERS IMAGES SELECTOR).
 */
import { forbiddenField, invalidValue, notSupported, required } from '../../field-errors.ts';
import { age, AGE, containerImages, containerNames, count, formatLabels, NAME } from '../../printers.ts';
import { f, kept, PodTemplateSpec, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { conditionsStatus, ints, obj, podTemplateSpec, stringMap, top } from '../../schema-nodes.ts';
import type { KubeObject, PodSpec, StatusCause, StringMap } from '../../types.ts';
import { defineKind, scaleSubresource, statusSubresource } from '../define.ts';
import type { StrategyFunctions } from '../types.ts';
import { labelMap, nonNegative } from '../validate.ts';
import { deletionCostCauses } from '../../validation/pod-deletion-cost.ts';
import { defaultTemplate } from '../workloads.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ReplicationControllerSpec: ProtobufMessage = { 1: kept('replicas', 'int32'), 2: f('selector', { map: 'string' }), 3: f('template', PodTemplateSpec), 4: f('minReadySeconds', 'int32') };

/** labels.Set(selector).AsSelector().Matches(labels). */
function mapMatches(selector: StringMap, labels: StringMap): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** ValidateReplicationControllerSpec (with ValidatePodTemplateSpecForRC). */
function validateRC(rc: Any, fns: StrategyFunctions): StatusCause[] {
  const spec = rc.spec;
  if (!spec || typeof spec !== 'object') return [required('spec.selector'), required('spec.template')];
  const causes: StatusCause[] = [...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds')];
  const selector: StringMap = spec.selector ?? {};
  if (Object.keys(selector).length === 0) causes.push(required('spec.selector'));
  causes.push(...nonNegative(spec.replicas, 'spec.replicas'));
  const template = spec.template;
  if (!template || typeof template !== 'object') {
    causes.push(required('spec.template'));
    return causes;
  }
  const labels: StringMap = template.metadata?.labels ?? {};
  if (Object.keys(selector).length > 0 && !mapMatches(selector, labels)) causes.push(invalidValue('spec.template.metadata.labels', labels, 'selector does not match labels in spec.template'));
  causes.push(...labelMap(template.metadata?.labels, 'spec.template.metadata.labels'));
  causes.push(...deletionCostCauses(template.metadata?.annotations, 'spec.template.annotations'));
  if (!template.spec || typeof template.spec !== 'object') {
    causes.push(required('spec.template.spec'));
    return causes;
  }
  causes.push(...fns.validatePodSpec(template.spec as PodSpec, 'spec.template.spec'));
  const restart = template.spec.restartPolicy;
  if (restart !== undefined && restart !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (template.spec.activeDeadlineSeconds !== undefined) causes.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return causes;
}

export const REPLICATION_CONTROLLERS = defineKind({
  group: '',
  version: 'v1',
  resource: 'replicationcontrollers',
  kind: 'ReplicationController',
  namespaced: true,
  shortNames: ['rc'],
  categories: ['all'],
  subresources: [scaleSubresource(), statusSubresource('ReplicationController')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({ spec: obj({ ...ints('replicas', 'minReadySeconds'), selector: stringMap, template: podTemplateSpec }), status: conditionsStatus }),
  protobuf: withMeta({ 2: f('spec', ReplicationControllerSpec) }),
  strategy: {
    defaults(input, fns) {
      const object: Any = { ...input };
      if (!object.spec || typeof object.spec !== 'object' || Array.isArray(object.spec)) return object as KubeObject;
      const spec: Any = { ...object.spec };
      object.spec = spec;
      const labels: StringMap | undefined = spec.template?.metadata?.labels;
      if (labels) {
        if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
        if (Object.keys(object.metadata?.labels ?? {}).length === 0) object.metadata = { ...object.metadata, labels: { ...labels } };
      }
      spec.replicas ??= 1;
      if (spec.template) spec.template = defaultTemplate(fns, spec.template);
      return object as KubeObject;
    },
    validate: (rc, fns) => validateRC(rc, fns),
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
        formatLabels(r.spec?.selector),
      ];
    },
  },
});
