/**
 * Strict decoding diagnostics for a request body, in upstream's words and order:
 * - JSON bodies: one pass over the text with the kind's field tree, as sigs.k8s.io/json's strict
 *   decoder (k8s.io/apimachinery/pkg/runtime/serializer/json) walks it: `unknown field "path"` for
 *   a key the schema lacks (its value is skipped, so a field both unknown and repeated is reported
 *   once, as unknown) and `duplicate field "path"` for a known key seen twice in one object, each
 *   at the point the decoder meets it;
 * - YAML bodies: `line N: key "k" already set in map` for every repeated key (yaml.v2's strict
 *   unmarshal, known or not), then the unknown fields, reported in sorted key order because
 *   upstream converts YAML to JSON through a map.
 * The object itself still comes from JSON.parse / the YAML parser; this pass only reports.
 *
 * Malformed JSON ends the scan quietly (the caller's parse reports it). The scan is iterative
 * over objects' keys and recursive over nesting, bounded by the body's depth.
 */
import { parseDocument } from 'yaml';
import type { FieldNode } from './walker.ts';
import { pruneUnknownFields } from './prune.ts';

class Scanner {
  pos = 0;
  readonly problems: string[] = [];
  /** The next backslash at or after pos (Infinity when none is left): positions only grow, so it is found once. */
  private nextSlash = -1;
  constructor(readonly text: string) {}

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  /** Reads a string token at pos (which is on the opening quote) and returns its value. */
  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    let escaped = false;
    for (;;) {
      const quote = t.indexOf('"', this.pos);
      if (this.nextSlash < this.pos) {
        const found = t.indexOf('\\', this.pos);
        this.nextSlash = found === -1 ? Infinity : found;
      }
      const slash = this.nextSlash;
      if (quote === -1) {
        this.pos = t.length;
        break;
      }
      if (slash > quote) {
        this.pos = quote;
        break;
      }
      escaped = true;
      this.pos = slash + 2;
    }
    const raw = t.slice(start, this.pos);
    this.pos++;
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  /** Skips one value of any type. */
  private skip(): void {
    this.ws();
    const t = this.text;
    const c = t[this.pos];
    if (c === '"') {
      this.string();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      while (this.pos < t.length) {
        const d = t.charCodeAt(this.pos);
        if (d === 34) {
          this.string();
          continue;
        }
        if (d === 123 || d === 91) depth++;
        else if (d === 125 || d === 93) {
          depth--;
          if (depth === 0) {
            this.pos++;
            return;
          }
        }
        this.pos++;
      }
      return;
    }
    // A number, true, false or null: up to the next delimiter or whitespace.
    while (this.pos < t.length) {
      const d = t.charCodeAt(this.pos);
      if (d === 44 || d === 93 || d === 125 || d === 32 || d === 9 || d === 10 || d === 13) break;
      this.pos++;
    }
  }

  /** Walks one value against a node, reporting unknown and duplicate fields under `path`. */
  value(node: FieldNode | undefined, path: string): void {
    this.ws();
    const t = this.text;
    const c = t[this.pos];
    if (node?.type === 'object' && c === '{') {
      this.pos++;
      const seen = new Set<string>();
      for (;;) {
        this.ws();
        if (t[this.pos] === '}') {
          this.pos++;
          return;
        }
        if (t[this.pos] !== '"') return;
        const key = this.string();
        this.ws();
        if (t[this.pos] !== ':') return;
        this.pos++;
        const child = node.fields.get(key) ?? node.additional;
        const keyPath = path ? `${path}.${key}` : key;
        if (!child && !node.preserveUnknown) {
          if (!seen.has(key)) this.problems.push(`unknown field "${keyPath}"`);
          seen.add(key);
          this.skip();
        } else {
          if (seen.has(key)) this.problems.push(`duplicate field "${keyPath}"`);
          seen.add(key);
          if (child) this.value(child, keyPath);
          else this.skip();
        }
        this.ws();
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] === '}') {
          this.pos++;
          return;
        } else return;
      }
    }
    if (node?.type === 'list' && c === '[') {
      this.pos++;
      for (let i = 0; ; i++) {
        this.ws();
        if (t[this.pos] === ']') {
          this.pos++;
          return;
        }
        this.value(node.items, `${path}[${i}]`);
        this.ws();
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] === ']') {
          this.pos++;
          return;
        } else return;
      }
    }
    this.skip();
  }
}

/** `unknown field "..."` / `duplicate field "..."` for a JSON body, in document order. */
export function jsonFieldProblems(tree: FieldNode, body: string): string[] {
  const scanner = new Scanner(body);
  scanner.value(tree, '');
  return scanner.problems;
}

/** `line N: key "k" already set in map` for every repeated key of a YAML body, in line order. */
export function yamlDuplicateKeys(body: string): string[] {
  const doc = parseDocument(body, { uniqueKeys: false, prettyErrors: false });
  const lines: { line: number; key: string }[] = [];
  const lineOf = (offset: number) => {
    let line = 1;
    for (let i = 0; i < offset && i < body.length; i++) if (body.charCodeAt(i) === 10) line++;
    return line;
  };
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { items?: unknown[]; key?: unknown; value?: unknown };
    if (Array.isArray(n.items)) {
      const seen = new Set<string>();
      for (const item of n.items) {
        const pair = item as { key?: { value?: unknown; range?: number[] }; value?: unknown };
        if (pair && typeof pair === 'object' && 'key' in pair && pair.key && typeof pair.key === 'object') {
          const key = String(pair.key.value);
          if (seen.has(key)) lines.push({ line: lineOf(pair.key.range?.[0] ?? 0), key });
          seen.add(key);
          visit(pair.value);
        } else visit(item);
      }
    }
  };
  visit(doc.contents);
  return lines.sort((a, b) => a.line - b.line).map((l) => `line ${l.line}: key "${l.key}" already set in map`);
}

/** Unknown fields of a YAML body's decoded object, as upstream reports them (sorted key order). */
export function yamlUnknownFields(tree: FieldNode, object: unknown): string[] {
  return pruneUnknownFields(tree, object, { sortKeys: true }).unknown.map((p) => `unknown field "${p}"`);
}
