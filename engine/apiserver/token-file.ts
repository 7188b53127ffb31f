/**
 * The token file, in kube-apiserver's `--token-auth-file` format (upstream:
 * k8s.io/apiserver/pkg/authentication/token/tokenfile): CSV, one user per line,
 *
 *   token,user name,user uid,"group1,group2"
 *
 * at least three columns; the fourth, quoted when it holds commas, lists the groups. Empty lines
 * are skipped. As upstream: a line with fewer than three columns makes the whole file invalid; a
 * line with an empty token is skipped with a warning; a token seen twice warns, and the later line
 * wins. We refuse, where upstream would accept it, a token that could not travel in an HTTP header
 * (see tokens.ts), since nobody could ever send it.
 */
import { isWellFormedToken, type StaticToken } from './tokens.ts';

export interface ParsedTokenFile {
  tokens: StaticToken[];
  /** `file:line: what`, for the log. */
  warnings: string[];
}

/** Splits one CSV line into fields (RFC 4180 quoting, as Go's encoding/csv); undefined when a quote is not closed. */
function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return undefined;
        value += line.slice(i, close);
        i = close + 1;
        if (line[i] === '"') {
          value += '"';
          i++;
          continue;
        }
        break;
      }
      if (i < line.length && line[i] !== ',') return undefined;
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return undefined;
      fields.push(value);
      i = end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** Parses a token file; throws an Error naming `file:line` for a line it cannot read. */
export function parseTokenFile(text: string, file: string): ParsedTokenFile {
  const tokens: StaticToken[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const where = `${file}:${n + 1}`;
    const fields = csvFields(line);
    if (!fields) throw new Error(`${where}: a quote is not closed, or a quoted field is followed by more than a comma`);
    if (fields.length < 3) throw new Error(`${where}: a token line must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    const [token, username, uid, groups] = fields as [string, string, string, string | undefined];
    if (token === '') {
      warnings.push(`${where}: the token is empty; line skipped`);
      continue;
    }
    if (!isWellFormedToken(token)) throw new Error(`${where}: the token must be printable characters without spaces, commas or quotes, at most 1,024 of them`);
    if (username === '') throw new Error(`${where}: the user name (column 2) is empty`);
    if (seen.has(token)) warnings.push(`${where}: this token was already given on an earlier line; this line wins`);
    seen.add(token);
    tokens.push({ token, user: { username, ...(uid ? { uid } : {}), groups: groups ? groups.split(',') : [] } });
  }
  return { tokens, warnings };
}

/** A CSV field, quoted always (`always`) or when it holds a quote or a comma. */
function field(value: string, always = false): string {
  if (/[\r\n]/.test(value)) throw new Error(`a token file field cannot hold a line break: ${JSON.stringify(value)}`);
  return always || /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The file's text for these tokens (one line each; groups quoted, as upstream's examples write them). */
export function formatTokenFile(tokens: readonly StaticToken[]): string {
  return tokens
    .map(({ token, user }) => {
      const columns = [field(token), field(user.username), field(user.uid ?? user.username)];
      if (user.groups.length > 0) columns.push(field(user.groups.join(','), true));
      return `${columns.join(',')}\n`;
    })
    .join('');
}
