/**
 * What the service controller asks of a cloud's load balancers: upstream's cloudprovider.LoadBalancer
 * interface (k8s.io/cloud-provider cloud.go), in TypeScript. The engine's own cloud is
 * simulated-cloud.ts; tests inject a fake one.
 *
 * Rules every implementation keeps (as upstream documents them): each method is idempotent and may
 * be called again after any failure; ensureLoadBalancer creates or brings up to date and returns the
 * status to write (never undefined on success); ensureLoadBalancerDeleted succeeds when there is
 * nothing to delete; none of them may change the Service or Node objects they are given.
 */
import type { Node, Service } from '../kube/types.ts';

/** status.loadBalancer of a Service (LoadBalancerStatus). */
export interface LoadBalancerStatus {
  ingress?: { ip?: string; hostname?: string; ipMode?: 'VIP' | 'Proxy' }[];
}

export interface LoadBalancerCloud {
  /** The provider's name (cloudprovider.Interface.ProviderName), for logs. */
  readonly providerName: string;
  /** Whether a load balancer exists for the Service, and its status if so (GetLoadBalancer). */
  getLoadBalancer(clusterName: string, service: Service): Promise<{ exists: boolean; status?: LoadBalancerStatus }>;
  /** Creates or updates the Service's load balancer in front of these nodes (EnsureLoadBalancer). */
  ensureLoadBalancer(clusterName: string, service: Service, nodes: Node[]): Promise<LoadBalancerStatus>;
  /** Points an existing load balancer at a new set of nodes (UpdateLoadBalancer). */
  updateLoadBalancer(clusterName: string, service: Service, nodes: Node[]): Promise<void>;
  /** Deletes the Service's load balancer if there is one (EnsureLoadBalancerDeleted). */
  ensureLoadBalancerDeleted(clusterName: string, service: Service): Promise<void>;
}

/**
 * The load balancer's name in the cloud: "a" and the Service's UID without dashes, at most 32
 * characters (upstream cloudprovider.DefaultLoadBalancerName).
 */
export function loadBalancerName(service: Service): string {
  return `a${service.metadata.uid ?? ''}`.replaceAll('-', '').slice(0, 32);
}

/** A node's InternalIP (else its first address), where its kube-proxy serves NodePorts. */
export function nodeAddress(node: Node): string | undefined {
  const addresses = node.status?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses[0]?.address;
}
