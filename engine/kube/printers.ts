/**
 * Shared pieces of the server-side printers (k8s.io/kubernetes pkg/printers/internalversion): the
 * column and cell types each kind's printer uses, and the formatting helpers they share (ages as
 * kubectl prints them, label maps, label selectors, container names and images of a template).
 * Each kind's columns and row function are in its definition (engine/kube/kinds/); the Table
 * itself is built by engine/apiserver/table.ts.
 *
 * Pure: a cell is computed from the object and `now` (milliseconds), nothing else.
 */
import type { KubeObject, LabelSelector, StringMap } from './types.ts';

/** One cell of a Table row. */
export type Cell = string | number | boolean;

/** A column: its name, its OpenAPI type, and its priority (0 always shown, 1 only with `-o wide`). */
export type Column = [name: string, type: 'string' | 'integer' | 'boolean' | 'date' | 'number', priority?: number];

/** A kind's printer (TableConvertor): its columns, and the cells of one object's row. */
export interface Printer<T extends KubeObject = KubeObject> {
  columns: Column[];
  row(object: T, now: number): Cell[];
}

export const NAME: Column = ['Name', 'string'];
export const AGE: Column = ['Age', 'string'];

/** The printer of kinds without one of their own: NAME and the creation time. */
export const DEFAULT_PRINTER: Printer = { columns: [NAME, ['Created At', 'date']], row: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''] };

/** apimachinery's duration.HumanDuration: 5s, 2m30s, 10m, 3h4m, 2d5h, 400d, 3y20d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** translateTimestampSince: the age of a timestamp, or <unknown>. */
export function since(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** The AGE cell of an object. */
export const age = (o: KubeObject, now: number): string => since(o.metadata.creationTimestamp, now);

/** `<none>` for an empty value. */
export const none = (s: string | undefined | null): string => (s ? s : '<none>');

/** A number, or 0 for anything else (a status field not written yet). */
export const count = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** labels.FormatLabels: `a=1,b=2`, sorted by key, or `<none>`. */
export function formatLabels(labels: StringMap | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** metav1.FormatLabelSelector: app=web,tier in (a,b). */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

type Template = { spec?: { containers?: { name: string; image?: string }[] } } | undefined;

/** The CONTAINERS cell of a workload: its template's container names. */
export const containerNames = (t: Template): string => (t?.spec?.containers ?? []).map((c) => c.name).join(',');

/** The IMAGES cell of a workload: its template's images. */
export const containerImages = (t: Template): string => (t?.spec?.containers ?? []).map((c) => c.image ?? '').join(',');
