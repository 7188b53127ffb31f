/**
 * Reference for exercise 00-objects/03-quantities: resource quantities, as
 * k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go, amount.go) behaves.
 *
 * A Quantity is held exactly as a bigint count of nano-units plus the format it was written in.
 * Where this differs from upstream (all of it outside what real manifests contain):
 * - upstream remembers the text it parsed when that text was already canonical, so `+1` prints
 *   back as `+1` and `1E3` as `1E3`; a Quantity here keeps no text, so they print as `1` and `1e3`;
 * - upstream's scanner also takes `.`, `+` and `-` alone as zero; its own grammar does not, nor do we;
 * - DecimalSI amounts of 10^21 and more print with the `E` suffix (`1000E`) where upstream, having
 *   no suffix for them, drops it; exponents beyond ±1000 are refused rather than wrapped.
 */
import { InvalidQuantityError } from '#engine/objects/errors.ts';
import type { Quantity, QuantityFormat } from '#engine/objects/types.ts';

const NANOS_PER_UNIT = 1_000_000_000n;
/** Largest magnitude a BinarySI quantity may parse to: 2^63-1 units (upstream's maxAllowed). */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANOS_PER_UNIT;
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIXES = new Map<string, number>([
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
]);
const BINARY_SUFFIXES = new Map<string, number>([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const DECIMAL_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const SUFFIX_EXPECTED = 'a suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), an exponent (e3, E-6) or nothing';

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** Parses `<sign><digits>.<digits><suffix>` exactly; throws InvalidQuantityError naming the spot. */
export function parseQuantity(text: string): Quantity {
  if (typeof text !== 'string') {
    // YAML reads `cpu: 2` as a number; the caller should pass String(value), as the JSON decoder does.
    throw new InvalidQuantityError(String(text), 0, String(text), 'a string such as "100m" or "2"');
  }
  let at = 0;
  let negative = false;
  if (text[at] === '+' || text[at] === '-') {
    negative = text[at] === '-';
    at++;
  }
  const numberStart = at;
  while (isDigit(text[at])) at++;
  const whole = text.slice(numberStart, at);
  let fraction = '';
  if (text[at] === '.') {
    at++;
    const fractionStart = at;
    while (isDigit(text[at])) at++;
    fraction = text.slice(fractionStart, at);
  }
  if (whole === '' && fraction === '') {
    throw new InvalidQuantityError(text, numberStart, numberStart < text.length ? text.slice(numberStart) : null, 'a number such as 100, 0.5 or .5');
  }

  const suffix = text.slice(at);
  let format: QuantityFormat;
  let exponent10 = 0;
  let exponent2 = 0;
  if (DECIMAL_SUFFIXES.has(suffix)) {
    format = 'DecimalSI';
    exponent10 = DECIMAL_SUFFIXES.get(suffix)!;
  } else if (BINARY_SUFFIXES.has(suffix)) {
    format = 'BinarySI';
    exponent2 = BINARY_SUFFIXES.get(suffix)!;
  } else if (/^[eE][+-]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    exponent10 = Number(suffix.slice(1));
    if (Math.abs(exponent10) > MAX_EXPONENT) {
      throw new InvalidQuantityError(text, at, suffix, `an exponent between -${MAX_EXPONENT} and ${MAX_EXPONENT}`);
    }
  } else {
    throw new InvalidQuantityError(text, at, suffix, SUFFIX_EXPECTED);
  }

  // value = digits × 10^(exponent10 − len(fraction)) × 2^exponent2, in nano-units rounded up.
  const digits = BigInt(whole + fraction) * 2n ** BigInt(exponent2);
  const shift = exponent10 - fraction.length + 9;
  let nanos: bigint;
  if (shift >= 0) {
    nanos = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    nanos = (digits + divisor - 1n) / divisor; // round up: asking for a little gets at least 1n
  }
  if (format === 'BinarySI' && nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
  if (format === 'BinarySI' && nanos > 0n && nanos < NANOS_PER_UNIT) format = 'DecimalSI';
  return { nanos: negative ? -nanos : nanos, format };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b; formats do not matter. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The exact sum, in a's format, or b's when a is zero (resource.Quantity.Add). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** The canonical text (resource.Quantity.String): no fraction digits, the largest suffix that is exact. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  if (q.format === 'BinarySI') {
    const magnitude = q.nanos < 0n ? -q.nanos : q.nanos;
    // Below 1Ki, or not a whole number of units, BinarySI would round: print it as DecimalSI.
    if (magnitude >= 1024n * NANOS_PER_UNIT && q.nanos % NANOS_PER_UNIT === 0n) {
      let mantissa = q.nanos / NANOS_PER_UNIT;
      let power = 0;
      while (power < BINARY_BY_POWER.length - 1 && mantissa % 1024n === 0n) {
        mantissa /= 1024n;
        power++;
      }
      return `${mantissa}${BINARY_BY_POWER[power]}`;
    }
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (q.format === 'DecimalSI' || q.format === 'BinarySI') {
    if (exponent > 18) {
      mantissa *= 10n ** BigInt(exponent - 18);
      exponent = 18;
    }
    return `${mantissa}${DECIMAL_BY_EXPONENT.get(exponent)}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

/** n / d rounded away from zero, as resource.Quantity.ScaledValue rounds. */
function divideRoundingUp(n: bigint, d: bigint): bigint {
  const quotient = n / d;
  if (n % d === 0n) return quotient;
  return n > 0n ? quotient + 1n : quotient - 1n;
}

/** The amount in thousandths, rounded up (away from zero): `0.1m` → 1, `1.5` → 1500. */
export function milliValue(q: Quantity): number {
  return Number(divideRoundingUp(q.nanos, 1_000_000n));
}

/** The amount in units, rounded up (away from zero): `100m` → 1, `1Ki` → 1024. */
export function value(q: Quantity): number {
  return Number(divideRoundingUp(q.nanos, NANOS_PER_UNIT));
}
