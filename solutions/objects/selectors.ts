/**
 * Reference for exercise 00-objects/01-selectors: equality-based label selectors.
 * Kubernetes: labels.SelectorFromSet / labels.Set.AsSelector in apimachinery.
 */
import type { StringMap } from '#engine/objects/types.ts';

/** True when every key/value pair of `matchLabels` is also in `labels`. */
export function matchLabels(matchLabels: StringMap | undefined, labels: StringMap | undefined): boolean {
  const have = labels ?? {};
  return Object.entries(matchLabels ?? {}).every(([key, value]) => Object.hasOwn(have, key) && have[key] === value);
}
