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
   * matchExpression). A null or undefined selector matches nothing; an empty one matches everything.
   */
  matchesSelector(selector: LabelSelector | null | undefined, labels: StringMap | undefined): boolean;

  /**
   * 02-set-selectors: parse the string form kubectl accepts (`app=web,tier in (fe,be),!canary`)
   * into a LabelSelector of matchExpressions. Throws a SelectorSyntaxError for malformed input.
   */
  parseSelector(text: string): LabelSelector;

  /** 03-quantities: parse `100m`, `0.5`, `1Gi`, `500Mi`, `2k`, `1e3`. Throws on malformed input. */
  parseQuantity(text: string): Quantity;
  /** 03-quantities: -1, 0 or 1, comparing the amounts (not the formats). */
  compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1;
  /** 03-quantities: the exact sum, in the format of `a` (as resource.Quantity.Add keeps). */
  addQuantities(a: Quantity, b: Quantity): Quantity;
  /** 03-quantities: the canonical string Kubernetes prints (`1536Mi`, `1500m`, `2k`). */
  formatQuantity(q: Quantity): string;
  /** 03-quantities: the amount in thousandths, rounded up (resource.Quantity.MilliValue). */
  milliValue(q: Quantity): number;
  /** 03-quantities: the amount in units, rounded up (resource.Quantity.Value). */
  value(q: Quantity): number;
}
