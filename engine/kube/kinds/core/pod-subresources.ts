/**
 * The pod subresources with behaviour of their own:
 * - `binding`: what the scheduler POSTs to put a pod on a node (pkg/registry/core/pod/storage
 *   BindingREST): sets spec.nodeName once, then the PodScheduled condition; JSON, or protobuf as
 *   kube-scheduler sends it;
 * - `log`: read from the kubelet of the pod's node, at the address and port the Node reports
 *   (status.addresses InternalIP, status.daemonEndpoints.kubeletEndpoint.Port), path
 *   /containerLogs/<namespace>/<pod>/<container> (pkg/registry/core/pod/strategy.go LogLocation);
 *   the apiserver proxies the stream;
 * - `eviction`: a delete that respects PodDisruptionBudgets (pod-eviction.ts), as kubectl drain uses it;
 * - `exec`, `attach`, `portforward`: upgrades proxied to the kubelet's /exec, /attach and
 *   /portForward (engine/apiserver/endpoints/connect.ts; the kubelet side is engine/kubelet/stream).
 */
import { badRequest, conflict, isApiError } from '../../errors.ts';
import { f, ObjectReference, withMeta } from '../../protobuf.ts';
import type { KubeObject, Pod } from '../../types.ts';
import type { ResourceInfo } from '../../resource-info.ts';
import type { ObjectAccess, StreamLocation, SubresourceDefinition } from '../types.ts';
import { kubeletAddress } from './kubelet-location.ts';
import { NODES } from './node.ts';
import { EVICTION_SUBRESOURCE } from './pod-eviction.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How many times a binding is retried when the pod changed under it. */
const BIND_RETRIES = 5;

/** RFC 3339 in whole seconds. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Binds a pod to a node (POST pods/<name>/binding, or POST bindings with the pod's name in the
 * Binding). `urlName` is the pod named by the URL, if any.
 */
export async function bindPod(access: ObjectAccess, pods: ResourceInfo, namespace: string, urlName: string | undefined, binding: KubeObject): Promise<unknown> {
  const name = binding.metadata.name ?? '';
  if (urlName !== undefined && name && name !== urlName) throw badRequest('name in URL does not match name in Binding object');
  const podName = urlName ?? name;
  if (!podName) throw badRequest('Binding.metadata.name is required: it names the pod to bind');
  const target = (binding as Any).target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw badRequest('Binding.target.name is required: it names the node');
  if (target.kind && target.kind !== 'Node') throw badRequest(`Binding.target.kind must be Node, not ${target.kind}`);
  for (let attempt = 0; attempt < BIND_RETRIES; attempt++) {
    const pod = (await access.get(pods, namespace, podName)) as Pod;
    if (pod.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    const wanted = binding.metadata.uid;
    if (wanted && wanted !== pod.metadata.uid) throw conflict(pods, podName, `Precondition failed: UID in precondition: ${wanted}, UID in object meta: ${pod.metadata.uid}`);
    const next = structuredClone(pod);
    next.spec.nodeName = target.name;
    let bound: KubeObject;
    try {
      bound = await access.update(pods, next);
    } catch (error) {
      if (isApiError(error, 'Conflict')) continue;
      throw error;
    }
    const status = { ...((bound.status as Any) ?? {}) };
    const conditions = ((status.conditions ?? []) as Any[]).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(access.now()) });
    status.conditions = conditions;
    try {
      await access.update(pods, { ...bound, status, metadata: { ...bound.metadata, resourceVersion: undefined } }, { subresource: 'status' });
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
    }
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  }
  throw conflict(pods, podName);
}

/**
 * The container a pod subresource names (upstream pkg/registry/core/pod/strategy.go
 * streamLocation): the one asked for, which must be in the pod, else the only one.
 */
function containerOf(pod: Pod, name: string, query: URLSearchParams): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const initNames = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const container = query.get('container') ?? '';
  if (!container) {
    if (names.length === 1) return names[0]!;
    if (names.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]${initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : ''}`);
  }
  if (!names.includes(container) && !initNames.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** Where a pod's container log is read from: its node's kubelet. */
async function logLocation(access: ObjectAccess, pods: ResourceInfo, namespace: string, name: string, query: URLSearchParams): Promise<StreamLocation> {
  const pod = (await access.get(pods, namespace, name)) as Pod;
  const container = containerOf(pod, name, query);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const { host, port } = await kubeletAddress(access, NODES, nodeName, name);
  const params = new URLSearchParams();
  for (const key of ['follow', 'tailLines', 'timestamps', 'previous', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
    const v = query.get(key);
    if (v !== null) params.set(key, v);
  }
  return { host, port, path: `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${params}` };
}

/**
 * Where exec, attach and portforward go: the kubelet's /exec, /attach and /portForward paths
 * with the pod's namespace, name and uid (upstream ExecLocation, AttachLocation, PortForwardLocation).
 */
async function connectLocation(access: ObjectAccess, pods: ResourceInfo, namespace: string, name: string, query: URLSearchParams, what: 'exec' | 'attach' | 'portForward'): Promise<StreamLocation> {
  const pod = (await access.get(pods, namespace, name)) as Pod;
  const container = what === 'portForward' ? '' : containerOf(pod, name, query);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const { host, port } = await kubeletAddress(access, NODES, nodeName, name);
  const params = new URLSearchParams();
  for (const key of what === 'portForward' ? ['port'] : ['command', 'stdin', 'stdout', 'stderr', 'tty']) for (const v of query.getAll(key)) params.append(key, v);
  const segments = [namespace, name, pod.metadata.uid ?? '', ...(container ? [container] : [])].filter(Boolean).map(encodeURIComponent);
  const search = params.toString();
  return { host, port, path: `/${what}/${segments.join('/')}${search ? `?${search}` : ''}` };
}

export const POD_SUBRESOURCES: SubresourceDefinition[] = [
  {
    name: 'binding',
    kind: 'Binding',
    verbs: ['create'],
    serve: { type: 'create', create: (access, t, body) => bindPod(access, t.kind, t.namespace, t.name, body) },
    // What kube-scheduler (client-go, protobuf) POSTs: v1.Binding {metadata = 1, target = 2}.
    protobuf: withMeta({ 2: f('target', ObjectReference) }),
  },
  EVICTION_SUBRESOURCE,
  {
    name: 'attach',
    kind: 'PodAttachOptions',
    verbs: ['create', 'get'],
    serve: { type: 'connect', upgrade: true, location: (access, t, query) => connectLocation(access, t.kind, t.namespace, t.name, query, 'attach') },
  },
  {
    name: 'exec',
    kind: 'PodExecOptions',
    verbs: ['create', 'get'],
    serve: { type: 'connect', upgrade: true, location: (access, t, query) => connectLocation(access, t.kind, t.namespace, t.name, query, 'exec') },
  },
  { name: 'log', kind: 'Pod', verbs: ['get'], serve: { type: 'stream', location: (access, t, query) => logLocation(access, t.kind, t.namespace, t.name, query) } },
  {
    name: 'portforward',
    kind: 'PodPortForwardOptions',
    verbs: ['create', 'get'],
    serve: { type: 'connect', upgrade: true, location: (access, t, query) => connectLocation(access, t.kind, t.namespace, t.name, query, 'portForward') },
  },
];
