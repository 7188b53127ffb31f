/**
 * Kernel-mode differential run (root): the learner's plugin (in this process, with the engine's
 * kernel helpers scoped to its node namespace) and the reference bridge + host-local plugin
 * programs from /usr/lib/cni, each inside a "node" network namespace of its own with
 * its own pod namespaces, on the same ADD/CHECK/DEL sequence. Every namespace is named
 * kubelings-d…-<pid>; private addresses are used only inside them; the node namespace holds the
 * bridge, so deleting the namespaces removes every link. kernelLeftovers() lists what is left.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isProcessAlive } from '#engine/processes.ts';
import { REFERENCE_PLUGINS, scratch } from './harness.ts';

const PODS = 3;
const SUBNET = '10.199.0.0/24';

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 30_000 });
}

function exec(node: string, binary: string, env: Record<string, string>, stdin: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile('ip', ['netns', 'exec', node, binary], { env: { ...(process.env as Record<string, string>), ...env }, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(stdin);
  });
}

/** A result with its random parts (MACs, host veth names) and the namespace paths replaced by their roles. */
function normalize(stdout: string, pods: string[]): unknown {
  if (!stdout.trim()) return '(nothing on stdout)';
  let text = stdout;
  pods.forEach((p, i) => (text = text.split(`/var/run/netns/${p}`).join(`<pod ${i + 1} netns>`)));
  text = text.replace(/"([0-9a-f]{2}:){5}[0-9a-f]{2}"/gi, '"<mac>"').replace(/"veth[0-9a-f]{8}"/g, '"<veth>"');
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    // The reference leaves cniVersion out of its errors; compare the code and message only.
    if ('code' in json) return { code: json.code };
    return sortKeys(json);
  } catch {
    return `(not JSON) ${text}`;
  }
}

/** The same value with every object's keys in order, so that field order does not count. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

function podState(pod: string): string[] {
  const addrs = JSON.parse(ip(['-n', pod, '-j', '-4', 'addr', 'show'])) as { ifname: string; operstate: string; addr_info: { local: string; prefixlen: number }[] }[];
  const routes = JSON.parse(ip(['-n', pod, '-j', '-4', 'route', 'show'])) as { dst: string; gateway?: string; dev: string }[];
  return [
    ...addrs.filter((a) => a.ifname !== 'lo').map((a) => `link ${a.ifname} ${a.addr_info.map((i) => `${i.local}/${i.prefixlen}`).join(' ')}`),
    ...routes.map((r) => `route ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`),
  ];
}

function nodeState(node: string): string[] {
  const addrs = JSON.parse(ip(['-n', node, '-j', '-4', 'addr', 'show', 'dev', 'kubelings-db'])) as { addr_info: { local: string; prefixlen: number }[] }[];
  const ports = ip(['-n', node, '-o', 'link', 'show', 'master', 'kubelings-db']).trim().split('\n').filter(Boolean).length;
  return [`bridge ${addrs[0]?.addr_info.map((i) => `${i.local}/${i.prefixlen}`).join(' ') ?? ''}`, `bridge ports ${ports}`];
}

interface Side {
  node: string;
  pods: string[];
  conf: Record<string, unknown>;
}

/** Runs the learner's plugin with the CNI variables and config, its node's side in namespace `node`. */
export type LearnerPlugin = (node: string, env: Record<string, string>, stdin: string) => Promise<{ code: number; stdout: string }>;

/**
 * Deletes the namespaces of differential runs whose process is gone (killed before its finally:
 * a mutation run's timed-out mutant, a watchdog's kill). Another live process's are left alone.
 */
export function sweepDeadKernel(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0]!;
    const pid = /^kubelings-d[np][mr]-(\d+)(-\d+)?$/.exec(name)?.[1];
    if (pid === undefined || isProcessAlive(Number(pid))) continue;
    try {
      ip(['netns', 'del', name]);
    } catch {
      // gone meanwhile
    }
  }
}

export async function kernelDifferential(learner: LearnerPlugin): Promise<{ mine: string[]; reference: string[]; diff: string }> {
  sweepDeadKernel();
  const id = process.pid;
  const sides: Side[] = ['m', 'r'].map((s) => ({
    node: `kubelings-dn${s}-${id}`,
    pods: Array.from({ length: PODS }, (_, i) => `kubelings-dp${s}-${id}-${i + 1}`),
    conf: {
      cniVersion: '1.0.0',
      name: 'kubelings-diff',
      type: s === 'm' ? 'kubelings-bridge' : 'bridge',
      bridge: 'kubelings-db',
      isDefaultGateway: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: SUBNET }]], dataDir: scratch() },
    },
  }));
  const logs: string[][] = [[], []];
  try {
    for (const side of sides) for (const ns of [side.node, ...side.pods]) ip(['netns', 'add', ns]);
    const steps: [string, number][] = [
      ['ADD', 1],
      ['ADD', 2],
      ['CHECK', 1],
      ['DEL', 2],
      ['DEL', 2],
      ['ADD', 3],
      ['CHECK', 3],
      ['DEL', 1],
    ];
    const results: Record<string, unknown>[] = [{}, {}];
    for (const [command, pod] of steps) {
      for (const [s, side] of sides.entries()) {
        const podNs = side.pods[pod - 1]!;
        const conf = command === 'CHECK' ? { ...side.conf, prevResult: results[s]![pod] } : side.conf;
        const env = { CNI_COMMAND: command, CNI_CONTAINERID: `pod-${pod}`, CNI_NETNS: `/var/run/netns/${podNs}`, CNI_IFNAME: 'eth0', CNI_PATH: REFERENCE_PLUGINS };
        const out = s === 0 ? await learner(side.node, env, JSON.stringify(conf)) : await exec(side.node, join(REFERENCE_PLUGINS, 'bridge'), env, JSON.stringify(conf));
        if (command === 'ADD' && out.code === 0) results[s]![pod] = JSON.parse(out.stdout);
        logs[s]!.push(`${command} pod ${pod}: exit ${out.code}, ${JSON.stringify(normalize(out.stdout, side.pods))}`);
        logs[s]!.push(`  then pod ${pod}: ${podState(podNs).join('; ') || 'no address, no route'}; node: ${nodeState(side.node).join('; ')}`);
      }
    }
  } finally {
    for (const side of sides)
      for (const ns of [...side.pods, side.node]) {
        try {
          ip(['netns', 'del', ns]);
        } catch {
          // not made
        }
      }
  }
  const [mine, reference] = logs as [string[], string[]];
  const at = mine.findIndex((line, i) => line !== reference[i]);
  const diff = at < 0 ? 'no difference' : `first difference at line ${at + 1}:\n  yours:     ${mine[at]}\n  reference: ${reference[at]}`;
  return { mine, reference, diff };
}

/** Deletes every namespace this process's differential runs named (for an afterAll: a run cut short leaves none). */
export function sweepKernel(): void {
  const mine = new RegExp(`^kubelings-d[np][mr]-${process.pid}(-\\d+)?$`);
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0]!;
    if (!mine.test(name)) continue;
    try {
      ip(['netns', 'del', name]);
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Network namespaces this process's differential runs named, and host links of this suite's naming,
 * still there. Only this process's namespaces: another process (a grader child, a parallel test
 * worker) may be running its own differential at this moment.
 */
export function kernelLeftovers(): string[] {
  const mine = new RegExp(`^kubelings-d[np][mr]-${process.pid}(-\\d+)?$`);
  const namespaces = ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => mine.test(n));
  const links = (JSON.parse(ip(['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.startsWith('kubelings-d'));
  return [...namespaces, ...links];
}
