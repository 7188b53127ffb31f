/**
 * Subresources with behaviour of their own:
 * - `scale` (deployments, replicasets, statefulsets): an autoscaling/v1 Scale view of spec.replicas;
 * - `binding` (pods): what the scheduler POSTs to put a pod on a node (sets spec.nodeName once,
 *   and the PodScheduled condition);
 * - `log` (pods): proxied to the kubelet of the pod's node, at the address and port the Node
 *   reports (status.addresses InternalIP, status.daemonEndpoints.kubeletEndpoint.Port), path
 *   /containerLogs/<namespace>/<pod>/<container>, as the real apiserver does;
 * - access reviews (SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview): answered
 *   by the authorizer, never stored.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { findResource, type ResourceInfo } from '../kube/resources.ts';
import type { KubeObject, Node, Pod, Scale } from '../kube/types.ts';
import { ADMIN, type UserInfo } from './auth.ts';
import { ApiError, badRequest, conflict, isApiError } from '../kube/errors.ts';
import type { HandlerContext } from './handler.ts';
import { formatSelector } from './table.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

/** The Scale of a workload. */
export function scaleOf(object: KubeObject): Scale {
  const spec = (object.spec ?? {}) as Any;
  const status = (object.status ?? {}) as Any;
  const m = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: spec.selector ? formatSelector(spec.selector).replace('<none>', '') : '' },
  };
}

/** PUT/PATCH .../scale: the new spec.replicas goes through the ordinary update path. */
export async function updateScale(
  ctx: HandlerContext,
  info: ResourceInfo,
  namespace: string,
  name: string,
  scale: KubeObject,
  write: (next: KubeObject, current: KubeObject) => Promise<KubeObject>,
): Promise<Scale> {
  const replicas = (scale.spec as Any | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) {
    throw badRequest(`Scale in version "v1" cannot be handled as a Scale: spec.replicas must be a whole number`);
  }
  const current = await ctx.registry.get(info, namespace, name);
  const wanted = scale.metadata.resourceVersion;
  if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(info, name);
  const next = structuredClone(current);
  (next.spec as Any).replicas = replicas ?? 0;
  if (wanted) next.metadata.resourceVersion = wanted;
  return scaleOf(await write(next, current));
}

/** POST pods/<name>/binding (or /bindings): assigns the pod to a node. */
export async function bindPod(ctx: HandlerContext, namespace: string, urlName: string | undefined, binding: KubeObject): Promise<unknown> {
  const name = binding.metadata.name ?? '';
  if (urlName !== undefined && name && name !== urlName) throw badRequest('name in URL does not match name in Binding object');
  const podName = urlName ?? name;
  if (!podName) throw badRequest('Binding.metadata.name is required: it names the pod to bind');
  const target = (binding as Any).target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw badRequest('Binding.target.name is required: it names the node');
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding.target.kind must be Node, not ${target.kind}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const pod = (await ctx.registry.get(PODS, namespace, podName)) as Pod;
    if (pod.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    const wanted = binding.metadata.uid;
    if (wanted && wanted !== pod.metadata.uid) throw conflict(PODS, podName, `Precondition failed: UID in precondition: ${wanted}, UID in object meta: ${pod.metadata.uid}`);
    const next = structuredClone(pod);
    next.spec.nodeName = target.name;
    let bound: KubeObject;
    try {
      bound = await ctx.registry.update(PODS, next);
    } catch (error) {
      if (isApiError(error, 'Conflict')) continue;
      throw error;
    }
    const status = { ...((bound.status as Any) ?? {}) };
    const conditions = ((status.conditions ?? []) as Any[]).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    status.conditions = conditions;
    try {
      await ctx.registry.update(PODS, { ...bound, status, metadata: { ...bound.metadata, resourceVersion: undefined } }, { subresource: 'status' });
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }
  throw conflict(PODS, podName);
}

/** GET pods/<name>/log, proxied to the kubelet. */
export async function podLogs(ctx: HandlerContext, _req: IncomingMessage, res: ServerResponse, namespace: string, name: string, query: URLSearchParams): Promise<void> {
  const pod = (await ctx.registry.get(PODS, namespace, name)) as Pod;
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const initNames = (pod.spec?.initContainers ?? []).map((c) => c.name);
  let container = query.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    container = names[0]!;
  }
  if (!names.includes(container) && !initNames.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  let node: Node;
  try {
    node = (await ctx.registry.get(NODES, undefined, nodeName)) as Node;
  } catch (error) {
    if (isApiError(error, 'NotFound')) throw badRequest(`pod "${name}" is on node "${nodeName}", which no longer exists`);
    throw error;
  }
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.status?.addresses?.[0]?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) throw badRequest(`the kubelet of node "${nodeName}" serves no logs (the node reports no InternalIP or kubeletEndpoint port)`);
  const params = new URLSearchParams();
  for (const key of ['follow', 'tailLines', 'timestamps', 'previous', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
    const v = query.get(key);
    if (v !== null) params.set(key, v);
  }
  const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${params}`;
  await new Promise<void>((resolve, reject) => {
    const upstream = httpRequest({ host: address, port, path, method: 'GET' }, (reply) => {
      if (reply.statusCode !== 200) {
        const chunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => chunks.push(c));
        reply.on('end', () => reject(badRequest(Buffer.concat(chunks).toString('utf8').trim() || `the kubelet answered ${reply.statusCode}`)));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      reply.pipe(res);
      reply.on('end', resolve);
      res.on('close', () => {
        reply.destroy();
        resolve();
      });
    });
    upstream.on('error', (error) =>
      reject(new ApiError({ code: 500, reason: 'InternalError', message: `Get "http://${address}:${port}${path}": ${error.message}` })),
    );
    upstream.end();
  });
}

/** Access reviews, answered by the authorizer. */
export async function reviewAccess(ctx: HandlerContext, info: ResourceInfo, review: KubeObject, requester: UserInfo): Promise<unknown> {
  const spec = ((review as Any).spec ?? {}) as Any;
  const out = { ...review, metadata: { ...review.metadata, creationTimestamp: null } } as Any;
  if (info.kind === 'SelfSubjectRulesReview') {
    const rules = ctx.authorizer.rulesFor?.(requester, spec.namespace ?? '') ?? { resourceRules: [], nonResourceRules: [], incomplete: true };
    out.status = rules;
    return out;
  }
  const user: UserInfo = info.kind.startsWith('Self') ? requester : { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [] };
  if (!info.kind.startsWith('Self') && !spec.user && !(spec.groups ?? []).length) {
    throw new ApiError({ code: 422, reason: 'Invalid', message: `${info.kind}.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`, details: { group: 'authorization.k8s.io', kind: info.kind, causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "": at least one of user or group must be specified', field: 'spec.user' }] } });
  }
  const resource = spec.resourceAttributes as Any | undefined;
  const nonResource = spec.nonResourceAttributes as Any | undefined;
  if (!resource && !nonResource) {
    throw new ApiError({ code: 422, reason: 'Invalid', message: `${info.kind}.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`, details: { group: 'authorization.k8s.io', kind: info.kind, causes: [] } });
  }
  const decision = await ctx.authorizer.authorize({
    user: user.username ? user : ADMIN,
    verb: (resource ?? nonResource)?.verb ?? '',
    isResourceRequest: Boolean(resource),
    apiGroup: resource?.group ?? '',
    apiVersion: resource?.version ?? '',
    namespace: info.kind === 'LocalSubjectAccessReview' ? (review.metadata.namespace ?? '') : (resource?.namespace ?? ''),
    resource: resource?.resource ?? '',
    subresource: resource?.subresource ?? '',
    name: resource?.name ?? '',
    path: nonResource?.path ?? '',
  });
  out.status = { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
  return out;
}
