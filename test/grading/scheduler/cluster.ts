/**
 * An in-memory cluster for the scheduleOne and preemption suites: the engine's own cache and
 * profile around the learner's component, with a bind that records (and, like the informer, confirms
 * the pod on its node) and reports that record what `kubectl describe pod` would show.
 */
import { loadComponent } from '#engine/impl.ts';
import { assembleScheduler, seededRandom } from '#engine/scheduler/context.ts';
import type { PodInfo } from '#engine/scheduler/framework.ts';
import type { Node } from '#engine/scheduler/types.ts';

const s = await loadComponent('scheduler');

export interface Failure {
  pod: string;
  reason: string;
  message: string;
  nominatedNodeName?: string;
}

export interface ClusterOptions {
  seed?: number;
  percentageOfNodesToScore?: number;
  preemption?: boolean;
  /** Called at each bind before it is recorded; throw to make the bind fail. */
  onBind?(pod: PodInfo, nodeName: string): void;
  /** Hold bindings until release() is called. */
  holdBindings?: boolean;
}

export function fakeCluster(nodes: Node[], o: ClusterOptions = {}) {
  const clock = { t: 0 };
  const bound = new Map<string, string>();
  const failures: Failure[] = [];
  const scheduled: string[] = [];
  const evicted: string[] = [];
  const held: (() => void)[] = [];
  const deps = {
    now: () => clock.t,
    random: seededRandom(o.seed ?? 7),
    percentageOfNodesToScore: o.percentageOfNodesToScore,
    bind: async (pod: PodInfo, nodeName: string) => {
      if (o.holdBindings) await new Promise<void>((resolve) => held.push(resolve));
      o.onBind?.(pod, nodeName);
      bound.set(pod.key, nodeName);
      sched.cache.addPod({ ...pod, pod: { ...pod.pod, spec: { ...pod.pod.spec, nodeName } } });
    },
    reportFailure: (pod: PodInfo, reason: string, message: string, nominatedNodeName?: string) => {
      failures.push({ pod: pod.key, reason, message, ...(nominatedNodeName ? { nominatedNodeName } : {}) });
    },
    reportScheduled: (pod: PodInfo, nodeName: string) => {
      scheduled.push(`Successfully assigned ${pod.key} to ${nodeName}`);
    },
    ...(o.preemption
      ? {
          evict: (victims: PodInfo[]) => {
            for (const v of victims) {
              evicted.push(v.key);
              bound.delete(v.key);
              sched.cache.removePod(v.key);
            }
            sched.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
          },
        }
      : {}),
  };
  const sched = assembleScheduler(s, deps);
  for (const n of nodes) sched.cache.addNode(n);

  /** Puts a pod straight onto a node, as if it had been bound earlier. */
  function place(pod: PodInfo, nodeName: string) {
    bound.set(pod.key, nodeName);
    sched.cache.addPod({ ...pod, pod: { ...pod.pod, spec: { ...pod.pod.spec, nodeName } } });
  }

  /** Runs scheduleOne until the active queue is empty, awaiting every binding. */
  async function drain(): Promise<number> {
    const bindings: Promise<void>[] = [];
    let cycles = 0;
    for (let out = s.scheduleOne(sched.ctx); out; out = s.scheduleOne(sched.ctx)) {
      cycles++;
      if (out.binding) bindings.push(out.binding);
    }
    await Promise.all(bindings);
    return cycles;
  }

  return { s, sched, ctx: sched.ctx, clock, bound, failures, scheduled, evicted, place, drain, release: () => held.splice(0).forEach((r) => r()) };
}
