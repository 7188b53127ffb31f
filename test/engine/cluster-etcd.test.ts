/**
 * `kubelings cluster up --etcd-servers URL` (kube-apiserver's flag, issue 8 deliverable 10): the
 * control plane keeps its data in a real etcd 3.4 started here (127.0.0.1, free ports, a temporary
 * data dir) instead of the built-in store, and the real kubectl works against it: create, get,
 * list, watch, delete. The apiserver's compactor compacts etcd too (etcd's compact RPC, through
 * upstream's compact_rev_key protocol: k8s.io/apiserver/pkg/storage/etcd3/compact.go), and when
 * etcd restarts, the watch cache lists again and watches carry on.
 *
 * Skipped, and saying so, without an `etcd` binary (Debian: apt-get install etcd-server; .ci/run
 * installs it) or without kubectl. Everything started here is stopped afterwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMPACT_REV_KEY } from '#engine/apiserver/storage/compactor.ts';
import { etcdVersion, startEtcd, type EtcdServer } from '#engine/etcd/etcd-server.ts';
import { prefixEnd } from '#engine/etcd/kv.ts';
import { connectEtcd, type RemoteStore } from '#engine/etcd/remote.ts';
import { HAS_KUBECTL, kubectlWith, rows, type Kubectl } from './apiserver-harness.ts';
import { kubelings, tempDir } from './cli-harness.ts';

const version = etcdVersion();
const skipped = !version ? 'skipped: no etcd binary on the PATH (apt-get install etcd-server)' : !HAS_KUBECTL ? 'skipped: kubectl is not installed' : '';
if (skipped) console.warn(`cluster up --etcd-servers: ${skipped}`);
/** Every wait for a condition gives up after this (it says what it waited for). */
const DEADLINE_MS = 60_000;

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: still not true after ${DEADLINE_MS / 1000} s${last ? ` (last error: ${String(last)})` : ''}`);
}

describe.skipIf(Boolean(skipped))(`cluster up --etcd-servers against etcd ${version ?? ''} ${skipped}`, () => {
  let etcd: EtcdServer;
  let store: RemoteStore;
  let home: string;
  let kubectl: Kubectl;
  const up = (...extra: string[]) => kubelings(['cluster', 'up', '--port', '0', ...extra], { home });

  beforeAll(async () => {
    etcd = await startEtcd({ dataDir: join(tempDir('kubelings-etcd-'), 'member') });
    store = await connectEtcd(etcd.endpoint);
    home = tempDir('kubelings-home-');
  }, DEADLINE_MS);

  afterAll(async () => {
    kubectl?.cleanup();
    if (home && existsSync(join(home, 'cluster.pid'))) kubelings(['cluster', 'down'], { home });
    await store?.close();
    await etcd?.stop();
  }, DEADLINE_MS);

  test('a bad --etcd-servers is refused in one sentence, and an etcd that does not answer stops the start', () => {
    const https = up('--etcd-servers', 'https://127.0.0.1:2379');
    // 2: the CLI's exit code for an error it explains (KubelingsError).
    expect([https.code, https.out + https.err], 'up with an https URL').toEqual([2, expect.stringContaining('the engine talks to etcd over plain http only')]);
    const empty = up('--etcd-servers');
    expect(empty.err, 'up with no URL').toContain("--etcd-servers takes etcd's client URLs, e.g. --etcd-servers http://127.0.0.1:2379");
    const interval = up('--etcd-servers', etcd.endpoint, '--etcd-compaction-interval', 'soon');
    expect(interval.err, 'up with a bad interval').toContain('--etcd-compaction-interval takes a duration such as 5m');
    // Port 9 (discard) on loopback: nothing listens there.
    const nobody = up('--etcd-servers', 'http://127.0.0.1:9');
    expect(nobody.code, nobody.out + nobody.err).toBe(2);
    expect(nobody.out + nobody.err, 'up with an etcd that does not answer').toContain('cannot reach etcd at http://127.0.0.1:9');
    expect(existsSync(join(home, 'cluster.pid')), 'no control plane left running').toBe(false);
  });

  test(
    'the data goes to etcd, and kubectl creates, gets, lists, watches and deletes',
    async () => {
      const started = up('--etcd-servers', etcd.endpoint, '--etcd-compaction-interval', '1s');
      expect(started.code, started.out + started.err).toBe(0);
      expect(started.out, 'the up summary').toContain(`Its data is kept in etcd at ${etcd.endpoint};`);
      const status = kubelings(['cluster', 'status'], { home });
      expect(status.out, 'cluster status').toContain(`Its data is kept in etcd at ${etcd.endpoint}.`);
      kubectl = kubectlWith(join(home, 'kubeconfig'));

      expect((await kubectl.run(['create', 'configmap', 'one', '--from-literal=a=1'])).output).toBe('configmap/one created\n');
      expect((await kubectl.run(['get', 'configmap', 'one', '-o', 'jsonpath={.data.a}'])).stdout).toBe('1');
      const watch = kubectl.start(['get', 'configmaps', '--watch', '--output-watch-events']);
      await watch.waitFor(/ADDED\s+one\s/, DEADLINE_MS);
      expect((await kubectl.run(['create', 'configmap', 'two', '--from-literal=b=2'])).output).toBe('configmap/two created\n');
      await watch.waitFor(/ADDED\s+two\s/, DEADLINE_MS);
      const listed = rows((await kubectl.run(['get', 'configmaps'])).stdout).map((r) => r[0]);
      expect(listed, 'kubectl get configmaps').toEqual(expect.arrayContaining(['NAME', 'one', 'two']));
      expect((await kubectl.run(['delete', 'configmap', 'one'])).output).toBe('configmap "one" deleted\n');
      await watch.waitFor(/DELETED\s+one\s/, DEADLINE_MS);
      watch.child.kill('SIGTERM');

      // In etcd, under /registry/, as kube-apiserver keeps them; nothing in the built-in store's folder.
      const keys = (await store.range('/registry/configmaps/default/', { end: prefixEnd('/registry/configmaps/default/'), keysOnly: true })).kvs.map((kv) => kv.key);
      expect(keys, 'ConfigMap keys in etcd').toEqual(['/registry/configmaps/default/two']);
      expect((await store.range('/registry/namespaces/kube-system')).count, 'the bootstrap namespaces are in etcd').toBe(1);
      expect(existsSync(join(home, 'data', 'wal')), "the built-in store's log").toBe(false);
    },
    4 * DEADLINE_MS,
  );

  test(
    'the apiserver compacts etcd: reads below the compacted revision fail, an Exact list answers 410',
    async () => {
      const before = await store.revision();
      for (let i = 0; i < 5; i++) await kubectl.run(['create', 'configmap', `more-${i}`, '--from-literal=i=1']);
      // At 1 s a tick, one tick notes a revision at or after `before`, the next compacts to it (the
      // key is written just before etcd's compact RPC, so wait for the read to fail too).
      let compacted = 0;
      const readBelow = () =>
        store.range('/registry/', { end: prefixEnd('/registry/'), revision: compacted - 1 }).then(
          () => 'read',
          (e: Error) => e.message,
        );
      await eventually(`etcd is compacted past revision ${before}`, async () => {
        compacted = Number((await store.range(COMPACT_REV_KEY)).kvs[0]?.value ?? 0);
        return compacted >= before && (await readBelow()) !== 'read';
      });
      const below = compacted - 1;
      expect(await readBelow(), `etcd read at revision ${below}`).toBe('mvcc: required revision has been compacted');
      const exact = await kubectl.run(['get', '--raw', `/api/v1/namespaces/default/configmaps?resourceVersion=${below}&resourceVersionMatch=Exact`]);
      expect([exact.code, exact.stderr.trim()], 'an Exact list below the compacted revision').toEqual([1, 'Error from server (Expired): The resourceVersion for the provided list is too old.']);
      expect((await kubectl.run(['get', 'configmap', 'two', '-o', 'jsonpath={.data.b}'])).stdout, 'the live objects are all there').toBe('2');
    },
    2 * DEADLINE_MS,
  );

  test(
    'when etcd restarts, the watch cache lists again and new watches see new changes',
    async () => {
      const { clientPort, peerPort } = { clientPort: Number(new URL(etcd.endpoint).port), peerPort: etcd.peerPort };
      const dataDir = etcd.dataDir;
      await etcd.stop();
      etcd = await startEtcd({ dataDir, clientPort, peerPort });
      await eventually('the cluster log says the watch cache was listed again', () => readFileSync(join(home, 'cluster.log'), 'utf8').includes('the watch cache was listed again'));
      const watch = kubectl.start(['get', 'configmaps', '--watch', '--output-watch-events']);
      await watch.waitFor(/ADDED\s+two\s/, DEADLINE_MS);
      expect((await kubectl.run(['create', 'configmap', 'after-restart', '--from-literal=c=3'])).output).toBe('configmap/after-restart created\n');
      await watch.waitFor(/ADDED\s+after-restart\s/, DEADLINE_MS);
      watch.child.kill('SIGTERM');
      const down = kubelings(['cluster', 'down'], { home });
      expect(down.out, 'cluster down').toMatch(/^Stopped the control plane/);
    },
    4 * DEADLINE_MS,
  );
});
