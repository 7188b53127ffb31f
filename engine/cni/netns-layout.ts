/**
 * Kernel mode's network layout: the namespaces, links and routes a cluster's real nodes live in.
 * Everything is inside network namespaces the cluster makes; nothing is added to the machine's own
 * namespace but the namespace files themselves (/run/netns/kln-*).
 *
 *   kln-<tag>-ul            the "underlay": the machine's LAN stand-in, bridge br0 (10.250.0.0/24)
 *                           holding 10.250.0.1, the LAN's router (a host outside the cluster:
 *                           NodePorts and the cloud's load balancers reach the nodes from here)
 *   kln-<tag>-n<i>          node i: eth0 = 10.250.0.(10+i)/24 on a veth into br0 (underlay end n<i>),
 *                           with a MAC that stays the node's when it is set up again (kernelNodeMac),
 *                           bridge cni0 (made by the CNI plugin, gateway 10.244.i.1/24), forwarding
 *                           on, one route per other node j: 10.244.j.0/24 via 10.250.0.(10+j)
 *                           (routed, as flannel's host-gw or Calico without encapsulation do), and
 *                           a default route via 10.250.0.1, as a real node has one: traffic to an
 *                           address the node does not know (a ClusterIP whose Service has no
 *                           endpoints) is routed, so kube-proxy's filter-forward chain can reject it
 *   kln-<tag>-n<i>-<id12>   one pod sandbox of node i: made by the runtime at RunPodSandbox, wired
 *                           by the CNI plugin run inside node i's namespace (so cni0 is the node's)
 *
 * `tag` is 6 hex digits naming one cluster (a hash of its state folder for `cluster up`, random for
 * an in-process one), so two clusters on one machine never share a name, and cleanup removes
 * exactly one cluster's namespaces (or every kln-* one, in tests). Interface names live inside
 * those namespaces only, so they cannot clash with the machine's.
 *
 * The kubelet reaches pod addresses through the node's relay (./netns-relay.ts): a process inside
 * the node's namespace listening on a Unix socket; `dialThroughRelay` is the client.
 *
 * For others (the kernel kube-proxy): nodeNetnsName(tag, i), inNetns(name, argv) and
 * dialThroughRelay(socket, host, port) are the pieces to reuse.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIPv4, nodeBlock, parseCidr } from './ipv4.ts';
import { ip } from './net-ops.ts';
import {
  KERNEL_NODE_NETWORK_CIDR,
  KERNEL_POD_NETWORK_CIDR,
  KERNEL_RELAY_CONNECT_TIMEOUT_MS,
  KERNEL_RELAY_RESTART_DELAY_MS,
  KERNEL_RELAY_START_TIMEOUT_MS,
  KERNEL_RELAY_STOP_TIMEOUT_MS,
  KERNEL_SERVICE_CLUSTER_IP_RANGE,
  POD_NODE_CIDR_MASK,
} from '../params.ts';

/** Every namespace of kernel mode starts with this. */
export const NETNS_PREFIX = 'kln-';
/** The node's pod bridge (made by the CNI plugin, named in the network config). */
export const NODE_BRIDGE = 'cni0';
const UNDERLAY_BRIDGE = 'br0';

export type NetworkMode = 'loopback' | 'kernel';

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** What `--network auto` runs here, and why (one sentence). */
export function autoNetworkMode(): { mode: NetworkMode; reason: string } {
  if (process.platform !== 'linux') return { mode: 'loopback', reason: `chosen by auto: ${process.platform} has no network namespaces` };
  if (process.getuid?.() !== 0) return { mode: 'loopback', reason: 'chosen by auto: not running as root (network namespaces need root)' };
  const missing = ['ip', 'nft', 'nsenter'].filter((c) => !onPath(c));
  if (missing.length > 0) return { mode: 'loopback', reason: `chosen by auto: ${missing.join(', ')} not found on PATH (apt-get install iproute2 nftables util-linux)` };
  return { mode: 'kernel', reason: 'chosen by auto: Linux, root, and ip, nft and nsenter are present' };
}

/** The mode a `--network` value asks for (`auto` or absent: kernel mode where it can run, else loopback); throws a sentence on a bad value or an impossible kernel. */
export function resolveNetworkMode(flag: unknown): { mode: NetworkMode; reason: string } {
  if (flag === undefined || flag === 'auto' || flag === true) {
    return autoNetworkMode();
  }
  if (flag === 'loopback') return { mode: 'loopback', reason: 'asked for with --network loopback' };
  if (flag === 'kernel') {
    const auto = autoNetworkMode();
    if (auto.mode !== 'kernel') throw new Error(`--network kernel cannot run here: ${auto.reason.replace('chosen by auto: ', '')}.`);
    return { mode: 'kernel', reason: 'asked for with --network kernel' };
  }
  throw new Error(`--network takes loopback, kernel or auto, not "${String(flag)}".`);
}

/** A cluster's tag: 6 hex digits of the hash of `stateFolder`, or random when there is none. */
export function clusterTag(stateFolder?: string): string {
  return stateFolder === undefined ? randomBytes(3).toString('hex') : createHash('sha256').update(stateFolder).digest('hex').slice(0, 6);
}

export function underlayNetnsName(tag: string): string {
  return `${NETNS_PREFIX}${tag}-ul`;
}

export function nodeNetnsName(tag: string, index: number): string {
  return `${NETNS_PREFIX}${tag}-n${index}`;
}

/** `argv` run inside namespace `netns` (ip netns exec execs it: the pid is the command's). */
export function inNetns(netns: string, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv];
}

/** Node `index`'s pod addresses in kernel mode. */
export function kernelPodCidr(index: number): string {
  return nodeBlock(KERNEL_POD_NETWORK_CIDR, POD_NODE_CIDR_MASK, index);
}

/** The underlay's own address (on br0): the LAN's router, the nodes' default gateway. */
export function kernelUnderlayIp(): string {
  return formatIPv4(parseCidr(KERNEL_NODE_NETWORK_CIDR, true).network + 1);
}

/** Node `index`'s address on the underlay. */
export function kernelNodeIp(index: number): string {
  return formatIPv4(parseCidr(KERNEL_NODE_NETWORK_CIDR, true).network + 10 + index);
}

/**
 * Node `index`'s MAC on eth0 (locally administered: 02, then the cluster's tag, then the index):
 * the same each time the node is set up, as a real node's NIC keeps its MAC when its kubelet
 * restarts. A new random one would leave the other nodes sending to the old MAC until their
 * neighbour entries expire (about 20 s seen), and node-to-node traffic (pods, cluster DNS) lost.
 */
export function kernelNodeMac(tag: string, index: number): string {
  const bytes = [0x02, ...Buffer.from(tag.padStart(6, '0').slice(-6), 'hex'), (index >> 8) & 0xff, index & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface NodeLayout {
  tag: string;
  index: number;
  /** How many nodes the cluster has (routes go to each other one). */
  count: number;
  netns: string;
  /** The prefix of this node's pod namespaces (`<netns>-`). */
  podNetnsPrefix: string;
  podCidr: string;
  nodeIp: string;
}

export function nodeLayout(tag: string, index: number, count: number): NodeLayout {
  if (!/^[0-9a-f]{6}$/.test(tag)) throw new Error(`"${tag}" is not a cluster tag (6 hex digits)`);
  const netns = nodeNetnsName(tag, index);
  return { tag, index, count, netns, podNetnsPrefix: `${netns}-`, podCidr: kernelPodCidr(index), nodeIp: kernelNodeIp(index) };
}

/** The kernel-mode namespaces on this machine whose names start with `prefix` (default: all of them). */
export async function listProjectNetns(prefix = NETNS_PREFIX): Promise<string[]> {
  if (!prefix.startsWith(NETNS_PREFIX)) throw new Error(`"${prefix}" does not start with ${NETNS_PREFIX}: only kernel mode's own namespaces are listed`);
  const out = (await ip(['-j', 'netns', 'list'])).trim();
  const rows = out ? (JSON.parse(out) as { name: string }[]) : [];
  return rows.map((r) => r.name).filter((n) => n.startsWith(prefix));
}

async function netnsExists(name: string): Promise<boolean> {
  return (await listProjectNetns(name)).includes(name);
}

/** Removes namespaces (their links go with them); those already gone are skipped. */
export async function removeNetns(names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (!name.startsWith(NETNS_PREFIX)) throw new Error(`refusing to remove namespace "${name}": not one of kernel mode's (${NETNS_PREFIX}*)`);
    await ip(['netns', 'del', name]).catch(async (error: Error) => {
      if (await netnsExists(name)) throw error;
    });
  }
}

/** Removes every namespace of cluster `tag` (its pods', its nodes', its underlay); their names. */
export async function removeClusterNetworks(tag: string): Promise<string[]> {
  const names = await listProjectNetns(`${NETNS_PREFIX}${tag}-`);
  // Pods first, then nodes, then the underlay: each removal then frees links the next one holds.
  names.sort((a, b) => b.length - a.length);
  await removeNetns(names);
  return names;
}

async function addNetns(name: string): Promise<void> {
  await ip(['netns', 'add', name]).catch(async (error: Error) => {
    if (!(await netnsExists(name))) throw error;
  });
}

/** Node `layout`'s namespace, wired to the underlay (made when missing); whatever a previous node of that name left is removed first. */
export async function setUpNode(layout: NodeLayout): Promise<void> {
  const stale = (await listProjectNetns(layout.netns)).filter((n) => n === layout.netns || n.startsWith(layout.podNetnsPrefix));
  await removeNetns(stale.sort((a, b) => b.length - a.length));

  const underlay = underlayNetnsName(layout.tag);
  await addNetns(underlay);
  await ip(['-n', underlay, 'link', 'set', 'lo', 'up']);
  await ip(['-n', underlay, 'link', 'add', UNDERLAY_BRIDGE, 'type', 'bridge']).catch(() => undefined); // another node made it
  const prefix = parseCidr(KERNEL_NODE_NETWORK_CIDR, true).prefix;
  await ip(['-n', underlay, 'addr', 'replace', `${kernelUnderlayIp()}/${prefix}`, 'dev', UNDERLAY_BRIDGE]);
  await ip(['-n', underlay, 'link', 'set', UNDERLAY_BRIDGE, 'up']);

  const node = layout.netns;
  const port = `n${layout.index}`;
  await ip(['netns', 'add', node]);
  try {
    await ip(['-n', node, 'link', 'set', 'lo', 'up']);
    await runIn(node, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await ip(['-n', underlay, 'link', 'del', port]).catch(() => undefined); // left by a node whose namespace was kept alive
    await ip(['-n', underlay, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'address', kernelNodeMac(layout.tag, layout.index), 'netns', node]);
    await ip(['-n', underlay, 'link', 'set', port, 'master', UNDERLAY_BRIDGE]);
    await ip(['-n', underlay, 'link', 'set', port, 'up']);
    await ip(['-n', node, 'addr', 'add', `${layout.nodeIp}/${prefix}`, 'dev', 'eth0']);
    await ip(['-n', node, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', node, 'route', 'add', 'default', 'via', kernelUnderlayIp(), 'dev', 'eth0']);
    for (let j = 0; j < layout.count; j++) {
      if (j !== layout.index) await ip(['-n', node, 'route', 'add', kernelPodCidr(j), 'via', kernelNodeIp(j), 'dev', 'eth0']);
    }
  } catch (error) {
    await removeNetns([node]).catch(() => undefined);
    throw error;
  }
}

/** Removes node `layout`'s pods' namespaces and its own; the underlay too when no node of the cluster is left. */
export async function tearDownNode(layout: NodeLayout): Promise<void> {
  const ours = (await listProjectNetns(layout.netns)).filter((n) => n === layout.netns || n.startsWith(layout.podNetnsPrefix));
  await removeNetns(ours.sort((a, b) => b.length - a.length));
  const nodesLeft = (await listProjectNetns(`${NETNS_PREFIX}${layout.tag}-n`)).length;
  if (nodesLeft === 0) await removeNetns([underlayNetnsName(layout.tag)]);
}

function runIn(netns: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ip netns exec ${netns} ${argv.join(' ')} failed: ${err.trim() || `exit ${code}`}`))));
  });
}

// ── The relay ────────────────────────────────────────────────────────────────────────────────────

/**
 * Connects to `host:port` through the relay listening on `socketPath`; resolves once the relay
 * has connected (the socket then carries the connection's bytes), rejects with the relay's error
 * (its `code`, such as ECONNREFUSED, kept) otherwise.
 */
export function dialThroughRelay(socketPath: string, host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`dial tcp ${host}:${port}: i/o timeout (the node's relay did not answer)`), { code: 'ETIMEDOUT' }));
    }, KERNEL_RELAY_CONNECT_TIMEOUT_MS + 1000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    // 'readable' rather than 'data': once its listener is gone the socket is neither flowing nor
    // paused, so the caller's first 'data' listener starts the flow (and sees the unshifted rest).
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        buffered = Buffer.concat([buffered, chunk]);
        const newline = buffered.indexOf(10);
        if (newline < 0) {
          if (buffered.length > 1024) return fail(new Error('the relay answered something that is not a reply line'));
          continue;
        }
        socket.off('readable', onReadable);
        socket.off('end', onEnd);
        const line = buffered.subarray(0, newline).toString('utf8');
        const rest = buffered.subarray(newline + 1);
        if (line === 'OK') {
          clearTimeout(timer);
          socket.off('error', fail);
          if (rest.length > 0) socket.unshift(rest);
          return resolve(socket);
        }
        const m = /^ERR (\S+) (.*)$/.exec(line);
        return fail(Object.assign(new Error(m ? m[2]! : line), { code: m ? m[1]! : 'EIO' }));
      }
    };
    const onEnd = () => fail(new Error('the relay closed the connection without a reply'));
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.write(`${host}:${port}\n`);
  });
}

export interface NodeRelay {
  socketPath: string;
  dial(host: string, port: number): Promise<Socket>;
  stop(): Promise<void>;
}

/** Starts one relay process; resolves once it listens. */
async function spawnRelay(netns: string, socketPath: string, cidr: string): Promise<ChildProcess> {
  const program = fileURLToPath(new URL('./netns-relay.ts', import.meta.url));
  const child: ChildProcess = spawn('ip', inNetns(netns, [process.execPath, '--import', 'tsx', program, socketPath, cidr]).slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  child.stdin!.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the relay in ${netns} did not start within ${KERNEL_RELAY_START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`));
    }, KERNEL_RELAY_START_TIMEOUT_MS);
    child.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('close', (code) => {
      // 'close' comes after stderr is read to its end ('exit' may come before the last words)
      clearTimeout(timer);
      reject(new Error(`the relay in ${netns} ended (exit ${code}): ${stderr.trim()}`));
    });
  });
  return child;
}

/**
 * Starts the relay inside `netns`, listening on `socketPath`, for addresses in `cidr`. A relay
 * that ends before stop() (killed) is started again after KERNEL_RELAY_RESTART_DELAY_MS; dials
 * meanwhile fail with the socket's error.
 */
export async function startNodeRelay(netns: string, socketPath: string, cidr: string = KERNEL_POD_NETWORK_CIDR, onRestart?: (error?: Error) => void): Promise<NodeRelay> {
  let child = await spawnRelay(netns, socketPath, cidr);
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const scheduleRestart = () => {
    if (stopping) return;
    restartTimer = setTimeout(() => {
      spawnRelay(netns, socketPath, cidr).then(
        (next) => {
          if (stopping) return void next.stdin!.end();
          child = next;
          next.once('exit', scheduleRestart);
          onRestart?.();
        },
        (error: Error) => {
          onRestart?.(error);
          scheduleRestart();
        },
      );
    }, KERNEL_RELAY_RESTART_DELAY_MS);
  };
  child.once('exit', scheduleRestart);
  return {
    socketPath,
    dial: (host, port) => dialThroughRelay(socketPath, host, port),
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), KERNEL_RELAY_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One line for `cluster up`/`status`: the mode, and in kernel mode how to reach a pod from a shell. */
export function describeNetwork(mode: unknown, stateFolder: string): string {
  if (mode !== 'kernel') return 'Pod network: loopback mode (pod addresses in 127.0.0.0/8, reachable from this machine as they are).';
  const tag = clusterTag(stateFolder);
  return (
    `Pod network: kernel mode (network namespaces ${NETNS_PREFIX}${tag}-*; reach a pod from your shell: ip netns exec ${nodeNetnsName(tag, 0)} curl http://<pod IP>:<port>/). ` +
    `Services: ClusterIPs in ${KERNEL_SERVICE_CLUSTER_IP_RANGE} answer inside the cluster; a NodePort on every node's eth0: ip netns exec ${underlayNetnsName(tag)} curl http://${kernelNodeIp(0)}:<nodePort>/.`
  );
}
