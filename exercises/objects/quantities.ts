/**
 * Exercise 00-objects/03-quantities: resource quantities, exactly as Kubernetes reads, compares,
 * adds and prints them (resource.Quantity in k8s.io/apimachinery).
 *
 * `resources.requests.cpu: 250m` and `memory: 1.5Gi` are quantities. The scheduler adds up the
 * requests of every pod on a node and compares the sum with what the node can allocate; quota
 * does the same per namespace. It must be exact: 0.1 + 0.2 must be 300m, not 0.30000000000000004.
 * A Quantity is therefore an integer count of nano-units (a bigint, 10^-9 of a unit) plus the
 * format it was written in, which decides how it prints.
 *
 * Read: lessons/core/00-objects/06-quantities.md
 * Check: npx kubelings check 00-objects/03-quantities
 */
import { NotImplemented } from '#engine/errors.ts';
import { InvalidQuantityError } from '#engine/objects/errors.ts';
import type { Quantity, QuantityFormat } from '#engine/objects/types.ts';

const todo = (what: string) => new NotImplemented('00-objects/03-quantities', 'lessons/core/00-objects/06-quantities.md', what);

/**
 * Parses `<sign><number><suffix>`: an optional `+` or `-`; digits with an optional `.` and more
 * digits (`1`, `1.5`, `.5`, `1.`; at least one digit); then one suffix or none:
 *
 *   decimal (DecimalSI)        n u m "" k M G T P E      10^-9 ... 10^18 (E alone is exa)
 *   binary (BinarySI)          Ki Mi Gi Ti Pi Ei         2^10 ... 2^60
 *   exponent (DecimalExponent) e or E, an optional sign, digits: 1e3, 1E-3, 1.3E+6,
 *                              at most 1000 either way (1e1000 and 1e-1000 are the extremes)
 *
 * Must hold:
 * - the amount is exact: `nanos` is the value × 10^9 with no rounding, except that precision
 *   finer than 1n rounds UP, away from zero (`0.9n` and `0.0000000001` are 1n, `-0.9n` is -1n):
 *   whoever asks for a little gets at least the smallest amount;
 * - a BinarySI amount is capped at 2^63-1 units (`9Ei` is 9223372036854775807); one with a
 *   magnitude below 1 (`.000000000001Ki`) is DecimalSI instead;
 * - an exponent beyond ±1000 (`1e1001`, `1e999999999`) is refused at the exponent. Check it before
 *   computing anything: 10^999999999 has a billion digits, and building it would hang whatever
 *   parses a quantity (the apiserver, on one bad manifest);
 * - nothing else is accepted: no spaces, no `K` (only `k`), no `mi`, no trailing `e`. Malformed text
 *   throws `new InvalidQuantityError(text, position, found, expected)`: `position` is where the
 *   number should start when there is no number, else where the suffix starts; `found` is the
 *   text from there on (null at the end of the input); `expected` says what would fit.
 */
export function parseQuantity(text: string): Quantity {
  // TODO: scan sign, digits, '.', digits; look the rest up as a suffix; build nanos with bigints.
  throw todo('parseQuantity()');
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`, by amount (1Gi > 1G; 1000m = 1). */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  // TODO: compare the amounts; the formats do not matter.
  throw todo('compareQuantities()');
}

/**
 * The exact sum. It keeps `a`'s format, unless `a` is zero: then it takes `b`'s (so that adding up
 * from a zero total keeps the suffix of what is added, as resource.Quantity.Add does).
 */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  // TODO: add the nano counts; pick the format.
  throw todo('addQuantities()');
}

/**
 * The canonical text, as resource.Quantity.String() prints it: zero is `0`; otherwise no fraction
 * digits and the largest suffix that keeps the amount exact, a `-` in front when negative.
 *
 * - DecimalSI: the mantissa with a suffix from n u m "" k M G T P E: 1.5 is `1500m`, 2000 is `2k`,
 *   1080m stays `1080m`; E is the largest suffix, so 10^19 is `10E` and 10^21 is `1000E`;
 * - DecimalExponent: the same with `e<exponent>` instead of a suffix, the exponent a multiple of 3
 *   and left out when 0: 1000 is `1e3`, 0.08 is `80e-3`, 1300000 is `1300e3`;
 * - BinarySI: a whole number of units of at least 1024 in magnitude takes the largest exact binary
 *   suffix: 1.5Gi is `1536Mi`, 1025 is `1025`, and Ei is the largest, so 2^70 (a sum can pass the
 *   parsing cap) is `1024Ei`. Anything else (below 1Ki, or with a fraction) would
 *   have to round, so it prints as DecimalSI: 5 is `5`, 0.5 is `500m`, 100.035Ki is `102435840m`.
 */
export function formatQuantity(q: Quantity): string {
  // TODO: strip factors of 10 (or of 1024) from the mantissa into the suffix.
  throw todo('formatQuantity()');
}

/** The amount in thousandths, rounded up, away from zero (MilliValue): `0.1m` is 1, `1.5` is 1500. */
export function milliValue(q: Quantity): number {
  // TODO: divide the nanos by 10^6, rounding away from zero.
  throw todo('milliValue()');
}

/** The amount in units, rounded up, away from zero (Value): `100m` is 1, `-1.5` is -2, `1Ki` is 1024. */
export function value(q: Quantity): number {
  // TODO: divide the nanos by 10^9, rounding away from zero.
  throw todo('value()');
}
