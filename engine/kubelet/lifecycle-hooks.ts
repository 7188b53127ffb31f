/**
 * Lifecycle hooks (upstream pkg/kubelet/lifecycle/handlers.go): a container's preStop hook runs
 * before its stop signal, bounded by the container's grace period; exec runs in the container,
 * httpGet is sent to the pod IP, sleep waits. The hook's outcome does not stop the kill (upstream
 * logs a FailedPreStopHook event and goes on). Resolves with the seconds the hook took.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeService } from '../cri/api.ts';
import type { Container } from '../kube/types.ts';
import type { Handler } from './exercises.ts';
import { runProbe } from './probe-exec.ts';

export async function runPreStopHook(input: {
  hook: Handler;
  container: Container;
  containerId: string;
  podIP: string;
  runtime: RuntimeService;
  gracePeriodSeconds: number;
  onFailure: (message: string) => void;
}): Promise<number> {
  const started = Date.now();
  const { hook } = input;
  const limitSeconds = Math.max(1, input.gracePeriodSeconds);
  if (hook.sleep) {
    await sleep(Math.min(hook.sleep.seconds, limitSeconds) * 1000);
  } else if (hook.exec || hook.httpGet || hook.tcpSocket) {
    const outcome = await runProbe({ probe: { ...hook, timeoutSeconds: limitSeconds }, container: input.container, podIP: input.podIP, containerId: input.containerId, runtime: input.runtime });
    if (outcome.result === 'Failure' || outcome.result === 'Unknown') input.onFailure(`PreStopHook failed: ${outcome.output}`);
  }
  return Math.ceil((Date.now() - started) / 1000);
}
