/**
 * Writing a resource request's answer in what the client negotiated (upstream:
 * handlers/responsewriters and the TableConvertor step): an object or a list as JSON or YAML, or
 * as a Table for `kubectl get`.
 */
import { groupVersion } from '../../kube/resources.ts';
import type { KubeObject } from '../../kube/types.ts';
import { send } from '../http.ts';
import type { StorageListResult } from '../storage/interface.ts';
import { toTable, type IncludeObject } from '../table.ts';
import type { ResourceScope } from './context.ts';

/** What a Table row carries of its object (includeObject=None|Metadata|Object; default Metadata). */
export function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Sends a body that is not an object of the kind (a Status, a Scale, a review) as JSON or YAML. */
export function respondPlain(scope: ResourceScope, code: number, body: unknown): void {
  send(scope.request.res, code, body, scope.request.negotiated.format === 'yaml' ? 'yaml' : 'json');
}

/** Sends one object: as a one-row Table when asked (not for subresources), else JSON or YAML. */
export function respondObject(scope: ResourceScope, code: number, object: KubeObject, headers: Record<string, string | string[]> = {}): void {
  const { res, negotiated, ctx } = scope.request;
  if (negotiated.format === 'table' && !scope.subresource) {
    const table = toTable(scope.kind, [object], ctx.clock.now(), { resourceVersion: object.metadata?.resourceVersion, include: includeObject(scope.query) });
    return send(res, code, { ...table, apiVersion: negotiated.tableVersion }, 'json', headers);
  }
  send(res, code, object, negotiated.format === 'yaml' ? 'yaml' : 'json', headers);
}

/** Sends a list: a `<Kind>List`, or a Table. */
export function respondList(scope: ResourceScope, list: StorageListResult): void {
  const { res, negotiated, ctx } = scope.request;
  const metadata: Record<string, unknown> = { resourceVersion: list.resourceVersion };
  if (list.continue) metadata.continue = list.continue;
  if (list.remainingItemCount !== undefined && list.continue) metadata.remainingItemCount = list.remainingItemCount;
  if (negotiated.format === 'table') {
    const table = toTable(scope.kind, list.items, ctx.clock.now(), { ...metadata, include: includeObject(scope.query) });
    return send(res, 200, { ...table, apiVersion: negotiated.tableVersion });
  }
  send(res, 200, { kind: `${scope.kind.kind}List`, apiVersion: groupVersion(scope.kind), metadata, items: list.items }, negotiated.format === 'yaml' ? 'yaml' : 'json');
}
