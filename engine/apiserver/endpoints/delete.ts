/**
 * DELETE of one object or a collection (upstream: handlers/delete.go). The answer: 202 with the
 * object when it is only marked (graceful deletion, finalizers), else the object (kinds that
 * return it: pods, namespaces) or a Success Status.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, successStatus } from '../../kube/errors.ts';
import { decodeBody, readBody, requireObject } from '../body.ts';
import type { ApiContext, StoredScope } from './context.ts';
import { dryRun } from './decode.ts';
import type { PropagationPolicy } from '../registry/deletion.ts';
import { respondList, respondObject, respondPlain } from './respond.ts';

/** metav1.DeleteOptions, from the body (JSON or YAML) and the query. */
interface DeleteBody {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

async function readDeleteOptions(ctx: ApiContext, req: IncomingMessage, query: URLSearchParams): Promise<DeleteBody> {
  const raw = await readBody(req, ctx.maxBodyBytes);
  let options: DeleteBody = {};
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const body = decodeBody(raw, req.headers['content-type'], 'the DeleteOptions provided are unrecognized');
    if (body !== null) options = requireObject(body, 'the DeleteOptions provided are unrecognized') as DeleteBody;
  }
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = Number(grace);
  if (options.gracePeriodSeconds !== undefined && (!Number.isInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0)) {
    throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(options.gracePeriodSeconds)}: must be a whole number >= 0`);
  }
  const policy = query.get('propagationPolicy') ?? options.propagationPolicy;
  if (policy !== undefined) options.propagationPolicy = policy;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (options.preconditions !== undefined && (typeof options.preconditions !== 'object' || options.preconditions === null)) {
    throw badRequest('preconditions must be an object with uid and/or resourceVersion');
  }
  return options;
}

export async function remove(scope: StoredScope): Promise<void> {
  const { ctx, req } = scope.request;
  const options = await readDeleteOptions(ctx, req, scope.query);
  const dry = dryRun(scope) || (options.dryRun?.length ?? 0) > 0;
  const result = await ctx.registry.delete(scope.kind, scope.namespace, scope.name, {
    dryRun: dry,
    gracePeriodSeconds: options.gracePeriodSeconds,
    preconditions: options.preconditions,
    propagationPolicy: options.propagationPolicy as PropagationPolicy | undefined,
  });
  if (dry) return respondObject(scope, 200, result.object);
  if (!result.deleted) return respondObject(scope, 202, result.object);
  if (scope.kind.returnDeletedObject) return respondObject(scope, 200, result.object);
  respondPlain(scope, 200, successStatus(scope.kind, scope.name, result.object.metadata.uid));
}

export async function removeCollection(scope: StoredScope): Promise<void> {
  const { ctx, req } = scope.request;
  const options = await readDeleteOptions(ctx, req, scope.query);
  const result = await ctx.registry.deleteCollection(
    scope.kind,
    scope.namespace,
    { labelSelector: scope.query.get('labelSelector') ?? '', fieldSelector: scope.query.get('fieldSelector') ?? '' },
    { gracePeriodSeconds: options.gracePeriodSeconds, propagationPolicy: options.propagationPolicy as PropagationPolicy | undefined, dryRun: dryRun(scope) || (options.dryRun?.length ?? 0) > 0 },
  );
  respondList(scope, result);
}
