/**
 * apps/v1 validation, after pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec,
 * ValidateReplicaSetSpec, ValidateDaemonSetSpec, ValidateStatefulSetSpec and
 * ValidateStatefulSetUpdate), with its messages and paths, quirks included: a ReplicaSet's empty
 * selector is "invalid for deployment", a Deployment's template is checked as a ReplicaSet's, and
 * a StatefulSet's pod spec is not validated at all (its pods are, when the controller makes them).
 */
import { canonical } from '../../canonical.ts';
import { forbiddenField, invalidShown, invalidValue, notSupported, notSupportedShown, required } from '../../field-errors.ts';
import type { StatusCause } from '../../types.ts';
import { percentProblems } from '../../validation/formats.ts';
import { goIntOrString, goLabelSelector, goQuote, goStringMap } from '../../validation/go-values.ts';
import { labelSelectorCauses, selectorConvertible, selectorEmpty } from '../../validation/selectors.ts';
import type { StrategyFunctions } from '../types.ts';
import { alwaysRestartCauses, nonNegative, selectorAndTemplateCauses, templateCauses } from '../workloads.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function specOf(object: Any): Any | undefined {
  return object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? object.spec : undefined;
}

/** getIntOrPercentValue: a valid percent's number, else the int (a string that is not a number counts as 0). */
function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (percentProblems(value).length === 0) return Number(value.slice(0, -1));
    return /^-?[0-9]+$/.test(value) ? Number(value) : 0;
  }
  return 0;
}

/** ValidatePositiveIntOrPercent. */
function positiveIntOrPercentCauses(value: unknown, at: string): StatusCause[] {
  if (typeof value === 'string') return percentProblems(value).map((m) => invalidShown(at, goIntOrString(value), m));
  return nonNegative(typeof value === 'number' ? value : 0, at);
}

/** IsNotMoreThan100Percent. */
function atMost100Percent(value: unknown, at: string): StatusCause[] {
  if (typeof value !== 'string' || percentProblems(value).length) return [];
  return Number(value.slice(0, -1)) > 100 ? [invalidShown(at, goIntOrString(value), 'must not be greater than 100%')] : [];
}

/** ValidateDeploymentStrategy (after SetDefaults_Deployment filled in RollingUpdate 25%/25%). */
function deploymentStrategyCauses(strategy: Any | undefined): StatusCause[] {
  const s = strategy ?? {};
  const at = 'spec.strategy';
  const rolling: Any | undefined = s.rollingUpdate && typeof s.rollingUpdate === 'object' ? s.rollingUpdate : undefined;
  if (s.type === 'Recreate') return rolling ? [forbiddenField(`${at}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  if (s.type === 'RollingUpdate') {
    if (!rolling) return [required(`${at}.rollingUpdate`, 'this should be defaulted and never be nil')];
    const rat = `${at}.rollingUpdate`;
    const causes = [...positiveIntOrPercentCauses(rolling.maxUnavailable, `${rat}.maxUnavailable`), ...positiveIntOrPercentCauses(rolling.maxSurge, `${rat}.maxSurge`)];
    if (intOrPercentValue(rolling.maxUnavailable) === 0 && intOrPercentValue(rolling.maxSurge) === 0) {
      causes.push(invalidShown(`${rat}.maxUnavailable`, goIntOrString(rolling.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    causes.push(...atMost100Percent(rolling.maxUnavailable, `${rat}.maxUnavailable`));
    return causes;
  }
  const shown = `apps.DeploymentStrategy{Type:${goQuote(String(s.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDeployment)(${rolling ? '...' : 'nil'})}`;
  return [notSupportedShown(at, shown, ['Recreate', 'RollingUpdate'])];
}

/** The template of a Deployment or ReplicaSet (ValidatePodTemplateSpecForReplicaSet). */
function replicaSetTemplateCauses(fns: StrategyFunctions, spec: Any): StatusCause[] {
  const template: Any = spec.template && typeof spec.template === 'object' ? spec.template : {};
  return [...templateCauses(fns, template, 'spec.template'), ...alwaysRestartCauses(template, 'ReplicaSet')];
}

/** ValidateDeployment (create and update: the selector's immutability is a separate check). */
export function validateDeployment(object: Any, fns: StrategyFunctions): StatusCause[] {
  const spec = specOf(object);
  if (!spec) return [required('spec')];
  const causes = nonNegative(spec.replicas, 'spec.replicas');
  causes.push(...selectorAndTemplateCauses(fns, spec, { noun: 'deployment', conversionDetail: 'invalid label selector' }, () => replicaSetTemplateCauses(fns, spec)));
  causes.push(...deploymentStrategyCauses(spec.strategy));
  causes.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    causes.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
      causes.push(invalidValue('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return causes;
}

/** ValidateReplicaSetSpec. */
export function validateReplicaSet(object: Any, fns: StrategyFunctions): StatusCause[] {
  const spec = specOf(object);
  if (!spec) return [required('spec')];
  const causes = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  causes.push(...selectorAndTemplateCauses(fns, spec, { noun: 'deployment', conversionDetail: 'invalid label selector' }, () => replicaSetTemplateCauses(fns, spec)));
  return causes;
}

/** ValidateRollingUpdateDaemonSet: exactly one of maxUnavailable and maxSurge is non-zero. */
function daemonSetStrategyCauses(strategy: Any | undefined): StatusCause[] {
  const s = strategy ?? {};
  const at = 'spec.updateStrategy';
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate') {
    const shown = `apps.DaemonSetUpdateStrategy{Type:${goQuote(String(s.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(${s.rollingUpdate ? '...' : 'nil'})}`;
    return [notSupportedShown(at, shown, ['RollingUpdate', 'OnDelete'])];
  }
  const rolling: Any | undefined = s.rollingUpdate && typeof s.rollingUpdate === 'object' ? s.rollingUpdate : undefined;
  if (!rolling) return [required(`${at}.rollingUpdate`)];
  const rat = `${at}.rollingUpdate`;
  const causes = [...positiveIntOrPercentCauses(rolling.maxUnavailable, `${rat}.maxUnavailable`), ...positiveIntOrPercentCauses(rolling.maxSurge, `${rat}.maxSurge`)];
  causes.push(...atMost100Percent(rolling.maxUnavailable, `${rat}.maxUnavailable`), ...atMost100Percent(rolling.maxSurge, `${rat}.maxSurge`));
  const unavailable = intOrPercentValue(rolling.maxUnavailable) !== 0;
  const surge = intOrPercentValue(rolling.maxSurge) !== 0;
  if (unavailable && surge) causes.push(invalidShown(`${rat}.maxSurge`, goIntOrString(rolling.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!unavailable && !surge) causes.push(required(`${rat}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return causes;
}

/** ValidateDaemonSetSpec. A DaemonSet without a selector selects nothing, so only the label mismatch is reported. */
export function validateDaemonSet(object: Any, fns: StrategyFunctions): StatusCause[] {
  const spec = specOf(object);
  if (!spec) return [required('spec')];
  const causes: StatusCause[] = [];
  const selector = spec.selector;
  const template: Any = spec.template && typeof spec.template === 'object' ? spec.template : {};
  causes.push(...labelSelectorCauses(selector, 'spec.selector'));
  if (selectorConvertible(selector)) {
    let matches = false;
    try {
      matches = selector !== undefined && selector !== null && fns.matchesSelector(selector, template.metadata?.labels ?? {});
    } catch {
      matches = false;
    }
    if (!matches) causes.push(invalidShown('spec.template.metadata.labels', goStringMap(template.metadata?.labels), '`selector` does not match template `labels`'));
  }
  if (selector && selectorEmpty(selector)) causes.push(invalidShown('spec.selector', goLabelSelector(selector), 'empty selector is invalid for daemonset'));
  causes.push(...templateCauses(fns, template, 'spec.template'), ...alwaysRestartCauses(template, 'DaemonSet'));
  causes.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.templateGeneration, 'spec.templateGeneration'));
  causes.push(...daemonSetStrategyCauses(spec.updateStrategy));
  causes.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return causes;
}

const PVC_RETENTION = ['Retain', 'Delete'];

/** ValidateStatefulSetSpec. */
export function validateStatefulSet(object: Any, fns: StrategyFunctions): StatusCause[] {
  const spec = specOf(object);
  if (!spec) return [required('spec')];
  const causes: StatusCause[] = [];
  const policy = spec.podManagementPolicy ?? '';
  if (policy === '') causes.push(required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') causes.push(invalidValue('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy: Any = spec.updateStrategy && typeof spec.updateStrategy === 'object' ? spec.updateStrategy : {};
  const rolling: Any | undefined = strategy.rollingUpdate && typeof strategy.rollingUpdate === 'object' ? strategy.rollingUpdate : undefined;
  if (!strategy.type) causes.push(required('spec.updateStrategy'));
  else if (strategy.type === 'OnDelete') {
    if (rolling)
      causes.push(
        invalidShown(
          'spec.updateStrategy.rollingUpdate',
          `apps.RollingUpdateStatefulSetStrategy{Partition:${rolling.partition ?? 0}, MaxUnavailable:(*intstr.IntOrString)(nil)}`,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
  } else if (strategy.type === 'RollingUpdate') {
    if (rolling) {
      causes.push(...nonNegative(rolling.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      if (rolling.maxUnavailable !== undefined && rolling.maxUnavailable !== null) {
        const at = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        causes.push(...positiveIntOrPercentCauses(rolling.maxUnavailable, at));
        if (intOrPercentValue(rolling.maxUnavailable) === 0) causes.push(invalidShown(at, goIntOrString(rolling.maxUnavailable), 'cannot be 0'));
        causes.push(...atMost100Percent(rolling.maxUnavailable, at));
      }
    }
  } else {
    causes.push(
      invalidShown(
        'spec.updateStrategy',
        `apps.StatefulSetUpdateStrategy{Type:${goQuote(String(strategy.type))}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(${rolling ? '...' : 'nil'})}`,
        "must be 'RollingUpdate' or 'OnDelete'",
      ),
    );
  }
  const retention: Any | undefined = spec.persistentVolumeClaimRetentionPolicy && typeof spec.persistentVolumeClaimRetentionPolicy === 'object' ? spec.persistentVolumeClaimRetentionPolicy : undefined;
  if (retention) {
    for (const field of ['whenDeleted', 'whenScaled']) {
      const value = retention[field] ?? '';
      if (!PVC_RETENTION.includes(value)) causes.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${field}`, value, PVC_RETENTION));
    }
  }
  causes.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals && typeof spec.ordinals === 'object') causes.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  const template: Any = spec.template && typeof spec.template === 'object' ? spec.template : {};
  causes.push(...selectorAndTemplateCauses(fns, spec, { noun: 'statefulset', conversionDetail: '' }, () => templateCauses(fns, template, 'spec.template', false)));
  causes.push(...alwaysRestartCauses(template, 'StatefulSet'));
  return causes;
}

/** The StatefulSet spec fields an update may change (ValidateStatefulSetUpdate, 1.32). */
const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** ValidateStatefulSetUpdate: the spec again, and nothing changed outside the mutable fields. */
export function validateStatefulSetUpdate(object: Any, old: Any, fns: StrategyFunctions): StatusCause[] {
  const causes = validateStatefulSet(object, fns);
  const rest = (spec: Any | undefined) => {
    const copy: Any = { ...(spec ?? {}) };
    for (const field of STATEFULSET_MUTABLE) delete copy[field];
    return canonical(copy);
  };
  if (rest(specOf(object)) !== rest(specOf(old))) {
    causes.push(
      forbiddenField(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return causes;
}
