/**
 * What the kubelet agent's tests share: an in-process apiserver with a CA whose key the test holds
 * (so the kubelet's serving certificate is signed by the cluster CA, as `cluster up` does it), a
 * kubelet on a real ProcessRuntime in a scratch folder with a pod address block of its own (the
 * runtime tests' cri-harness: everything is stopped and removed after each test, pass or fail), the
 * tokens the kubelet's API knows (the admin's, the apiserver's kubelet-client credential), and
 * intervals scaled down from upstream's so a test does not wait minutes. Deadlines are generous
 * and say what they wait for; no test depends on how fast the machine is.
 */
import { createClusterPki } from '#engine/apiserver/pki.ts';
import { ADMIN, nodeUser } from '#engine/apiserver/auth.ts';
import { StaticTokens, generateToken } from '#engine/apiserver/tokens.ts';
import { KubeClient } from '#engine/client/client.ts';
import { KUBELET_API_CLIENT } from '#engine/kubelet/auth.ts';
import { startKubelet, type Kubelet, type KubeletIntervals } from '#engine/kubelet/kubelet.ts';
import type { Pod } from '#engine/kube/types.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';
import { onCleanup, testRoot, waitFor } from './cri-harness.ts';

/** Upstream's periods scaled down: a second or less instead of 10 s to 5 min. */
export const TEST_INTERVALS: Partial<KubeletIntervals> = {
  leaseDurationSeconds: 4,
  statusUpdateMs: 500,
  statusReportMs: 5_000,
  resyncMs: 2_000,
  syncErrorBackoffMs: 500,
  plegRelistMs: 200,
  backoffInitialMs: 1_000,
  backoffMaxMs: 8_000,
  backoffRecheckMs: 200,
};

export interface KubeletTestCluster {
  server: TestServer;
  kubelet: Kubelet;
  nodeName: string;
  /** The CA certificate (PEM) that signed both the apiserver's and the kubelet's certificates. */
  ca: string;
  /** Bearer tokens: the admin's, the apiserver's kubelet-client credential, and a user the kubelet's API refuses. */
  tokens: { admin: string; kubeletClient: string; stranger: string };
  podCidr: string;
}

let nodes = 0;

export async function startKubeletCluster(options: { intervals?: Partial<KubeletIntervals>; maxPods?: number } = {}): Promise<KubeletTestCluster> {
  const pki = createClusterPki();
  const server = await startTestServer({ tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert } });
  onCleanup(() => server.close());
  const nodeName = `node-${process.pid}-${++nodes}`;
  const nodeToken = server.api.issueToken(nodeUser(nodeName));
  const client = new KubeClient({ server: server.url, ca: server.ca, token: nodeToken, userAgent: `kubelet/${nodeName}` });
  onCleanup(() => client.close());
  // The kubelet-client token is the apiserver's own, so that logs, exec and attach through the apiserver reach the kubelet.
  const tokens = { admin: server.token, kubeletClient: server.api.kubeletClient.token, stranger: generateToken() };
  const known = new StaticTokens([
    { token: tokens.admin, user: ADMIN },
    { token: tokens.kubeletClient, user: KUBELET_API_CLIENT },
    { token: tokens.stranger, user: { username: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts'] } },
  ]);
  const place = testRoot();
  const kubelet = await startKubelet({
    nodeName,
    client,
    root: place.root,
    podCidr: place.podCidr,
    port: 0,
    ca: pki.ca,
    tokens: known,
    intervals: { ...TEST_INTERVALS, ...options.intervals },
    ...(options.maxPods ? { maxPods: options.maxPods } : {}),
  });
  onCleanup(() => kubelet.stop());
  return { server, kubelet, nodeName, ca: pki.ca.cert, tokens, podCidr: place.podCidr };
}

/** Creates a pod bound to the kubelet's node (as the scheduler would have bound it). */
export async function createBoundPod(c: KubeletTestCluster, pod: Omit<Pod, 'apiVersion' | 'kind'> & { spec: Pod['spec'] }): Promise<Pod> {
  return c.server.client.create<Pod>('pods', { apiVersion: 'v1', kind: 'Pod', ...pod, metadata: { namespace: 'default', ...(pod.metadata ?? {}) }, spec: { ...pod.spec, nodeName: c.nodeName } });
}

/** Waits until the pod (read from the apiserver) satisfies `check`; returns it. */
export function waitForPod(c: KubeletTestCluster, name: string, what: string, check: (pod: Pod) => boolean): Promise<Pod> {
  return waitFor(`pod ${name} ${what}`, async () => {
    const pod = await c.server.client.get<Pod>('pods', name, { namespace: 'default' });
    return check(pod) ? pod : undefined;
  });
}

/** The pod's first container status. */
export function firstContainer(pod: Pod) {
  return pod.status?.containerStatuses?.[0];
}
