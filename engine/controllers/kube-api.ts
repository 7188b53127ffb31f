/**
 * The ControllerClient (api.ts) over the apiserver: each method one request through KubeClient,
 * plus upstream's Events for what the controllers do (RealPodControl's SuccessfulCreate,
 * FailedCreate, SuccessfulDelete, FailedDelete; the controllers' own recordEvent calls), written
 * in the background by the scheduler's EventRecorder (best effort, repeats counted).
 *
 * Adoption and release are merge patches of metadata.ownerReferences carrying the object's uid, so
 * a pod deleted and re-created under the same name meanwhile is never adopted by mistake.
 */
import type { KubeClient } from '../client/client.ts';
import type { Deployment, KubeObject, Pod, ReplicaSet } from '../kube/types.ts';
import type { OwnerReference } from '../objects/types.ts';
import type { EventRecorder } from '../scheduler/component.ts';
import type { ControllerClient } from './api.ts';

const withKind = <T extends KubeObject>(o: T, apiVersion: string, kind: string): T => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind });

/** The controller an Event is about: objects from the informers carry apiVersion and kind; a bare one is a ReplicaSet's. */
const ownerRef = (owner: KubeObject): KubeObject => withKind(owner, 'apps/v1', 'ReplicaSet');

/** `recorders` write the Events of each controller under its own source (replicaset-controller, deployment-controller). */
export function kubeControllerClient(client: KubeClient, recorders: { replicaset: EventRecorder; deployment: EventRecorder }): ControllerClient {
  const event = (object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) => {
    const owner = ownerRef(object);
    (owner.kind === 'Deployment' ? recorders.deployment : recorders.replicaset).record(owner, type, reason, message, reason);
  };
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
    recordEvent: (object, type, reason, message) => event(object, type, reason, message),
  };
}

function patchOwners<T>(client: KubeClient, resource: string, object: KubeObject, refs: OwnerReference[]): Promise<T> {
  const patch = { metadata: { ownerReferences: refs.length ? refs : null, uid: object.metadata.uid } };
  return client.patch<T>(resource, object.metadata.name ?? '', patch, { namespace: object.metadata.namespace, type: 'merge' });
}
