/**
 * Ports below 1024 without root. A pod's nginx listens on port 80 of its own address, as in any
 * cluster; but on Linux only root (or a process with CAP_NET_BIND_SERVICE) may bind ports below
 * net.ipv4.ip_unprivileged_port_start (1024 by default), and changing that sysctl needs root; a
 * user namespace grants the capability only inside its own network namespace, which loopback mode
 * does not have. macOS lets anyone bind low ports since 10.14.
 *
 * So the runtime finds out, once, by trying: it binds a low port on the pod network's gateway
 * address. Allowed (or the port merely in use) → mode `bind`: images listen on the port asked for.
 * Refused → mode `remap`: a built-in image asked for port P < 1024 listens on P +
 * LOW_PORT_REMAP_OFFSET (80 → 10080) instead, and the runtime reports the port really bound in
 * each container's status (kubelings.listen) and in Status(), so that the kubelet, kube-proxy and
 * the lesson text can say it plainly. `lowPorts: 'remap'` forces the second mode (tests simulate
 * a non-root machine with it); `'bind'` trusts the caller.
 */
import { createServer } from 'node:net';
import { LOW_PORT_REMAP_OFFSET } from '../params.ts';
import type { RuntimeCapabilities } from './api.ts';

export type LowPortsOption = 'auto' | 'bind' | 'remap';
export type LowPorts = RuntimeCapabilities['lowPorts'];

/** The port probed: low, and unlikely to be in use (either way, in use means allowed). */
const PROBE_PORT = 1023;

/** Tries to listen on host:port; resolves with the error code ('' when it could). */
export function tryListen(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EUNKNOWN'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('')));
  });
}

export async function decideLowPorts(option: LowPortsOption, probeHost: string): Promise<LowPorts> {
  const offset = LOW_PORT_REMAP_OFFSET;
  if (option === 'remap') return { mode: 'remap', offset, reason: `asked for (lowPorts: 'remap'): a built-in image's port P below 1024 listens on P+${offset}` };
  if (option === 'bind') return { mode: 'bind', offset, reason: `asked for (lowPorts: 'bind'): ports below 1024 are bound as asked` };
  const code = await tryListen(probeHost, PROBE_PORT);
  if (code === '' || code === 'EADDRINUSE') {
    const who = process.getuid?.() === 0 ? 'running as root' : 'this process may bind ports below 1024 (CAP_NET_BIND_SERVICE, a low net.ipv4.ip_unprivileged_port_start, or macOS)';
    return { mode: 'bind', offset, reason: `${who}: ports below 1024 are bound as asked` };
  }
  return {
    mode: 'remap',
    offset,
    reason:
      code === 'EACCES'
        ? `this process may not bind ports below 1024 (not root, and net.ipv4.ip_unprivileged_port_start is above them): a built-in image's port P below 1024 listens on P+${offset}; run as root, or set that sysctl to 0, to bind them as asked`
        : `binding port ${PROBE_PORT} on ${probeHost} failed (${code}): a built-in image's port P below 1024 listens on P+${offset}`,
  };
}

/** The port a built-in image really listens on for `containerPort`. */
export function listenPort(containerPort: number, lowPorts: LowPorts): number {
  return lowPorts.mode === 'remap' && containerPort < 1024 ? containerPort + lowPorts.offset : containerPort;
}
