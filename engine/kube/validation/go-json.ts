/**
 * The error Go's json.Unmarshal gives for bytes decoded into a map[string]interface{}, which
 * upstream shows when a docker config Secret holds something that is not a JSON object
 * (ValidateSecret: `data[.dockerconfigjson]: Invalid value: "<secret contents redacted>":
 * invalid character 'x' looking for beginning of value`).
 *
 * Go's encoding/json first checks the whole input with its scanner (scanner.go): the first byte
 * the grammar does not allow is named with the scanner's context ("invalid character 'x' after
 * object key"), and input that stops early is "unexpected end of JSON input". Valid JSON that is
 * not an object fails to decode into a map: "json: cannot unmarshal array into Go value of type
 * map[string]interface {}" (null decodes into a map without error). This is a small state machine
 * written from that grammar; it returns null when Go would decode the input.
 *
 * Pure; input of any size is scanned once, with an explicit stack (no recursion).
 */

type Frame = 'object-key' | 'object-value' | 'array';

/** encoding/json's maxNestingDepth. */
const MAX_DEPTH = 10_000;

/** quoteChar: the byte as Go's error names it: `'x'`, `'\''`, `'"'`, `'\n'`, `'\x00'`. */
function quoteChar(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return "'\"'";
  const ch = String.fromCharCode(byte);
  const escapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a', '\\': '\\\\' };
  if (escapes[ch]) return `'${escapes[ch]}'`;
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  if (byte >= 0x80 && byte < 0xa0) return `'\\u${byte.toString(16).padStart(4, '0')}'`;
  return `'${ch}'`;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

class SyntaxError extends Error {}

/** Go's scanner over `bytes`; returns the first value's kind when the input is one valid JSON value. */
function scan(bytes: Uint8Array): string {
  const stack: Frame[] = [];
  let kind = '';
  // The state is a function of the next byte; each returns the state that follows.
  type State = (c: number) => State;
  const fail = (c: number, context: string): never => {
    throw new SyntaxError(`invalid character ${quoteChar(c)} ${context}`);
  };
  let endTop = false;
  const endTopState: State = (c) => (isSpace(c) ? endTopState : fail(c, 'after top-level value'));
  const endValue: State = (c) => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      endTop = true;
      return endTopState(c);
    }
    if (isSpace(c)) return endValue;
    if (top === 'object-key') {
      if (c === 0x3a) {
        stack[stack.length - 1] = 'object-value';
        return beginValue;
      }
      return fail(c, 'after object key');
    }
    if (top === 'object-value') {
      if (c === 0x2c) {
        stack[stack.length - 1] = 'object-key';
        return beginString;
      }
      if (c === 0x7d) {
        stack.pop();
        return endValue;
      }
      return fail(c, 'after object key:value pair');
    }
    if (c === 0x2c) return beginValue;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return fail(c, 'after array element');
  };
  const literal =
    (word: string, at: number): State =>
    (c) => {
      if (c !== word.charCodeAt(at)) return fail(c, `in literal ${word} (expecting ${quoteChar(word.charCodeAt(at))})`);
      return at + 1 === word.length ? endValue : literal(word, at + 1);
    };
  const hexEscape =
    (left: number): State =>
    (c) => {
      if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape');
      return left === 1 ? inString : hexEscape(left - 1);
    };
  const inStringEscape: State = (c) => {
    if ('bfnrt\\/"'.includes(String.fromCharCode(c))) return inString;
    if (c === 0x75) return hexEscape(4);
    return fail(c, 'in string escape code');
  };
  const inString: State = (c) => {
    if (c === 0x22) return endValue;
    if (c === 0x5c) return inStringEscape;
    if (c < 0x20) return fail(c, 'in string literal');
    return inString;
  };
  const exponentDigits: State = (c) => (isDigit(c) ? exponentDigits : endValue(c));
  const exponentSign: State = (c) => (isDigit(c) ? exponentDigits : fail(c, 'in exponent of numeric literal'));
  const exponent: State = (c) => (c === 0x2b || c === 0x2d ? exponentSign : exponentSign(c));
  const fraction: State = (c) => (isDigit(c) ? fraction : c === 0x65 || c === 0x45 ? exponent : endValue(c));
  const dot: State = (c) => (isDigit(c) ? fraction : fail(c, 'after decimal point in numeric literal'));
  const zero: State = (c) => (c === 0x2e ? dot : c === 0x65 || c === 0x45 ? exponent : endValue(c));
  const digits: State = (c) => (isDigit(c) ? digits : zero(c));
  const negative: State = (c) => (c === 0x30 ? zero : c >= 0x31 && c <= 0x39 ? digits : fail(c, 'in numeric literal'));
  const push = (frame: Frame) => {
    // maxNestingDepth: Go refuses input nested deeper than 10,000.
    if (stack.length >= MAX_DEPTH) throw new SyntaxError('exceeded max depth');
    stack.push(frame);
  };
  const record = (what: string) => {
    if (stack.length === 0 && !kind) kind = what;
  };
  const beginValue: State = (c) => {
    if (isSpace(c)) return beginValue;
    switch (c) {
      case 0x7b:
        record('object');
        push('object-key');
        return beginStringOrEmpty;
      case 0x5b:
        record('array');
        push('array');
        return beginValueOrEmpty;
      case 0x22:
        record('string');
        return inString;
      case 0x2d:
        record('number');
        return negative;
      case 0x30:
        record('number');
        return zero;
      case 0x74:
        record('bool');
        return literal('true', 1);
      case 0x66:
        record('bool');
        return literal('false', 1);
      case 0x6e:
        record('null');
        return literal('null', 1);
    }
    if (c >= 0x31 && c <= 0x39) {
      record('number');
      return digits;
    }
    return fail(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: State = (c) => {
    if (isSpace(c)) return beginValueOrEmpty;
    return c === 0x5d ? endValue(c) : beginValue(c);
  };
  const beginString: State = (c) => {
    if (isSpace(c)) return beginString;
    return c === 0x22 ? inString : fail(c, 'looking for beginning of object key string');
  };
  const beginStringOrEmpty: State = (c) => {
    if (isSpace(c)) return beginStringOrEmpty;
    if (c === 0x7d) {
      stack[stack.length - 1] = 'object-value';
      return endValue(c);
    }
    return beginString(c);
  };
  let state: State = beginValue;
  for (const byte of bytes) state = state(byte);
  // eof: one more space ends a number at the top level; anything still open is an early end.
  if (!endTop) state = state(0x20);
  if (!endTop) throw new SyntaxError('unexpected end of JSON input');
  return kind;
}

/** The error json.Unmarshal(bytes, &map[string]interface{}{}) returns, or null when it decodes. */
export function unmarshalMapError(bytes: Uint8Array): string | null {
  let kind: string;
  try {
    kind = scan(bytes);
  } catch (error) {
    if (error instanceof SyntaxError) return error.message;
    throw error;
  }
  if (kind === 'object' || kind === 'null') return null;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}
