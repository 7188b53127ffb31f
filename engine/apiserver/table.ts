/**
 * Server-side printing: the Table responses `kubectl get` asks for (Accept ...;as=Table;g=meta.k8s.io),
 * built from each kind's printer (its definition in engine/kube/kinds/, after the real apiserver's
 * printers in k8s.io/kubernetes pkg/printers/internalversion), so that `kubectl get pods` prints
 * NAME READY STATUS RESTARTS AGE and `-o wide` adds IP and NODE. Columns with priority 1 appear
 * only with `-o wide`. Kinds without a printer get NAME and CREATED AT.
 *
 * Pure: each row is computed from the object and `now` (milliseconds), nothing else.
 */
import type { KindDefinition } from '../kube/kinds/types.ts';
import { DEFAULT_PRINTER, type Printer } from '../kube/printers.ts';
import type { KubeObject, Table, TableColumn, TableRow } from '../kube/types.ts';

function printerFor(kind: KindDefinition): Printer {
  return (kind.virtual ? undefined : kind.printer) ?? DEFAULT_PRINTER;
}

/** The column definitions of a kind's Table. */
export function tableColumns(kind: KindDefinition): TableColumn[] {
  return printerFor(kind).columns.map(([name, type, priority]) => ({
    name,
    type,
    format: name === 'Name' ? 'name' : '',
    description: '',
    priority: priority ?? 0,
  }));
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** PartialObjectMetadata of an object, as a Table row carries it by default. */
function partial(o: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** One row of a kind's Table. */
export function tableRow(kind: KindDefinition, object: KubeObject, now: number, include: IncludeObject = 'Metadata'): TableRow {
  const row: TableRow = { cells: printerFor(kind).row(object, now) };
  if (include === 'Metadata') row.object = partial(object);
  else if (include === 'Object') row.object = object;
  return row;
}

/** A whole Table: the columns (unless `withColumns` is false, as in later watch events) and one row per object. */
export function toTable(
  kind: KindDefinition,
  objects: KubeObject[],
  now: number,
  options: { resourceVersion?: string; continue?: string; remainingItemCount?: number; include?: IncludeObject; withColumns?: boolean } = {},
): Table {
  const metadata: Table['metadata'] = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.withColumns === false ? [] : tableColumns(kind),
    rows: objects.map((o) => tableRow(kind, o, now, options.include)),
  };
}
