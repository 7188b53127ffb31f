/**
 * Label selectors and label maps as upstream validates them (apimachinery
 * pkg/apis/meta/v1/validation: ValidateLabelSelector, ValidateLabelSelectorRequirement,
 * ValidateLabels): every key a qualified name, every value a label value, In/NotIn with values,
 * Exists/DoesNotExist without.
 */
import { forbiddenField, invalidShown, invalidValue, required } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { labelValueProblems, qualifiedNameProblems } from './formats.ts';
import { goQuote } from './go-values.ts';

type Any = Record<string, unknown>;

function obj(value: unknown): Any {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Any) : {};
}

/** ValidateLabels: keys and values, each problem at `at` (the map, not the key). */
export function labelsCauses(labels: unknown, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(obj(labels))) {
    causes.push(...qualifiedNameProblems(key).map((m) => invalidValue(at, key, m)));
    const text = typeof value === 'string' ? value : String(value);
    causes.push(...labelValueProblems(text).map((m) => invalidValue(at, text, m)));
  }
  return causes;
}

/** ValidateLabelSelector (nothing for an absent selector). */
export function labelSelectorCauses(selector: unknown, at: string): StatusCause[] {
  if (selector === undefined || selector === null) return [];
  const s = obj(selector);
  const causes = labelsCauses(s.matchLabels, `${at}.matchLabels`);
  const expressions = Array.isArray(s.matchExpressions) ? s.matchExpressions : [];
  expressions.forEach((raw, i) => {
    const r = obj(raw);
    const rat = `${at}.matchExpressions[${i}]`;
    const values = Array.isArray(r.values) ? r.values : [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) causes.push(required(`${rat}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) causes.push(forbiddenField(`${rat}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        causes.push(invalidShown(`${rat}.operator`, goQuote(typeof r.operator === 'string' ? r.operator : ''), 'not a valid selector operator'));
    }
    const key = typeof r.key === 'string' ? r.key : '';
    causes.push(...qualifiedNameProblems(key).map((m) => invalidValue(`${rat}.key`, key, m)));
    values.forEach((v, j) => {
      const text = typeof v === 'string' ? v : String(v);
      causes.push(...labelValueProblems(text).map((m) => invalidValue(`${rat}.values[${j}]`, text, m)));
    });
  });
  return causes;
}

/** LabelSelectorAsSelector would fail (an operator it does not know, In without values...). */
export function selectorConvertible(selector: unknown): boolean {
  if (selector === undefined || selector === null) return true;
  for (const [key, value] of Object.entries(obj(obj(selector).matchLabels))) {
    if (qualifiedNameProblems(key).length || labelValueProblems(typeof value === 'string' ? value : String(value)).length) return false;
  }
  const expressions = obj(selector).matchExpressions;
  for (const raw of Array.isArray(expressions) ? expressions : []) {
    const r = obj(raw);
    const count = Array.isArray(r.values) ? r.values.length : 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && count === 0) return false;
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && count > 0) return false;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator as string)) return false;
    if (qualifiedNameProblems(typeof r.key === 'string' ? r.key : '').length) return false;
    if ((Array.isArray(r.values) ? r.values : []).some((v) => labelValueProblems(typeof v === 'string' ? v : String(v)).length)) return false;
  }
  return true;
}

/** True when the selector selects nothing by itself (no matchLabels, no matchExpressions). */
export function selectorEmpty(selector: unknown): boolean {
  const s = obj(selector);
  return Object.keys(obj(s.matchLabels)).length === 0 && (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0) === 0;
}
