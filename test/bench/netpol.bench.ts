/**
 * NetworkPolicy in kernel mode: how long after a NetworkPolicy is created (the create request
 * sent to the apiserver) its traffic is blocked, and how long after it is deleted the traffic
 * flows again, as seen from a pod. The pieces are those `cluster up --network kernel` runs
 * (engine/cni/netpol-kernel.ts's enforcer: informers, NETPOL_SYNC_DELAY_MS batching, the cni
 * component's compilePolicies, one `nft -f`), against an apiserver in this process and the small
 * namespace network of test/support/netns-fixture.ts (two pods on a bridge, br_netfilter on).
 *
 * The prober runs inside the client pod's namespace and opens a new TCP connection every
 * PROBE_EVERY_MS, counting one not connected within PROBE_TIMEOUT_MS as blocked (a drop never
 * answers; an allowed connect on one bridge takes well under a millisecond); it prints the wall
 * clock of each change; a state counts from the start of its last run once it has held SETTLE_MS
 * (so a probe slowed by load is not taken for the policy). Each figure is exact to about
 * PROBE_EVERY_MS + PROBE_TIMEOUT_MS. Root,
 * ip and nft needed; otherwise nothing is measured and the note says why.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startCluster } from '#engine/cluster/cluster.ts';
import { startNetpolEnforcer } from '#engine/cni/netpol-kernel.ts';
import type { KubeObject, Pod } from '#engine/kube/types.ts';
import { createNetnsFixture, kernelFixtureSupport } from '../support/netns-fixture.ts';
import { median, percentile, type Benchmark, type Figure } from './harness.ts';

const RUNS = 20;
const PROBE_EVERY_MS = 10;
const PROBE_TIMEOUT_MS = 50;
const SETTLE_MS = 500;

// Inside the pod's namespace: connect to argv host:port every PROBE_EVERY_MS; print "<ms> open|blocked" at each change.
const PROBER = `
const net = require('node:net');
const [host, port, every, timeout] = process.argv.slice(1);
let last;
function attempt() {
  const at = Date.now();
  const s = net.connect({ host, port: Number(port) });
  let done = false;
  const end = (state) => { if (done) return; done = true; s.destroy(); if (state !== last) { last = state; process.stdout.write(at + ' ' + state + '\\n'); } setTimeout(attempt, Number(every)); };
  s.setTimeout(Number(timeout), () => end('blocked'));
  s.once('connect', () => end('open'));
  s.once('error', () => end('blocked'));
}
attempt();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

export default {
  name: 'netpol',
  description: `kernel mode: time from creating a deny-all NetworkPolicy to the traffic it denies being dropped, and from deleting it to the traffic flowing again (${RUNS} runs)`,
  async run(): Promise<Figure[]> {
    const support = kernelFixtureSupport();
    if (!support.ok) return [{ name: 'deny-all in force after create, p50', value: Number.NaN, unit: 'ms', note: `not measured: ${support.why}` }];
    const fx = await createNetnsFixture('npb', 2, [8080]);
    const cluster = await startCluster();
    const prober = spawn('ip', ['netns', 'exec', fx.pods[0]!.netns, process.execPath, '-e', PROBER, fx.pods[1]!.ip, '8080', String(PROBE_EVERY_MS), String(PROBE_TIMEOUT_MS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const changes: { at: number; state: string }[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: prober.stdout! }).on('line', (line) => {
      const [at, state] = line.split(' ');
      changes.push({ at: Number(at), state: state! });
      waiters.splice(0).forEach((w) => w());
    });
    /** The wall clock of the first change to `state` at or after `since`. */
    const changeTo = async (state: string, since: number): Promise<number> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const seen = changes.find((c) => c.state === state && c.at >= since);
        if (seen) return seen.at;
        if (Date.now() > deadline) throw new Error(`the prober did not see the traffic ${state} within 60 s`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 1_000);
        });
      }
    };
    /**
     * When the traffic became `state` for good after `since`: the start of the last run of that
     * state, once it has held SETTLE_MS (a probe slowed past its timeout by a loaded machine reads
     * as blocked for a moment; the run after it is the policy's).
     */
    const settled = async (state: string, since: number): Promise<number> => {
      await changeTo(state, since);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const after = changes.filter((c) => c.at >= since);
      const last = after[after.length - 1]!;
      if (last.state !== state) return settled(state, last.at);
      return last.at;
    };
    const client = cluster.client;
    const enforcer = await (async () => {
      for (const [i, p] of fx.pods.entries()) {
        const made = await client.create<Pod>(
          'pods',
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: p.name, namespace: 'default', labels: { n: String(i) } },
            spec: { nodeName: 'node-1', containers: [{ name: 'echo', image: 'kubelings/echo' }] },
          },
          { namespace: 'default' },
        );
        await client.updateStatus<Pod>('pods', { ...made, status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] } }, { namespace: 'default' });
      }
      return startNetpolEnforcer(client, { netns: fx.node, nodeName: 'node-1' });
    })();
    const blocked: number[] = [];
    const opened: number[] = [];
    try {
      await enforcer.ready;
      await changeTo('open', 0);
      const denyAll = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace: 'default' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      } as KubeObject;
      for (let i = 0; i < RUNS; i++) {
        const created = Date.now();
        await client.create('networkpolicies', denyAll, { namespace: 'default' });
        blocked.push((await settled('blocked', created)) - created);
        const deleted = Date.now();
        await client.delete('networkpolicies', 'deny-all', { namespace: 'default' });
        opened.push((await settled('open', deleted)) - deleted);
      }
    } finally {
      prober.stdin!.end();
      prober.kill();
      await enforcer.stop();
      await cluster.stop();
      await fx.destroy();
    }
    const note = `${RUNS} runs; the enforcer batches changes for 100 ms (NETPOL_SYNC_DELAY_MS); probe resolution ~${PROBE_EVERY_MS + PROBE_TIMEOUT_MS} ms`;
    return [
      { name: 'deny-all in force after create, p50', value: median(blocked), unit: 'ms', note },
      { name: 'deny-all in force after create, p99', value: percentile(blocked, 99), unit: 'ms', target: { max: 1_000 }, note },
      { name: 'traffic open again after delete, p50', value: median(opened), unit: 'ms', note },
      { name: 'traffic open again after delete, p99', value: percentile(opened, 99), unit: 'ms', target: { max: 1_000 }, note },
    ];
  },
} satisfies Benchmark;
