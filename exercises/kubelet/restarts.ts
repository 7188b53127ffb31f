/**
 * Exercise 05-kubelet/03-restarts: how long the kubelet waits before it starts a crashed
 * container again (CrashLoopBackOff).
 *
 * Whether a container that exited is restarted at all is the pod's restartPolicy
 * (shouldContainerBeRestarted, exercise 01). A container that keeps crashing is not restarted at
 * once each time: the kubelet keeps a back-off per container (client-go's flowcontrol.Backoff,
 * 10 s doubling to 300 s), and while it runs the container waits with reason CrashLoopBackOff. A
 * container that stayed up for 10 minutes (2 × 300 s) starts over at 10 s.
 *
 * Shapes (engine/kubelet/exercises.ts):
 *   RuntimePodStatus { uid, name, namespace, sandboxes, containers: RuntimeContainerStatus[] }
 *     containers are newest first: the first of a name is its current instance
 *   RuntimeContainerStatus { id, name, state: 'created' | 'running' | 'exited' | 'unknown',
 *     createdAt, startedAt?, finishedAt?, exitCode, reason, message, restartCount, image, imageId }
 *   Backoff { get(key), next(key, eventTime), isInBackOffSince(key, eventTime), reset(key), gc() }
 *   BackOffDecision { inBackOff, reason?, message? }
 * Times are ms since the epoch.
 *
 * Read: lessons/core/05-kubelet/04-restarts.md
 * Check: npx kubelings check 05-kubelet/03-restarts
 * Upstream: kubernetes client-go util/flowcontrol/backoff.go,
 * pkg/kubelet/kuberuntime/kuberuntime_container.go (doBackOff, getStableKey).
 */
import { NotImplemented } from '#engine/errors.ts';
import type { BackOffDecision, Backoff, RuntimePodStatus } from '#engine/kubelet/exercises.ts';
import type { Container, Pod } from '#engine/kube/types.ts';

const PAGE = 'lessons/core/05-kubelet/04-restarts.md';
const todo = (what: string) => new NotImplemented('05-kubelet/03-restarts', PAGE, what);

/**
 * Given: Go's time.Duration String() for whole seconds, as the kubelet's messages print delays:
 * 10s, 1m20s, 5m0s.
 */
export function goDuration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * Given: the back-off key of a container (getStableKey): pod name, namespace and uid, the
 * container's name and its definition (here its image). A new pod with the same name, or a
 * changed image, starts with no back-off.
 */
export function backoffKey(pod: Pod, container: Container): string {
  return [pod.metadata.name, pod.metadata.namespace, pod.metadata.uid, container.name, container.image].join('_');
}

/**
 * flowcontrol.NewBackOff(initial, max) without jitter, on the injected clock `now()`. Keep, per
 * key, the current delay and the time of its last update (now() when next() ran).
 * - A key is expired when eventTime - lastUpdate > 2 × maxMs: it was quiet long enough.
 * - next(key, eventTime): a new or expired key gets initialMs; any other doubles, capped at maxMs.
 *   Either way lastUpdate = now().
 * - isInBackOffSince(key, eventTime): false for an unknown or expired key (expired with respect to
 *   eventTime); otherwise now() - eventTime < the key's delay.
 * - get(key): the current delay, 0 for an unknown key. reset(key) forgets it. gc() forgets every
 *   key expired with respect to now().
 */
export function newBackoff(initialMs: number, maxMs: number, now: () => number): Backoff {
  // TODO
  throw todo('newBackoff()');
}

/**
 * doBackOff, called before the kubelet starts a container again:
 * - find the first exited instance of the container in runtime.containers (newest first); none:
 *   not in back-off (nothing crashed yet).
 * - count from its finishedAt. If backoff.isInBackOffSince(key, finishedAt) with
 *   key = backoffKey(pod, container): in back-off, reason 'CrashLoopBackOff', message
 *   `back-off ${goDuration(delay)} restarting failed container=${name} pod=${podName}`, where
 *   delay = backoff.get(key) and podName is `${pod name}_${namespace}(${uid})`.
 * - otherwise record this restart (backoff.next(key, finishedAt)) and say: not in back-off.
 */
export function doBackOff(pod: Pod, container: Container, runtime: RuntimePodStatus, backoff: Backoff): BackOffDecision {
  // TODO
  throw todo('doBackOff()');
}
