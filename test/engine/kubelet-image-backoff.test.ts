/**
 * The image-pull back-off of the kubelet agent on a real ProcessRuntime: a failed pull is
 * ErrImagePull and starts the pod's back-off for that image (the intervals are scaled down: 1.5 s
 * doubling); the pull is tried again only once the back-off has ended, and then without waiting
 * for a poll or a resync (both are 10 minutes away here); meanwhile the pod shows
 * ImagePullBackOff. A new image (`kubectl set image`) is another key: it is pulled and started at
 * once, whatever back-off the old one is in.
 *
 * Upstream: pkg/kubelet/images/image_manager.go EnsureImageExists (backOffKey `${pod.UID}_${image}`,
 * IsInBackOffSinceUpdate, `Back-off pulling image "x"`, backOff.Next on a failed pull),
 * pkg/kubelet/images/types.go (ErrImagePull, ImagePullBackOff), client-go util/flowcontrol/backoff.go.
 */
import { describe, expect, test } from 'vitest';
import type { Pod } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor } from './apiserver-harness.ts';
import { onCleanup, waitFor } from './cri-harness.ts';
import { createBoundPod, firstContainer, startKubeletCluster, waitForPod } from './kubelet-harness.ts';

const LONG = { timeout: 120_000 };
const NEVER = 10 * 60_000;

describe('image-pull back-off', () => {
  test('a failing pull is tried again only when its back-off has ended (1.5 s, then 3 s), woken by that end, not by a poll or a resync', LONG, async () => {
    // The back-off's cap is far away (its entry would only expire after 2 x 10 min), so every
    // retry within the deadline is one the back-off allowed.
    const c = await startKubeletCluster({ intervals: { backoffInitialMs: 1_500, backoffMaxMs: NEVER, resyncMs: NEVER, backoffRecheckMs: 200 } });
    const pulls: number[] = [];
    let statusChecks = 0;
    const runtime = c.kubelet.runtime;
    const pullImage = runtime.pullImage.bind(runtime);
    const imageStatus = runtime.imageStatus.bind(runtime);
    runtime.pullImage = (req) => {
      pulls.push(Date.now());
      return pullImage(req);
    };
    runtime.imageStatus = (req) => {
      statusChecks++;
      return imageStatus(req);
    };
    await createBoundPod(c, { metadata: { name: 'nope' }, spec: { containers: [{ name: 'main', image: 'example.com/no-such-image:1.0' }] } });
    const failed = await waitForPod(c, 'nope', 'to show ErrImagePull', (p) => firstContainer(p)?.state?.waiting?.reason === 'ErrImagePull');
    expect(firstContainer(failed)?.state?.waiting?.message).toContain('Failed to pull image "example.com/no-such-image:1.0"');
    const waiting = await waitForPod(c, 'nope', 'to show ImagePullBackOff', (p) => firstContainer(p)?.state?.waiting?.reason === 'ImagePullBackOff');
    expect(firstContainer(waiting)?.state?.waiting?.message).toBe('Back-off pulling image "example.com/no-such-image:1.0"');
    await waitFor('a second pull, once the 1.5 s back-off ended', () => pulls.length >= 2);
    const checksAtSecond = statusChecks;
    await waitFor('a third pull, once the 3 s back-off ended', () => pulls.length >= 3);
    expect(pulls[1]! - pulls[0]!, 'the second pull waited out the first back-off').toBeGreaterThanOrEqual(1_500);
    expect(pulls[2]! - pulls[1]!, 'the third pull waited out the doubled back-off').toBeGreaterThanOrEqual(3_000);
    // Between two pulls the pod is looked at a few times (the recheck that shows ImagePullBackOff,
    // the wake at the end), not every 200 ms as a poll would (15 times in 3 s).
    expect(statusChecks - checksAtSecond, 'syncs between the second and third pull').toBeLessThanOrEqual(6);
  });

  test('kubectl set image to a built-in image: the container starts at once, whatever back-off the old image is in', LONG, async () => {
    // A 10-minute back-off: only the new image's own key lets the container start within the deadline.
    const c = await startKubeletCluster({ intervals: { backoffInitialMs: NEVER, backoffMaxMs: 2 * NEVER, resyncMs: NEVER } });
    await createBoundPod(c, { metadata: { name: 'fixme' }, spec: { containers: [{ name: 'main', image: 'example.com/typo:1.0', command: ['sh', '-c', 'exec sleep 3600'] }] } });
    await waitForPod(c, 'fixme', 'to show ImagePullBackOff', (p) => firstContainer(p)?.state?.waiting?.reason === 'ImagePullBackOff');
    if (HAS_KUBECTL) {
      const kubectl = kubectlFor(c.server.access);
      onCleanup(() => kubectl.cleanup());
      const set = await kubectl.run(['set', 'image', 'pod/fixme', 'main=busybox']);
      expect([set.code, set.stdout], set.stderr).toEqual([0, 'pod/fixme image updated\n']);
    } else {
      console.warn('kubectl is not installed: the image is changed through the API instead of kubectl set image');
      const pod = await c.server.client.get<Pod>('pods', 'fixme', { namespace: 'default' });
      await c.server.client.update<Pod>('pods', { ...pod, spec: { ...pod.spec, containers: [{ ...pod.spec!.containers[0]!, image: 'busybox' }] } });
    }
    const started = await waitForPod(c, 'fixme', 'to run with the new image', (p) => firstContainer(p)?.state?.running !== undefined);
    expect(firstContainer(started)?.image).toBe('busybox');
  });
});
