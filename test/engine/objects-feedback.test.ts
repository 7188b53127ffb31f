/**
 * The feedback of lesson 00's suites against deliberately broken objects code
 * (test/engine/fixtures/objects/<variant>): each common mistake fails the test that names it, and
 * the grader's output carries the hint that points the learner at the mistake, not just a diff.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('00-objects', join(import.meta.dirname, 'fixtures', 'objects'));

describe('lesson 00 names the mistake', () => {
  test('NotIn that forgets missing keys fails the missing-key test, with the hint about a pod without the label', async () => {
    const { out, failed } = await gradeVariant('notin-forgets-missing-key', '02-set-selectors');
    expect(failed).toContain('matchesSelector > NotIn matches an object that does not have the key at all');
    expect(out).toMatch(
      /✗ matchesSelector > NotIn matches an object that does not have the key at all\n\s+did\s+matchesSelector\(\{"matchExpressions":\[\{"key":"env","operator":"NotIn","values":\["prod"\]\}\]\}, \{"app":"web"\}\)\n\s+expected\s+true\n\s+got\s+false/,
    );
    expect(out).toContain('Does "env notin (prod)" select a pod with no env label? Kubernetes says yes: a missing key is not one of the values.');
    expect(failed).toContain('matchesSelector, on random selectors and labels > In and NotIn with the same values are exact opposites, and so are Exists and DoesNotExist');
    expect(failed.some((t) => t.startsWith('matchesSelector > In '))).toBe(false);
  });

  test('a null selector that matches everything fails with the hint naming labels.Nothing()', async () => {
    const { out, failed } = await gradeVariant('nil-selector-matches-all', '02-set-selectors');
    expect(failed).toEqual(['matchesSelector > a null or undefined selector matches nothing']);
    expect(out).toContain('labels.Everything() or labels.Nothing()?');
  });

  test('a syntax error pointing at the wrong place shows the position expected and the one given', async () => {
    const { out, failed } = await gradeVariant('position-always-zero', '02-set-selectors');
    expect(failed).toContain('parseSelector > malformed selectors throw a SelectorSyntaxError at the offending token');
    expect(out).toMatch(/did\s+where parseSelector\("app=web,,x"\) says the problem is\n\s+expected\s+position 8, found ","\n\s+got\s+position 0, found ","\n/);
    expect(out).toContain('Where does the first token that cannot stand there begin?');
  });

  test('rounding to the nearest nano instead of up fails the rounding test, with its hint', async () => {
    const { out, failed } = await gradeVariant('rounds-to-nearest', '03-quantities');
    expect(failed).toContain('parseQuantity > precision finer than 1n rounds up: 0.9n and 0.0000000001 are 1n, 3.001n is 4n');
    expect(out).toMatch(/did\s+parseQuantity\("3\.001n"\)\n\s+expected\s+\{nanos: 4n, format: DecimalSI\}\n\s+got\s+\{nanos: 3n, format: DecimalSI\}\n/);
    expect(out).toContain('When the digits go past nano, do you round down, to nearest, or up?');
  });

  test('BinarySI printed with a binary suffix below 1Ki fails the DecimalSI-fallback test', async () => {
    const { out, failed } = await gradeVariant('binary-always', '03-quantities');
    expect(failed).toContain('formatQuantity > BinarySI below 1Ki, or with a fraction, prints as DecimalSI rather than round');
    expect(out).toMatch(/did\s+formatQuantity\(\{nanos: 500000000n, format: BinarySI\}\)\n\s+expected\s+500m\n\s+got\s+0\n/);
    expect(out).toContain('What does Kubernetes do then?');
  });

  test('formatQuantity without a largest suffix prints 1undefined for 1000E, and fails only the largest-suffix test', async () => {
    const { out, failed } = await gradeVariant('format-no-largest-suffix', '03-quantities');
    expect(failed).toEqual(['formatQuantity > E is the largest decimal suffix and Ei the largest binary one: 10^21 prints as 1000E, 2^70 as 1024Ei']);
    expect(out).toMatch(/did\s+formatQuantity\(parseQuantity\("1000E"\)\)\n\s+expected\s+1000E\n\s+got\s+1undefined\n/);
    expect(out).toContain('Which suffix comes after E, or after Ei?');
  });

  test('parseQuantity without a bound on the exponent fails the bound test at 1e1001, without hanging on 1e999999999', async () => {
    const { out, failed } = await gradeVariant('exponent-unbounded', '03-quantities');
    expect(failed).toContain('parseQuantity > an exponent beyond ±1000 is refused at the exponent: 1e1001 and 1e999999999 are errors, 1e1000 is fine');
    expect(out).toMatch(/did\s+parseQuantity\("1e1001"\)\n\s+expected\s+threw InvalidQuantityError\n\s+got\s+returned \{/);
    expect(out).toContain('Does your parser check the exponent before it computes anything?');
  });

  test('a selector parser that refuses an empty slot in a list fails the empty-slot test, on "tier in ()"', async () => {
    const { out, failed } = await gradeVariant('empty-slot-refused', '02-set-selectors');
    expect(failed).toEqual(['parseSelector > an empty slot in a list of values is the value "": in () is [""], (a,) is [a, ""], (a,,b) is [a, "", b]']);
    expect(out).toMatch(
      /did\s+parseSelector\("tier in \(\)"\)\n\s+expected\s+returned \{"matchLabels":\{\},"matchExpressions":\[\{"key":"tier","operator":"In","values":\[""\]\}\]\}\n\s+got\s+threw SelectorSyntaxError\n/,
    );
    expect(out).toContain('What does labels.Parse read between "(" and ")"');
  });

  test('adding through floats fails the exactness property and prints the seed that replays it', async () => {
    const { out, failed } = await gradeVariant('float-sum', '03-quantities');
    expect(failed).toContain('quantities, on random amounts > addition is exact, commutative and associative');
    expect(out).toContain('Does any step of your sum go through a float or round?');
    expect(out).toContain('replay them with --seed 42');
  });
});
