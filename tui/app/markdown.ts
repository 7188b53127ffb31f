/**
 * Markdown for the terminal, with marked and marked-terminal: headings, lists, emphasis, tables
 * (fitted to the width by markdownTable.ts), and code blocks highlighted (cli-highlight). Returns rows wrapped to the width (wrapLines). Loaded lazily by
 * useMarkdown (marked-terminal brings highlight.js, too heavy for the first frame).
 *
 * Code blocks are folded to the width first (codeWrap.ts), so a long line keeps its comment marker
 * and indentation. Colours follow chalk's detection (FORCE_COLOR=0 and NO_COLOR turn them off).
 */
import { Marked, type Token } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { isDrawing, wrapCode } from './codeWrap.ts';
import { renderTable } from './markdownTable.ts';
import { wrapLines } from './wrapLines.ts';

/** marked-terminal's stand-in for a colon inside inline code. */
const COLON = '*#COLON|*';
/** Marks a row that must not be wrapped (a diagram's); removed before display. */
const KEEP = '\u2060';
const cache = new Map<string, string[]>();
const renderers = new Map<number, Marked>();

function rendererFor(width: number): Marked {
  let marked = renderers.get(width);
  if (!marked) {
    marked = new Marked(markedTerminal({ width, reflowText: false, tab: 2, emoji: false }), {
      // Source lines are joined (a paragraph or list item becomes one line) and wrapLines wraps
      // them to the width, keeping list items' continuation rows under their text.
      walkTokens(token) {
        if (token.type === 'text' && !('tokens' in token && token.tokens)) token.text = token.text.replace(/\n/g, ' ');
        if (token.type === 'code') {
          // A block without a language is shown as it is: guessing one (highlight.js tries them
          // all) takes hundreds of milliseconds a page and paints diagrams in random colours.
          token.lang ||= 'plaintext';
          // Code is folded before it is highlighted (marked-terminal indents it by 2); a drawing
          // is never folded, its rows are marked to stay whole and are cut at the edge instead.
          token.text = isDrawing(token.text.split('\n')) ? token.text.replace(/^/gm, KEEP) : wrapCode(token.text, width - 2);
        }
      },
      renderer: {
        // marked-terminal prints a list item's text raw (`*not*` stays as is): render its inline
        // tokens; `false` hands every other text to marked-terminal.
        text(token) {
          return 'tokens' in token && token.tokens ? this.parser.parseInline(token.tokens) : false;
        },
        // Tables are drawn to fit the width (markdownTable.ts), their rows kept whole.
        table(token) {
          // marked-terminal hides colons of inline code behind a placeholder that only its own
          // renderers put back; a cell must do it too.
          const cell = (c: { tokens: Token[] }) => this.parser.parseInline(c.tokens).replaceAll(COLON, ':');
          const header = token.header.map(cell);
          const rows = token.rows.map((row) => row.map(cell));
          return `${renderTable(header, rows, width)
            .map((row) => KEEP + row)
            .join('\n')}\n\n`;
        },
      },
    });
    renderers.set(width, marked);
  }
  return marked;
}

/** The rendered rows of `text` at `width` columns (cached). */
export function renderMarkdown(text: string, width: number): string[] {
  const key = `${width}\n${text}`;
  let rows = cache.get(key);
  if (!rows) {
    const out = rendererFor(width).parse(text, { async: false }) as string;
    rows = out
      .replace(/\s+$/, '')
      .split('\n')
      .flatMap((line) => (line.includes(KEEP) ? [line.replaceAll(KEEP, '')] : line === '' ? [''] : wrapLines(line, width, true)));
    cache.set(key, rows);
  }
  return rows;
}

/** A source file as a highlighted TypeScript block. */
export function renderCode(source: string, width: number, lang = 'ts'): string[] {
  const fence = source.includes('```') ? '~~~~' : '```';
  return renderMarkdown(`${fence}${lang}\n${source.replace(/\n$/, '')}\n${fence}`, width);
}
