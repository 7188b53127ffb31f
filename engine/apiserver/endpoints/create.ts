/**
 * POST (upstream: handlers/create.go): a new object through the registry (defaults,
 * managedFields, admission, validation, storage), a subresource that creates (pods/binding, pods/eviction), or a
 * virtual kind's answer (an access review, a Binding).
 *
 * The query first (fieldManager, dryRun, fieldValidation: 422 on CreateOptions), then the body:
 * decoded, type-checked, pruned of unknown fields (refused under fieldValidation=Strict, a
 * Warning each under Warn), in the URL's namespace; the field manager is the request's
 * fieldManager or its User-Agent (kubectl create: `kubectl-create`).
 */
import { badRequest } from '../../kube/errors.ts';
import { groupVersion } from '../../kube/resources.ts';
import { managerOrUserAgent } from '../fieldmanager/index.ts';
import type { ResourceScope, StoredScope } from './context.ts';
import { readObject, readObjectAndText, setNamespace, writeQuery } from './decode.ts';
import { checkBodyFields } from './field-validation.ts';
import { respondObject, respondPlain } from './respond.ts';

export async function create(scope: ResourceScope): Promise<void> {
  const { ctx, req, user } = scope.request;
  const { kind, subresource } = scope;
  if (kind.virtual) {
    const body = await readObject(ctx, req, kind);
    return respondPlain(scope, 201, await ctx.registry.createVirtual(kind, scope.namespace, body, user));
  }
  const serve = subresource?.serve;
  if (serve?.type === 'unavailable') throw badRequest(serve.message);
  if (serve?.type === 'create') {
    const apiVersion = subresource!.version ? groupVersion({ group: subresource!.group ?? '', version: subresource!.version }) : groupVersion(kind);
    const body = await readObject(ctx, req, kind, subresource!.kind, apiVersion);
    return respondPlain(scope, 201, await ctx.registry.createSubresource(kind, subresource!, scope.namespace, scope.name, body, { dryRun: writeQuery(scope, 'create').dryRun }));
  }
  const stored = scope as StoredScope;
  const query = writeQuery(scope, 'create');
  const decoded = await readObjectAndText(ctx, req, kind);
  const { object, warnings } = checkBodyFields(kind, decoded.object, query.fieldValidation, decoded.body);
  const created = await ctx.registry.create(stored.kind, setNamespace(scope, object), {
    dryRun: query.dryRun,
    manager: managerOrUserAgent(query.fieldManager, req.headers['user-agent']),
  });
  respondObject(scope, 201, created, warnings.length ? { Warning: warnings } : {});
}
