/**
 * The network benchmark's kernel-mode DNS figure (root only; test/bench/network.bench.ts prints it
 * beside loopback mode's): cluster DNS answering for 1,000 Services on sockets bound inside a
 * network namespace and handed to this process (engine/cni/netns-listen.ts, as `cluster up` runs
 * it in each node's namespace), queried by a client process inside that namespace; against the same
 * server on a loopback address of the machine's namespace queried by the same client program
 * outside any namespace, in the same run. What it shows: the handed-over sockets and the
 * namespace cost nothing measurable (the ratio stays near 1).
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listenInNetns } from '#engine/cni/netns-listen.ts';
import type { DnsAnswer } from '#engine/proxy/exercises.ts';
import { startDnsServer } from '#engine/proxy/dns-server.ts';
import { kernelFixtureSupport } from '../support/netns-fixture.ts';
import type { Figure } from './harness.ts';

const run = promisify(execFile);
const CLIENT = join(import.meta.dirname, 'dns-client.mjs');
const MS = 3_000;

/** `resolve` answers as cluster DNS does (the benchmark's 1,000 Services). */
export async function kernelDnsQps(resolve: (name: string, type: string) => DnsAnswer): Promise<Figure[]> {
  const support = kernelFixtureSupport();
  if (!support.ok) {
    console.log(`  (kernel-mode DNS figure skipped: ${support.why})`);
    return [];
  }
  const netns = `kl-dnsbench-${process.pid}`;
  const address = '10.199.53.1';
  execFileSync('ip', ['netns', 'add', netns]);
  try {
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', netns, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
    const inNetns = await startDnsServer({ host: address, port: 53, resolve, bound: await listenInNetns(netns, address, 53) });
    let kernel: number;
    try {
      kernel = (JSON.parse((await run('ip', ['netns', 'exec', netns, process.execPath, CLIENT, address, '53', String(MS)], { encoding: 'utf8' })).stdout) as { qps: number }).qps;
    } finally {
      await inNetns.close();
    }
    const loopback = await startDnsServer({ host: '127.96.252.3', resolve });
    let direct: number;
    try {
      direct = (JSON.parse((await run(process.execPath, [CLIENT, '127.96.252.3', String(loopback.port), String(MS)], { encoding: 'utf8' })).stdout) as { qps: number }).qps;
    } finally {
      await loopback.close();
    }
    return [
      {
        name: 'kernel mode: cluster DNS queries per second, sockets bound in a namespace (1,000 Services)',
        value: kernel,
        unit: 'qps',
        baseline: { name: 'same server on the loopback, client outside any namespace', value: direct },
        note: '64 UDP queries in flight, 3 s, a client process of its own in both',
      },
    ];
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
}
