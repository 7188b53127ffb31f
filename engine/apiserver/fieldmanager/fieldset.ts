/**
 * A set of field paths, as a trie (structured-merge-diff fieldpath.Set): each level maps a path
 * element to a node that says whether the path ending there is in the set (`member`) and which
 * longer paths through it are (`children`). This is what a managedFields entry's `fieldsV1` holds:
 *
 *   {"f:metadata":{"f:labels":{".":{},"f:app":{}}}}
 *
 * says the set has `.metadata.labels` itself (the `.` key) and `.metadata.labels.app`.
 *
 * Invariants: a node is kept only when it is a member or has a non-empty child set (so `isEmpty()`
 * is O(1)); sets are values: union, intersection and the differences return new sets and never
 * change their operands (they may share unchanged subtrees, which is safe because nothing mutates
 * a set after it is built, except `insert` on a set its builder owns).
 */
import { comparePathElements, type Path, type PathElement, parsePathElement, PathElementError } from './path.ts';

interface Node {
  readonly pe: PathElement;
  member: boolean;
  children: FieldSet | undefined;
}

export class FieldSet {
  private readonly nodes = new Map<string, Node>();

  /** A set of the given paths. */
  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  isEmpty(): boolean {
    return this.nodes.size === 0;
  }

  /** Adds a path (the empty path is ignored, as upstream does). */
  insert(path: Path): void {
    if (path.length === 0) return;
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) set = set.descend(path[i]);
    set.addMember(path[path.length - 1]);
  }

  /** Marks `pe` (one level) as a member of this set. */
  addMember(pe: PathElement): void {
    const node = this.nodes.get(pe.id);
    if (node) node.member = true;
    else this.nodes.set(pe.id, { pe, member: true, children: undefined });
  }

  /**
   * The child set under `pe`, created if missing. A caller that may leave it empty must call
   * `dropIfEmpty(pe)` afterwards, to keep the invariant.
   */
  descend(pe: PathElement): FieldSet {
    let node = this.nodes.get(pe.id);
    if (!node) {
      node = { pe, member: false, children: undefined };
      this.nodes.set(pe.id, node);
    }
    node.children ??= new FieldSet();
    return node.children;
  }

  /** Removes the node under `pe` if it is neither a member nor has children. */
  dropIfEmpty(pe: PathElement): void {
    const node = this.nodes.get(pe.id);
    if (node && !node.member && (!node.children || node.children.isEmpty())) this.nodes.delete(pe.id);
  }

  has(path: Path): boolean {
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && set; i++) set = set.nodes.get(path[i].id)?.children;
    return path.length > 0 && !!set?.nodes.get(path[path.length - 1].id)?.member;
  }

  /** True when `pe` (one level) is a member. */
  hasMember(pe: PathElement): boolean {
    return !!this.nodes.get(pe.id)?.member;
  }

  /** The paths under `pe` (WithPrefix): an empty set when there are none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.nodes.get(pe.id)?.children ?? EMPTY;
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    for (const [id, a] of this.nodes) {
      const b = other.nodes.get(id);
      if (!b) out.nodes.set(id, a);
      else out.nodes.set(id, { pe: a.pe, member: a.member || b.member, children: unionChildren(a.children, b.children) });
    }
    for (const [id, b] of other.nodes) if (!this.nodes.has(id)) out.nodes.set(id, b);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    const [small, large] = this.nodes.size <= other.nodes.size ? [this, other] : [other, this];
    for (const [id, a] of small.nodes) {
      const b = large.nodes.get(id);
      if (!b) continue;
      const children = a.children && b.children ? a.children.intersection(b.children) : undefined;
      const member = a.member && b.member;
      if (member || (children && !children.isEmpty())) out.nodes.set(id, { pe: a.pe, member, children: children?.isEmpty() ? undefined : children });
    }
    return out;
  }

  /** The paths of this set that are not in `other` (each path compared exactly). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const out = new FieldSet();
    for (const [id, a] of this.nodes) {
      const b = other.nodes.get(id);
      if (!b) {
        out.nodes.set(id, a);
        continue;
      }
      const member = a.member && !b.member;
      const children = a.children && b.children ? a.children.difference(b.children) : a.children;
      if (member || (children && !children.isEmpty())) out.nodes.set(id, { pe: a.pe, member, children: children?.isEmpty() ? undefined : children });
    }
    return out;
  }

  /**
   * Like difference, but a member of `other` also removes every path below it
   * (RecursiveDifference): removing `.status` removes `.status.replicas`.
   */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const out = new FieldSet();
    for (const [id, a] of this.nodes) {
      const b = other.nodes.get(id);
      if (!b) {
        out.nodes.set(id, a);
        continue;
      }
      if (b.member) continue;
      const children = a.children && b.children ? a.children.recursiveDifference(b.children) : a.children;
      if (a.member || (children && !children.isEmpty())) out.nodes.set(id, { pe: a.pe, member: a.member, children: children?.isEmpty() ? undefined : children });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    if (this.nodes.size !== other.nodes.size) return false;
    for (const [id, a] of this.nodes) {
      const b = other.nodes.get(id);
      if (!b || a.member !== b.member) return false;
      const ac = a.children ?? EMPTY;
      const bc = b.children ?? EMPTY;
      if (!ac.equals(bc)) return false;
    }
    return true;
  }

  /** Number of paths in the set. */
  size(): number {
    let n = 0;
    for (const node of this.nodes.values()) n += (node.member ? 1 : 0) + (node.children?.size() ?? 0);
    return n;
  }

  /** The nodes of this level, sorted as upstream sorts path elements. */
  private sortedNodes(): Node[] {
    return [...this.nodes.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /**
   * Every path, in upstream's order (Set.Iterate): at each level the members first, then the
   * paths through each child, both in path-element order. Conflicts are listed in this order.
   */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (set: FieldSet, prefix: PathElement[]) => {
      const nodes = set.sortedNodes();
      for (const node of nodes) if (node.member) out.push([...prefix, node.pe]);
      for (const node of nodes) if (node.children) walk(node.children, [...prefix, node.pe]);
    };
    walk(this, []);
    return out;
  }

  /** Iterates the nodes of this level (unordered): for walkers that follow a value and a set together. */
  *entries(): IterableIterator<{ pe: PathElement; member: boolean; children: FieldSet | undefined }> {
    yield* this.nodes.values();
  }

  /** The FieldsV1 form: `{"f:spec":{"f:replicas":{}}}`, keys in upstream's order. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const node of this.sortedNodes()) {
      if (node.children && !node.children.isEmpty()) {
        const child = node.children.toFieldsV1();
        out[node.pe.id] = node.member ? { '.': {}, ...child } : child;
      } else out[node.pe.id] = {};
    }
    return out;
  }

  /**
   * Reads a FieldsV1 object. Keys of an unknown element type are dropped, as upstream drops them;
   * anything malformed throws FieldsV1Error.
   */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (fields === null || fields === undefined) return new FieldSet();
    if (typeof fields !== 'object' || Array.isArray(fields)) throw new FieldsV1Error(`ReadMapCB: expect { or n, but found ${describeJSON(fields)}`);
    const set = new FieldSet();
    readLevel(set, fields as Record<string, unknown>);
    return set;
  }
}

const EMPTY = new FieldSet();

function unionChildren(a: FieldSet | undefined, b: FieldSet | undefined): FieldSet | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.union(b);
}

/** Why a managedFields entry's fieldsV1 could not be read. */
export class FieldsV1Error extends Error {
  override name = 'FieldsV1Error';
}

function describeJSON(value: unknown): string {
  if (Array.isArray(value)) return '[';
  if (typeof value === 'string') return '"';
  return String(value).slice(0, 1);
}

/** Reads the children of one FieldsV1 level into `set`. */
function readLevel(set: FieldSet, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (key === '.') continue;
    let pe: PathElement | undefined;
    try {
      pe = parsePathElement(key);
    } catch (error) {
      if (error instanceof PathElementError) throw new FieldsV1Error(`parsing key as path element: ${error.message}`);
      throw error;
    }
    if (!pe) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new FieldsV1Error(`ReadMapCB: expect { or n, but found ${describeJSON(value)}`);
    }
    const inner = value as Record<string, unknown>;
    const keys = Object.keys(inner);
    // A subtree with no children besides "." (or none at all) is a member; "." marks a node that is
    // both a member and a parent.
    const isMember = '.' in inner || keys.length === 0;
    if (keys.some((k) => k !== '.')) {
      const child = set.descend(pe);
      readLevel(child, inner);
      if (child.isEmpty() && !isMember) {
        // Every child was of an unknown type: the subtree reads as a member, as upstream's does.
        set.addMember(pe);
      }
      set.dropIfEmpty(pe);
    }
    if (isMember) set.addMember(pe);
  }
}
