/**
 * The ControllerClient (api.ts) over the apiserver: each method one request through KubeClient
 * (removeFinalizer: a read and an optimistic write, retried on a conflict), plus upstream's Events
 * for what the controllers do (RealPodControl's SuccessfulCreate, FailedCreate, SuccessfulDelete,
 * FailedDelete; the controllers' own recordEvent calls), written in the background by the
 * scheduler's EventRecorder (best effort, repeats counted), under the source component of the
 * controller the object belongs to (`replicaset-controller`, `daemonset-controller`, ...).
 *
 * Adoption, release and owner-reference removal are merge patches of metadata.ownerReferences
 * carrying the object's uid, so an object deleted and re-created under the same name meanwhile is
 * never changed by mistake.
 */
import { isApiError } from '../kube/errors.ts';
import type { KubeClient } from '../client/client.ts';
import { findResourceForKind, type ResourceInfo } from '../kube/resources.ts';
import type { ControllerRevision, CronJob, DaemonSet, Deployment, EndpointSlice, Job, KubeObject, Namespace, Node, Pod, ReplicaSet, StatefulSet } from '../kube/types.ts';
import type { OwnerReference } from '../objects/types.ts';
import type { EventRecorder } from '../scheduler/component.ts';
import type { ControllerClient, ObjectIdentity } from './api.ts';
import { formatTime } from './pods.ts';

const withKind = <T extends KubeObject>(o: T, apiVersion: string, kind: string): T => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind });

/** The controller an Event is about: objects from the informers carry apiVersion and kind; a bare one is a ReplicaSet's. */
const ownerRef = (owner: KubeObject): KubeObject => withKind(owner, 'apps/v1', 'ReplicaSet');

/** The source component of the Events about an object of this kind (upstream's controller names). */
export const EVENT_SOURCES: Record<string, string> = {
  ReplicaSet: 'replicaset-controller',
  Deployment: 'deployment-controller',
  DaemonSet: 'daemonset-controller',
  StatefulSet: 'statefulset-controller',
  Job: 'job-controller',
  CronJob: 'cronjob-controller',
  Node: 'node-controller',
  Pod: 'taint-eviction-controller',
  Namespace: 'namespace-controller',
  Service: 'endpoint-slice-controller',
};

/** The resource an object of this apiVersion and kind is served as; throws for a kind the apiserver does not serve. */
export function resourceFor(ref: { apiVersion: string; kind: string }): ResourceInfo {
  const info = findResourceForKind(ref.apiVersion, ref.kind);
  if (!info) throw new Error(`no resource serves ${ref.kind} in ${ref.apiVersion}`);
  return info;
}

/** `recorderFor(source)` gives the EventRecorder of one source component (made on first use). */
export function kubeControllerClient(client: KubeClient, recorderFor: (source: string) => EventRecorder): ControllerClient {
  const event = (object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) => {
    const owner = ownerRef(object);
    recorderFor(EVENT_SOURCES[owner.kind] ?? 'kube-controller-manager').record(owner, type, reason, message, reason);
  };
  const where = (ref: { namespace?: string }) => ({ namespace: ref.namespace });
  return {
    async createPod(namespace, pod, owner) {
      try {
        const created = await client.create<Pod>('pods', pod, { namespace });
        event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        return created;
      } catch (error) {
        event(owner, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
        throw error;
      }
    },
    async deletePod(namespace, name, owner) {
      try {
        await client.delete('pods', name, { namespace });
        event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      } catch (error) {
        event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(error as Error).message}`);
        throw error;
      }
    },
    patchPodOwnerReferences: (pod, refs) => patchOwners<Pod>(client, 'pods', pod, refs),
    createReplicaSet: (rs) => client.create<ReplicaSet>('replicasets', withKind(rs, 'apps/v1', 'ReplicaSet')),
    updateReplicaSet: (rs) => client.update<ReplicaSet>('replicasets', withKind(rs, 'apps/v1', 'ReplicaSet')),
    updateReplicaSetStatus: (rs) => client.updateStatus<ReplicaSet>('replicasets', withKind(rs, 'apps/v1', 'ReplicaSet')),
    patchReplicaSetOwnerReferences: (rs, refs) => patchOwners<ReplicaSet>(client, 'replicasets', rs, refs),
    async deleteReplicaSet(namespace, name) {
      await client.delete('replicasets', name, { namespace });
    },
    updateDeployment: (d) => client.update<Deployment>('deployments', withKind(d, 'apps/v1', 'Deployment')),
    updateDeploymentStatus: (d) => client.updateStatus<Deployment>('deployments', withKind(d, 'apps/v1', 'Deployment')),

    async getObject(ref) {
      try {
        return await client.get<KubeObject>(resourceFor(ref), ref.name, where(ref));
      } catch (error) {
        if (isApiError(error, 'NotFound')) return undefined;
        throw error;
      }
    },
    async deleteObject(ref, propagationPolicy) {
      await client.delete(resourceFor(ref), ref.name, { ...where(ref), propagationPolicy, preconditions: { uid: ref.uid } });
    },
    patchOwnerReferences: (ref, refs) =>
      patchOwners<KubeObject>(client, resourceFor(ref), { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace, uid: ref.uid } }, refs),
    async removeFinalizer(ref, finalizer) {
      const info = resourceFor(ref);
      for (let attempt = 0; ; attempt++) {
        const current = await client.get<KubeObject>(info, ref.name, where(ref));
        if (current.metadata.uid !== ref.uid) return;
        const finalizers = current.metadata.finalizers ?? [];
        if (!finalizers.includes(finalizer)) return;
        const patch = { metadata: { finalizers: finalizers.filter((f) => f !== finalizer), resourceVersion: current.metadata.resourceVersion } };
        try {
          await client.patch(info, ref.name, patch, { ...where(ref), type: 'merge' });
          return;
        } catch (error) {
          if (!isApiError(error, 'Conflict') || attempt >= 4) throw error;
        }
      }
    },
    async listObjects(resource, namespace) {
      const info = resourceFor({ apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, kind: resource.kind });
      return (await client.list<KubeObject>(info, { namespace })).items;
    },
    async deleteCollection(resource, namespace) {
      const info = resourceFor({ apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, kind: resource.kind });
      await client.deleteCollection(info, { namespace, propagationPolicy: 'Background' });
    },
    updateNamespaceStatus: (ns) => client.updateStatus<Namespace>('namespaces', withKind(ns, 'v1', 'Namespace')),
    finalizeNamespace: (ns) => client.update<Namespace>('namespaces', withKind(ns, 'v1', 'Namespace'), { subresource: 'finalize' }),

    createEndpointSlice: (slice) => client.create<EndpointSlice>('endpointslices', withKind(slice, 'discovery.k8s.io/v1', 'EndpointSlice')),
    updateEndpointSlice: (slice) => client.update<EndpointSlice>('endpointslices', withKind(slice, 'discovery.k8s.io/v1', 'EndpointSlice')),
    async deleteEndpointSlice(namespace, name) {
      await client.delete('endpointslices', name, { namespace });
    },

    updateNodeStatus: (node) => client.updateStatus<Node>('nodes', withKind(node, 'v1', 'Node')),
    updateNodeTaints: (node, taints) =>
      client.patch<Node>('nodes', node.metadata.name ?? '', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } }, { type: 'merge' }),
    async markPodNotReady(pod) {
      const at = formatTime(Date.now());
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' && c.status !== 'False' ? { ...c, status: 'False' as const, lastTransitionTime: at } : c));
      await client.patch('pods', pod.metadata.name ?? '', { status: { conditions } }, { namespace: pod.metadata.namespace, subresource: 'status', type: 'merge' });
    },
    async evictPod(pod) {
      const name = pod.metadata.name ?? '';
      const namespace = pod.metadata.namespace;
      const disruption = {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
        lastTransitionTime: formatTime(Date.now()),
      };
      const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), disruption];
      try {
        await client.patch('pods', name, { status: { conditions } }, { namespace, subresource: 'status', type: 'merge' });
      } catch (error) {
        if (isApiError(error, 'NotFound')) return;
        throw error;
      }
      event(withKind(pod, 'v1', 'Pod'), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
      await client.delete('pods', name, { namespace, preconditions: { uid: pod.metadata.uid } });
    },

    updateDaemonSetStatus: (ds) => client.updateStatus<DaemonSet>('daemonsets', withKind(ds, 'apps/v1', 'DaemonSet')),
    updateStatefulSetStatus: (set) => client.updateStatus<StatefulSet>('statefulsets', withKind(set, 'apps/v1', 'StatefulSet')),
    createControllerRevision: (rev) => client.create<ControllerRevision>('controllerrevisions', withKind(rev, 'apps/v1', 'ControllerRevision')),
    updateControllerRevision: (rev) => client.update<ControllerRevision>('controllerrevisions', withKind(rev, 'apps/v1', 'ControllerRevision')),

    createJob: (job) => client.create<Job>('jobs', withKind(job, 'batch/v1', 'Job')),
    updateJobStatus: (job) => client.updateStatus<Job>('jobs', withKind(job, 'batch/v1', 'Job')),
    updateCronJobStatus: (cj) => client.updateStatus<CronJob>('cronjobs', withKind(cj, 'batch/v1', 'CronJob')),

    recordEvent: (object, type, reason, message) => event(object, type, reason, message),
  };
}

/** The identity of an object as an owner reference would name it. */
export function identityOf(object: KubeObject): ObjectIdentity {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '', uid: object.metadata.uid ?? '' };
}

function patchOwners<T>(client: KubeClient, resource: string | ResourceInfo, object: KubeObject, refs: OwnerReference[]): Promise<T> {
  const patch = { metadata: { ownerReferences: refs.length ? refs : null, uid: object.metadata.uid } };
  return client.patch<T>(resource, object.metadata.name ?? '', patch, { namespace: object.metadata.namespace, type: 'merge' });
}
