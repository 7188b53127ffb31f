/**
 * POST (upstream: handlers/create.go): a new object through the registry (defaults, admission,
 * validation, storage), a subresource that creates (pods/binding), or a virtual kind's answer (an
 * access review, a Binding).
 */
import { badRequest } from '../../kube/errors.ts';
import { groupVersion } from '../../kube/resources.ts';
import type { ResourceScope, StoredScope } from './context.ts';
import { checkUnknownFields, dryRun, readObject, setNamespace } from './decode.ts';
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
    return respondPlain(scope, 201, await ctx.registry.createSubresource(kind, subresource!, scope.namespace, scope.name, body));
  }
  const stored = scope as StoredScope;
  const object = setNamespace(scope, await readObject(ctx, req, kind));
  const warnings = checkUnknownFields(scope, object);
  const created = await ctx.registry.create(stored.kind, object, { dryRun: dryRun(scope) });
  respondObject(scope, 201, created, warnings);
}
