/**
 * Reference for exercise 00-objects/02-set-selectors: set-based label selectors, as
 * metav1.LabelSelectorAsSelector and labels.Parse (k8s.io/apimachinery) behave.
 *
 * Choices where the string form and LabelSelector differ, documented in the lesson:
 * - `k=v` and `k==v` become {k In [v]}, `k!=v` becomes {k NotIn [v]}: labels.Requirement matches
 *   Equals and NotEquals exactly as In and NotIn with one value (a missing key satisfies `!=`);
 * - requirements keep the order they were written in and values drop duplicates (upstream sorts
 *   both; matching does not depend on order);
 * - `>` and `<` (Gt, Lt) parse upstream but a LabelSelector cannot hold them: refused here.
 */
import { InvalidSelectorError, SelectorSyntaxError, type Found } from '#engine/objects/errors.ts';
import { labelKeyProblems, labelValueProblems } from '#engine/objects/names.ts';
import { isSymbol, tokenizeSelector, type SelectorToken as Token } from '#engine/objects/selector-tokens.ts';
import type { LabelSelector, LabelSelectorRequirement, StringMap } from '#engine/objects/types.ts';
import { matchLabels } from './selectors.ts';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Refuses what LabelSelectorAsSelector refuses: unknown operators and wrong numbers of values. */
function checkRequirement(requirement: LabelSelectorRequirement, index: number): void {
  const where = `matchExpressions[${index}]`;
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        throw new InvalidSelectorError(`${where}.values`, "for 'in', 'notin' operators, values set can't be empty");
      }
      return;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) {
        throw new InvalidSelectorError(`${where}.values`, 'values set must be empty for exists and does not exist');
      }
      return;
    default:
      throw new InvalidSelectorError(`${where}.operator`, `"${String(requirement.operator)}" is not a valid label selector operator (use ${OPERATORS.join(', ')})`);
  }
}

function requirementMatches(requirement: LabelSelectorRequirement, labels: StringMap): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return present && values.includes(labels[requirement.key]!);
    case 'NotIn':
      return !present || !values.includes(labels[requirement.key]!);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}

/** True when `labels` satisfy matchLabels and every matchExpression; null matches nothing. */
export function matchesSelector(selector: LabelSelector | null | undefined, labels: StringMap | undefined): boolean {
  if (selector === null || selector === undefined) return false;
  const expressions = selector.matchExpressions ?? [];
  expressions.forEach(checkRequirement);
  const have = labels ?? {};
  return matchLabels(selector.matchLabels, have) && expressions.every((r) => requirementMatches(r, have));
}

// ---- the string form ------------------------------------------------------------------------

/** Parses the string form kubectl and the apiserver accept into a LabelSelector of matchExpressions. */
export function parseSelector(text: string): LabelSelector {
  const tokens = tokenizeSelector(text);
  let next = 0;
  const peek = () => tokens[next]!;
  const take = () => tokens[next++]!;
  const found = (t: Token): Found => (t.kind === 'end' ? null : t.text);
  const fail = (t: Token, expected: string): never => {
    throw new SelectorSyntaxError(text, t.at, found(t), expected);
  };
  const isSeparator = (t: Token) => t.kind === 'end' || isSymbol(t, ',');

  function takeValue(t: Token): string {
    const problems = labelValueProblems(t.text);
    if (problems.length > 0) fail(t, `a valid label value: ${problems.join('; ')}`);
    return t.text;
  }

  function parseValueSet(operatorToken: Token): string[] {
    const open = take();
    if (!isSymbol(open, '(')) fail(open, `'(' after '${operatorToken.text}'`);
    const values: string[] = [];
    let wantValue = true;
    while (true) {
      const t = take();
      if (t.kind === 'word' && wantValue) {
        values.push(takeValue(t));
        wantValue = false;
      } else if (isSymbol(t, ',')) {
        if (wantValue) values.push(''); // `(a,,b)`: an empty slot is the value ""
        wantValue = true;
      } else if (isSymbol(t, ')')) {
        if (wantValue) values.push(''); // `()` and `(a,)`, as labels.Parse reads them
        return [...new Set(values)];
      } else {
        fail(t, wantValue ? "a value, ',' or ')'" : "',' or ')'");
      }
    }
  }

  function parseRequirement(): LabelSelectorRequirement {
    let negated = false;
    if (isSymbol(peek(), '!')) {
      take();
      negated = true;
    }
    const keyToken = take();
    if (keyToken.kind !== 'word') fail(keyToken, 'a label key');
    const problems = labelKeyProblems(keyToken.text);
    if (problems.length > 0) fail(keyToken, `a valid label key: ${problems.join('; ')}`);
    const key = keyToken.text;
    if (negated) return { key, operator: 'DoesNotExist' };
    if (isSeparator(peek())) return { key, operator: 'Exists' };

    const op = take();
    if (op.kind === 'symbol' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
      const valueToken = peek();
      const value = isSeparator(valueToken) ? '' : valueToken.kind === 'word' ? takeValue(take()) : fail(valueToken, 'a value');
      return { key, operator: op.text === '!=' ? 'NotIn' : 'In', values: [value] };
    }
    if (op.kind === 'word' && (op.text === 'in' || op.text === 'notin')) {
      return { key, operator: op.text === 'in' ? 'In' : 'NotIn', values: parseValueSet(op) };
    }
    if (op.kind === 'symbol' && (op.text === '>' || op.text === '<')) {
      fail(op, "=, ==, !=, in or notin ('>' and '<' work in node affinity, not in a LabelSelector)");
    }
    return fail(op, "=, ==, !=, in, notin, ',' or end of string");
  }

  const matchExpressions: LabelSelectorRequirement[] = [];
  if (peek().kind === 'end') return { matchExpressions };
  while (true) {
    const first = peek();
    if (first.kind !== 'word' && !isSymbol(first, '!')) {
      fail(first, matchExpressions.length === 0 ? "a label key, '!' or end of string" : "a label key or '!' after ','");
    }
    matchExpressions.push(parseRequirement());
    const after = take();
    if (after.kind === 'end') return { matchExpressions };
    if (!isSymbol(after, ',')) fail(after, "',' or end of string");
  }
}
