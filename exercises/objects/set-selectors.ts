/**
 * Exercise 00-objects/02-set-selectors: set-based label selectors and the string form kubectl
 * accepts.
 *
 * A Deployment's `spec.selector`, a NetworkPolicy's `podSelector` and a PodDisruptionBudget's
 * `selector` are LabelSelectors: `matchLabels` (from 01-selectors) plus `matchExpressions`, each
 * a key, an operator (In, NotIn, Exists, DoesNotExist) and values. `kubectl get pods -l '...'`
 * and the apiserver's `?labelSelector=` take the same thing written as a string. Here you decide
 * whether labels satisfy a LabelSelector, and turn the string form into one.
 *
 * Read: lessons/core/00-objects/03-labels-and-selectors.md
 * Check: npx kubelings check 00-objects/02-set-selectors
 */
import { NotImplemented } from '#engine/errors.ts';
import { InvalidSelectorError, SelectorSyntaxError } from '#engine/objects/errors.ts';
import { labelKeyProblems, labelValueProblems } from '#engine/objects/names.ts';
import { isSymbol, tokenizeSelector } from '#engine/objects/selector-tokens.ts';
import type { LabelSelector, LabelSelectorRequirement, StringMap } from '#engine/objects/types.ts';
import { matchLabels } from './selectors.ts';

/**
 * True when `labels` satisfy the whole selector: every pair of `matchLabels` AND every
 * requirement of `matchExpressions`.
 *
 * Must hold (metav1.LabelSelectorAsSelector, labels.Requirement.Matches):
 * - `In`: the key is present and its value is one of `values`;
 * - `NotIn`: the key is absent, or its value is none of `values`. An object WITHOUT the key
 *   satisfies NotIn: `env notin (prod)` selects pods that have no env label at all;
 * - `Exists`: the key is present (any value, "" included); `DoesNotExist`: it is absent;
 * - a null or undefined selector matches NOTHING (labels.Nothing()); an empty one, `{}`, asks for
 *   nothing and so matches EVERYTHING (labels.Everything());
 * - `labels` undefined means the object has no labels;
 * - a selector Kubernetes would refuse throws an InvalidSelectorError naming the field:
 *   `matchExpressions[i].values` for In or NotIn with no values, or Exists or DoesNotExist with
 *   some; `matchExpressions[i].operator` for an operator that is none of the four. For example
 *   `new InvalidSelectorError('matchExpressions[0].values', "for 'in', 'notin' operators, values
 *   set can't be empty")`. Check every requirement before matching any.
 */
export function matchesSelector(selector: LabelSelector | null | undefined, labels: StringMap | undefined): boolean {
  // TODO: null/undefined matches nothing; check each matchExpression's shape; then AND matchLabels
  // (your matchLabels from 01-selectors) with every requirement, read as described above.
  throw new NotImplemented('00-objects/02-set-selectors', 'lessons/core/00-objects/03-labels-and-selectors.md', 'matchesSelector()');
}

/**
 * Parses the string form into a LabelSelector whose requirements are all in `matchExpressions`,
 * in the order written:
 *
 *   app=web   app==web      {key: app, operator: In, values: [web]}
 *   env!=prod               {key: env, operator: NotIn, values: [prod]}
 *   tier in (fe,be)         {key: tier, operator: In, values: [fe, be]}
 *   tier notin (fe,be)      {key: tier, operator: NotIn, values: [fe, be]}
 *   canary                  {key: canary, operator: Exists}
 *   !canary                 {key: canary, operator: DoesNotExist}
 *
 * Requirements are separated by `,`; whitespace between tokens does not matter; `env=` (nothing
 * after the operator) asks for the value "", and so does an empty slot in a list of values, as
 * labels.Parse reads it: `tier in ()` is [""], `tier in (a,)` is [a, ""], `tier in (a,,b)` is
 * [a, "", b]. The empty string is the empty selector (`{ matchExpressions: [] }`, which matches
 * everything). Values may come in any order and duplicates do no harm.
 *
 * `tokenizeSelector(text)` (given) splits the text into words and symbols with their positions.
 * Malformed input throws `new SelectorSyntaxError(text, token.at, found, expected)` where `found`
 * is the offending token's text (null at the end of the input) and `expected` says, in words,
 * what would have been accepted there: "',' or end of string", "'(' after 'in'". Keys and values
 * are checked with `labelKeyProblems` and `labelValueProblems` (given): any problem is a
 * SelectorSyntaxError at that key or value, with the problems in `expected`. `>` and `<` (which
 * labels.Parse accepts, after node affinity's Gt and Lt) cannot be held by a LabelSelector: refuse
 * them too, at the operator.
 */
export function parseSelector(text: string): LabelSelector {
  // TODO: walk the tokens: [!]key, then nothing, = == != and one value, or in/notin and (values).
  throw new NotImplemented('00-objects/02-set-selectors', 'lessons/core/00-objects/03-labels-and-selectors.md', 'parseSelector()');
}
