/**
 * Field checks several kinds share, worded as upstream words them (the kinds added for the
 * networking, autoscaling, policy and quota lessons use them):
 * - int-or-percent fields (apps/validation ValidatePositiveIntOrPercent, IsNotMoreThan100Percent):
 *   PodDisruptionBudget minAvailable/maxUnavailable;
 * - non-negative numbers (core/validation ValidateNonnegativeField);
 * - label selectors, label keys and values (apimachinery meta/v1/validation ValidateLabelSelector,
 *   ValidateLabelName, ValidateLabels);
 * - metav1.Condition lists (ValidateConditions);
 * - how Go's field.Invalid prints a value that is not a plain string or number (`%#v`): an
 *   IntOrString is `intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}`.
 *
 * Pure: each returns the StatusCauses it finds (empty when valid), never throws.
 */
import { forbiddenField, invalidValue, notSupported, required, duplicate } from '../field-errors.ts';
import type { LabelSelector, StatusCause, StringMap } from '../types.ts';
import { labelKeyProblems, labelValueProblems } from '../../objects/names.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A value shown exactly as given in a message (`Invalid value: <text>: ...`): for Go's %#v of structs. */
export class GoValue {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

/** A cause whose value is printed raw (a Go struct), not quoted. */
export function invalidGo(field: string, text: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${text}: ${detail}`, field };
}

/** intstr.IntOrString as Go's %#v prints it: `intstr.IntOrString{Type:0, IntVal:5, StrVal:""}`. */
export function goIntOrString(value: unknown): string {
  if (typeof value === 'number') return `intstr.IntOrString{Type:0, IntVal:${value}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(String(value))}}`;
}

/** `must be greater than or equal to 0` (ValidateNonnegativeField) when `value` is a negative number. */
export function nonNegative(value: unknown, field: string): StatusCause[] {
  return typeof value === 'number' && value < 0 ? [invalidValue(field, value, 'must be greater than or equal to 0')] : [];
}

const PERCENT = /^[0-9]+%$/;
// validation.RegexError joins its examples with "', " and " or ": two spaces before each "or".
const PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent then IsNotMoreThan100Percent, on an IntOrString at `field`. */
export function intOrPercent(value: unknown, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') return nonNegative(value, field);
  const text = String(value);
  if (!PERCENT.test(text)) return [invalidGo(field, goIntOrString(text), PERCENT_MESSAGE)];
  if (Number(text.slice(0, -1)) > 100) return [invalidGo(field, goIntOrString(text), 'must not be greater than 100%')];
  return [];
}

/** intstr.GetScaledValueFromIntOrPercent: a number as is; a percentage of `total`, rounded up or down. */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(String(value).replace(/%$/, ''));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ValidateLabelName: a qualified name at `field`. */
export function labelName(key: string, field: string): StatusCause[] {
  return labelKeyProblems(key).map((p) => invalidValue(field, key, p));
}

/** ValidateLabels: every key and value of a label map, all reported at `field` (as upstream does). */
export function labelMap(labels: StringMap | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    causes.push(...labelName(k, field));
    causes.push(...labelValueProblems(String(v)).map((p) => invalidValue(field, v, p)));
  }
  return causes;
}

/** ValidateLabelSelector (invalid label values in matchExpressions refused). A missing selector is valid. */
export function labelSelector(selector: LabelSelector | undefined | null, field: string): StatusCause[] {
  if (!selector || typeof selector !== 'object') return [];
  const causes = labelMap(selector.matchLabels, `${field}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const at = `${field}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    if (expr.operator === 'In' || expr.operator === 'NotIn') {
      if (values.length === 0) causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (expr.operator === 'Exists' || expr.operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(forbiddenField(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      causes.push(invalidValue(`${at}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    causes.push(...labelName(expr.key ?? '', `${at}.key`));
    values.forEach((v, j) => causes.push(...labelValueProblems(v).map((p) => invalidValue(`${at}.values[${j}]`, v, p))));
  });
  return causes;
}

/** True for a selector with neither matchLabels nor matchExpressions (it selects nothing in a PDB, everything in a NetworkPolicy). */
export function selectorIsEmpty(selector: LabelSelector | undefined | null): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** ValidateConditions: metav1.Condition lists (PodDisruptionBudget status). */
export function conditions(list: unknown, field: string): StatusCause[] {
  if (!Array.isArray(list)) return [];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  list.forEach((c: Any, i) => {
    const at = `${field}[${i}]`;
    const type = String(c?.type ?? '');
    if (seen.has(type)) causes.push(duplicate(`${at}.type`, type));
    seen.add(type);
    causes.push(...labelName(type, `${at}.type`));
    if (!['False', 'True', 'Unknown'].includes(c?.status)) causes.push(notSupported(`${at}.status`, c?.status ?? '', ['False', 'True', 'Unknown']));
    if (typeof c?.observedGeneration === 'number' && c.observedGeneration < 0) causes.push(invalidValue(`${at}.observedGeneration`, c.observedGeneration, 'must be greater than or equal to zero'));
    if (!c?.lastTransitionTime) causes.push(required(`${at}.lastTransitionTime`, 'must be set'));
    const reason = String(c?.reason ?? '');
    if (!reason) causes.push(required(`${at}.reason`, 'must be set'));
    else if (!CONDITION_REASON.test(reason)) {
      causes.push(invalidValue(`${at}.reason`, reason, `a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')`));
    }
  });
  return causes;
}
