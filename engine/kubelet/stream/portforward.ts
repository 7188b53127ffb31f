/**
 * port-forward (`kubectl port-forward`): not served yet. kubectl 1.31+ opens a WebSocket with the
 * subprotocol `SPDY/3.1+portforward.k8s.io` and speaks SPDY/3.1 inside it (its fallback is a
 * plain `Upgrade: SPDY/3.1`), so serving it needs a SPDY/3.1 framer; until then the session is
 * closed with a reason saying so.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { FoundContainer } from './host.ts';

export const PORT_FORWARD_PROTOCOLS = ['SPDY/3.1+portforward.k8s.io'] as const;

export type PortForwardTransport = { kind: 'websocket'; ws: WebSocket } | { kind: 'raw'; socket: Duplex };

/** The 101 answer to a plain SPDY upgrade. */
export function spdyUpgradeReply(): string {
  return 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n';
}

export function servePortForward(transport: PortForwardTransport, _podIP: string, _found: FoundContainer, _touch: () => void): void {
  if (transport.kind === 'websocket') transport.ws.close(1011, 'port-forward is not served by this kubelet yet');
  else transport.socket.destroy();
}
