/**
 * How the apiserver reaches kubelets (upstream: --kubelet-client-certificate/-key and
 * --kubelet-certificate-authority): over TLS, verifying the kubelet's serving certificate with
 * `ca` (the cluster CA unless given), with its own credential, here the bearer token of
 * `kube-apiserver-kubelet-client`, which kubelets accept (ApiServer.kubeletClient gives it to
 * them). The caller's own credential never goes to a kubelet.
 */
import { request, type RequestOptions } from 'node:https';
import type { ClientRequest } from 'node:http';
import type { StreamLocation } from '../../kube/kinds/types.ts';

export interface KubeletClientConfig {
  /** PEM: the CA that signs kubelets' serving certificates. */
  ca: string;
  /** The bearer token the apiserver presents to kubelets. */
  token: string;
}

/** Headers a proxied request must not carry on (hop-by-hop ones are kept for upgrades). */
const DROPPED = new Set(['authorization', 'host', 'proxy-authorization', 'impersonate-user', 'impersonate-group', 'impersonate-uid', 'x-remote-user', 'x-remote-group']);

/** A request to the kubelet at `location`, with the caller's headers (less credentials) and the apiserver's token. */
export function kubeletRequest(client: KubeletClientConfig, location: StreamLocation, method: string, headers: Record<string, string | string[] | undefined>): ClientRequest {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED.has(name.toLowerCase()) || name.toLowerCase().startsWith('impersonate-extra-')) continue;
    forwarded[name] = value;
  }
  forwarded.host = `${location.host}:${location.port}`;
  forwarded.authorization = `Bearer ${client.token}`;
  const options: RequestOptions = { host: location.host, port: location.port, path: location.path, method, headers: forwarded, ca: client.ca, agent: false };
  return request(options);
}
