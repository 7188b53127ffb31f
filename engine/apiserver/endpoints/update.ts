/**
 * PUT (upstream: handlers/update.go): a whole new object (or its status, or its Scale) through the
 * registry: defaults, managedFields, admission, validation, and the learner's optimistic
 * concurrency. The write is a guaranteed update: when the object changes between the read and
 * the write and the client pinned no resourceVersion, it is redone on the new object (its
 * managedFields computed again); a pinned one that is stale is a 409.
 *
 * Body checks as for create (create.ts); the field manager is the request's fieldManager or its
 * User-Agent (kubectl replace: `kubectl-replace`).
 */
import { managerOrUserAgent } from '../fieldmanager/index.ts';
import type { StoredScope } from './context.ts';
import { checkName, readObject, readObjectAndText, setNamespace, writeQuery } from './decode.ts';
import { checkBodyFields } from './field-validation.ts';
import { respondObject, respondPlain } from './respond.ts';

export async function update(scope: StoredScope): Promise<void> {
  const { ctx, req } = scope.request;
  const { kind } = scope;
  const query = writeQuery(scope, 'update');
  const manager = managerOrUserAgent(query.fieldManager, req.headers['user-agent']);
  const serve = scope.subresource?.serve;
  if (serve?.type === 'scale') {
    const scale = checkName(scope, await readObject(ctx, req, kind, 'Scale', 'autoscaling/v1'));
    return respondPlain(scope, 200, await ctx.registry.updateScale(kind, scope.namespace, scope.name, () => scale, { dryRun: query.dryRun, manager }));
  }
  const decoded = await readObjectAndText(ctx, req, kind);
  const { object, warnings } = checkBodyFields(kind, decoded.object, query.fieldValidation, decoded.body);
  const wanted = checkName(scope, setNamespace(scope, object));
  const result = await ctx.registry.guaranteedUpdate(kind, scope.namespace, scope.name, () => ({ ...wanted, metadata: { ...wanted.metadata } }), {
    subresource: serve?.type === 'status' ? 'status' : undefined,
    dryRun: query.dryRun,
    manager,
  });
  respondObject(scope, 200, result.object, warnings.length ? { Warning: warnings } : {});
}
