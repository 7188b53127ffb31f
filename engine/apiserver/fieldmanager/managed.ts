/**
 * `metadata.managedFields` on the wire and in memory (k8s.io/apimachinery
 * pkg/util/managedfields/internal/managedfields.go, fields.go).
 *
 * In memory the entries are a map from a manager's identifier to what it owns. The identifier is
 * the JSON of the entry without its fields, time and type, and, for an Apply entry, without its
 * apiVersion: `{"manager":"kubectl","operation":"Apply"}`,
 * `{"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","subresource":"status"}`.
 * So one entry exists per (manager, operation, subresource), per apiVersion for updates.
 *
 * On the wire, entries are sorted as upstream sorts them: Apply before Update, then by time (to
 * the second; an entry without time first), manager, apiVersion, subresource.
 */
import { FIELD_MANAGER_IDENTIFIER_MEMO } from '../../params.ts';
import { compareStrings, goJSON, goQuote, rfc3339 } from './format.ts';
import { FieldSet, FieldsV1Error } from './fieldset.ts';

/** metav1.ManagedFieldsEntry as JSON. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export type Operation = 'Apply' | 'Update';

/** What one manager owns. */
export interface ManagerEntry {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly subresource: string;
  readonly set: FieldSet;
  /** RFC 3339, whole seconds, UTC; undefined when the entry has no time. */
  readonly time: string | undefined;
}

/** The managers of one object, by identifier. */
export type Managed = Map<string, ManagerEntry>;

/** BuildManagerIdentifier: the key of an entry. */
export function managerIdentifier(entry: { manager: string; operation: string; apiVersion: string; subresource: string }): string {
  const key = `${entry.manager}\u0000${entry.operation}\u0000${entry.apiVersion}\u0000${entry.subresource}`;
  let id = identifiers.get(key);
  if (id === undefined) {
    id = buildIdentifier(entry);
    // Managers are names clients choose: the memo forgets everything rather than grow without bound.
    if (identifiers.size >= FIELD_MANAGER_IDENTIFIER_MEMO) identifiers.clear();
    identifiers.set(key, id);
  }
  return id;
}

/** Identifiers already built (every write computes its manager's): the same four strings give the same text. */
const identifiers = new Map<string, string>();

function buildIdentifier(entry: { manager: string; operation: string; apiVersion: string; subresource: string }): string {
  const id: Record<string, string> = {};
  if (entry.manager) id.manager = entry.manager;
  if (entry.operation) id.operation = entry.operation;
  if (entry.operation !== 'Apply' && entry.apiVersion) id.apiVersion = entry.apiVersion;
  if (entry.subresource) id.subresource = entry.subresource;
  return goJSON(id);
}

/** Adds or replaces `entry` under its identifier. */
export function setManager(managed: Managed, entry: ManagerEntry): void {
  managed.set(managerIdentifier(entry), entry);
}

/** Why an object's managedFields could not be read (DecodeManagedFields). */
export class ManagedFieldsError extends Error {
  override name = 'ManagedFieldsError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A time as metav1.Time reads and re-writes it; throws for one that is not RFC 3339. */
function normalizeTime(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) throw new ManagedFieldsError(`parsing time ${goQuote(String(value))} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  return rfc3339(parsed);
}

/**
 * Reads managedFields; throws ManagedFieldsError with upstream's message for an entry it cannot
 * take: an operation other than Apply or Update, no apiVersion, no or another fieldsType, or
 * fieldsV1 that is not a field set. Later entries with the same identifier replace earlier ones.
 */
export function decodeManagedFields(entries: unknown): Managed {
  const managed: Managed = new Map();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isObject(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const operation = text(raw.operation);
    if (operation !== 'Apply' && operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    const apiVersion = text(raw.apiVersion);
    if (!apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    const fieldsType = text(raw.fieldsType);
    if (fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${goQuote(fieldsType)} in managed fields entry ${i}`);
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(raw.fieldsV1 ?? {});
    } catch (error) {
      if (error instanceof FieldsV1Error) throw new ManagedFieldsError(`error decoding versioned set from ${goJSON(raw)}: error decoding set: ${error.message}`);
      throw error;
    }
    const entry: ManagerEntry = { manager: text(raw.manager), operation, apiVersion, subresource: text(raw.subresource), set, time: normalizeTime(raw.time) };
    setManager(managed, entry);
  });
  return managed;
}

/** Unix seconds of an entry's time (0 when it has none), for sorting. */
export function entrySeconds(entry: { time?: string }): number {
  return entry.time ? Math.floor(Date.parse(entry.time) / 1000) : 0;
}

/** sortEncodedManagedFields: Apply first, then by time, manager, apiVersion, subresource. */
export function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  if (p.operation !== q.operation) return compareStrings(p.operation ?? '', q.operation ?? '');
  const ps = entrySeconds(p);
  const qs = entrySeconds(q);
  if (ps !== qs) return ps < qs ? -1 : 1;
  return compareStrings(p.manager ?? '', q.manager ?? '') || compareStrings(p.apiVersion ?? '', q.apiVersion ?? '') || compareStrings(p.subresource ?? '', q.subresource ?? '');
}

/** The managedFields to store; undefined when no manager owns anything (the field is then left out). */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  const entries: ManagedFieldsEntry[] = [];
  for (const entry of managed.values()) {
    if (entry.set.isEmpty()) continue;
    const out: ManagedFieldsEntry = {};
    if (entry.manager) out.manager = entry.manager;
    out.operation = entry.operation;
    out.apiVersion = entry.apiVersion;
    if (entry.time) out.time = entry.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = entry.set.toFieldsV1();
    if (entry.subresource) out.subresource = entry.subresource;
    entries.push(out);
  }
  return entries.length > 0 ? entries.sort(compareEntries) : undefined;
}

/**
 * isResetManagedFields: a client that sends `managedFields: []` (or one empty entry, `[{}]`)
 * asks for the field to be cleared. A missing or null field is not a reset.
 */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1 || !isObject(entries[0])) return false;
  return Object.values(entries[0]).every((v) => v === undefined || v === null || v === '');
}
