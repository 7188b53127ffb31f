/**
 * The node's relay (kernel mode): a small program the kubelet starts inside a node's network
 * namespace (`ip netns exec <node> node --import tsx netns-relay.ts <socket> <cidr>`). The kubelet
 * lives in the machine's own namespace, where pod addresses do not exist; a Unix socket crosses
 * namespaces, so the kubelet dials the socket, writes one line `<ip>:<port>\n`, and the relay
 * connects to that address from inside the node (where the bridge and the routes to the other
 * nodes are), answers `OK\n` or `ERR <code> <message>\n`, and then pipes bytes both ways.
 *
 * Invariants:
 * - only IPv4 addresses inside `<cidr>` (the cluster's pod network) are dialled; anything else,
 *   a line longer than KERNEL_RELAY_REQUEST_LIMIT_BYTES or no line within the connect timeout is refused;
 * - the socket is made mode 0600 (the kubelet's user only);
 * - the relay ends when its stdin ends: the kubelet holds the other end of that pipe, so a kubelet
 *   killed with SIGKILL takes its relay with it;
 * - it prints `listening` on stdout once the socket accepts connections.
 */
import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseCidr, parseIPv4 } from './ipv4.ts';
import { KERNEL_RELAY_CONNECT_TIMEOUT_MS, KERNEL_RELAY_REQUEST_LIMIT_BYTES as RELAY_REQUEST_LIMIT } from '../params.ts';

/** The target of a request line, or a sentence saying why it is refused. */
export function parseRelayRequest(line: string, cidr: string): { host: string; port: number } | string {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(line);
  if (!m) return `"${line.slice(0, RELAY_REQUEST_LIMIT)}" is not <ipv4>:<port>`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${port} is out of range`;
  let address: number;
  try {
    address = parseIPv4(m[1]!);
  } catch {
    return `"${m[1]}" is not an IPv4 address`;
  }
  const net = parseCidr(cidr, true);
  const size = 2 ** (32 - net.prefix);
  if (address < net.network || address >= net.network + size) return `${m[1]} is outside the pod network ${cidr}`;
  return { host: m[1]!, port };
}

function serve(client: Socket, cidr: string): void {
  let buffered = Buffer.alloc(0);
  const refuse = (code: string, message: string) => client.end(`ERR ${code} ${message.replace(/\n/g, ' ')}\n`);
  const timer = setTimeout(() => refuse('ETIMEDOUT', 'no request line'), KERNEL_RELAY_CONNECT_TIMEOUT_MS);
  client.on('error', () => client.destroy());
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const newline = buffered.indexOf(10);
    if (newline < 0) {
      if (buffered.length > RELAY_REQUEST_LIMIT) {
        client.off('data', onData);
        clearTimeout(timer);
        refuse('EINVAL', `a request line is at most ${RELAY_REQUEST_LIMIT} bytes`);
      }
      return;
    }
    client.off('data', onData);
    client.pause();
    const rest = buffered.subarray(newline + 1);
    const target = parseRelayRequest(buffered.subarray(0, newline).toString('utf8'), cidr);
    if (typeof target === 'string') {
      clearTimeout(timer);
      refuse('EINVAL', target);
      return;
    }
    const upstream = connect(target);
    upstream.setTimeout(KERNEL_RELAY_CONNECT_TIMEOUT_MS, () => upstream.destroy(Object.assign(new Error(`dial tcp ${target.host}:${target.port}: i/o timeout`), { code: 'ETIMEDOUT' })));
    upstream.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      refuse(e.code ?? 'EIO', e.message);
    });
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.setTimeout(0);
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.write('OK\n');
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  };
  client.on('data', onData);
}

/** Runs the relay on `socketPath` for pod addresses in `cidr` until stdin ends. */
export async function runRelay(socketPath: string, cidr: string): Promise<void> {
  parseCidr(cidr, true);
  rmSync(socketPath, { force: true });
  const server = createServer((client) => serve(client, cidr));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  process.stdout.write('listening\n');
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => {
    server.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  });
  process.stdin.on('error', () => process.exit(0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [socketPath, cidr] = process.argv.slice(2);
  if (!socketPath || !cidr) {
    process.stderr.write('usage: netns-relay.ts <socket> <pod-network-cidr>\n');
    process.exit(2);
  }
  await runRelay(socketPath, cidr);
}
