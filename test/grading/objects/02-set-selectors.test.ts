/**
 * Hidden suite for 00-objects/02-set-selectors: matchesSelector as metav1.LabelSelectorAsSelector
 * and labels.Requirement.Matches behave, and parseSelector for the string form labels.Parse reads
 * (k8s.io/apimachinery pkg/labels/selector.go; its selector_test.go TestRequirementMatches and
 * TestToString cases are mirrored in the tables below). Properties check that a selector is the AND
 * of its requirements, that In/NotIn and Exists/DoesNotExist are complements, and that printing a
 * selector in the string form and parsing it back gives the same selector.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { InvalidSelectorError, SelectorSyntaxError } from '#engine/objects/errors.ts';
import type { LabelSelector, LabelSelectorRequirement, StringMap } from '#engine/objects/types.ts';
import { hint, show, useSeed } from '#grading';

const { matchesSelector, parseSelector } = await loadComponent('objects');

const PAGE = 'Reread "Labels and selectors" (lessons/core/00-objects/03-labels-and-selectors.md).';

function expectMatch(selector: LabelSelector | null | undefined, labels: StringMap | undefined, expected: boolean) {
  expect(matchesSelector(selector, labels), `matchesSelector(${show(selector)}, ${show(labels)})`).toBe(expected);
}

const expr = (key: string, operator: LabelSelectorRequirement['operator'], values?: string[]): LabelSelector => ({
  matchExpressions: [values === undefined ? { key, operator } : { key, operator, values }],
});

/** What calling fn did, in words: "threw InvalidSelectorError" or "returned false". */
function outcome(fn: () => unknown): string {
  try {
    return `returned ${show(fn())}`;
  } catch (error) {
    if (error instanceof InvalidSelectorError || error instanceof SelectorSyntaxError) return `threw ${error.name}`;
    return error instanceof Error ? `threw ${error.name}: ${error.message.split('\n')[0]}` : `threw ${show(error)}`;
  }
}

/** The error fn throws (call only after outcome() said it throws). */
function errorOf<E>(fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    return error as E;
  }
  throw new Error('did not throw');
}

/** A selector's meaning for comparison: values as a sorted set, no empty values list. */
function normalized(selector: LabelSelector): unknown {
  return {
    matchLabels: selector.matchLabels ?? {},
    matchExpressions: (selector.matchExpressions ?? []).map((r) => ({
      key: r.key,
      operator: r.operator,
      ...(r.values && r.values.length > 0 ? { values: [...new Set(r.values)].sort() } : {}),
    })),
  };
}

function expectParsed(text: string, expressions: LabelSelectorRequirement[]) {
  const parsed = parseSelector(text);
  expect(normalized(parsed), `parseSelector(${show(text)})`).toEqual(normalized({ matchExpressions: expressions }));
}

/** As expectParsed, but a parser that throws shows what it threw as what it returned. */
function expectParsedNotThrown(text: string, expressions: LabelSelectorRequirement[]) {
  expect(
    outcome(() => normalized(parseSelector(text))),
    `parseSelector(${show(text)})`,
  ).toBe(`returned ${show(normalized({ matchExpressions: expressions }))}`);
}

/** "position 8, found ','" or "position 11, found end of string". */
function where(position: unknown, found: unknown): string {
  return `position ${show(position)}, found ${found === null ? 'end of string' : show(found)}`;
}

/** Every malformed selector the suite tries, with where the problem is: [text, position, found]. */
const MALFORMED: [string, number, string | null][] = [
  ['app=web,,x', 8, ','],
  ['app=web,', 8, null],
  [',', 0, ','],
  ['=web', 0, '='],
  ['app=web)', 7, ')'],
  ['app=web tier=fe', 8, 'tier'],
  ['app web', 4, 'web'],
  ['!canary=true', 7, '='],
  ['app=(web)', 4, '('],
  ['tier in fe', 8, 'fe'],
  ['tier in (fe', 11, null],
  ['tier in (fe be)', 12, 'be'],
  ['tier in ((fe)', 9, '('],
  ['!', 1, null],
  ['!,app', 1, ','],
];
const INVALID_KEY_OR_VALUE: [string, number, string | null][] = [
  ['-app=web', 0, '-app'],
  ['app=we$b', 4, 'we$b'],
  ['app=web_', 4, 'web_'],
  ['a/b/c=x', 0, 'a/b/c'],
  ['example.com/=x', 0, 'example.com/'],
  ['Example.com/app=x', 0, 'Example.com/app'],
  ['tier in (ok, -bad)', 13, '-bad'],
  [`${'k'.repeat(64)}=v`, 0, 'k'.repeat(64)],
  [`app=${'v'.repeat(64)}`, 4, 'v'.repeat(64)],
  ['!Bad_', 1, 'Bad_'],
];
const GT_LT: [string, number, string | null][] = [
  ['replicas>3', 8, '>'],
  ['replicas < 3', 9, '<'],
];

function expectSyntaxError(text: string, position: number, found: string | null) {
  expect(
    outcome(() => parseSelector(text)),
    `parseSelector(${show(text)})`,
  ).toBe('threw SelectorSyntaxError');
  const e = errorOf<SelectorSyntaxError>(() => parseSelector(text));
  expect(where(e.position, e.found), `where parseSelector(${show(text)}) says the problem is`).toBe(where(position, found));
}

describe('matchesSelector', () => {
  test('In matches when the label is present with one of the values', () => {
    expectMatch(expr('tier', 'In', ['fe', 'be']), { app: 'web', tier: 'fe' }, true);
    expectMatch(expr('tier', 'In', ['fe', 'be']), { tier: 'be' }, true);
    expectMatch(expr('tier', 'In', ['fe', 'be']), { tier: 'db' }, false);
    expectMatch(expr('tier', 'In', ['fe']), { tier: 'FE' }, false);
  });

  test('In does not match an object that lacks the key', hint(`Can a missing label be one of the values? ${PAGE}`), () => {
    expectMatch(expr('tier', 'In', ['fe']), { app: 'web' }, false);
    expectMatch(expr('tier', 'In', ['']), { app: 'web' }, false);
    expectMatch(expr('tier', 'In', ['']), { tier: '' }, true);
  });

  test('NotIn matches when the label has none of the values', () => {
    expectMatch(expr('env', 'NotIn', ['prod', 'staging']), { env: 'dev' }, true);
    expectMatch(expr('env', 'NotIn', ['prod', 'staging']), { env: 'prod' }, false);
    expectMatch(expr('env', 'NotIn', ['prod', 'staging']), { env: 'staging' }, false);
  });

  test(
    'NotIn matches an object that does not have the key at all',
    hint(`Does "env notin (prod)" select a pod with no env label? Kubernetes says yes: a missing key is not one of the values. ${PAGE}`),
    () => {
      expectMatch(expr('env', 'NotIn', ['prod']), { app: 'web' }, true);
      expectMatch(expr('env', 'NotIn', ['prod']), {}, true);
      expectMatch(expr('env', 'NotIn', ['prod']), undefined, true);
    },
  );

  test('Exists matches any value of the key, the empty string included', hint('Is a label with the value "" present?'), () => {
    expectMatch(expr('canary', 'Exists'), { canary: 'true' }, true);
    expectMatch(expr('canary', 'Exists'), { canary: '' }, true);
    expectMatch(expr('canary', 'Exists'), { app: 'web' }, false);
  });

  test('DoesNotExist matches only objects without the key', () => {
    expectMatch(expr('canary', 'DoesNotExist'), { app: 'web' }, true);
    expectMatch(expr('canary', 'DoesNotExist'), { canary: '' }, false);
    expectMatch(expr('canary', 'DoesNotExist'), undefined, true);
  });

  test('matchLabels and every matchExpression must all hold', hint('Are matchLabels and matchExpressions ANDed, or is one enough?'), () => {
    const selector: LabelSelector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    expectMatch(selector, { app: 'web', tier: 'fe' }, true);
    expectMatch(selector, { app: 'db', tier: 'fe' }, false);
    expectMatch(selector, { app: 'web', tier: 'cache' }, false);
    expectMatch(selector, { app: 'web', tier: 'fe', canary: 'true' }, false);
    expectMatch({ matchLabels: { app: 'web' } }, { app: 'web' }, true);
  });

  test('a null or undefined selector matches nothing', hint(`What does metav1.LabelSelectorAsSelector return for a nil selector: labels.Everything() or labels.Nothing()? ${PAGE}`), () => {
    expectMatch(null, { app: 'web' }, false);
    expectMatch(undefined, { app: 'web' }, false);
    expectMatch(null, undefined, false);
  });

  test(
    'an empty selector asks for nothing, so it matches every object, even one without labels',
    hint('How many requirements must hold when there are none? Which of matchLabels and matchExpressions may be missing?'),
    () => {
      expectMatch({}, { app: 'web' }, true);
      expectMatch({}, undefined, true);
      expectMatch({ matchLabels: {}, matchExpressions: [] }, { app: 'web' }, true);
      expectMatch({ matchExpressions: [] }, {}, true);
    },
  );

  test('a key named like an Object method (constructor, toString) is an ordinary key', hint('Does labels[key] !== undefined tell you that the object has the label? Try Object.hasOwn.'), () => {
    expectMatch(expr('constructor', 'Exists'), { app: 'web' }, false);
    expectMatch(expr('toString', 'DoesNotExist'), { app: 'web' }, true);
    expectMatch(expr('constructor', 'NotIn', ['x']), {}, true);
  });

  test(
    'a selector Kubernetes would refuse throws an InvalidSelectorError naming the field',
    hint('What does labels.NewRequirement say about In with no values, or Exists with some? Do you check before matching?'),
    () => {
      const cases: [LabelSelector, string][] = [
        [expr('tier', 'In', []), 'matchExpressions[0].values'],
        [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' }] }, 'matchExpressions[0].values'],
        [expr('canary', 'Exists', ['true']), 'matchExpressions[0].values'],
        [expr('canary', 'DoesNotExist', ['x']), 'matchExpressions[0].values'],
        [
          {
            matchExpressions: [
              { key: 'app', operator: 'Exists' },
              { key: 'tier', operator: 'Equals' as 'In', values: ['fe'] },
            ],
          },
          'matchExpressions[1].operator',
        ],
        // refused even though matchLabels alone already fails: the selector is checked first
        [{ matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, 'matchExpressions[0].values'],
      ];
      for (const [selector, field] of cases) {
        const call = () => matchesSelector(selector, { app: 'web', tier: 'fe' });
        const did = `matchesSelector(${show(selector)}, {app: web, tier: fe})`;
        expect(outcome(call), did).toBe('threw InvalidSelectorError');
        const error = errorOf<InvalidSelectorError>(call);
        expect(error.field, `the field named by what ${did} threw`).toBe(field);
        // The message is `invalid label selector: <field>: <problem>`; the problem must say what is wrong.
        expect(error.message.slice(`invalid label selector: ${field}: `.length), `the problem given by what ${did} threw`).toMatch(/\S/);
      }
    },
  );
});

// ---- properties ------------------------------------------------------------------------------

const KEYS = ['app', 'tier', 'env', 'canary', 'app.kubernetes.io/name'];
const VALUES = ['web', 'db', 'fe', 'be', 'prod', ''];
const key = fc.constantFrom(...KEYS);
const labelValue = fc.constantFrom(...VALUES);
const labels: fc.Arbitrary<StringMap> = fc.uniqueArray(fc.tuple(key, labelValue), { selector: ([k]) => k, maxLength: KEYS.length }).map((pairs) => Object.fromEntries(pairs));
const someValues = fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 });
const requirement: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: someValues }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);

describe('matchesSelector, on random selectors and labels', () => {
  test('a selector matches exactly when matchLabels and each requirement match on their own', hint('Do you stop at the first requirement that holds, or at the first that fails?'), ({ task }) => {
    fc.assert(
      fc.property(fc.option(labels, { nil: undefined }), fc.array(requirement, { maxLength: 4 }), labels, (matchLabels, reqs, have) => {
        const selector: LabelSelector = { matchLabels, matchExpressions: reqs };
        const each = matchesSelector({ matchLabels }, have) && reqs.every((r) => matchesSelector({ matchExpressions: [r] }, have));
        expect(matchesSelector(selector, have), `matchesSelector(${show(selector)}, ${show(have)})`).toBe(each);
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });

  test('In and NotIn with the same values are exact opposites, and so are Exists and DoesNotExist', hint(`For an object without the key, In is false: what must NotIn be? ${PAGE}`), ({ task }) => {
    fc.assert(
      fc.property(key, someValues, labels, (k, values, have) => {
        const inside = matchesSelector(expr(k, 'In', values), have);
        expect(matchesSelector(expr(k, 'NotIn', values), have), `matchesSelector(${show(expr(k, 'NotIn', values))}, ${show(have)}), where In gave ${inside}`).toBe(!inside);
        const exists = matchesSelector(expr(k, 'Exists'), have);
        expect(matchesSelector(expr(k, 'DoesNotExist'), have), `matchesSelector(${show(expr(k, 'DoesNotExist'))}, ${show(have)}), where Exists gave ${exists}`).toBe(!exists);
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });

  test('matchLabels {k: v} means the same as {key: k, operator: In, values: [v]}', ({ task }) => {
    fc.assert(
      fc.property(key, labelValue, labels, (k, v, have) => {
        expect(matchesSelector({ matchLabels: { [k]: v } }, have), `matchesSelector(${show({ matchLabels: { [k]: v } })}, ${show(have)})`).toBe(matchesSelector(expr(k, 'In', [v]), have));
      }),
      { seed: useSeed(task), numRuns: 200 },
    );
  });
});

describe('parseSelector', () => {
  test('app=web and app==web are {key: app, operator: In, values: [web]}', hint('Which operator matches exactly like "=": In with one value?'), () => {
    expectParsed('app=web', [{ key: 'app', operator: 'In', values: ['web'] }]);
    expectParsed('app==web', [{ key: 'app', operator: 'In', values: ['web'] }]);
  });

  test('env!=prod is {key: env, operator: NotIn, values: [prod]}, so objects without env match it too', hint('Which operator also matches a missing key?'), () => {
    expectParsed('env!=prod', [{ key: 'env', operator: 'NotIn', values: ['prod'] }]);
    const parsed = parseSelector('env!=prod');
    expect(matchesSelector(parsed, { app: 'web' }), 'matchesSelector(parseSelector("env!=prod"), {app: web})').toBe(true);
  });

  test('tier in (fe,be) and tier notin (fe,be) hold sets of values', () => {
    expectParsed('tier in (fe,be)', [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }]);
    expectParsed('tier notin (fe,be)', [{ key: 'tier', operator: 'NotIn', values: ['fe', 'be'] }]);
    expectParsed('tier in (fe)', [{ key: 'tier', operator: 'In', values: ['fe'] }]);
  });

  test('a bare key means Exists and !key means DoesNotExist', hint('What follows the key when there is no operator: a comma or the end?'), () => {
    expectParsed('canary', [{ key: 'canary', operator: 'Exists' }]);
    expectParsed('!canary', [{ key: 'canary', operator: 'DoesNotExist' }]);
  });

  test('requirements separated by commas are kept in order: app=web,tier in (fe,be),!canary,env!=prod', () => {
    const text = 'app=web,tier in (fe,be),!canary,env!=prod';
    const parsed = parseSelector(text);
    expect(normalized(parsed), `parseSelector(${show(text)})`).toEqual(
      normalized({
        matchExpressions: [
          { key: 'app', operator: 'In', values: ['web'] },
          { key: 'tier', operator: 'In', values: ['fe', 'be'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
        ],
      }),
    );
    expect(matchesSelector(parsed, { app: 'web', tier: 'be' }), `matchesSelector(parseSelector(${show(text)}), {app: web, tier: be})`).toBe(true);
    expect(matchesSelector(parsed, { app: 'web', tier: 'be', env: 'prod' }), `matchesSelector(parseSelector(${show(text)}), {app: web, tier: be, env: prod})`).toBe(false);
  });

  test('whitespace around operators, commas and parentheses does not matter', hint('Does your parser work on tokens, or on characters?'), () => {
    expectParsed(' app = web , tier  in  ( fe , be ) ,  ! canary ', [
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ]);
    expectParsed('tier in(fe),env\t!=\tprod', [
      { key: 'tier', operator: 'In', values: ['fe'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
    ]);
  });

  test('the empty string is the empty selector, which matches everything', hint('How many requirements does "" hold?'), () => {
    expectParsed('', []);
    expectParsed('   ', []);
    expect(matchesSelector(parseSelector(''), { app: 'web' }), 'matchesSelector(parseSelector(""), {app: web})').toBe(true);
  });

  test('env= with nothing after the operator asks for the empty value', hint('What value comes before a comma or the end of the text?'), () => {
    expectParsed('env=', [{ key: 'env', operator: 'In', values: [''] }]);
    expectParsed('env!=,app', [
      { key: 'env', operator: 'NotIn', values: [''] },
      { key: 'app', operator: 'Exists' },
    ]);
  });

  test('prefixed keys and values with dots, dashes and underscores parse', () => {
    expectParsed('app.kubernetes.io/name=web,example.com/tier in (front-end,back_end.v2)', [
      { key: 'app.kubernetes.io/name', operator: 'In', values: ['web'] },
      { key: 'example.com/tier', operator: 'In', values: ['front-end', 'back_end.v2'] },
    ]);
  });

  test('malformed selectors throw a SelectorSyntaxError at the offending token', hint('Where does the first token that cannot stand there begin? At the end of the text, found is null.'), () => {
    for (const [text, position, found] of MALFORMED) expectSyntaxError(text, position, found);
  });

  test(
    'keys and values are validated as Kubernetes validates labels',
    hint('Do you pass every key to labelKeyProblems and every value to labelValueProblems, and point at the one that failed?'),
    () => {
      for (const [text, position, found] of INVALID_KEY_OR_VALUE) expectSyntaxError(text, position, found);
    },
  );

  test('> and < (Gt and Lt) are refused: a LabelSelector cannot hold them', hint('Which four operators can a LabelSelectorRequirement hold?'), () => {
    for (const [text, position, found] of GT_LT) expectSyntaxError(text, position, found);
  });

  test('each SelectorSyntaxError says, in words, what would have been accepted there', hint('What do you pass as expected? kubectl prints it after "expected:", so "" tells the user nothing.'), () => {
    for (const [text] of [...MALFORMED, ...INVALID_KEY_OR_VALUE, ...GT_LT]) {
      expect(
        outcome(() => parseSelector(text)),
        `parseSelector(${show(text)})`,
      ).toBe('threw SelectorSyntaxError');
      const e = errorOf<SelectorSyntaxError>(() => parseSelector(text));
      expect(typeof e.expected === 'string' ? e.expected.trim() : e.expected, `the expected of the SelectorSyntaxError for ${show(text)}`).not.toBe('');
    }
  });

  test(
    'an empty slot in a list of values is the value "": in () is [""], (a,) is [a, ""], (a,,b) is [a, "", b]',
    hint('What does labels.Parse read between "(" and ")", or between two commas, when there is nothing there?'),
    () => {
      // k8s.io/apimachinery pkg/labels/selector_test.go, TestSetSelectorParser: "x in ()", "x in (abc,)",
      // "x in (a,,)", "x notin (abc,,def)", "x notin (, a)" and "x notin ( )" parse; each empty slot is "".
      expectParsedNotThrown('tier in ()', [{ key: 'tier', operator: 'In', values: [''] }]);
      expectParsedNotThrown('tier notin ( )', [{ key: 'tier', operator: 'NotIn', values: [''] }]);
      expectParsedNotThrown('tier in (a,)', [{ key: 'tier', operator: 'In', values: ['a', ''] }]);
      expectParsedNotThrown('tier in (a,,b)', [{ key: 'tier', operator: 'In', values: ['a', '', 'b'] }]);
      expectParsedNotThrown('tier notin (, a)', [{ key: 'tier', operator: 'NotIn', values: ['', 'a'] }]);
      expectParsedNotThrown('tier in (a,,,)', [{ key: 'tier', operator: 'In', values: ['a', ''] }]);
      expectParsedNotThrown('x notin (abc,,def),bar,z in (),w', [
        { key: 'x', operator: 'NotIn', values: ['abc', '', 'def'] },
        { key: 'bar', operator: 'Exists' },
        { key: 'z', operator: 'In', values: [''] },
        { key: 'w', operator: 'Exists' },
      ]);
      expect(matchesSelector(parseSelector('tier in ()'), { tier: '' }), 'matchesSelector(parseSelector("tier in ()"), {tier: ""})').toBe(true);
      expect(matchesSelector(parseSelector('tier in ()'), { tier: 'a' }), 'matchesSelector(parseSelector("tier in ()"), {tier: a})').toBe(false);
    },
  );
});

// ---- print, then parse back ------------------------------------------------------------------

/** Writes a requirement in the string form, choosing among equivalent spellings and spacing. */
function written(r: LabelSelectorRequirement, pick: number[], gap: string): string {
  const values = r.values ?? [];
  const exact = values.length === 1 && (values[0] === '' || pick[0]! % 3 !== 2); // `k in ()` is legal but odd: never for ""
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${gap}${r.key}`;
    case 'In':
      if (exact) return `${r.key}${gap}${pick[0]! % 3 === 0 ? '=' : '=='}${gap}${values[0]}`;
      return `${r.key} in${gap}(${values.join(`,${gap}`)})`;
    case 'NotIn':
      if (exact || (values.length === 1 && pick[1]! % 2 === 0)) return `${r.key}${gap}!=${gap}${values[0]}`;
      return `${r.key} notin${gap}(${values.join(`,${gap}`)})`;
  }
}

const nonEmptyValues = fc.uniqueArray(fc.constantFrom(...VALUES.filter((v) => v !== '')), { minLength: 1, maxLength: 3 });
const printable: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: nonEmptyValues }),
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.constant(['']).map((v) => [...v]) }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);

describe('parseSelector, on random selectors', () => {
  test('a selector written in the string form parses back to the same requirements', hint('Write out the failing selector by hand: which token does your parser mishandle?'), ({ task }) => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(5), { minLength: 2, maxLength: 2 }), fc.constantFrom('', ' ', '  ', '\t'), labels, (reqs, pick, gap, have) => {
        const text = reqs.map((r) => written(r, pick, gap)).join(`${gap},${gap}`);
        const parsed = parseSelector(text);
        expect(normalized(parsed), `parseSelector(${show(text)})`).toEqual(normalized({ matchExpressions: reqs }));
        expect(matchesSelector(parsed, have), `matchesSelector(parseSelector(${show(text)}), ${show(have)})`).toBe(matchesSelector({ matchExpressions: reqs }, have));
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });
});
