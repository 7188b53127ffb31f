/**
 * batch/v1 CronJob: a Job made from a template on a schedule.
 * Upstream: pkg/registry/batch/cronjob (strategy.go), pkg/apis/batch/v1/defaults.go.
 */
import { age, AGE, containerImages, containerNames, formatSelector, NAME, since } from '../../printers.ts';
import { f, kept, ObjectMeta, withMeta } from '../../protobuf.ts';
import { any, bool, ints, objectMeta, obj, strs, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { defaultTemplate, withSpecCopy } from '../workloads.ts';
import { jobSpecSchema, JobSpecMessage } from './job.ts';
import { validateCronJob } from './validation.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const CRON_JOBS = defineKind({
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: [statusSubresource('CronJob')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({
      ...strs('schedule', 'timeZone', 'concurrencyPolicy'),
      ...ints('startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'),
      suspend: bool,
      jobTemplate: obj({ metadata: objectMeta, spec: jobSpecSchema }),
    }),
    status: any,
  }),
  protobuf: withMeta({
    2: f('spec', {
      1: f('schedule', 'string'),
      8: f('timeZone', 'string'),
      2: kept('startingDeadlineSeconds', 'int64'),
      3: f('concurrencyPolicy', 'string'),
      4: kept('suspend', 'bool'),
      5: f('jobTemplate', { 1: f('metadata', ObjectMeta), 2: f('spec', JobSpecMessage) }),
      6: kept('successfulJobsHistoryLimit', 'int32'),
      7: kept('failedJobsHistoryLimit', 'int32'),
    }),
  }),
  strategy: {
    defaults(input, fns) {
      const { object, spec } = withSpecCopy(input);
      if (spec) {
        spec.concurrencyPolicy ??= 'Allow';
        spec.suspend ??= false;
        spec.successfulJobsHistoryLimit ??= 3;
        spec.failedJobsHistoryLimit ??= 1;
        if (spec.jobTemplate?.spec) spec.jobTemplate = { ...spec.jobTemplate, spec: { ...spec.jobTemplate.spec, template: defaultTemplate(fns, spec.jobTemplate.spec.template) } };
      }
      return object as KubeObject;
    },
    // PrepareForCreate: `status: {}` (an empty CronJobStatus).
    prepareForCreate: (cronJob) => ({ ...cronJob, status: {} }),
    validate: (object, fns) => validateCronJob(object, fns),
    validateUpdate: (object, old, fns) => validateCronJob(object, fns, old),
  },
  printer: {
    columns: [
      NAME,
      ['Schedule', 'string'],
      ['Timezone', 'string'],
      ['Suspend', 'boolean'],
      ['Active', 'integer'],
      ['Last Schedule', 'string'],
      AGE,
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ],
    row: (o, now) => {
      const c = o as Any;
      const template = c.spec?.jobTemplate?.spec?.template;
      return [
        o.metadata.name ?? '',
        c.spec?.schedule ?? '',
        c.spec?.timeZone ?? '<none>',
        c.spec?.suspend ? 'True' : 'False',
        (c.status?.active ?? []).length,
        c.status?.lastScheduleTime ? since(c.status.lastScheduleTime, now) : '<none>',
        age(o, now),
        containerNames(template),
        containerImages(template),
        formatSelector(c.spec?.jobTemplate?.spec?.selector),
      ];
    },
  },
});
