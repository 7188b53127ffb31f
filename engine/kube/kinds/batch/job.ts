/**
 * batch/v1 Job: pods run to completion, retried up to a limit.
 * Upstream: pkg/registry/batch/job (strategy.go), pkg/apis/batch/v1/defaults.go.
 *
 * A new Job whose selector is not manual gets a generated one (strategy.go generateSelector): its
 * pod template is labelled with the Job's name and uid, under the legacy and the
 * batch.kubernetes.io keys, and its selector matches the uid, so no two Jobs ever share pods. A
 * Job without labels of its own carries its template's (SetDefaults_Job, which upstream also runs
 * when it reads a Job back, so the generated labels show there too).
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
  1: kept('parallelism', 'int32'),
  2: kept('completions', 'int32'),
  3: kept('activeDeadlineSeconds', 'int64'),
  4: f('selector', LabelSelector),
  5: kept('manualSelector', 'bool'),
  6: f('template', PodTemplateSpec),
  7: kept('backoffLimit', 'int32'),
  8: kept('ttlSecondsAfterFinished', 'int32'),
  9: f('completionMode', 'string'),
  10: kept('suspend', 'bool'),
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

/** The labels a generated selector is built from (pkg/apis/batch: LegacyJobNameLabel, JobNameLabel, ...). */
export const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
export const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/** generateSelectorIfNeeded: the template labels and selector of a Job whose selector is not manual. */
function withGeneratedSelector(job: Any): Any {
  const spec: Any = { ...(job.spec ?? {}) };
  if (spec.manualSelector === true) return job;
  const template: Any = { ...(spec.template ?? {}) };
  const templateMeta: Any = { ...(template.metadata ?? {}) };
  const labels: Record<string, string> = { ...(templateMeta.labels ?? {}) };
  // A label the user set is kept: validation refuses it if it does not match.
  for (const key of JOB_NAME_LABELS) labels[key] ??= job.metadata.name ?? '';
  for (const key of CONTROLLER_UID_LABELS) labels[key] ??= job.metadata.uid ?? '';
  templateMeta.labels = labels;
  template.metadata = templateMeta;
  spec.template = template;
  const selector: Any = { ...(spec.selector ?? {}) };
  selector.matchLabels = { ...(selector.matchLabels ?? {}) };
  selector.matchLabels['batch.kubernetes.io/controller-uid'] ??= job.metadata.uid ?? '';
  spec.selector = selector;
  const metadata = Object.keys(job.metadata.labels ?? {}).length ? job.metadata : { ...job.metadata, labels: { ...labels } };
  return { ...job, metadata, spec };
}

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
        spec.manualSelector ??= false;
        spec.template = defaultTemplate(fns, spec.template);
        const templateLabels = spec.template?.metadata?.labels;
        if (templateLabels && Object.keys(object.metadata?.labels ?? {}).length === 0) object.metadata = { ...object.metadata, labels: { ...templateLabels } };
      }
      return object as KubeObject;
    },
    // PrepareForCreate: the generated selector, and `status: {}` (an empty JobStatus).
    prepareForCreate: (job) => ({ ...withGeneratedSelector(job), status: {} }) as KubeObject,
    validate: (object, fns) => validateJob(object, fns),
    validateUpdate: (object, old, fns) => validateJobUpdate(object, old, fns),
  },
  printer: {
    columns: [NAME, ['Status', 'string'], ['Completions', 'string'], ['Duration', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const j = o as Any;
      const completions = j.spec?.completions !== undefined ? `${count(j.status?.succeeded)}/${j.spec.completions}` : `${count(j.status?.succeeded)}/1 of ${count(j.spec?.parallelism ?? 1)}`;
      return [
        o.metadata.name ?? '',
        jobStatus(j),
        completions,
        jobDuration(j, now),
        age(o, now),
        containerNames(j.spec?.template),
        containerImages(j.spec?.template),
        formatSelector(j.spec?.selector),
      ];
    },
  },
});
