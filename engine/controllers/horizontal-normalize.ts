/**
 * What the HPA controller does with a metrics' proposal before it writes a scale, after upstream's
 * pkg/controller/podautoscaler/horizontal.go (normalizeDesiredReplicas,
 * normalizeDesiredReplicasWithBehaviors, stabilizeRecommendation[WithBehaviors],
 * convertDesiredReplicasWithRules, convertDesiredReplicasWithBehaviorRate,
 * calculateScale{Up,Down}Limit*, storeScaleEvent) and its conditions (setConditionInList).
 *
 * Without spec.behavior: the highest recommendation of the downscale stabilisation window wins,
 * then min/max and a scale-up limit of max(2 x current, 4). With spec.behavior (defaulted by the
 * apiserver; scaleDown's window filled in here when unset): the recommendation is held between the
 * lowest of the scale-up window and the highest of the scale-down window, then the policies limit
 * how far it may move from the replicas at the start of each policy's period.
 *
 * State (per HPA key, in memory as upstream's controller keeps it): the recommendations seen and
 * the scale events made. Invariants: every time comes from `now` given; conditions keep their
 * order and change lastTransitionTime only when their status changes.
 */
import { HPA_SCALE_UP_LIMIT_FACTOR, HPA_SCALE_UP_LIMIT_MINIMUM } from '../params.ts';
import { formatTime } from './pods.ts';

export interface HpaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

/** setConditionInList: sets one condition in place (added at the end when new). */
export function setCondition(conditions: HpaCondition[], type: string, status: HpaCondition['status'], reason: string, message: string, now: number): HpaCondition[] {
  const list = conditions.map((c) => ({ ...c }));
  let existing = list.find((c) => c.type === type);
  if (!existing) {
    // A new condition has no status yet, so it always gets its transition time.
    existing = { type } as HpaCondition;
    list.push(existing);
  }
  if (existing.status !== status) existing.lastTransitionTime = formatTime(now);
  existing.status = status;
  existing.reason = reason;
  existing.message = message;
  return list;
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** The outcome of normalising: the replicas to have, and the conditions as they now read. */
export interface Normalized {
  replicas: number;
  conditions: HpaCondition[];
}

export class HpaRecommender {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleStabilizationMs: number) {}

  /** recordInitialRecommendation: the first sync remembers the current count. */
  recordInitial(key: string, current: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: now }]);
  }

  /** The autoscaler was deleted: forget what was kept for it. */
  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** Replaces the oldest-expired sample with `rec`, or appends it. */
  private record(key: string, rec: Recommendation, expired: (r: Recommendation) => boolean): void {
    const list = this.recommendations.get(key) ?? [];
    let index = -1;
    list.forEach((r, i) => {
      if (expired(r)) index = i;
    });
    if (index >= 0) list[index] = rec;
    else list.push(rec);
    this.recommendations.set(key, list);
  }

  /** normalizeDesiredReplicas (no spec.behavior). */
  normalize(key: string, conditions: HpaCondition[], current: number, proposed: number, min: number, max: number, now: number): Normalized {
    const cutoff = now - this.downscaleStabilizationMs;
    let stabilized = proposed;
    for (const r of this.recommendations.get(key) ?? []) if (r.at >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
    this.record(key, { replicas: proposed, at: now }, (r) => r.at < cutoff);
    let list =
      stabilized !== proposed
        ? setCondition(conditions, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now)
        : setCondition(conditions, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const limited = convertWithRules(current, stabilized, min, max);
    list = setCondition(list, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message, now);
    return { replicas: limited.replicas, conditions: list };
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  normalizeWithBehavior(key: string, conditions: HpaCondition[], behavior: Behavior, current: number, proposed: number, min: number, max: number, now: number): Normalized {
    const scaleUp = { ...behavior.scaleUp };
    const scaleDown = { ...behavior.scaleDown };
    scaleDown.stabilizationWindowSeconds ??= Math.trunc(this.downscaleStabilizationMs / 1000); // maybeInitScaleDownStabilizationWindow
    const upCutoff = now - (scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - (scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
    let up = proposed;
    let down = proposed;
    for (const r of this.recommendations.get(key) ?? []) {
      if (r.at > upCutoff) up = Math.min(r.replicas, up);
      if (r.at > downCutoff) down = Math.max(r.replicas, down);
    }
    let stabilized = current;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    this.record(key, { replicas: proposed, at: now }, (r) => r.at < upCutoff && r.at < downCutoff);
    const [reason, message] =
      proposed >= current
        ? ['ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation']
        : ['ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation'];
    let list =
      stabilized !== proposed
        ? setCondition(conditions, 'AbleToScale', 'True', reason, message, now)
        : setCondition(conditions, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const limited = this.convertWithBehaviorRate(key, scaleUp, scaleDown, current, stabilized, min, max, now);
    list = setCondition(list, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message, now);
    return { replicas: limited.replicas, conditions: list };
  }

  /** convertDesiredReplicasWithBehaviorRate. */
  private convertWithBehaviorRate(key: string, scaleUp: ScalingRules, scaleDown: ScalingRules, current: number, desired: number, min: number, max: number, now: number) {
    const ups = this.scaleUpEvents.get(key) ?? [];
    const downs = this.scaleDownEvents.get(key) ?? [];
    if (desired > current) {
      const limit = Math.max(current, scaleLimit('up', current, ups, downs, scaleUp, now));
      const [allowed, reason, message] =
        max > limit
          ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
          : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (desired > allowed) return { replicas: allowed, reason, message };
    } else if (desired < current) {
      const limit = Math.min(current, scaleLimit('down', current, ups, downs, scaleDown, now));
      const [allowed, reason, message] =
        min < limit
          ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
          : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (desired < allowed) return { replicas: allowed, reason, message };
    }
    return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** storeScaleEvent: remembers a rescale for the policies' periods (only with spec.behavior). */
  storeScaleEvent(key: string, behavior: Behavior | undefined, previous: number, next: number, now: number): void {
    if (!behavior) return;
    const upward = next > previous;
    const store = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const rules = (upward ? behavior.scaleUp : behavior.scaleDown) ?? {};
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
    const events = store.get(key) ?? [];
    for (const e of events) if (e.at < now - longest * 1000) e.outdated = true;
    const event = { change: Math.abs(next - previous), at: now, outdated: false };
    let index = -1;
    events.forEach((e, i) => {
      if (e.outdated) index = i;
    });
    if (index >= 0) events[index] = event;
    else events.push(event);
    store.set(key, events);
  }
}

/** convertDesiredReplicasWithRules (no spec.behavior). */
export function convertWithRules(current: number, desired: number, min: number, max: number): { replicas: number; reason: string; message: string } {
  const scaleUpLimit = Math.trunc(Math.max(HPA_SCALE_UP_LIMIT_FACTOR * current, HPA_SCALE_UP_LIMIT_MINIMUM));
  const [maximum, reason, message] =
    max > scaleUpLimit
      ? [scaleUpLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

/** getReplicasChangePerPeriod. */
function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.at > cutoff) sum += e.change;
  return sum;
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
function scaleLimit(direction: 'up' | 'down', current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: ScalingRules, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  // Scaling up, Max picks the largest proposal; scaling down, Max (the largest change) picks the smallest.
  const pickLargest = (direction === 'up') === (select !== 'Min');
  let result = pickLargest ? -Infinity : Infinity;
  for (const policy of rules.policies ?? []) {
    const start = current - changeInPeriod(policy.periodSeconds, ups, now) + changeInPeriod(policy.periodSeconds, downs, now);
    let proposed: number;
    if (direction === 'up') proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    else proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pickLargest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}
