/**
 * Exercise 04-controllers/06-node-lifecycle (reference): the node lifecycle controller and the
 * taint manager, after kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go
 * (tryUpdateNodeHealth, doNoScheduleTaintingPass, doNoExecuteTaintingPass, markPodsNotReady) and
 * pkg/controller/tainteviction/taint_eviction.go (processPodOnNode, getMinTolerationTime), with
 * k8s.io/component-helpers (GetMatchingTolerations).
 */
import { isApiError } from '#engine/kube/errors.ts';
import type { NodeLifecycleContext, SyncResult } from '#engine/controllers/exercises.ts';
import { NODE_INDEX } from '#engine/controllers/indexer.ts';
import { MONITORED_NODE_CONDITIONS, NODE_LEASE_NAMESPACE, NODE_STATUS, NOT_READY_TAINT, UNREACHABLE_TAINT } from '#engine/controllers/node-util.ts';
import { formatTime, parseTime } from '#engine/controllers/pods.ts';
import { loadComponent } from '#engine/impl.ts';
import type { Condition, Lease, Node, Pod } from '#engine/kube/types.ts';
import type { Taint, Toleration } from '#engine/scheduler/types.ts';

/** Toleration matching, from lesson 03 (the reference unless yours passes): scheduler.tolerates. */
const scheduler = await loadComponent('scheduler');

export function nodeHealth(node: Node, lease: Lease | undefined, now: number, gracePeriodMs: number): Condition[] {
  const conditions = structuredClone(node.status?.conditions ?? []);
  const ready = conditions.find((c) => c.type === 'Ready');
  const heartbeats = [parseTime(ready?.lastHeartbeatTime), parseTime(lease?.spec?.renewTime)].filter((t): t is number => t !== undefined);
  const probe = heartbeats.length ? Math.max(...heartbeats) : (parseTime(node.metadata.creationTimestamp) ?? now);
  if (!(now > probe + gracePeriodMs)) return conditions;
  const at = formatTime(now);
  for (const type of MONITORED_NODE_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: 'Unknown', ...NODE_STATUS.neverUpdated, lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: at });
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = NODE_STATUS.unknown.reason;
      c.message = NODE_STATUS.unknown.message;
      c.lastTransitionTime = at;
    }
  }
  return conditions;
}

export function taintsForReadiness(ready: Condition | undefined, now: number): Taint[] {
  const key = ready?.status === 'False' ? NOT_READY_TAINT : ready?.status === 'Unknown' ? UNREACHABLE_TAINT : undefined;
  if (!key) return [];
  const timeAdded = formatTime(now);
  return [
    { key, effect: 'NoSchedule', timeAdded },
    { key, effect: 'NoExecute', timeAdded },
  ];
}

export function evictionTime(pod: Pod, taints: readonly Taint[], now: number): number | undefined {
  let earliest: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const toleration = ((pod.spec.tolerations ?? []) as Toleration[]).find((t) => scheduler.tolerates(t, taint));
    if (!toleration) return now;
    const seconds = toleration.tolerationSeconds;
    if (seconds === undefined || seconds === null) continue;
    const at = (parseTime(taint.timeAdded) ?? now) + Math.max(0, seconds) * 1000;
    earliest = earliest === undefined ? at : Math.min(earliest, at);
  }
  return earliest;
}

const ours = (t: Taint) => (t.key === NOT_READY_TAINT || t.key === UNREACHABLE_TAINT) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

export async function syncNode(key: string, ctx: NodeLifecycleContext): Promise<SyncResult> {
  const cached = ctx.nodes.get(key);
  if (!cached) return {};
  const now = ctx.now();
  let node = structuredClone(cached);
  const before = node.status?.conditions?.find((c) => c.type === 'Ready');
  const conditions = nodeHealth(node, ctx.leases.get(`${NODE_LEASE_NAMESPACE}/${key}`), now, ctx.gracePeriodMs);
  const ready = conditions.find((c) => c.type === 'Ready');
  if (before?.status !== ready?.status || before?.reason !== ready?.reason) {
    node = await ctx.client.updateNodeStatus({ ...node, status: { ...node.status, conditions } });
    if (before?.status === 'True' && ready?.status !== 'True') ctx.client.recordEvent(node, 'Normal', 'NodeNotReady', `Node ${key} status is now: NodeNotReady`);
  }

  // The taints follow the Ready condition; a taint already there keeps its timeAdded.
  const existing = (node.spec?.taints ?? []) as Taint[];
  const wanted = taintsForReadiness(ready, now);
  const taints = [...existing.filter((t) => !ours(t) || wanted.some((w) => sameTaint(w, t))), ...wanted.filter((w) => !existing.some((t) => sameTaint(t, w)))];
  if (taints.length !== existing.length || taints.some((t, i) => !sameTaint(t, existing[i]!))) node = await ctx.client.updateNodeTaints(node, taints);

  const pods = ctx.pods.byIndex(NODE_INDEX, key);
  if (ready && ready.status !== 'True') {
    for (const pod of pods) {
      const podReady = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (podReady && podReady.status !== 'False') await ctx.client.markPodNotReady(pod);
    }
  }

  // The taint manager.
  let next: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = evictionTime(pod, taints, now);
    if (at === undefined) continue;
    if (at <= now) {
      try {
        await ctx.client.evictPod(pod);
      } catch (error) {
        if (!isApiError(error, 'NotFound')) throw error;
      }
    } else {
      next = next === undefined ? at : Math.min(next, at);
    }
  }
  return next === undefined ? {} : { requeueAfterMs: next - now };
}
