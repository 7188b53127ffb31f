/**
 * Assembles a SchedulerContext (what scheduleOne works with) from a scheduler component: the default
 * profile, the filter runner, the component's queue, the cache, and the outside world given as
 * callbacks (bind, report, evict). The runner (runner.ts) passes callbacks that talk to the
 * apiserver; tests and the in-process benchmark pass callbacks that only record.
 *
 * Invariant: the context holds no timers and reads no clock but `now`, so a test can drive it
 * pod by pod.
 */
import { SCHEDULER_PERCENTAGE_OF_NODES_TO_SCORE } from '../params.ts';
import { SchedulerCache } from './cache.ts';
import type { PreemptionResult, SchedulerContext, SchedulerExercises, SchedulingQueue } from './exercises.ts';
import type { PodInfo, Profile } from './framework.ts';
import { newPodInfo } from './nodeinfo.ts';
import { defaultProfile } from './profile.ts';
import { filterRunner } from './runtime.ts';
import type { Pod } from '../kube/types.ts';

export interface SchedulerDeps {
  /** The clock for the queue's backoff, in milliseconds. */
  now(): number;
  /** A die for ties: an integer in [0, n). Default: seededRandom(1). */
  random?(n: number): number;
  bind(pod: PodInfo, nodeName: string): Promise<void>;
  reportFailure?: SchedulerContext['reportFailure'];
  reportScheduled?: SchedulerContext['reportScheduled'];
  /** Preemption is on when given: called with the victims to delete once a node is chosen. */
  evict?(victims: PodInfo[], preemptor: PodInfo, nodeName: string): void;
  percentageOfNodesToScore?: number;
}

export interface AssembledScheduler {
  ctx: SchedulerContext;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  profile: Profile;
  /** A PodInfo for a pod object, its requests worked out by the component. */
  podInfo(pod: Pod): PodInfo;
}

/** A small deterministic PRNG (mulberry32): integers in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export function assembleScheduler(component: SchedulerExercises, deps: SchedulerDeps): AssembledScheduler {
  const cache = new SchedulerCache();
  const profile = defaultProfile(component);
  const filter = filterRunner(profile, cache);
  const queue = component.newSchedulingQueue({ now: deps.now });
  const random = deps.random ?? seededRandom(1);
  const ctx: SchedulerContext = {
    profile,
    queue,
    cache,
    filter,
    percentageOfNodesToScore: deps.percentageOfNodesToScore ?? SCHEDULER_PERCENTAGE_OF_NODES_TO_SCORE,
    nextStartNodeIndex: 0,
    random,
    bind: deps.bind,
    reportFailure: deps.reportFailure ?? (() => {}),
    reportScheduled: deps.reportScheduled ?? (() => {}),
  };
  if (deps.evict) {
    const evict = deps.evict;
    ctx.postFilter = (pod, snapshot, diagnosis): PreemptionResult => {
      const result = component.preempt(pod, snapshot, diagnosis, filter);
      if ('nodeName' in result) {
        cache.setNominated(pod, result.nodeName);
        evict(result.victims, pod, result.nodeName);
      }
      return result;
    };
  }
  return { ctx, cache, queue, profile, podInfo: (pod) => newPodInfo(pod, component) };
}
