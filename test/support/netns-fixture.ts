/**
 * A small kernel-mode network for tests and benchmarks (root only), made of network namespaces
 * named `kl-<tag>-<pid>-…`: a "node" namespace with a bridge (gateway 10.199.0.1/24, br_netfilter
 * on, forwarding on), N "pod" namespaces each wired to the bridge by a veth (10.199.0.10, .11, …,
 * default route via the bridge) and running a TCP echo server that answers its pod's name and
 * closes (bridge ports in hairpin mode, as the bridge plugin's hairpinMode sets them; an
 * uplink as the node's default route), and a "client" namespace routed to the node over a veth of its own (client 10.199.1.2,
 * node 10.199.1.1: the node's address for NodePorts), so its traffic to a ClusterIP is routed
 * through the node as traffic from outside the pod network is.
 *
 * These addresses exist only inside the namespaces made here. destroy() stops the servers and
 * deletes every namespace (their links, bridge and nftables tables go with them); leftovers() lists
 * what is still there, for the test to assert it is nothing.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FixturePod {
  name: string;
  netns: string;
  ip: string;
}

export interface NetnsFixture {
  node: string;
  pods: FixturePod[];
  client: { netns: string; ip: string };
  /** The node's address as the client reaches it (NodePorts answer here). */
  nodeIP: string;
  /** The pods' subnet (the cluster CIDR of this little cluster). */
  podCIDR: string;
  /** The ports each pod's echo server listens on. */
  ports: number[];
  /**
   * `n` TCP connections one after another from `netns` to host:port; each gives the line the server
   * answered, or the error code (ECONNREFUSED, ETIMEDOUT after timeoutMs, …), and `ms`, how long it
   * took from the connect to the answer or error, measured inside the probe (without the time to
   * start the probe, seconds on a loaded machine).
   */
  probe(netns: string, host: string, port: number, n: number, timeoutMs?: number): Promise<(({ reply: string } | { error: string }) & { ms: number })[]>;
  /** The namespaces of this fixture still present and links named after it on the host. */
  leftovers(): string[];
  destroy(): Promise<void>;
}

const ip = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Namespace names on this machine. */
export function netnsList(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

/** True when this process may build the fixture (root, Linux, ip and nft installed), else why not. */
export function kernelFixtureSupport(): { ok: true } | { ok: false; why: string } {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { ok: false, why: 'needs root on Linux' };
  for (const [cmd, arg] of [
    ['ip', '-V'],
    ['nft', '--version'],
  ]) {
    try {
      execFileSync(cmd!, [arg!], { stdio: 'ignore' });
    } catch {
      return { ok: false, why: `needs ${cmd} (apt-get install ${cmd === 'ip' ? 'iproute2' : 'nftables'})` };
    }
  }
  return { ok: true };
}

const ECHO_SERVER = `
const net = require('net');
const [name, ...ports] = process.argv.slice(1);
let left = ports.length;
for (const port of ports) net.createServer((s) => { s.on('error', () => {}); s.end(name + '\\n'); }).listen(Number(port), () => { if (--left === 0) console.log('listening'); });
`;

const PROBE = `
const net = require('net');
const [host, port, n, timeoutMs] = process.argv.slice(1);
(async () => {
  const out = [];
  for (let i = 0; i < Number(n); i++) {
    out.push(await new Promise((resolve) => {
      let data = '';
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      const s = net.connect({ host, port: Number(port) });
      const timer = setTimeout(() => { s.destroy(); resolve({ error: 'ETIMEDOUT', ms: ms() }); }, Number(timeoutMs));
      s.on('data', (d) => (data += d));
      s.on('end', () => { clearTimeout(timer); resolve({ reply: data.trim(), ms: ms() }); });
      s.on('error', (e) => { clearTimeout(timer); resolve({ error: e.code || e.message, ms: ms() }); });
    }));
  }
  console.log(JSON.stringify(out));
})();
`;

export async function createNetnsFixture(tag: string, podCount: number, ports: number[] = [8080]): Promise<NetnsFixture> {
  const prefix = `kl-${tag}-${process.pid}`;
  const node = `${prefix}-node`;
  const client = `${prefix}-client`;
  const pods: FixturePod[] = Array.from({ length: podCount }, (_, i) => ({ name: `pod-${i}`, netns: `${prefix}-pod-${i}`, ip: `10.199.0.${10 + i}` }));
  const linkTag = String(process.pid % 100_000);
  const bridge = `klb${linkTag}`;
  const servers: ChildProcess[] = [];
  const made: string[] = [];

  const fixture: NetnsFixture = {
    node,
    pods,
    client: { netns: client, ip: '10.199.1.2' },
    nodeIP: '10.199.1.1',
    podCIDR: '10.199.0.0/24',
    ports,
    // Generous by default: a probe that expects answers must not read a slow pod (another
    // process, on a loaded machine) as a timeout; one that expects a drop passes a short timeout.
    async probe(netns, host, port, n, timeoutMs = 20_000) {
      const { stdout } = await run('ip', ['netns', 'exec', netns, process.execPath, '-e', PROBE, host, String(port), String(n), String(timeoutMs)], {
        encoding: 'utf8',
        timeout: 60_000 + n * timeoutMs,
      });
      return JSON.parse(stdout) as (({ reply: string } | { error: string }) & { ms: number })[];
    },
    leftovers() {
      const hostLinks = ip(['-o', 'link', 'show'])
        .split('\n')
        .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
        .filter((n) => n === bridge || n.startsWith(`klv${linkTag}`));
      return [...netnsList().filter((n) => n.startsWith(`${prefix}-`)), ...hostLinks.map((l) => `host link ${l}`)];
    },
    async destroy() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.exitCode !== null || s.signalCode !== null) return resolve();
              s.once('exit', () => resolve());
              s.kill('SIGKILL');
            }),
        ),
      );
      for (const ns of made.reverse()) if (netnsList().includes(ns)) ip(['netns', 'del', ns]);
    },
  };

  try {
    for (const ns of [node, client, ...pods.map((p) => p.netns)]) {
      ip(['netns', 'add', ns]);
      made.push(ns);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    execFileSync('ip', ['netns', 'exec', node, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    ip(['-n', node, 'link', 'add', bridge, 'type', 'bridge']);
    ip(['-n', node, 'addr', 'add', '10.199.0.1/24', 'dev', bridge]);
    ip(['-n', node, 'link', 'set', bridge, 'up']);
    // The node's uplink: a default route, as a real node has, so that traffic to an address the node
    // does not know (a ClusterIP without endpoints) is forwarded, and kube-proxy's filter-forward
    // chain rejects it, instead of failing the route lookup with "network unreachable".
    // (A veth pair whose far end leads nowhere: this kernel has no dummy links.)
    ip(['-n', node, 'link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'uplink1']);
    ip(['-n', node, 'link', 'set', 'uplink1', 'up']);
    ip(['-n', node, 'link', 'set', 'uplink0', 'up']);
    ip(['-n', node, 'route', 'add', 'default', 'dev', 'uplink0']);
    pods.forEach((p, i) => {
      const host = `klv${linkTag}p${i}`;
      ip(['-n', node, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.netns]);
      ip(['-n', node, 'link', 'set', host, 'master', bridge]);
      // Hairpin, as the bridge plugin's hairpinMode sets it: a pod's connection to its own Service
      // may be DNATed back to the pod, and the bridge must send the frame out of the port it came in.
      ip(['-n', node, 'link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on']);
      ip(['-n', node, 'link', 'set', host, 'up']);
      ip(['-n', p.netns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0']);
      ip(['-n', p.netns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', p.netns, 'route', 'add', 'default', 'via', '10.199.0.1']);
    });
    const clientLink = `klv${linkTag}c`;
    ip(['-n', node, 'link', 'add', clientLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client]);
    ip(['-n', node, 'addr', 'add', '10.199.1.1/24', 'dev', clientLink]);
    ip(['-n', node, 'link', 'set', clientLink, 'up']);
    ip(['-n', client, 'addr', 'add', '10.199.1.2/24', 'dev', 'eth0']);
    ip(['-n', client, 'link', 'set', 'eth0', 'up']);
    ip(['-n', client, 'route', 'add', 'default', 'via', '10.199.1.1']);
    for (const p of pods) {
      const server = spawn('ip', ['netns', 'exec', p.netns, process.execPath, '-e', ECHO_SERVER, p.name, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.stdout!.on('data', (b: Buffer) => b.toString().includes('listening') && resolve());
        server.once('exit', (code) => reject(new Error(`the echo server in ${p.netns} exited with ${code}`)));
      });
    }
  } catch (error) {
    await fixture.destroy();
    throw error;
  }
  return fixture;
}
