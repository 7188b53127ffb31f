/**
 * The lexer for the string form of a label selector (`app=web,tier in (fe,be),!canary`), as
 * labels.Lexer in apimachinery splits it. Given plumbing: exercise 02-set-selectors parses the
 * tokens it returns.
 *
 * Invariants:
 * - whitespace (space, tab, CR, LF) separates tokens and is never part of one;
 * - symbols are `=`, `==`, `!=`, `!`, `(`, `)`, `,`, `>`, `<` (the longest one wins: `!=` not `!`);
 * - a word is a run of anything else: a key, a value, or the keywords `in` and `notin`, which
 *   are operators only where an operator may stand (`in in (in)` is legal);
 * - the last token is always `{ kind: 'end' }`, at `text.length`;
 * - `at` is the 0-based index of the token's first character, for SelectorSyntaxError.
 */

export interface SelectorToken {
  /** `word`: a key, a value, `in` or `notin`. `symbol`: = == != ! ( ) , > <. `end`: no more input. */
  readonly kind: 'word' | 'symbol' | 'end';
  /** The token's text ('' for `end`). */
  readonly text: string;
  /** 0-based index of its first character in the selector text. */
  readonly at: number;
}

const SYMBOL_CHARS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/** Splits a selector's text into tokens, ending with an `end` token. Never throws. */
export function tokenizeSelector(text: string): SelectorToken[] {
  const tokens: SelectorToken[] = [];
  let at = 0;
  while (true) {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
    if (at >= text.length) {
      tokens.push({ kind: 'end', text: '', at: text.length });
      return tokens;
    }
    const two = text.slice(at, at + 2);
    if (two === '!=' || two === '==') {
      tokens.push({ kind: 'symbol', text: two, at });
      at += 2;
    } else if (SYMBOL_CHARS.has(text[at]!)) {
      tokens.push({ kind: 'symbol', text: text[at]!, at });
      at += 1;
    } else {
      const start = at;
      while (at < text.length && !SYMBOL_CHARS.has(text[at]!) && !WHITESPACE.has(text[at]!)) at++;
      tokens.push({ kind: 'word', text: text.slice(start, at), at: start });
    }
  }
}

/** True when `token` is the symbol `text` (`isSymbol(t, ',')`). */
export function isSymbol(token: SelectorToken, text: string): boolean {
  return token.kind === 'symbol' && token.text === text;
}
