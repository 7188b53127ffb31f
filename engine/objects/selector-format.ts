/**
 * A LabelSelector written back as the string form, as metav1.FormatLabelSelector writes it for
 * `kubectl get replicasets -o wide` (SELECTOR), `kubectl describe` (Selector:) and Table output.
 * Given plumbing, independent of the learner's code.
 *
 * Invariants (upstream's): matchLabels print as `k=v`; requirements are sorted by key (a stable
 * sort here); the values of `in`/`notin` are sorted; a null selector and an empty one both print as
 * `<none>` (they select nothing and everything: the string form cannot tell them apart); a selector
 * Kubernetes would refuse prints as `<error>`.
 */
import { labelKeyProblems, labelValueProblems } from './names.ts';
import type { LabelSelector } from './types.ts';

interface Written {
  key: string;
  text: string;
}

function requirementText(key: string, operator: string, values: readonly string[]): string | undefined {
  if (labelKeyProblems(key).length > 0 || values.some((v) => labelValueProblems(v).length > 0)) return undefined;
  const sorted = [...values].sort();
  switch (operator) {
    case 'In':
    case 'NotIn':
      return values.length === 0 ? undefined : `${key} ${operator === 'In' ? 'in' : 'notin'} (${sorted.join(',')})`;
    case 'Exists':
      return values.length === 0 ? key : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? `!${key}` : undefined;
    default:
      return undefined;
  }
}

/** `app=web,tier in (be,fe)`, `<none>` for null or empty, `<error>` for a selector Kubernetes refuses. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  if (!selector) return '<none>';
  const written: Written[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labelKeyProblems(key).length > 0 || labelValueProblems(value).length > 0) return '<error>';
    written.push({ key, text: `${key}=${value}` });
  }
  for (const r of selector.matchExpressions ?? []) {
    const text = requirementText(r.key, r.operator, r.values ?? []);
    if (text === undefined) return '<error>';
    written.push({ key: r.key, text });
  }
  written.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return written.length === 0 ? '<none>' : written.map((w) => w.text).join(',');
}
