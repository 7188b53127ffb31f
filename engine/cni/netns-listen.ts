/**
 * listenInNetns: a TCP server and a UDP socket bound to `host:port` inside network namespace
 * `netns`, usable by this process, which stays in the machine's own namespace. The binding is done
 * by the helper program ./netns-listener.ts started with `ip netns exec`; it hands both sockets
 * back over its IPC channel and ends. Why this shape rather than a server process inside the
 * namespace: the caller keeps its apiserver connection, informers and logger as they are (the
 * apiserver listens on the machine's loopback, which the namespace cannot reach), and nothing but
 * two sockets lives in the namespace.
 *
 * Invariants: resolves only with both sockets bound; rejects with the bind's error (its `code`
 * kept: EADDRNOTAVAIL while the address is not configured yet, EADDRINUSE) or a timeout, and then
 * no socket and no helper is left. `stillThere()` says whether `netns` still names the namespace
 * the sockets live in (a namespace removed and made again under the same name is another one).
 */
import { spawn } from 'node:child_process';
import type dgram from 'node:dgram';
import { statSync } from 'node:fs';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import { NETNS_LISTEN_TIMEOUT_MS } from '../params.ts';
import { inNetns } from './netns-layout.ts';
import type { ListenerMessage } from './netns-listener.ts';

export interface NetnsSockets {
  tcp: net.Server;
  udp: dgram.Socket;
  /** False once /run/netns/<netns> is gone or names another namespace. */
  stillThere(): boolean;
}

function namedInode(netns: string): number | undefined {
  try {
    return statSync(`/run/netns/${netns}`).ino;
  } catch {
    return undefined;
  }
}

export function listenInNetns(netns: string, host: string, port: number): Promise<NetnsSockets> {
  const program = fileURLToPath(new URL('./netns-listener.ts', import.meta.url));
  const argv = inNetns(netns, [process.execPath, '--import', 'tsx', program, host, String(port)]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  return new Promise<NetnsSockets>((resolve, reject) => {
    let tcp: net.Server | undefined;
    let udp: dgram.Socket | undefined;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tcp?.close();
      udp?.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`binding ${host}:${port} in ${netns} took more than ${NETNS_LISTEN_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })),
      NETNS_LISTEN_TIMEOUT_MS,
    );
    child.on('error', fail);
    // 'close', not 'exit': it comes once stderr is read to its end, so the helper's last words
    // (`ip netns exec`'s "Cannot open network namespace …") are in the error; 'exit' may come first.
    child.on('close', (code) =>
      fail(Object.assign(new Error(`the listener helper in ${netns} ended (exit ${code}) before handing over its sockets: ${stderr.trim() || 'no message'}`), { code: 'EIO' })),
    );
    child.on('message', (message: ListenerMessage, handle?: net.Server | dgram.Socket) => {
      if (message.kind === 'tcp') tcp = handle as net.Server;
      else if (message.kind === 'udp') udp = handle as dgram.Socket;
      else if (message.kind === 'error') fail(Object.assign(new Error(`${host}:${port} in ${netns}: ${message.message}`), { code: message.code }));
      else if (message.kind === 'ready') {
        if (!tcp || !udp) return fail(new Error(`the listener helper in ${netns} said ready without handing over both sockets`));
        settled = true;
        clearTimeout(timer);
        child.disconnect(); // the helper ends; the sockets stay open here
        const inode = message.netnsInode;
        resolve({ tcp, udp, stillThere: () => namedInode(netns) === inode });
      }
    });
  });
}
