/**
 * Real nodes under `kubelings cluster up` (the daemon as a learner starts it): node-0 runs a pod as
 * a process on this machine; `cluster down` leaves no container process; after a kill -9 of the
 * daemon (the supervisor), `cluster down` still leaves none (engine/kubelet/leftovers.ts, through
 * the runtime's orphan cleanup), and nothing carrying the node's runtime id runs afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeClient } from '#engine/client/client.ts';
import { readAdminToken } from '#engine/cluster/token-file.ts';
import { CONTAINER_ID_ENV } from '#engine/cri/launch.ts';
import { RUNTIME_ID_ENV } from '#engine/cri/orphans.ts';
import { isLive, pidsWithEnv } from '#engine/cri/procfs.ts';
import type { ApiContainerStatus } from '#engine/kubelet/exercises.ts';
import type { Pod } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlWith } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';
import { waitFor } from './cri-harness.ts';

const home = tempDir('kubelings-kubelet-home-');
afterAll(() => {
  kubelings(['cluster', 'down'], { home });
});

function clientFor(): KubeClient {
  const state = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as { url: string };
  return new KubeClient({ server: state.url, ca: readFileSync(join(home, 'pki', 'ca.crt'), 'utf8'), token: readAdminToken(join(home, 'tokens.csv')), userAgent: 'kubelet-cluster-test' });
}

/** The pids of the pod's running container, once the pod runs on node-0 (restartCount as asked). */
async function runningPids(client: KubeClient): Promise<number[]> {
  return waitFor(
    'pod sleeper to run on node-0',
    async () => {
      const pod = await client.get<Pod>('pods', 'sleeper', { namespace: 'default' });
      const status = pod.status?.containerStatuses?.[0] as ApiContainerStatus | undefined;
      if (pod.spec.nodeName !== 'node-0' || !status?.state?.running || !status.containerID) return undefined;
      const pids = pidsWithEnv(CONTAINER_ID_ENV, status.containerID.replace('kubelings://', ''));
      return pids.length > 0 ? pids : undefined;
    },
    90_000,
  );
}

// Two cluster ups (each allowed 120 s), two downs and the waits below, on a loaded machine.
describe('real nodes and cluster down', { timeout: 600_000 }, () => {
  test("cluster down stops the pods' processes; so does cluster down after a kill -9 of the daemon", async () => {
    const up = kubelings(['cluster', 'up', '--port', '0'], { home, timeoutMs: 120_000 });
    expect(up.code, up.out + up.err).toBe(0);
    let client = clientFor();
    await client.create<Pod>('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }] },
    });
    const first = await runningPids(client);
    client.close();
    if (HAS_KUBECTL) {
      // kubectl through the apiserver to the node's kubelet (its stream handlers), as a learner types it:
      // the apiserver presents the kubelet-client token of tokens.csv, the kubelet's certificate is the cluster CA's.
      const kubectl = kubectlWith(join(home, 'kubeconfig'));
      const exec = await kubectl.run(['exec', 'sleeper', '--', 'sh', '-c', 'echo hi from $HOSTNAME; exit 3']);
      expect([exec.code, exec.stdout], 'kubectl exec on a real node').toEqual([3, 'hi from sleeper\n']);
      const logs = await kubectl.run(['logs', 'sleeper']);
      expect(logs.code, `kubectl logs on a real node: ${logs.output}`).toBe(0);
      // kubectl top: the daemon's metrics-server scrapes node-0's kubelet (/stats/summary) every round.
      let top = await kubectl.run(['top', 'pod', 'sleeper', '--no-headers']);
      for (let waited = 0; top.code !== 0 && waited < 90_000; waited += 2_000) {
        await sleep(2_000);
        top = await kubectl.run(['top', 'pod', 'sleeper', '--no-headers']);
      }
      expect(top.stdout, `kubectl top pod on a real node: ${top.output}`).toMatch(/^sleeper\s+\d+m\s+\d+Mi\s*$/);
    } else console.warn('kubectl is not installed: skipping kubectl exec and logs on a real node');
    const down = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(down.code, down.out + down.err).toBe(0);
    expect(
      first.filter((p) => isLive(p)),
      'container processes left by cluster down',
    ).toEqual([]);

    // Again, and this time the daemon is killed: its kubelet cannot stop anything.
    const again = kubelings(['cluster', 'up', '--port', '0'], { home, timeoutMs: 120_000 });
    expect(again.code, again.out + again.err).toBe(0);
    client = clientFor();
    const second = await runningPids(client);
    client.close();
    const daemon = Number(readFileSync(join(home, 'cluster.pid'), 'utf8').trim().split(/\s+/)[0]);
    expect(daemon).toBeGreaterThan(0);
    process.kill(daemon, 'SIGKILL');
    await waitFor('the daemon to be gone', () => !isLive(daemon));
    await sleep(200);
    const after = kubelings(['cluster', 'down'], { home, timeoutMs: 120_000 });
    expect(after.code, after.out + after.err).toBe(0);
    expect(
      second.filter((p) => isLive(p)),
      'container processes left after kill -9 of the daemon and cluster down',
    ).toEqual([]);
    const runtimeId = readFileSync(join(home, 'nodes', 'node-0', 'runtime-id'), 'utf8').trim();
    expect(pidsWithEnv(RUNTIME_ID_ENV, runtimeId), "processes of node-0's runtime").toEqual([]);
  });
});
