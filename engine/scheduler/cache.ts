/**
 * The scheduler's cache (pkg/scheduler/backend/cache): every node and every pod bound or assumed to
 * one, fed by the informers, plus the pods the scheduler has assumed but the apiserver has not yet
 * confirmed. updateSnapshot() hands the scheduling cycle a snapshot, updated incrementally: only the
 * nodes that changed since the last snapshot are copied, so a cycle costs O(changes), not O(nodes).
 * They are copied into the snapshot's existing NodeInfo objects, as upstream does (`*existing =
 * *clone`): every pass over the nodes then reads memory laid out once, in order, not scattered.
 *
 * Invariants: a pod is counted on at most one node; an assumed pod stays counted until the informer
 * confirms it (the pod arrives with spec.nodeName) or forget() drops it; the snapshot is never changed
 * while a (synchronous) scheduling cycle runs, and a snapshot's NodeInfo is valid for that cycle only
 * (the next updateSnapshot may change it in place).
 */
import type { CacheForCycle } from './exercises.ts';
import type { NodeInfo, PodInfo, ScoreContext, Snapshot } from './framework.ts';
import { addPod, cloneNodeInfo, copyNodeInfo, newNodeInfo, removePod } from './nodeinfo.ts';
import type { Node } from '../kube/types.ts';

const NONE: readonly PodInfo[] = Object.freeze([]);

export class SchedulerCache implements CacheForCycle {
  private readonly nodes = new Map<string, NodeInfo>();
  /** node name → pods counted there (also for nodes not seen yet). */
  private readonly podsByNode = new Map<string, Map<string, PodInfo>>();
  /** pod key → the node it is counted on. */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly imageCount = new Map<string, number>();
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNodeOf = new Map<string, string>();
  /** Pods nominated to some node (a field, read by the filter runner on every node). */
  nominatedCount = 0;
  private readonly list: NodeInfo[] = [];
  private readonly index = new Map<string, number>();
  private readonly scoreContext: ScoreContext = {
    numAllNodes: 0,
    nodesWithImage: (image) => this.imageCount.get(image) ?? 0,
  };

  // ── nodes ──

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const old = this.nodes.get(name);
    if (old) this.countImages(old, -1);
    const info = newNodeInfo(node, [...(this.podsByNode.get(name)?.values() ?? [])]);
    if (old) info.generation = old.generation + 1;
    this.nodes.set(name, info);
    this.countImages(info, +1);
    this.dirty.add(name);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const old = this.nodes.get(name);
    if (!old) return;
    this.countImages(old, -1);
    this.nodes.delete(name);
    this.dirty.add(name);
  }

  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  nodeCount(): number {
    return this.nodes.size;
  }

  // ── pods ──

  /** A pod with spec.nodeName seen by the informer (confirms an assumed pod). */
  addPod(pod: PodInfo): void {
    const nodeName = pod.pod.spec.nodeName;
    if (!nodeName) return;
    this.assumed.delete(pod.key);
    const current = this.podNode.get(pod.key);
    if (current !== undefined) this.unplace(pod.key, current);
    this.place(pod, nodeName);
    this.clearNominated(pod.key);
  }

  updatePod(pod: PodInfo): void {
    this.addPod(pod);
  }

  removePod(key: string): void {
    const current = this.podNode.get(key);
    this.assumed.delete(key);
    if (current !== undefined) this.unplace(key, current);
    this.clearNominated(key);
  }

  /** True when the pod is counted on a node (bound or assumed). */
  isPlaced(key: string): boolean {
    return this.podNode.has(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  assume(pod: PodInfo, nodeName: string): void {
    if (this.podNode.has(pod.key)) throw new Error(`pod ${pod.key} is already on node ${this.podNode.get(pod.key)}: it cannot be assumed again`);
    this.place(pod, nodeName);
    this.assumed.add(pod.key);
  }

  forget(pod: PodInfo): void {
    if (!this.assumed.delete(pod.key)) return;
    const current = this.podNode.get(pod.key);
    if (current !== undefined) this.unplace(pod.key, current);
  }

  finishBinding(_pod: PodInfo): void {
    // Upstream starts the assumed pod's expiry clock here; assumed pods here wait for the informer.
  }

  // ── nominated pods (preemption) ──

  setNominated(pod: PodInfo, nodeName: string | undefined): void {
    this.clearNominated(pod.key);
    if (!nodeName || this.podNode.has(pod.key)) return;
    let map = this.nominated.get(nodeName);
    if (!map) this.nominated.set(nodeName, (map = new Map()));
    map.set(pod.key, pod);
    this.nominatedNodeOf.set(pod.key, nodeName);
    this.nominatedCount = this.nominatedNodeOf.size;
  }

  nominatedPods(nodeName: string): readonly PodInfo[] {
    if (this.nominatedNodeOf.size === 0) return NONE;
    const map = this.nominated.get(nodeName);
    return map && map.size > 0 ? [...map.values()] : NONE;
  }

  private clearNominated(key: string): void {
    const node = this.nominatedNodeOf.get(key);
    if (node === undefined) return;
    this.nominatedNodeOf.delete(key);
    this.nominatedCount = this.nominatedNodeOf.size;
    this.nominated.get(node)?.delete(key);
  }

  // ── snapshot ──

  updateSnapshot(): Snapshot {
    if (this.dirty.size > 0) {
      let removed = false;
      for (const name of this.dirty) {
        const live = this.nodes.get(name);
        const at = this.index.get(name);
        if (live && at !== undefined) copyNodeInfo(this.list[at]!, live);
        else if (live) {
          this.index.set(name, this.list.length);
          this.list.push(cloneNodeInfo(live));
        } else if (at !== undefined) {
          this.list.splice(at, 1);
          this.index.delete(name);
          removed = true;
        }
      }
      if (removed) this.list.forEach((n, i) => this.index.set(n.name, i));
      this.dirty.clear();
    }
    (this.scoreContext as { numAllNodes: number }).numAllNodes = this.list.length;
    const list = this.list;
    const index = this.index;
    return {
      nodes: list,
      get: (name) => {
        const at = index.get(name);
        return at === undefined ? undefined : list[at];
      },
      nominatedPods: (nodeName) => this.nominatedPods(nodeName),
      scoreContext: this.scoreContext,
    };
  }

  // ── internals ──

  private place(pod: PodInfo, nodeName: string): void {
    let map = this.podsByNode.get(nodeName);
    if (!map) this.podsByNode.set(nodeName, (map = new Map()));
    map.set(pod.key, pod);
    this.podNode.set(pod.key, nodeName);
    const info = this.nodes.get(nodeName);
    if (info) {
      addPod(info, pod);
      this.dirty.add(nodeName);
    }
  }

  private unplace(key: string, nodeName: string): void {
    this.podsByNode.get(nodeName)?.delete(key);
    this.podNode.delete(key);
    const info = this.nodes.get(nodeName);
    if (info && removePod(info, key)) this.dirty.add(nodeName);
  }

  private countImages(info: NodeInfo, delta: 1 | -1): void {
    for (const name of info.images.keys()) this.imageCount.set(name, (this.imageCount.get(name) ?? 0) + delta);
  }
}
