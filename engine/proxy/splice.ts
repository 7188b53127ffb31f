/**
 * Joins a client's connection to the backend connection made for it, as a TCP proxy does once the
 * backend answered: bytes both ways (client paused until now, Nagle off), and when either side
 * errs or closes, the other is destroyed too, so no half of a pair outlives the other. Used by the
 * userspace kube-proxy and the simulated cloud's load balancers.
 */
import type { Socket } from 'node:net';

export function spliceSockets(client: Socket, upstream: Socket): void {
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}
