/**
 * Hidden suite for 00-objects/03-quantities: resource.Quantity as k8s.io/apimachinery behaves.
 *
 * The tables mirror upstream's pkg/api/resource/quantity_test.go: TestQuantityParse (the parse
 * table, its negated and '+' variants, its rounding cases and its invalid inputs),
 * TestQuantityString and TestQuantityParseEmit (canonical form), TestParseQuantity (amounts
 * beyond int64), TestQuantityCmp, TestAdd and TestQuantityAddZeroPreservesSuffix, and
 * quantity_example_test.go (Value, MilliValue). Two upstream quirks are left out on purpose: its
 * String() returns the parsed text verbatim when that text was already canonical (so `1E3` stays
 * `1E3` and `+1` stays `+1`; a Quantity here keeps no text), and its scanner takes `.` alone as 0.
 *
 * Properties: printing then parsing gives the same amount and the same text; an amount written
 * with any suffix parses to itself; addition is exact, commutative and associative; compare is a
 * total order that agrees with the amounts and with addition; Value and MilliValue round up.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { InvalidQuantityError } from '#engine/objects/errors.ts';
import type { Quantity, QuantityFormat } from '#engine/objects/types.ts';
import { hint, show, useSeed } from '#grading';

const { parseQuantity, compareQuantities, addQuantities, formatQuantity, milliValue, value } = await loadComponent('objects');

const PAGE = 'Reread "Resource quantities" (lessons/core/00-objects/06-quantities.md).';
const UNIT = 10n ** 9n;
const MAX_BINARY = (2n ** 63n - 1n) * UNIT;

/** mantissa × 10^exponent, in nano-units (upstream's decQuantity(mantissa, exponent, ...)). */
function amount(mantissa: bigint | number, exponent: number): bigint {
  const shift = exponent + 9;
  return shift >= 0 ? BigInt(mantissa) * 10n ** BigInt(shift) : BigInt(mantissa) / 10n ** BigInt(-shift);
}
const q = (nanos: bigint, format: QuantityFormat): Quantity => ({ nanos, format });
const D: QuantityFormat = 'DecimalSI';
const B: QuantityFormat = 'BinarySI';
const X: QuantityFormat = 'DecimalExponent';

function describeQuantity(x: Quantity): string {
  return `{nanos: ${x.nanos}n, format: ${x.format}}`;
}

function expectParsed(text: string, nanos: bigint, format: QuantityFormat) {
  const got = parseQuantity(text);
  expect(got === null || typeof got !== 'object' ? got : describeQuantity(got), `parseQuantity(${show(text)})`).toBe(describeQuantity(q(nanos, format)));
}

/**
 * Expects parseQuantity(text) to throw an InvalidQuantityError (at `position`, having `found`,
 * when given) and returns it.
 */
function expectInvalid(text: string, position?: number, found?: string | null): InvalidQuantityError {
  let error: unknown;
  let result = 'returned';
  try {
    result = `returned ${show(parseQuantity(text))}`;
  } catch (e) {
    error = e;
    result = e instanceof InvalidQuantityError ? 'threw InvalidQuantityError' : e instanceof Error ? `threw ${e.name}: ${e.message.split('\n')[0]}` : `threw ${show(e)}`;
  }
  expect(result, `parseQuantity(${show(text)})`).toBe('threw InvalidQuantityError');
  const e = error as InvalidQuantityError;
  if (position !== undefined) {
    const where = (at: unknown, what: unknown) => `position ${show(at)}, found ${what === null ? 'end of string' : show(what)}`;
    expect(where(e.position, e.found), `where parseQuantity(${show(text)}) says the problem is`).toBe(where(position, found));
  }
  return e;
}

/** Malformed quantities (upstream's invalid inputs, and ours), with where the problem is. */
const MALFORMED: [string, number, string | null][] = [
  ['', 0, null],
  ['aoeu', 0, 'aoeu'],
  ['Ki', 0, 'Ki'],
  [' 1', 0, ' 1'],
  ['-', 1, null],
  ['+abc', 1, 'abc'],
  ['1 ', 1, ' '],
  ['1.1.M', 3, '.M'],
  ['1+1.0M', 1, '+1.0M'],
  ['0.1mi', 3, 'mi'],
  ['0.1am', 3, 'am'],
  ['.5i', 2, 'i'],
  ['1i', 1, 'i'],
  ['-3.01i', 5, 'i'],
  ['-3.01e-', 5, 'e-'],
  ['1e', 1, 'e'],
  ['1K', 1, 'K'],
  ['1.5Gib', 3, 'Gib'],
  ['1,5', 1, ',5'],
  ['1Mi5', 1, 'Mi5'],
  ['1e3x', 1, 'e3x'],
  ['1ke3', 1, 'ke3'],
];
/** Exponents past ±1000, from just past the bound to far beyond int64. */
const EXPONENT_TOO_LARGE: [string, number, string | null][] = [
  ['1e1001', 1, 'e1001'],
  ['1E-1001', 1, 'E-1001'],
  ['-2.5e+2000', 4, 'e+2000'],
  ['1e999999999', 1, 'e999999999'],
  ['1e-999999999', 1, 'e-999999999'],
  ['7E99999999999999999999', 1, 'E99999999999999999999'],
];

type Row = [text: string, nanos: bigint, format: QuantityFormat];

const DECIMAL_ROWS: Row[] = [
  ['0', 0n, D],
  ['0n', 0n, D],
  ['0m', 0n, D],
  ['0k', 0n, D],
  ['0M', 0n, D],
  ['0T', 0n, D],
  ['1', amount(1, 0), D],
  ['9', amount(9, 0), D],
  ['5n', amount(5, -9), D],
  ['4u', amount(4, -6), D],
  ['3m', amount(3, -3), D],
  ['8k', amount(8, 3), D],
  ['50k', amount(5, 4), D],
  ['7M', amount(7, 6), D],
  ['6G', amount(6, 9), D],
  ['5T', amount(5, 12), D],
  ['40T', amount(4, 13), D],
  ['300T', amount(3, 14), D],
  ['2P', amount(2, 15), D],
  ['1E', amount(1, 18), D],
  ['12E', amount(12, 18), D],
  ['100m', amount(100, -3), D],
  ['2k', amount(2, 3), D],
];
const BINARY_ROWS: Row[] = [
  ['0Ki', 0n, B],
  ['0Mi', 0n, B],
  ['0Gi', 0n, B],
  ['1Ki', 1024n * UNIT, B],
  ['8Ki', 8n * 1024n * UNIT, B],
  ['7Mi', 7n * 1024n ** 2n * UNIT, B],
  ['6Gi', 6n * 1024n ** 3n * UNIT, B],
  ['5Ti', 5n * 1024n ** 4n * UNIT, B],
  ['4Pi', 4n * 1024n ** 5n * UNIT, B],
  ['3Ei', 3n * 1024n ** 6n * UNIT, B],
  ['10Ti', 10n * 1024n ** 4n * UNIT, B],
  ['100Ti', 100n * 1024n ** 4n * UNIT, B],
  ['500Mi', 500n * 1024n ** 2n * UNIT, B],
];
const EXPONENT_ROWS: Row[] = [
  ['1E-3', amount(1, -3), X],
  ['1e3', amount(1, 3), X],
  ['1E6', amount(1, 6), X],
  ['1e9', amount(1, 9), X],
  ['1E12', amount(1, 12), X],
  ['1e15', amount(1, 15), X],
  ['1E18', amount(1, 18), X],
  ['1e14', amount(1, 14), X],
  ['1e13', amount(1, 13), X],
  ['1.2e3', amount(12, 2), X],
  ['1.3E+6', amount(13, 5), X],
  ['1.40e9', amount(14, 8), X],
  ['1.53E12', amount(153, 10), X],
  ['1.6e15', amount(16, 14), X],
  ['1.7E18', amount(17, 17), X],
  ['0.5e0', amount(5, -1), X],
  ['0.5e-1', amount(5, -2), X],
  ['0.5e-2', amount(5, -3), X],
];
const FRACTION_ROWS: Row[] = [
  ['0.001', amount(1, -3), D],
  ['0.0005k', amount(5, -1), D],
  ['0.005', amount(5, -3), D],
  ['0.05', amount(5, -2), D],
  ['0.5', amount(5, -1), D],
  ['0.00050k', amount(5, -1), D],
  ['0.00500', amount(5, -3), D],
  ['0.50000', amount(5, -1), D],
  ['10.035M', amount(10035, 3), D],
  ['9.01', amount(901, -2), D],
  ['8.1k', amount(81, 2), D],
  ['7.123456M', amount(7123456, 0), D],
  ['6.987654321G', amount(6987654321, 0), D],
  ['5.444T', amount(5444, 9), D],
  ['40.1T', amount(401, 11), D],
  ['300.2T', amount(3002, 11), D],
  ['2.5P', amount(25, 14), D],
  ['1.01E', amount(101, 16), D],
  ['100.035k', amount(100035, 0), D],
  ['.001', amount(1, -3), D],
  ['.0001k', amount(100, -3), D],
  ['.5', amount(5, -1), D],
  ['1.', amount(1, 0), D],
  ['1.G', amount(1, 9), D],
  ['0.1m', amount(1, -4), D],
  ['100.035Ki', amount(10243584, -2), B],
  ['0.5Mi', 524288n * UNIT, B],
  ['0.05Gi', amount(536870912, -1), B],
  ['0.025Ti', amount(274877906944, -1), B],
  ['1.5Gi', 1610612736n * UNIT, B],
  ['.001Ki', amount(1024, -3), B],
];
const ROUNDING_ROWS: Row[] = [
  ['3.001n', 4n, D],
  ['1.1E-9', 2n, X],
  ['0.0000000001', 1n, D],
  ['0.0000000005', 1n, D],
  ['0.00000000050', 1n, D],
  ['0.5e-9', 1n, X],
  ['0.9n', 1n, D],
  ['0.00000012345', 124n, D],
  ['0.00000012354', 124n, D],
];

describe('parseQuantity', () => {
  test('plain numbers and decimal suffixes n u m k M G T P E are powers of 1000', hint('Which power of ten does each suffix stand for? Is E exa here?'), () => {
    for (const [text, nanos, format] of DECIMAL_ROWS) expectParsed(text, nanos, format);
  });

  test('binary suffixes Ki Mi Gi Ti Pi Ei are powers of 1024 and make the quantity BinarySI', hint('Is 1Ki 1000 or 1024? Which format does it remember?'), () => {
    for (const [text, nanos, format] of BINARY_ROWS) expectParsed(text, nanos, format);
  });

  test('e and E exponents make the quantity DecimalExponent', hint('Is E followed by digits an exponent, while E alone is exa?'), () => {
    for (const [text, nanos, format] of EXPONENT_ROWS) expectParsed(text, nanos, format);
  });

  test('fractions are exact: 0.5, .5, 1., 1.5Gi, 100.035k, 0.1m', hint(`Do you ever go through a float? 0.1 has no exact float. ${PAGE}`), () => {
    for (const [text, nanos, format] of FRACTION_ROWS) expectParsed(text, nanos, format);
  });

  test('precision finer than 1n rounds up: 0.9n and 0.0000000001 are 1n, 3.001n is 4n', hint('When the digits go past nano, do you round down, to nearest, or up?'), () => {
    for (const [text, nanos, format] of ROUNDING_ROWS) expectParsed(text, nanos, format);
  });

  test('a leading - negates and a leading + changes nothing, for every case above', hint('Rounding goes away from zero: is -0.9n -1n?'), () => {
    for (const [text, nanos, format] of [...DECIMAL_ROWS, ...BINARY_ROWS, ...EXPONENT_ROWS, ...FRACTION_ROWS, ...ROUNDING_ROWS]) {
      expectParsed(`-${text}`, -nanos, format);
      expectParsed(`+${text}`, nanos, format);
    }
  });

  test('a BinarySI amount between -1 and 1 (not 0) is DecimalSI instead', hint('What does .000000000001Ki come to, and can a binary suffix print that? Is exactly 1 between -1 and 1?'), () => {
    expectParsed('0.000000000001Ki', 2n, D);
    expectParsed('-0.000000000001Ki', -2n, D);
    expectParsed('0.0001Ki', amount(1024, -4), D);
    // Exactly one unit is not below 1: upstream's `amount.Cmp(decOne) < 0` keeps it BinarySI.
    expectParsed('0.0009765625Ki', UNIT, B);
    expectParsed('-0.0009765625Ki', -UNIT, B);
  });

  test('a BinarySI amount is capped at 2^63-1 units', hint('What is the largest quantity Kubernetes lets a binary suffix reach?'), () => {
    expectParsed('9Ei', MAX_BINARY, B);
    expectParsed('9223372036854775807Ki', MAX_BINARY, B);
    expectParsed('-9Ei', -MAX_BINARY, B);
  });

  test('decimal amounts beyond int64 stay exact', () => {
    expectParsed('9999999999999999999', amount(9999999999999999999n, 0), D);
    expectParsed('10E', amount(10, 18), D);
    expectParsed('999999999999999999.1', amount(9999999999999999991n, -1), D);
  });

  test(
    'malformed quantities throw an InvalidQuantityError pointing where the number or the suffix goes wrong',
    hint('Is the position where the number should start (no digits at all), or where the suffix starts? Is found the rest of the text?'),
    () => {
      for (const [text, position, found] of MALFORMED) expectInvalid(text, position, found);
    },
  );

  test(
    'an exponent beyond ±1000 is refused at the exponent: 1e1001 and 1e999999999 are errors, 1e1000 is fine',
    hint('How many digits does 10^999999999 have, and how long would a bigint take to write them? Does your parser check the exponent before it computes anything?'),
    () => {
      // Upstream reads the exponent with strconv.ParseInt(…, 10, 64) and keeps it as an int32 scale
      // (pkg/api/resource/suffix.go, interpret; quantity.go, ParseQuantity): it never writes the
      // digits out, so 1e999999999 costs it nothing. A Quantity here is exact nano-units, so the
      // course bounds the exponent at ±1000 (6-quantities.md): past that, an error at the exponent,
      // before any power of ten is computed. The small cases come first, so that code without the
      // bound fails on them at once instead of working on 10^999999999.
      expectParsed('1e1000', amount(1, 1000), X);
      expectParsed('-1E+1000', -amount(1, 1000), X);
      expectParsed('1e-1000', 1n, X);
      for (const [text, position, found] of EXPONENT_TOO_LARGE) expectInvalid(text, position, found);
    },
  );

  test('each InvalidQuantityError says, in words, what would fit there', hint('What do you pass as expected? The apiserver sends it back to kubectl, so "" tells the user nothing.'), () => {
    for (const [text] of [...MALFORMED, ...EXPONENT_TOO_LARGE]) {
      const e = expectInvalid(text);
      expect(typeof e.expected === 'string' ? e.expected.trim() : e.expected, `the expected of the InvalidQuantityError for ${show(text)}`).not.toBe('');
    }
  });
});

describe('formatQuantity', () => {
  const STRING_ROWS: [bigint, QuantityFormat, string][] = [
    [1024n ** 3n * UNIT, B, '1Gi'],
    [300n * 1024n ** 2n * UNIT, B, '300Mi'],
    [6n * 1024n * UNIT, B, '6Ki'],
    [1001n * 1024n ** 3n * UNIT, B, '1001Gi'],
    [1024n ** 4n * UNIT, B, '1Ti'],
    [1025n * UNIT, B, '1025'],
    [91000n * UNIT, B, '91000'],
    [amount(1, 9), D, '1G'],
    [amount(1000, 6), D, '1G'],
    [amount(1000000, 3), D, '1G'],
    [amount(1000000000, 0), D, '1G'],
    [amount(1, -3), D, '1m'],
    [amount(80, -3), D, '80m'],
    [amount(1080, -3), D, '1080m'],
    [amount(108, -2), D, '1080m'],
    [amount(300, 6), D, '300M'],
    [amount(1, 12), D, '1T'],
    [amount(1234567, 6), D, '1234567M'],
    [amount(3, 3), D, '3k'],
    [amount(1, -9), D, '1n'],
    [amount(80, -9), D, '80n'],
    [amount(1080, -9), D, '1080n'],
    [amount(108, -8), D, '1080n'],
    [amount(1, -6), D, '1u'],
    [amount(80, -6), D, '80u'],
    [amount(1080, -6), D, '1080u'],
    [amount(1, 9), X, '1e9'],
    [amount(1, -3), X, '1e-3'],
    [amount(1, -9), X, '1e-9'],
    [amount(80, -3), X, '80e-3'],
    [amount(300, 6), X, '300e6'],
    [amount(1, 12), X, '1e12'],
    [amount(1, 3), X, '1e3'],
    [amount(3, 3), X, '3e3'],
    [amount(13, 5), X, '1300e3'],
    [amount(5, 0), X, '5'],
  ];

  test('the mantissa loses its trailing zeros to the largest exact suffix, a multiple of 3 powers of ten', hint(`Is 1080m already canonical? Why is 1080n not 1.08u? ${PAGE}`), () => {
    for (const [nanos, format, text] of STRING_ROWS.filter(([, f]) => f === D)) {
      expect(formatQuantity(q(nanos, format)), `formatQuantity(${describeQuantity(q(nanos, format))})`).toBe(text);
    }
  });

  test('DecimalExponent prints e<exponent>, the exponent a multiple of 3 and left out when 0', hint('Which exponents may a canonical DecimalExponent have?'), () => {
    for (const [nanos, format, text] of STRING_ROWS.filter(([, f]) => f === X)) {
      expect(formatQuantity(q(nanos, format)), `formatQuantity(${describeQuantity(q(nanos, format))})`).toBe(text);
    }
  });

  test('BinarySI takes the largest exact power of 1024: 1.5Gi prints as 1536Mi, 1025 as 1025', hint('How many times does 1024 divide the amount?'), () => {
    for (const [nanos, format, text] of STRING_ROWS.filter(([, f]) => f === B)) {
      expect(formatQuantity(q(nanos, format)), `formatQuantity(${describeQuantity(q(nanos, format))})`).toBe(text);
    }
  });

  test(
    'E is the largest decimal suffix and Ei the largest binary one: 10^21 prints as 1000E, 2^70 as 1024Ei',
    hint('Which suffix comes after E, or after Ei? None: what happens to your suffix lookup when the exponent goes past the table?'),
    () => {
      // Parsing refuses nothing here: 1000E is a valid quantity, and sums (addQuantities) can pass the
      // 2^63-1 units that parsing caps BinarySI at. Upstream's suffixer has no suffix past E or Ei
      // either; its String() then drops the suffix (pkg/api/resource/quantity.go, CanonicalizeBytes),
      // printing 1000E as "1": a Quantity here keeps the largest suffix instead (6-quantities.md).
      expect(formatQuantity(parseQuantity('1000E')), 'formatQuantity(parseQuantity("1000E"))').toBe('1000E');
      expect(formatQuantity(parseQuantity('1.5e22')), 'formatQuantity(parseQuantity("1.5e22"))').toBe('15e21');
      const rows: [Quantity, string][] = [
        [q(amount(1, 21), D), '1000E'],
        [q(amount(15, 23), D), '1500000E'],
        [q(amount(-7, 25), D), '-70000000E'],
        [q(1024n ** 7n * UNIT, B), '1024Ei'],
        [q(3n * 1024n ** 8n * UNIT, B), '3145728Ei'],
      ];
      for (const [x, text] of rows) expect(formatQuantity(x), `formatQuantity(${describeQuantity(x)})`).toBe(text);
      const sum = addQuantities(parseQuantity('8Ei'), parseQuantity('8Ei'));
      expect(formatQuantity(sum), 'formatQuantity(addQuantities(8Ei, 8Ei)), each capped at 2^63-1 units').toBe('18446744073709551614');
      const big = addQuantities(q(1024n ** 7n * UNIT, B), q(1024n ** 7n * UNIT, B));
      expect(formatQuantity(big), 'formatQuantity(addQuantities(1024Ei, 1024Ei))').toBe('2048Ei');
    },
  );

  test('BinarySI below 1Ki, or with a fraction, prints as DecimalSI rather than round', hint('Can 500m or 1234.567 be written with Ki, Mi... without rounding? What does Kubernetes do then?'), () => {
    const rows: [bigint, string][] = [
      [amount(5, 0), '5'],
      [amount(500, -3), '500m'],
      [amount(1234567, -3), '1234567m'],
      [amount(1023, 0), '1023'],
      [amount(10243584, -2), '102435840m'],
      [amount(1024, -3), '1024m'],
    ];
    for (const [nanos, text] of rows) expect(formatQuantity(q(nanos, B)), `formatQuantity(${describeQuantity(q(nanos, B))})`).toBe(text);
  });

  test('zero is 0 in every format, and negative amounts print with a leading -', hint('Do you handle the sign before stripping factors?'), () => {
    for (const format of [D, B, X]) expect(formatQuantity(q(0n, format)), `formatQuantity(${describeQuantity(q(0n, format))})`).toBe('0');
    for (const [nanos, format, text] of STRING_ROWS) {
      expect(formatQuantity(q(-nanos, format)), `formatQuantity(${describeQuantity(q(-nanos, format))})`).toBe(`-${text}`);
    }
    expect(formatQuantity(q(amount(-901, -2), D)), 'formatQuantity(-9.01 DecimalSI)').toBe('-9010m');
  });

  test('what Kubernetes prints back after parsing: 1.5Gi is 1536Mi, 0.5 is 500m, 1e3 stays 1e3', () => {
    const rows: [string, string][] = [
      ['1.5Gi', '1536Mi'],
      ['1.5', '1500m'],
      ['0.5', '500m'],
      ['2k', '2k'],
      ['1e3', '1e3'],
      ['1000M', '1G'],
      ['1024Mi', '1Gi'],
      ['1Ki', '1Ki'],
      ['.001Ki', '1024m'],
      ['.000001Ki', '1024u'],
      ['.000000001Ki', '1024n'],
      ['.000000000001Ki', '2n'],
      ['0.1m', '100u'],
      ['10000000000000000000', '10E'],
      ['10000000000000000000000m', '10E'],
      ['1.0E', '1E'],
      ['999999999999999999.1', '999999999999999999100m'],
      ['-1000000000000000000', '-1E'],
      ['9223372036854775808', '9223372036854775808'],
      ['9Ei', '9223372036854775807'],
    ];
    for (const [text, canonical] of rows) expect(formatQuantity(parseQuantity(text)), `formatQuantity(parseQuantity(${show(text)}))`).toBe(canonical);
  });
});

describe('compareQuantities, addQuantities, milliValue, value', () => {
  test('compare looks at amounts, not formats: 1Gi > 1G, 1000m = 1, 10000T > 100Gi', hint('Do you compare strings, or amounts?'), () => {
    const rows: [string, string, number][] = [
      ['0', '0', 0],
      ['100m', '50m', 1],
      ['50m', '100m', -1],
      ['10000T', '100Gi', 1],
      ['1Gi', '1G', 1],
      ['1000m', '1', 0],
      ['1k', '1e3', 0],
      ['1Ki', '1024', 0],
      ['-1', '0', -1],
      ['900m', '1', -1],
      ['1n', '0', 1],
    ];
    for (const [a, b, expected] of rows) {
      expect(compareQuantities(parseQuantity(a), parseQuantity(b)), `compareQuantities(parseQuantity(${show(a)}), parseQuantity(${show(b)}))`).toBe(expected);
    }
  });

  test('add is exact: 100m + 200m is 300m, never 0.30000000000000004', hint(`Are you adding floats? ${PAGE}`), () => {
    const sum = addQuantities(parseQuantity('0.1'), parseQuantity('0.2'));
    expect(formatQuantity(sum), 'formatQuantity(addQuantities(0.1, 0.2))').toBe('300m');
    const rows: [string, string, string][] = [
      ['10', '1e1', '20'],
      ['500Mi', '1.5Gi', '2036Mi'],
      ['250m', '750m', '1'],
      ['1Gi', '-1Gi', '0'],
      ['1', '1n', '1000000001n'],
    ];
    for (const [a, b, expected] of rows) {
      expect(formatQuantity(addQuantities(parseQuantity(a), parseQuantity(b))), `formatQuantity(addQuantities(${a}, ${b}))`).toBe(expected);
    }
  });

  test('the sum keeps the format of the first quantity, unless that one is zero', hint('Which format does resource.Quantity.Add keep when the running total is still 0?'), () => {
    const rows: [Quantity, Quantity, Quantity][] = [
      [q(amount(10, 0), D), q(amount(1, 0), B), q(amount(11, 0), D)],
      [q(amount(10, 0), B), q(amount(1, 0), D), q(amount(11, 0), B)],
      [q(0n, D), q(amount(50, 0), B), q(amount(50, 0), B)],
      [q(amount(50, 0), X), q(0n, D), q(amount(50, 0), X)],
      [q(0n, D), q(0n, B), q(0n, B)],
    ];
    for (const [a, b, expected] of rows) {
      expect(describeQuantity(addQuantities(a, b)), `addQuantities(${describeQuantity(a)}, ${describeQuantity(b)})`).toBe(describeQuantity(expected));
    }
    for (const text of ['100m', '1Gi']) {
      expect(formatQuantity(addQuantities(parseQuantity('0'), parseQuantity(text))), `formatQuantity(addQuantities(0, ${text}))`).toBe(text);
      expect(formatQuantity(addQuantities(parseQuantity(text), parseQuantity('0'))), `formatQuantity(addQuantities(${text}, 0))`).toBe(text);
    }
  });

  test('milliValue and value round up, away from zero', hint('Is 100m worth 0 whole units or 1? And -1.5?'), () => {
    const rows: [string, number, number][] = [
      ['5Gi', 5368709120000, 5368709120],
      ['5G', 5000000000000, 5000000000],
      ['5300m', 5300, 6],
      ['5.4', 5400, 6],
      ['1n', 1, 1],
      ['1u', 1, 1],
      ['1m', 1, 1],
      ['1', 1000, 1],
      ['0.1m', 1, 1],
      ['100m', 100, 1],
      ['1.5', 1500, 2],
      ['-1.5', -1500, -2],
      ['-100m', -100, -1],
      ['-0.1m', -1, -1],
      ['0', 0, 0],
      ['1Ki', 1024000, 1024],
    ];
    for (const [text, milli, units] of rows) {
      expect(milliValue(parseQuantity(text)), `milliValue(parseQuantity(${show(text)}))`).toBe(milli);
      expect(value(parseQuantity(text)), `value(parseQuantity(${show(text)}))`).toBe(units);
    }
  });
});

// ---- properties ------------------------------------------------------------------------------

const format = fc.constantFrom(D, B, X);
/** Amounts with the shapes that matter: anything, round decimals, whole binary multiples. */
const nanos = fc
  .oneof(
    fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
    fc.tuple(fc.bigInt({ min: -999n, max: 999n }), fc.integer({ min: 0, max: 27 })).map(([m, k]) => m * 10n ** BigInt(k)),
    fc.tuple(fc.bigInt({ min: -1023n, max: 1023n }), fc.integer({ min: 0, max: 6 })).map(([m, k]) => m * 1024n ** BigInt(k) * UNIT),
  )
  .filter((n) => n <= MAX_BINARY && n >= -MAX_BINARY);
const quantity = fc.tuple(nanos, format).map(([n, f]) => q(n, f));

/** n nano-units written as a plain decimal number of 10^(places-9)-units: (1500000000n, 12) → "0.0015". */
function decimalText(n: bigint, places: number): string {
  const sign = n < 0n ? '-' : '';
  const digits = (n < 0n ? -n : n).toString();
  if (places <= 0) return `${sign}${digits}${'0'.repeat(-places)}`;
  const padded = digits.padStart(places + 1, '0');
  return `${sign}${padded.slice(0, -places)}.${padded.slice(-places)}`;
}

describe('quantities, on random amounts', () => {
  test(
    'any quantity prints as text that parses back to the same amount (and, unless BinarySI, prints the same again)',
    hint('Print the failing quantity and parse it by hand: which step loses or adds something?'),
    ({ task }) => {
      fc.assert(
        fc.property(quantity, (x) => {
          const text = formatQuantity(x);
          const back = parseQuantity(text);
          expect(back.nanos, `parseQuantity(formatQuantity(${describeQuantity(x)}) = ${show(text)}).nanos`).toBe(x.nanos);
          // BinarySI 91000 prints as "91000", which parses as DecimalSI and prints as "91k", upstream too.
          if (x.format !== 'BinarySI') expect(formatQuantity(back), `formatQuantity(parseQuantity(${show(text)}))`).toBe(text);
        }),
        { seed: useSeed(task), numRuns: 400 },
      );
    },
  );

  test('the same amount written with any decimal suffix or exponent parses to that amount', hint('Which digits move across the decimal point for each suffix?'), ({ task }) => {
    const suffixes: [string, number][] = [
      ['n', -9],
      ['u', -6],
      ['m', -3],
      ['', 0],
      ['k', 3],
      ['M', 6],
      ['G', 9],
      ['T', 12],
      ['P', 15],
      ['E', 18],
    ];
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), fc.constantFrom(...suffixes), fc.integer({ min: -12, max: 24 }), (n, [suffix, power], exponent) => {
        const withSuffix = `${decimalText(n, power + 9)}${suffix}`;
        expect(parseQuantity(withSuffix).nanos, `parseQuantity(${show(withSuffix)}).nanos`).toBe(n);
        const withExponent = `${decimalText(n, exponent + 9)}e${exponent}`;
        expect(parseQuantity(withExponent).nanos, `parseQuantity(${show(withExponent)}).nanos`).toBe(n);
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });

  test('addition is exact, commutative and associative', hint('Does any step of your sum go through a float or round?'), ({ task }) => {
    fc.assert(
      fc.property(quantity, quantity, quantity, (a, b, c) => {
        const ab = addQuantities(a, b);
        expect(ab.nanos, `addQuantities(${describeQuantity(a)}, ${describeQuantity(b)}).nanos`).toBe(a.nanos + b.nanos);
        expect(compareQuantities(ab, addQuantities(b, a)), `compare a+b with b+a for a=${describeQuantity(a)}, b=${describeQuantity(b)}`).toBe(0);
        const left = addQuantities(ab, c);
        const right = addQuantities(a, addQuantities(b, c));
        expect(compareQuantities(left, right), `compare (a+b)+c with a+(b+c) for c=${describeQuantity(c)}`).toBe(0);
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });

  test('compare is a total order that agrees with the amounts and with addition', hint('Does compare return exactly -1, 0 or 1, from the amounts alone?'), ({ task }) => {
    fc.assert(
      fc.property(quantity, quantity, quantity, (a, b, c) => {
        const ab = compareQuantities(a, b);
        const did = `compareQuantities(${describeQuantity(a)}, ${describeQuantity(b)})`;
        expect(ab, did).toBe(a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0);
        expect(compareQuantities(b, a), `the same two the other way round, where ${did} gave ${ab}`).toBe(-ab || 0);
        expect(compareQuantities(a, a), `compareQuantities(a, a) for a=${describeQuantity(a)}`).toBe(0);
        expect(compareQuantities(addQuantities(a, c), addQuantities(b, c)), `compare a+c with b+c, where ${did} gave ${ab}`).toBe(ab);
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });

  test('milliValue and value round any amount up, away from zero', hint('For a negative amount, which way is up?'), ({ task }) => {
    const awayFromZero = (n: bigint, d: bigint) => (n % d === 0n ? n / d : n > 0n ? n / d + 1n : n / d - 1n);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 52n) * 10n ** 6n, max: 2n ** 52n * 10n ** 6n }), format, (n, f) => {
        expect(milliValue(q(n, f)), `milliValue(${describeQuantity(q(n, f))})`).toBe(Number(awayFromZero(n, 10n ** 6n)));
        expect(value(q(n, f)), `value(${describeQuantity(q(n, f))})`).toBe(Number(awayFromZero(n, UNIT)));
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });
});
