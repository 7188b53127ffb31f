/**
 * batch/v1 Job: pods run to completion, retried up to a limit.
 * Upstream: pkg/registry/batch/job (strategy.go), pkg/apis/batch/v1/defaults.go.
 */
import type { Condition, KubeObject } from '../../types.ts';
import { age, AGE, containerImages, containerNames, count, formatSelector, humanDuration, NAME } from '../../printers.ts';
import { f, kept, LabelSelector, PodTemplateSpec, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { any, bools, conditionsStatus, ints, labelSelector, obj, podTemplateSpec, strs, top } from '../../schema-nodes.ts';
import { defineKind, fieldsAt, statusSubresource } from '../define.ts';
import { defaultTemplate, withSpecCopy } from '../workloads.ts';
import { validateJob, validateJobUpdate } from './validation.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** batch/v1 JobSpec, in protobuf (CronJob's jobTemplate carries one too). */
export const JobSpecMessage: ProtobufMessage = {
  1: kept('parallelism', 'int32'), 2: kept('completions', 'int32'), 3: kept('activeDeadlineSeconds', 'int64'), 4: f('selector', LabelSelector),
  5: kept('manualSelector', 'bool'), 6: f('template', PodTemplateSpec), 7: kept('backoffLimit', 'int32'), 8: kept('ttlSecondsAfterFinished', 'int32'),
  9: f('completionMode', 'string'), 10: kept('suspend', 'bool'),
};

/** batch/v1 JobSpec, as a schema (CronJob's jobTemplate carries one too). */
export const jobSpecSchema = obj({
  ...ints('parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes', 'ttlSecondsAfterFinished'),
  ...bools('manualSelector', 'suspend'),
  ...strs('completionMode', 'podReplacementPolicy', 'managedBy'),
  podFailurePolicy: any,
  successPolicy: any,
  selector: labelSelector,
  template: podTemplateSpec,
});

function jobStatus(job: Any): string {
  const conditions: Condition[] = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (has('Failed')) return 'Failed';
  if (has('Complete')) return 'Complete';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobDuration(job: Any, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

export const JOBS = defineKind({
  // DefaultGarbageCollectionPolicy: batch/v1 orphans a Job's pods unless the DELETE says otherwise.
  orphanDependentsByDefault: true,
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('Job')],
  generation: true,
  resetStatusOnCreate: true,
  fields: fieldsAt('status.successful'),
  schema: top({ spec: jobSpecSchema, status: conditionsStatus }),
  protobuf: withMeta({ 2: f('spec', JobSpecMessage) }),
  strategy: {
    defaults(input, fns) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
        spec.parallelism ??= 1;
        spec.backoffLimit ??= 6;
        spec.completionMode ??= 'NonIndexed';
        spec.suspend ??= false;
        spec.podReplacementPolicy ??= 'TerminatingOrFailed';
        spec.template = defaultTemplate(fns, spec.template);
      }
      return object as KubeObject;
    },
    validate: (object, fns) => validateJob(object, fns),
    validateUpdate: (object, old, fns) => validateJobUpdate(object, old, fns),
  },
  printer: {
    columns: [NAME, ['Status', 'string'], ['Completions', 'string'], ['Duration', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const j = o as Any;
      const completions = j.spec?.completions !== undefined ? `${count(j.status?.succeeded)}/${j.spec.completions}` : `${count(j.status?.succeeded)}/1 of ${count(j.spec?.parallelism ?? 1)}`;
      return [o.metadata.name ?? '', jobStatus(j), completions, jobDuration(j, now), age(o, now), containerNames(j.spec?.template), containerImages(j.spec?.template), formatSelector(j.spec?.selector)];
    },
  },
});
