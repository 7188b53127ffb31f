/**
 * Exercise 00-objects/01-selectors: equality-based label selectors.
 *
 * A Service finds its pods, a ReplicaSet counts its replicas and `kubectl get -l` filters a list,
 * all by asking the same question: does this object's set of labels satisfy that selector?
 * Here you answer it for the simplest kind of selector, `matchLabels`.
 *
 * Read: lessons/core/00-objects/03-labels-and-selectors.md
 * Check: npx kubelings check 00-objects/01-selectors
 */
import { NotImplemented } from '#engine/errors.ts';
import type { StringMap } from '#engine/objects/types.ts';

/**
 * True when every key/value pair of `matchLabels` is also in `labels`.
 *
 * Must hold:
 * - extra labels on the object do not matter (`{app: web}` matches `{app: web, tier: fe}`);
 * - values compare exactly, case included (`Web` is not `web`);
 * - an empty or missing `matchLabels` asks for nothing, so it matches every object;
 * - an object with no labels at all matches only a selector that asks for nothing.
 */
export function matchLabels(matchLabels: StringMap | undefined, labels: StringMap | undefined): boolean {
  // TODO: return true when every key of matchLabels is in labels with the same value.
  throw new NotImplemented('00-objects/01-selectors', 'lessons/core/00-objects/03-labels-and-selectors.md', 'matchLabels()');
}
