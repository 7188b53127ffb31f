/**
 * The pod printer (pkg/printers/internalversion printPod): READY, the STATUS kubectl shows
 * (Init:0/1, CrashLoopBackOff, Completed, Terminating ...), RESTARTS with the time of the last
 * one, and with `-o wide` the IP, NODE, NOMINATED NODE and READINESS GATES.
 */
import { AGE, age, humanDuration, NAME, none, type Cell, type Printer } from '../../printers.ts';
import type { Pod } from '../../types.ts';

/** One pod's row, as upstream's printPod computes the STATUS and RESTARTS cells. */
export function podRow(pod: Pod, now: number): Cell[] {
  const status = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  let reason: string = status.phase ?? '';
  if (status.reason) reason = status.reason;
  let restarts = 0;
  let lastRestart: number | undefined;
  let ready = 0;
  const total = (spec.containers ?? []).length;

  let initializing = false;
  (status.initContainerStatuses ?? []).forEach((c, i) => {
    restarts += c.restartCount ?? 0;
    const term = c.state?.terminated;
    if (term && term.exitCode === 0) return;
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      initializing = true;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
      initializing = true;
    } else if (!c.state?.running || !c.ready) {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
      initializing = true;
    }
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...(status.containerStatuses ?? [])].reverse()) {
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished) lastRestart = Math.max(lastRestart ?? 0, Date.parse(finished));
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (state.running && c.ready) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCondition = (status.conditions ?? []).find((c) => c.type === 'Ready');
      reason = readyCondition?.status === 'True' ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartCell = lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  const ip = status.podIPs?.[0]?.ip ?? status.podIP;
  const gates = (spec.readinessGates as { conditionType: string }[] | undefined) ?? [];
  const gatesCell = gates.length ? `${gates.filter((g) => (status.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
  return [pod.metadata.name ?? '', `${ready}/${total}`, reason, restartCell, age(pod, now), none(ip), none(spec.nodeName), none(status.nominatedNodeName), gatesCell];
}

export const POD_PRINTER: Printer<Pod> = {
  columns: [
    NAME,
    ['Ready', 'string'],
    ['Status', 'string'],
    ['Restarts', 'string'],
    AGE,
    ['IP', 'string', 1],
    ['Node', 'string', 1],
    ['Nominated Node', 'string', 1],
    ['Readiness Gates', 'string', 1],
  ],
  row: podRow,
};
