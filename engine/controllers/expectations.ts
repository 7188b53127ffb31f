/**
 * Expectations: a controller's memory of the creates and deletes it has sent but not yet seen come
 * back through its informer (kubernetes pkg/controller/controller_utils.go, ControllerExpectations
 * and UIDTrackingControllerExpectations).
 *
 * Why: the informer's cache lags behind the apiserver. A ReplicaSet that has just created 3 pods
 * syncs again before those pods reach the cache; counting pods there, it would see 0 and create 3
 * more. So before creating `n` pods the controller says expectCreations(key, n); each pod it then
 * sees arrive lowers the count (creationObserved); and syncReplicaSet creates or deletes nothing
 * until satisfiedExpectations(key) is true again. Status is still written on every sync.
 *
 * Invariants:
 * - a key with no record is satisfied (a controller seen for the first time);
 * - a record is satisfied when both counts are <= 0, or when it is older than
 *   CONTROLLER_EXPECTATIONS_TIMEOUT_MS (a watch event lost for good must not wedge the controller);
 * - deletions are tracked by pod key, so one deletion seen twice (an update with a deletionTimestamp,
 *   then the delete) lowers the count once.
 */
import { CONTROLLER_EXPECTATIONS_TIMEOUT_MS } from '../params.ts';

interface Record_ {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record_>();
  private readonly deleting = new Map<string, Set<string>>();

  constructor(
    private readonly now: () => number,
    private readonly timeoutMs = CONTROLLER_EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** True when the controller `key` may act on its cache: nothing it sent is still on its way. */
  satisfiedExpectations(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.timestamp > this.timeoutMs;
  }

  /** About to create `adds` objects for `key` (replaces any earlier record). */
  expectCreations(key: string, adds: number): void {
    this.records.set(key, { add: adds, del: 0, timestamp: this.now() });
    this.deleting.delete(key);
  }

  /** About to delete the pods with these keys (`namespace/name`) for `key`. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, timestamp: this.now() });
    this.deleting.set(key, new Set(podKeys));
  }

  /** About to create `adds` objects and delete the pods `podKeys` for `key` in one sync (SetExpectations). */
  setExpectations(key: string, adds: number, podKeys: readonly string[]): void {
    this.records.set(key, { add: adds, del: podKeys.length, timestamp: this.now() });
    this.deleting.set(key, new Set(podKeys));
  }

  /** One of the creations for `key` was seen in the informer, or will never happen (it failed). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** The pod `podKey` was seen deleted (or its deletion failed); counted once per pod. */
  deletionObserved(key: string, podKey: string): void {
    const set = this.deleting.get(key);
    if (!set?.delete(podKey)) return;
    const r = this.records.get(key);
    if (r) r.del--;
  }

  /** The controller is gone: forget its record. */
  deleteExpectations(key: string): void {
    this.records.delete(key);
    this.deleting.delete(key);
  }

  /** The counts still expected for `key`, for tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }
}
