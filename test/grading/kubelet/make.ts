/**
 * Builders for the kubelet suites: pods as the apiserver hands them to the kubelet, what the
 * runtime reports for them (kubecontainer.PodStatus, newest first), probe results keyed by
 * runtime id, and a fixed "now". After the fixtures of upstream's pkg/kubelet/kubelet_pods_test.go
 * and kuberuntime_manager_test.go (makeBasePodAndStatus: a sandbox and three running containers).
 */
import { formatTime } from '#engine/controllers/pods.ts';
import type { ApiContainerStatus, KubeletContainer, ProbeResult, ProbeResults, RuntimeContainerStatus, RuntimePodStatus, RuntimeSandboxStatus } from '#engine/kubelet/exercises.ts';
import type { Pod, PodSpec } from '#engine/kube/types.ts';

/** The tests' "now": 2024-01-01T00:10:00Z. */
export const NOW = Date.parse('2024-01-01T00:10:00Z');
export const ago = (seconds: number) => formatTime(NOW - seconds * 1000);
export const msAgo = (seconds: number) => NOW - seconds * 1000;

export function container(name: string, extra: Partial<KubeletContainer> = {}): KubeletContainer {
  return { name, image: `busybox`, ...extra };
}

export function sidecar(name: string, extra: Partial<KubeletContainer> = {}): KubeletContainer {
  return { name, image: 'busybox', restartPolicy: 'Always', ...extra };
}

export interface PodOptions {
  containers?: KubeletContainer[];
  initContainers?: KubeletContainer[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  spec?: Partial<PodSpec>;
  status?: Pod['status'];
  deleting?: boolean;
  uid?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const spec: PodSpec = { containers: o.containers ?? [container('app')], nodeName: 'node-1', ...o.spec };
  if (o.initContainers) spec.initContainers = o.initContainers;
  if (o.restartPolicy) spec.restartPolicy = o.restartPolicy;
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, creationTimestamp: ago(600) }, spec };
  if (o.deleting) {
    p.metadata.deletionTimestamp = ago(0);
    p.metadata.deletionGracePeriodSeconds = 30;
  }
  if (o.status) p.status = o.status;
  return p;
}

let created = 0;
/** A runtime container; `at` is how many seconds ago it was created (later ones are newer). */
export function rc(name: string, state: RuntimeContainerStatus['state'], o: Partial<RuntimeContainerStatus> & { at?: number } = {}): RuntimeContainerStatus {
  const at = o.at ?? 100;
  const createdAt = msAgo(at);
  const id = o.id ?? `${name}-${++created}`;
  const s: RuntimeContainerStatus = {
    id,
    name,
    state,
    createdAt,
    exitCode: 0,
    reason: '',
    message: '',
    restartCount: 0,
    image: 'busybox',
    imageId: 'sha256:busybox',
  };
  if (state !== 'created') s.startedAt = createdAt + 1000;
  if (state === 'exited') {
    s.finishedAt = createdAt + 5000;
    s.reason = 'Completed';
  }
  const { at: _at, ...rest } = o;
  Object.assign(s, rest);
  if (state === 'exited' && o.exitCode && !o.reason) s.reason = 'Error';
  return s;
}

export function sandbox(o: Partial<RuntimeSandboxStatus> = {}): RuntimeSandboxStatus {
  return { id: 'sandbox-1', state: 'ready', attempt: 0, createdAt: msAgo(200), ip: '127.1.0.5', ...o };
}

/** What the runtime reports: the sandboxes and containers given, each list sorted newest first. */
export function runtime(p: Pod, containers: RuntimeContainerStatus[], sandboxes: RuntimeSandboxStatus[] = [sandbox()]): RuntimePodStatus {
  return {
    uid: p.metadata.uid!,
    name: p.metadata.name!,
    namespace: p.metadata.namespace!,
    sandboxes: [...sandboxes].sort((a, b) => b.createdAt - a.createdAt),
    containers: [...containers].sort((a, b) => b.createdAt - a.createdAt),
  };
}

/** Probe results by runtime id, with a record of what was set and removed. */
export function results(initial: Record<string, ProbeResult> = {}): ProbeResults & { log: string[]; map: Map<string, ProbeResult> } {
  const map = new Map(Object.entries(initial));
  const log: string[] = [];
  return {
    map,
    log,
    get: (id) => map.get(id),
    set(id, r) {
      map.set(id, r);
      log.push(`${id}=${r}`);
    },
    remove(id) {
      map.delete(id);
      log.push(`${id} removed`);
    },
  };
}

/** The state of an API container status in one word, as kubectl shows it: running, waiting:Reason, terminated:Reason(code). */
export function stateOf(s: ApiContainerStatus | undefined): string {
  if (!s) return 'missing';
  const st = s.state ?? {};
  if (st.running) return 'running';
  if (st.terminated) return `terminated:${st.terminated.reason ?? ''}(${st.terminated.exitCode})`;
  if (st.waiting) return `waiting:${st.waiting.reason ?? ''}`;
  return 'none';
}

const SUFFIX: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** The amount of a quantity the tests write or get back (cpu in millicores, the rest in units), without the learner's parser. */
export function amountOf(name: string, q: string | number | undefined): number | string {
  if (q === undefined) return 'missing';
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q).trim());
  if (!m) return `unreadable ${JSON.stringify(q)}`;
  const units = Number(m[1]) * SUFFIX[m[2] ?? '']!;
  return Math.round(name === 'cpu' ? units * 1000 : units);
}
