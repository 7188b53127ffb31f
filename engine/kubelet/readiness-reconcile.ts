/**
 * When a pod with readiness gates needs a sync though only its status changed (upstream's
 * status.NeedToReconcilePodReadiness, called by the kubelet's HandlePodReconcile): another
 * component set a gate's condition, and the Ready condition the kubelet wrote no longer agrees
 * with ContainersReady and the gates. A status-only change syncs nothing otherwise (it is mostly
 * the kubelet's own write coming back), so without this a gate turned True would wait for the
 * next periodic resync.
 */
import type { Pod } from '../kube/types.ts';

/** True when the pod's Ready condition disagrees with what ContainersReady and its readiness gates say now. */
export function needToReconcilePodReadiness(pod: Pod): boolean {
  const gates = pod.spec.readinessGates ?? [];
  if (gates.length === 0) return false;
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const containersReady = conditions.find((c) => c.type === 'ContainersReady');
  if (!ready || !containersReady) return false;
  const gatesPass = gates.every((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True'));
  const want = containersReady.status === 'True' && gatesPass ? 'True' : 'False';
  return ready.status !== want;
}
