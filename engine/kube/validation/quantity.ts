/**
 * Resource quantities as the apiserver meets them, in two steps, as upstream:
 *
 * 1. Decoding (quantitySyntaxError): resource.Quantity's UnmarshalJSON runs ParseQuantity
 *    (apimachinery pkg/api/resource/quantity.go, v0.32) on the trimmed text, and a value it
 *    refuses fails the whole request with 400 and one of three messages: `quantities must match
 *    the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` (the text is not a
 *    number and suffix: `abc`), `unable to parse quantity's suffix` (`32MMi`), or `unable to
 *    parse numeric part of quantity`. Written here from the grammar upstream's scanner accepts,
 *    which is looser than its own regular expression: `m`, `.` and `+` alone are zero.
 * 2. Validation (readQuantity): the value, read with the learner's parseQuantity from lesson 00
 *    (through the objects component, QuantityFunctions), rounded up to thousandths as
 *    SetDefaults_ResourceList does, compared and printed with the learner's compareQuantities and
 *    formatQuantity.
 *
 * goQuantity writes a Quantity as Go's %#v does, for the one message that shows one whole
 * (`must be an integer`).
 */
import { InvalidQuantityError } from '../../objects/errors.ts';
import type { Quantity } from '../../objects/types.ts';
import { goQuote } from './go-values.ts';

/** What validation (and quota and limit arithmetic) calls on the learner's quantities (lesson 00, 03-quantities). */
export interface QuantityFunctions {
  parse(text: string): Quantity;
  compare(a: Quantity, b: Quantity): -1 | 0 | 1;
  /** The sum, as ResourceQuota usage and LimitRange checks add requests. */
  add(a: Quantity, b: Quantity): Quantity;
  format(q: Quantity): string;
}

export const QUANTITY_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_WRONG = "unable to parse quantity's suffix";

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** parseQuantityString: sign, numerator (leading zeros dropped), denominator, suffix; null for ErrFormatWrong. */
function scan(text: string): Scanned | null {
  let pos = 0;
  let positive = true;
  if (text[0] === '-' || text[0] === '+') {
    positive = text[0] === '+';
    pos++;
  }
  while (text[pos] === '0') pos++;
  if (pos >= text.length) return { positive, num: '0', denom: '', suffix: '' };
  let start = pos;
  while (isDigit(text[pos])) pos++;
  const num = text.slice(start, pos) || '0';
  let denom = '';
  if (text[pos] === '.') {
    pos++;
    start = pos;
    while (isDigit(text[pos])) pos++;
    denom = text.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < text.length && 'eEinumkKMGTP'.includes(text[pos]!)) pos++;
  if (text[pos] === '-' || text[pos] === '+') pos++;
  while (isDigit(text[pos])) pos++;
  if (pos < text.length) return null;
  return { positive, num, denom, suffix: text.slice(suffixStart) };
}

type Interpreted = { format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent'; base: 10 | 2; exponent: number };

/** quantitySuffixer.interpret. */
function interpret(suffix: string): Interpreted | null {
  if (suffix in DECIMAL_SUFFIXES) return { format: 'DecimalSI', base: 10, exponent: DECIMAL_SUFFIXES[suffix]! };
  if (suffix in BINARY_SUFFIXES) return { format: 'BinarySI', base: 2, exponent: BINARY_SUFFIXES[suffix]! };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    return { format: 'DecimalExponent', base: 10, exponent: Number(suffix.slice(1)) };
  }
  return null;
}

/** The text the decoder parses: a string trimmed, a number as its JSON text. */
export function quantityText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

/** Upstream's decode error for a quantity (a string or a number), or null when it parses. */
export function quantitySyntaxError(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return QUANTITY_FORMAT_WRONG;
  const text = quantityText(value);
  if (text === '') return QUANTITY_FORMAT_WRONG;
  if (text === '0') return null;
  const scanned = scan(text);
  if (!scanned) return QUANTITY_FORMAT_WRONG;
  return interpret(scanned.suffix) ? null : QUANTITY_SUFFIX_WRONG;
}

const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };
const NANOS_PER_MILLI = 1_000_000n;

/**
 * A quantity as validation sees it: parsed with the learner's parseQuantity, rounded away from
 * zero to thousandths (SetDefaults_ResourceList's RoundUp(-3)). Text upstream reads as zero but
 * the learner's stricter grammar refuses (`m`, `.`) is zero; undefined for text the decoder
 * refuses (already answered with 400 before validation). A stub's NotImplemented propagates.
 */
export function readQuantity(fns: QuantityFunctions, value: unknown): Quantity | undefined {
  if (quantitySyntaxError(value) !== null) return undefined;
  let q: Quantity;
  try {
    q = fns.parse(quantityText(value));
  } catch (error) {
    if (error instanceof InvalidQuantityError) return ZERO;
    throw error;
  }
  const rest = q.nanos % NANOS_PER_MILLI;
  if (rest === 0n) return q;
  return { nanos: q.nanos - rest + (q.nanos > 0n ? NANOS_PER_MILLI : -NANOS_PER_MILLI), format: q.format };
}

/** Zero, for comparisons. */
export const ZERO_QUANTITY = ZERO;

/**
 * Go's %#v of the resource.Quantity the decoder builds from `value` (after SetDefaults'
 * RoundUp(-3)): `resource.Quantity{i:resource.int64Amount{value:5, scale:-1}, d:...,
 * s:"", Format:"DecimalSI"}`. Amounts beyond int64 live in an inf.Dec whose pointer Go would
 * print as an address; those are shown by their canonical text instead.
 */
export function goQuantity(value: unknown, canonical: string): string {
  const text = quantityText(value);
  const shape = (v: bigint, scale: number, s: string, format: string) =>
    `resource.Quantity{i:resource.int64Amount{value:${v}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${goQuote(s)}, Format:${goQuote(format)}}`;
  if (text === '0') return shape(0n, 0, '0', 'DecimalSI');
  const scanned = scan(text);
  const suffix = scanned && interpret(scanned.suffix);
  if (!scanned || !suffix) return canonical;
  const { num, denom, positive } = scanned;
  let scale = 0;
  let precision: number;
  let mantissa = 1n;
  if (suffix.format === 'BinarySI') {
    if (suffix.exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(suffix.exponent);
      precision = 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = suffix.exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision < 0) return canonical;
  scale -= denom.length;
  if (scale < -9) return canonical;
  const shifted = num + denom;
  let amount = BigInt(shifted) * mantissa;
  if (amount > 2n ** 63n - 1n) return canonical;
  if (!positive) amount = -amount;
  let keep = false;
  if (suffix.format === 'BinarySI') keep = suffix.exponent % 10 === 0 && (BigInt(shifted) & 7n) !== 0n;
  else keep = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  if (scale < -3) {
    // RoundUp(-3): to thousandths, away from zero; the cached text is dropped.
    const divisor = 10n ** BigInt(-3 - scale);
    const magnitude = amount < 0n ? -amount : amount;
    const rounded = (magnitude + divisor - 1n) / divisor;
    return shape(amount < 0n ? -rounded : rounded, -3, '', suffix.format);
  }
  return shape(amount, scale, keep ? text : '', suffix.format);
}
