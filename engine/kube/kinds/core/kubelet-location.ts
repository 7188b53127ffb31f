/**
 * Where a node's kubelet is reached: the address and port its Node reports
 * (status.addresses InternalIP, else the first; status.daemonEndpoints.kubeletEndpoint.Port), as
 * upstream's pkg/registry/core/node/strategy.go ResourceLocation finds it; and nodes/NAME/proxy/PATH
 * as a location there. The apiserver connects with TLS, verifying the kubelet's certificate with
 * the cluster CA, and its own kubelet-client credential (engine/apiserver/endpoints/connect.ts).
 */
import { badRequest, isApiError } from '../../errors.ts';
import type { ResourceInfo } from '../../resource-info.ts';
import type { Node } from '../../types.ts';
import type { ObjectAccess, StreamLocation } from '../types.ts';

/** The kubelet of node `nodeName`; `podName` words a missing node as the pod's problem. */
export async function kubeletAddress(access: ObjectAccess, nodes: ResourceInfo, nodeName: string, podName?: string): Promise<{ host: string; port: number }> {
  let node: Node;
  try {
    node = (await access.get(nodes, undefined, nodeName)) as Node;
  } catch (error) {
    if (podName !== undefined && isApiError(error, 'NotFound')) throw badRequest(`pod "${podName}" is on node "${nodeName}", which no longer exists`);
    throw error;
  }
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.status?.addresses?.[0]?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!address || !port) throw badRequest(`the kubelet of node "${nodeName}" cannot be reached: the node reports no InternalIP or kubeletEndpoint port`);
  return { host: address, port };
}

/** nodes/NAME/proxy/REST?QUERY → the kubelet's /REST?QUERY. */
export async function nodeProxyLocation(access: ObjectAccess, nodes: ResourceInfo, nodeName: string, query: URLSearchParams, rest: string): Promise<StreamLocation> {
  const { host, port } = await kubeletAddress(access, nodes, nodeName);
  const search = query.toString();
  return { host, port, path: `/${rest.replace(/^\/+/, '')}${search ? `?${search}` : ''}` };
}
