/**
 * The image-pull back-off, as pkg/kubelet/images/image_manager.go keeps it: one flowcontrol
 * Backoff entry per pod and image (`<pod uid>_<image>`), started (10 s, doubling to 300 s) by each
 * failed pull; while it lasts, the pull is not tried again (ImagePullBackOff). Upstream asks
 * IsInBackOffSinceUpdate(key, now), counted from the entry's last failure; the learner's Backoff
 * (exercise 03) counts from an event time it is given, so this keeps the time of each key's last
 * failure and hands that over. It also says when a key's back-off ends, so that the pod worker
 * wakes then rather than polling (as it does for CrashLoopBackOff).
 *
 * Invariants: a key is in back-off only after a failed pull of that pod and image; a new image
 * (`kubectl set image`) is a new key, so it is pulled at once; a success forgets nothing but runs
 * the Backoff's GC, as upstream does.
 */
import type { Backoff } from './exercises.ts';

export class ImagePullBackoff {
  /** The time of each key's last failed pull (the Backoff's lastUpdate). */
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly backoff: Backoff,
    private readonly now: () => number,
  ) {}

  /** The back-off key of a pod's image (image_manager.go: `${pod.UID}_${container.Image}`). */
  static key(podUid: string, image: string): string {
    return `${podUid}_${image}`;
  }

  /** Milliseconds until the key's back-off ends; 0 when a pull may be tried now. */
  remainingMs(key: string): number {
    const at = this.failedAt.get(key);
    if (at === undefined || !this.backoff.isInBackOffSince(key, at)) return 0;
    const left = this.backoff.get(key) - (this.now() - at);
    return Number.isFinite(left) && left > 0 ? left : 0;
  }

  /** A pull failed now: the key's back-off starts or doubles. */
  failed(key: string): void {
    const at = this.now();
    this.backoff.next(key, at);
    this.failedAt.set(key, at);
  }

  /** A pull succeeded: forget the keys the Backoff has let go (upstream: backOff.GC()). */
  succeeded(): void {
    this.backoff.gc();
    for (const key of this.failedAt.keys()) if (this.backoff.get(key) === 0) this.failedAt.delete(key);
  }

  /** The pod is gone: its keys go too. */
  forgetPod(podUid: string): void {
    for (const key of this.failedAt.keys()) {
      if (key.startsWith(`${podUid}_`)) {
        this.failedAt.delete(key);
        this.backoff.reset(key);
      }
    }
  }
}
