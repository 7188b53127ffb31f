/**
 * What the learner builds in lesson 00 "Kubernetes objects". `exercises/objects/index.ts` (stubs)
 * and `solutions/objects/index.ts` (reference) both export an object that `satisfies` this
 * interface, so `tsc` proves they agree. Every other component (the scheduler, the controllers,
 * the apiserver's selectors) reaches these functions through the door, `loadComponent('objects')`.
 */
import type { LabelSelector, Quantity, StringMap } from './types.ts';

export interface ObjectsExercises {
  /** 01-selectors: true when every key/value of `matchLabels` is present in `labels`. */
  matchLabels(matchLabels: StringMap | undefined, labels: StringMap | undefined): boolean;

  /**
   * 02-set-selectors: true when `labels` satisfies the whole selector (matchLabels and every
   * matchExpression), as metav1.LabelSelectorAsSelector and labels.Requirement.Matches decide:
   * NotIn and DoesNotExist match an object without the key. A null or undefined selector matches
   * nothing (labels.Nothing()); an empty one, `{}`, matches everything (labels.Everything()).
   * Throws an InvalidSelectorError (engine/objects/errors.ts) for a selector Kubernetes refuses to
   * convert: In/NotIn without values, Exists/DoesNotExist with values, an unknown operator. Key and
   * value syntax is not checked here (the apiserver validates objects when they are written).
   */
  matchesSelector(selector: LabelSelector | null | undefined, labels: StringMap | undefined): boolean;

  /**
   * 02-set-selectors: parse the string form kubectl and `?labelSelector=` accept
   * (`app=web,tier in (fe,be),!canary,env!=prod`) into a LabelSelector whose requirements are all
   * matchExpressions, in the order written: `k=v` and `k==v` become `k In [v]`, `k!=v` becomes
   * `k NotIn [v]` (labels.Requirement matches them identically), a bare `k` is Exists, `!k` is
   * DoesNotExist; `""` is the empty selector. Keys and values are validated as label keys and
   * values. Throws a SelectorSyntaxError (with the 0-based position of the offending token) for
   * malformed input, and for `>`/`<`, which a LabelSelector cannot hold.
   */
  parseSelector(text: string): LabelSelector;

  /**
   * 03-quantities: parse `100m`, `0.5`, `1Gi`, `500Mi`, `2k`, `1e3` exactly (resource.ParseQuantity):
   * nano precision, rounded up beyond it. Throws an InvalidQuantityError for malformed text. A
   * manifest may hold a bare number (`cpu: 2`): pass `String(value)`, as the JSON decoder does.
   */
  parseQuantity(text: string): Quantity;
  /** 03-quantities: -1, 0 or 1, comparing the amounts (not the formats). */
  compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1;
  /** 03-quantities: the exact sum, in the format of `a` unless `a` is zero (resource.Quantity.Add). */
  addQuantities(a: Quantity, b: Quantity): Quantity;
  /** 03-quantities: the canonical string Kubernetes prints (`1536Mi`, `1500m`, `2k`, `1e3`). */
  formatQuantity(q: Quantity): string;
  /**
   * 03-quantities: the amount in thousandths, rounded up away from zero (resource.Quantity.MilliValue).
   * A JavaScript number: exact up to 2^53 (9 x 10^15 millicores, or bytes for value()).
   */
  milliValue(q: Quantity): number;
  /** 03-quantities: the amount in units, rounded up away from zero (resource.Quantity.Value). */
  value(q: Quantity): number;
}
