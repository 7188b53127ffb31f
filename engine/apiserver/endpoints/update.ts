/**
 * PUT (upstream: handlers/update.go): a whole new object (or its status, or its Scale) through the
 * registry: defaults, admission, validation, and the learner's optimistic concurrency.
 */
import type { StoredScope } from './context.ts';
import { checkName, checkUnknownFields, dryRun, readObject, setNamespace } from './decode.ts';
import { respondObject, respondPlain } from './respond.ts';

export async function update(scope: StoredScope): Promise<void> {
  const { ctx, req } = scope.request;
  const { kind } = scope;
  const serve = scope.subresource?.serve;
  if (serve?.type === 'scale') {
    const scale = checkName(scope, await readObject(ctx, req, kind, 'Scale', 'autoscaling/v1'));
    return respondPlain(scope, 200, await ctx.registry.updateScale(kind, scope.namespace, scope.name, () => scale, { dryRun: dryRun(scope) }));
  }
  const object = checkName(scope, setNamespace(scope, await readObject(ctx, req, kind)));
  const warnings = checkUnknownFields(scope, object);
  const status = serve?.type === 'status';
  const old = status ? undefined : await ctx.registry.get(kind, scope.namespace, scope.name);
  const updated = await ctx.registry.update(kind, object, { subresource: status ? 'status' : undefined, old, dryRun: dryRun(scope) });
  respondObject(scope, 200, updated, warnings);
}
