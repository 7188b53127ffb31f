/**
 * Go's ways of printing values, where the field manager's messages carry them: `%q` (strconv.Quote),
 * `%v` of an unstructured value, encoding/json (which escapes `<`, `>` and `&`), unicode.IsPrint,
 * and RFC 3339 timestamps at second precision (metav1.Time). Kept apart so that the field manager's
 * files read as the algorithm they are, and each message matches upstream byte for byte.
 *
 * Values here are JSON values as parsed from a request body: objects, arrays, strings, numbers,
 * booleans, null. A number with no fraction is an integer, as the apiserver's decoder
 * (UnmarshalCaseSensitivePreserveInts) makes it an int64.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(char: string): boolean {
  return PRINTABLE.test(char);
}

const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/** strconv.Quote (`%q`): a double-quoted string with Go escapes for what is not printable. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const short = SHORT_ESCAPES[char];
    if (short) out += short;
    else if (isPrint(char)) out += char;
    else {
      const code = char.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
      else out += `\\U${code.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

/** `%#U` of a rune as fmt prints a non-printable one: `U+0001`. */
export function goRune(char: string): string {
  const code = char.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(char) ? `${hex} '${char}'` : hex;
}

/**
 * Sets `object[key]` as an own data property. A plain assignment to `__proto__` would change the
 * object's prototype instead; a ConfigMap may well have a data key "__proto__".
 */
export function setMember(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareStrings)) setMember(out, key, sortKeysDeep((value as Record<string, unknown>)[key]));
  return out;
}

const HTML_SPECIAL = /[<>&\u2028\u2029]/;

/**
 * encoding/json's Marshal: like JSON.stringify, with `<`, `>`, `&`, U+2028 and U+2029 escaped.
 * With `sortKeys`, object keys come in byte order, as Go marshals a map[string]interface{}.
 */
export function goJSON(value: unknown, sortKeys = false): string {
  const text = JSON.stringify(sortKeys && typeof value === 'object' && value !== null ? sortKeysDeep(value) : value);
  return HTML_SPECIAL.test(text) ? text.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]) : text;
}

/** True when `value` nests objects and lists deeper than `limit` (walked without recursion). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** A deep copy of a JSON value (absent members stay absent); much cheaper than structuredClone. */
export function cloneJSON<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJSON) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) setMember(out, key, cloneJSON(member));
  }
  return out as T;
}

/**
 * Strings in Go's order (bytes of UTF-8). JavaScript compares UTF-16 code units, which differs only
 * between astral characters and U+E000..U+FFFF; those are compared by code point.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const cx = a.codePointAt(i)!;
      const cy = b.codePointAt(i)!;
      return cx < cy ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** A float as `%v` prints it (strconv 'g', shortest): an exponent below 1e-4 and from 1e6. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** A number as Go prints the int64 or float64 the decoder made of it. */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? String(n) : goFloat(n);
}

/** `%v` of an unstructured value: `map[a:b c:[1 2]]`, `[x y]`, bare strings. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  const entries = Object.keys(value as object).sort(compareStrings);
  return `map[${entries.map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`).join(' ')}]`;
}

/** `%#v` of an unstructured value: `map[string]interface {}{"a":"b"}`, `[]interface {}{1}`. */
export function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : goFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  const entries = Object.keys(value as object).sort(compareStrings);
  return `map[string]interface {}{${entries.map((k) => `${goQuote(k)}:${goSyntax((value as Record<string, unknown>)[k])}`).join(', ')}}`;
}

/** `%T` of an unstructured value. */
export function goType(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
}

/** metav1.Time on the wire: RFC 3339 in UTC, whole seconds (`2024-05-01T10:00:00Z`). */
export function rfc3339(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
