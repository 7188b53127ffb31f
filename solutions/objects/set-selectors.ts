// Placeholder until exercise 02-set-selectors is written (being written now).
import { NotImplemented } from '#engine/errors.ts';
import type { LabelSelector, StringMap } from '#engine/objects/types.ts';

export function matchesSelector(selector: LabelSelector | null | undefined, labels: StringMap | undefined): boolean {
  throw new NotImplemented('00-objects/02-set-selectors', 'lessons/core/00-objects/03-labels-and-selectors.md', 'matchesSelector()');
}
export function parseSelector(text: string): LabelSelector {
  throw new NotImplemented('00-objects/02-set-selectors', 'lessons/core/00-objects/03-labels-and-selectors.md', 'parseSelector()');
}
