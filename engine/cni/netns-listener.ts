/**
 * The netns listener helper (kernel mode): a tiny program started inside a network namespace
 * (`ip netns exec <ns> node --import tsx netns-listener.ts <ip> <port>`, with an IPC channel) that
 * binds a TCP server and a UDP socket on `<ip>:<port>` there and hands both to its parent over the
 * channel (child_process `send(message, handle)`: the file descriptors cross with SCM_RIGHTS, and
 * a socket stays in the namespace it was made in). The parent, in the machine's own namespace,
 * then serves on them with everything else it has (its apiserver connection on the machine's
 * loopback), as if it lived in the namespace. This is how cluster DNS serves the pod network
 * from every node (../proxy/kernel-cluster-dns.ts).
 *
 * Messages to the parent: `{ kind: 'tcp' }` + the net.Server, `{ kind: 'udp' }` + the
 * dgram.Socket, then `{ kind: 'ready', netnsInode }` (the inode of the namespace, so the parent can
 * tell later whether the namespace of that name is still the same one); `{ kind: 'error', code,
 * message }` when binding fails. It ends once its parent disconnects (or at once on error).
 */
import dgram from 'node:dgram';
import { statSync } from 'node:fs';
import net from 'node:net';

export type ListenerMessage = { kind: 'tcp' } | { kind: 'udp' } | { kind: 'ready'; netnsInode: number } | { kind: 'error'; code: string; message: string };

async function main(host: string, port: number): Promise<void> {
  const send = (message: ListenerMessage, handle?: net.Server | dgram.Socket) =>
    new Promise<void>((resolve, reject) => process.send!(message, handle as net.Server, undefined, (error: Error | null) => (error ? reject(error) : resolve())));
  try {
    const tcp = net.createServer();
    tcp.on('connection', (socket) => socket.destroy()); // never: the parent accepts
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host, port, exclusive: true }, () => resolve());
    });
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: host, port, exclusive: true }, () => resolve());
    });
    await send({ kind: 'tcp' }, tcp);
    await send({ kind: 'udp' }, udp);
    await send({ kind: 'ready', netnsInode: statSync('/proc/self/ns/net').ino });
    // Stop accepting here: the parent's copy of the server keeps the socket open and accepts.
    tcp.close();
    udp.close();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    await send({ kind: 'error', code: e.code ?? 'EIO', message: e.message }).catch(() => undefined);
    process.exit(1);
  }
  process.on('disconnect', () => process.exit(0));
}

const [host, port] = process.argv.slice(2);
if (!process.send) {
  process.stderr.write('netns-listener: start me with an IPC channel (child_process.spawn stdio "ipc")\n');
  process.exit(2);
}
void main(host ?? '', Number(port));
