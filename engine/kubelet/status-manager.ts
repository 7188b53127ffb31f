/**
 * The status manager (upstream pkg/kubelet/status/status_manager.go): writes each pod's status to
 * pods/<name>/status when it differs from what the apiserver holds, and, once a deleted pod's
 * containers have all stopped, finishes its deletion (DELETE with gracePeriodSeconds 0 and the
 * pod's uid as precondition, as canBeDeleted → deletePod does).
 *
 * Writes are PUTs of the whole status over the latest pod the kubelet has seen (the informer's),
 * carrying its resourceVersion: the apiserver's optimistic concurrency refuses a stale one (409
 * Conflict); then the pod is read again and the write retried, up to
 * KUBELET_STATUS_CONFLICT_RETRIES times. The status the kubelet does not own (conditions other
 * components add, nominatedNodeName) is kept from the stored pod, as mergePodStatus does.
 * A pod that is gone (404), or a different pod under the same name (uid changed), is never written.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeClient } from '../client/client.ts';
import { isApiError } from '../kube/errors.ts';
import type { Pod, PodStatus } from '../kube/types.ts';
import { KUBELET_STATUS_CONFLICT_RETRIES } from '../params.ts';

/** The pod conditions the kubelet owns (kubetypes.PodConditionsByKubelet); any other is kept from the stored pod. */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

/** The stored status with the kubelet's new one laid over it (upstream mergePodStatus). */
export function mergePodStatus(stored: PodStatus | undefined, next: PodStatus): PodStatus {
  // The stored pod's conditions that others own (its readiness gates' newest word), then the kubelet's own.
  const foreign = (stored?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const merged: PodStatus = { ...next, conditions: [...foreign, ...(next.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type))] };
  if (stored?.nominatedNodeName && merged.nominatedNodeName === undefined) merged.nominatedNodeName = stored.nominatedNodeName;
  if (stored?.qosClass && merged.qosClass === undefined) merged.qosClass = stored.qosClass;
  return merged;
}

export class StatusManager {
  /** Status writes done (tests, the benchmark). */
  writes = 0;
  conflicts = 0;
  /** The pod each last write returned, and the resourceVersion of the informer's pod it was based on. */
  private readonly lastWritten = new Map<string, { base: string | undefined; written: Pod }>();

  constructor(private readonly client: KubeClient) {}

  /**
   * Writes `status` unless the stored pod already has it. `latest` is the newest pod the kubelet
   * has (the informer's). Resolves with the pod as stored after the write, or undefined when the
   * pod is gone or was replaced.
   */
  async setStatus(latest: Pod, status: PodStatus): Promise<Pod | undefined> {
    const uid = latest.metadata.uid ?? '';
    // The informer may not have seen our last write yet: start from what that write returned.
    const mine = this.lastWritten.get(uid);
    let pod: Pod = mine && mine.base === latest.metadata.resourceVersion ? mine.written : latest;
    for (let attempt = 0; ; attempt++) {
      const merged = mergePodStatus(pod.status, status);
      if (isDeepStrictEqual(stripUndefined(merged), stripUndefined(pod.status ?? {}))) return pod;
      try {
        const written = await this.client.updateStatus<Pod>('pods', { ...pod, status: merged }, { namespace: pod.metadata.namespace });
        this.writes++;
        this.lastWritten.set(uid, { base: latest.metadata.resourceVersion, written });
        return written;
      } catch (error) {
        if (isApiError(error, 'NotFound')) return undefined;
        if (!isApiError(error, 'Conflict') || attempt >= KUBELET_STATUS_CONFLICT_RETRIES) throw error;
        this.conflicts++;
        let fresh: Pod;
        try {
          fresh = await this.client.get<Pod>('pods', pod.metadata.name!, { namespace: pod.metadata.namespace });
        } catch (read) {
          if (isApiError(read, 'NotFound')) return undefined;
          throw read;
        }
        if (fresh.metadata.uid !== latest.metadata.uid) return undefined;
        pod = fresh;
      }
    }
  }

  /** Forgets a pod (it is gone). */
  forget(uid: string): void {
    this.lastWritten.delete(uid);
  }

  /** Finishes a deleted pod's deletion: its containers are stopped. True once the pod is gone. */
  async finishDeletion(pod: Pod): Promise<boolean> {
    try {
      await this.client.delete('pods', pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      return true;
    } catch (error) {
      if (isApiError(error, 'NotFound') || isApiError(error, 'Conflict')) return true;
      throw error;
    }
  }
}

/** A JSON round trip: drops undefined fields so that a comparison sees what the wire would carry. */
function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
