/**
 * batch/v1 validation, after pkg/apis/batch/validation/validation.go: ValidateJob (the generated
 * selector and its labels, validateJobSpec, the Indexed Job's pod hostnames), ValidateJobSpecUpdate
 * (completions, selector, template, completionMode and the other immutable fields; a suspended Job
 * that never started may change its template's scheduling directives) and ValidateCronJobCreate /
 * validateCronJobSpec (schedule, timeZone, concurrencyPolicy, the job template).
 */
import { canonical } from '../../canonical.ts';
import { invalidShown, invalidValue, notSupported, notSupportedShown, required } from '../../field-errors.ts';
import type { StatusCause } from '../../types.ts';
import { cronScheduleError } from '../../validation/cron.ts';
import { dns1123LabelProblems } from '../../validation/formats.ts';
import { goLabelSelector, goPodTemplateSpecShort, goQuote, goStringMap } from '../../validation/go-values.ts';
import { labelSelectorCauses, selectorConvertible } from '../../validation/selectors.ts';
import type { StrategyFunctions } from '../types.ts';
import { nonNegative, templateCauses } from '../workloads.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
const MAX_INDEXED_PARALLELISM = 100000;

function objectAt(value: unknown): Any {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Any) : {};
}

/** validateJobSpec at `at` (`spec`, or `spec.jobTemplate.spec`). */
function jobSpecCauses(fns: StrategyFunctions, spec: Any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    causes.push(...nonNegative(spec[field], `${at}.${field}`));
  }
  if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null && (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)) {
    causes.push(required(`${at}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (!COMPLETION_MODES.includes(mode)) causes.push(notSupported(`${at}.completionMode`, mode, COMPLETION_MODES));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) causes.push(required(`${at}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_PARALLELISM) {
        causes.push(invalidValue(`${at}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`));
      }
    }
  }
  if (mode === undefined || mode === null || mode === 'NonIndexed') {
    for (const field of ['backoffLimitPerIndex', 'maxFailedIndexes']) {
      if (spec[field] !== undefined && spec[field] !== null) causes.push(invalidValue(`${at}.${field}`, spec[field], 'requires indexed completion mode'));
    }
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined && replacement !== null) {
    if (spec.podFailurePolicy) {
      if (replacement !== 'Failed') causes.push(notSupported(`${at}.podReplacementPolicy`, replacement, ['Failed']));
    } else if (!REPLACEMENT_POLICIES.includes(replacement)) causes.push(notSupported(`${at}.podReplacementPolicy`, replacement, REPLACEMENT_POLICIES));
  }
  const template = objectAt(spec.template);
  causes.push(...templateCauses(fns, template, `${at}.template`));
  const restart = objectAt(template.spec).restartPolicy ?? '';
  const restartAt = `${at}.template.spec.restartPolicy`;
  if (restart === 'Always' || restart === '') causes.push(required(restartAt, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') causes.push(notSupported(restartAt, restart, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && restart !== 'Never') causes.push(invalidValue(restartAt, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return causes;
}

/** ValidateHasLabel. */
function hasLabelCauses(labels: Any | undefined, key: string, expected: string): StatusCause[] {
  const at = `spec.template.metadata.labels[${key}]`;
  if (!labels || !(key in labels)) return [required(at, `must be '${expected}'`)];
  return labels[key] === expected ? [] : [invalidShown(at, goStringMap(labels), `must be '${expected}'`)];
}

/** validateGeneratedSelector: a selector the registry generated still matches the labels it gave the template. */
function generatedSelectorCauses(fns: StrategyFunctions, job: Any): StatusCause[] {
  const spec = objectAt(job.spec);
  if (spec.manualSelector === true || !spec.selector) return [];
  const uid = String(job.metadata?.uid ?? '');
  const name = String(job.metadata?.name ?? '');
  const labels = objectAt(spec.template).metadata?.labels as Any | undefined;
  const causes: StatusCause[] = uid ? [] : [required('metadata.uid')];
  causes.push(...hasLabelCauses(labels, 'controller-uid', uid), ...hasLabelCauses(labels, 'job-name', name));
  causes.push(...hasLabelCauses(labels, 'batch.kubernetes.io/controller-uid', uid), ...hasLabelCauses(labels, 'batch.kubernetes.io/job-name', name));
  const expected = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  let matches = true;
  try {
    matches = !selectorConvertible(spec.selector) || fns.matchesSelector(spec.selector, expected);
  } catch {
    matches = true;
  }
  if (!matches) causes.push(invalidShown('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  return causes;
}

/**
 * ValidateJob (create; on update the name and generated selector are not checked again). A Job
 * whose selector is not manual gets one generated when it is created; until then (a registry that
 * does not generate it) the selector is not required.
 */
export function validateJob(job: Any, fns: StrategyFunctions, create = true): StatusCause[] {
  const spec = job.spec && typeof job.spec === 'object' && !Array.isArray(job.spec) ? (job.spec as Any) : undefined;
  if (!spec) return [required('spec')];
  const causes = create ? generatedSelectorCauses(fns, job) : [];
  causes.push(...jobSpecCauses(fns, spec, 'spec'));
  if (spec.selector === undefined || spec.selector === null) {
    if (spec.manualSelector === true) causes.push(required('spec.selector'));
  } else causes.push(...labelSelectorCauses(spec.selector, 'spec.selector'));
  if (spec.selector && selectorConvertible(spec.selector)) {
    const labels = objectAt(spec.template).metadata?.labels;
    let matches = false;
    try {
      matches = fns.matchesSelector(spec.selector, labels ?? {});
    } catch {
      matches = false;
    }
    if (!matches) causes.push(invalidShown('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  if (create && spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const host = `${job.metadata?.name ?? ''}-${spec.completions - 1}`;
    if (dns1123LabelProblems(host).length) causes.push(invalidValue('metadata.name', job.metadata?.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
  }
  return causes;
}

/** The template fields a suspended Job that never started may change (AllowMutableSchedulingDirectives). */
function withoutSchedulingDirectives(template: Any): Any {
  const copy: Any = { ...template, metadata: { ...objectAt(template.metadata) }, spec: { ...objectAt(template.spec) } };
  delete copy.metadata.labels;
  delete copy.metadata.annotations;
  for (const field of ['nodeSelector', 'tolerations', 'schedulingGates']) delete copy.spec[field];
  if (copy.spec.affinity) {
    copy.spec.affinity = { ...objectAt(copy.spec.affinity) };
    delete copy.spec.affinity.nodeAffinity;
    if (Object.keys(copy.spec.affinity).length === 0) delete copy.spec.affinity;
  }
  return copy;
}

/** Go's %v of an optional scalar field (a nil pointer is `null`). */
function shown(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  return typeof value === 'string' ? goQuote(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** ValidateJobUpdate: the spec again, and its immutable fields. */
export function validateJobUpdate(job: Any, old: Any, fns: StrategyFunctions): StatusCause[] {
  const causes = validateJob(job, fns, false);
  const spec = objectAt(job.spec);
  const was = objectAt(old.spec);
  const immutable = (field: string) => {
    if (canonical(spec[field]) !== canonical(was[field])) causes.push(invalidShown(`spec.${field}`, shown(spec[field]), 'field is immutable'));
  };
  const indexed = spec.completionMode === 'Indexed';
  if (!indexed) immutable('completions');
  else if (canonical(spec.completions) !== canonical(was.completions) && typeof spec.completions === 'number' && spec.completions !== spec.parallelism) {
    causes.push(invalidValue('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  if (canonical(spec.selector) !== canonical(was.selector)) causes.push(invalidShown('spec.selector', spec.selector ? goLabelSelector(spec.selector) : 'null', 'field is immutable'));
  const neverStarted = was.suspend === true && !old.status?.startTime;
  const template = objectAt(spec.template);
  const oldTemplate = objectAt(was.template);
  const same = neverStarted ? canonical(withoutSchedulingDirectives(template)) === canonical(withoutSchedulingDirectives(oldTemplate)) : canonical(template) === canonical(oldTemplate);
  if (!same) causes.push(invalidShown('spec.template', goPodTemplateSpecShort(template), 'field is immutable'));
  for (const field of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) immutable(field);
  return causes;
}

/** validateTimeZone: an IANA name Node's Intl knows (upstream: time.LoadLocation over the tzdata it ships). */
function timeZoneCauses(timeZone: unknown): StatusCause[] {
  if (timeZone === undefined || timeZone === null) return [];
  const at = 'spec.timeZone';
  const zone = String(timeZone);
  if (zone === '') return [invalidValue(at, zone, 'timeZone must be nil or non-empty string')];
  const valid = zone.split('/').every((part) => part !== '.' && part !== '..' && !part.startsWith('-') && /^[A-Za-z.\-_0-9+]{1,14}$/.test(part));
  if (!valid) return [invalidValue(at, zone, `unknown time zone ${zone}`)];
  if (zone.toLowerCase() === 'local') return [invalidValue(at, zone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return [invalidValue(at, zone, `unknown time zone ${zone}`)];
  }
  return [];
}

/** ValidateCronJobCreate / ValidateCronJobUpdate (`old` on update: the name's length is not checked, a timeZone only when it changed). */
export function validateCronJob(cronJob: Any, fns: StrategyFunctions, old?: Any): StatusCause[] {
  const spec = cronJob.spec && typeof cronJob.spec === 'object' && !Array.isArray(cronJob.spec) ? (cronJob.spec as Any) : undefined;
  if (!spec) return [required('spec')];
  const causes: StatusCause[] = [];
  const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
  if (!schedule) causes.push(required('spec.schedule'));
  else {
    const problem = cronScheduleError(schedule);
    if (problem) causes.push(invalidValue('spec.schedule', schedule, problem));
    const allowTZ = typeof old?.spec?.schedule === 'string' && old.spec.schedule.includes('TZ');
    if (allowTZ && schedule.includes('TZ') && spec.timeZone !== undefined && spec.timeZone !== null) {
      causes.push(invalidValue('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) causes.push(invalidValue('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  causes.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || canonical(old.spec?.timeZone) !== canonical(spec.timeZone)) causes.push(...timeZoneCauses(spec.timeZone));
  const policy = spec.concurrencyPolicy ?? '';
  if (policy === '') causes.push(required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(policy)) causes.push(notSupported('spec.concurrencyPolicy', policy, CONCURRENCY_POLICIES));
  const jobSpec = objectAt(objectAt(spec.jobTemplate).spec);
  causes.push(...jobSpecCauses(fns, jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector !== undefined && jobSpec.selector !== null) causes.push(invalidShown('spec.jobTemplate.spec.selector', goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) causes.push(notSupportedShown('spec.jobTemplate.spec.manualSelector', 'true', ['nil', 'false']));
  causes.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'), ...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const name = String(cronJob.metadata?.name ?? '');
  if (!old && name.length > 52) causes.push(invalidValue('metadata.name', name, 'must be no more than 52 characters'));
  return causes;
}
