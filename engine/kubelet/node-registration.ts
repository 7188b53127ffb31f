/**
 * Registering this node and keeping its heartbeats (upstream kubelet_node_status.go and
 * pkg/kubelet/nodelease): the Node object a kubelet creates at start (labels, the podCIDR it was
 * given, capacity and allocatable, addresses, the kubelet's port, nodeInfo), its Lease in
 * kube-node-lease (owned by the Node, renewed every duration × KUBELET_LEASE_RENEW_FRACTION with
 * an update that carries the last resourceVersion, a conflict read again), and the node status,
 * computed every update period and posted when it changed or the report period passed.
 *
 * What the status says (conditions, allocatable) comes from the caller's `computeStatus` (the
 * learner's node-status logic); this file does the API calls and the timers.
 */
import type { KubeClient } from '../client/client.ts';
import { isApiError } from '../kube/errors.ts';
import type { Lease, Node, NodeStatus } from '../kube/types.ts';
import { NODE_LEASE_NAMESPACE } from '../controllers/node-util.ts';
import { KUBERNETES_VERSION } from '../params.ts';
import type { MachineInfo } from './machine.ts';

export interface NodeIdentity {
  name: string;
  /** The node's InternalIP (the address its kubelet listens on). */
  address: string;
  kubeletPort: number;
  podCidr: string;
  runtimeVersion: string;
  labels?: Record<string, string>;
}

/** metav1.MicroTime, as Leases use. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** The parts of the Node the kubelet owns apart from what the status logic computes. */
export function staticNodeStatus(id: NodeIdentity, machine: MachineInfo): NodeStatus {
  return {
    addresses: [
      { type: 'InternalIP', address: id.address },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.machineID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: id.runtimeVersion,
      kubeletVersion: KUBERNETES_VERSION.gitVersion,
      kubeProxyVersion: '',
      operatingSystem: machine.operatingSystem,
      architecture: machine.architecture,
    },
  };
}

/** The Node a kubelet registers (upstream initialNode): labels, annotations, podCIDR, and the first status. */
export function initialNode(id: NodeIdentity, machine: MachineInfo, status: NodeStatus): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: {
        'beta.kubernetes.io/arch': machine.architecture,
        'beta.kubernetes.io/os': machine.operatingSystem,
        'kubernetes.io/arch': machine.architecture,
        'kubernetes.io/hostname': id.name,
        'kubernetes.io/os': machine.operatingSystem,
        ...id.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: id.podCidr, podCIDRs: [id.podCidr] },
    status: { ...staticNodeStatus(id, machine), ...status },
  };
}

/** Creates the Node, or takes over the one of the same name (a restarted kubelet); returns it as stored. */
export async function registerNode(client: KubeClient, node: Node): Promise<Node> {
  try {
    return await client.create<Node>('nodes', node);
  } catch (error) {
    if (!isApiError(error, 'AlreadyExists')) throw error;
  }
  const existing = await client.get<Node>('nodes', node.metadata.name!);
  // Upstream reconciles labels and the attach/detach annotation, then the status follows on the next update.
  const labels = { ...(existing.metadata.labels ?? {}), ...(node.metadata.labels ?? {}) };
  const patch: Record<string, unknown> = { metadata: { labels, annotations: node.metadata.annotations } };
  if (!existing.spec?.podCIDR) patch.spec = node.spec;
  await client.patch('nodes', node.metadata.name!, patch, { type: 'strategic' });
  return client.patch<Node>('nodes', node.metadata.name!, { status: node.status }, { subresource: 'status', type: 'strategic' });
}

/** Keeps the node's Lease: creates it if needed, then each renew() moves renewTime to `now`. */
export class NodeLease {
  private lease?: Lease;

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
    private readonly durationSeconds: number,
    private readonly nodeUid: () => string | undefined,
  ) {}

  private fresh(now: number): Lease {
    const uid = this.nodeUid();
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE, ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid }] } : {}) },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(now) },
    };
  }

  /** Renews (or creates) the Lease; a conflict reads the Lease again and retries once. */
  async renew(now: number): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.lease) {
        try {
          this.lease = await this.client.get<Lease>('leases', this.nodeName, { namespace: NODE_LEASE_NAMESPACE });
        } catch (error) {
          if (!isApiError(error, 'NotFound')) throw error;
          try {
            this.lease = await this.client.create<Lease>('leases', this.fresh(now), { namespace: NODE_LEASE_NAMESPACE });
            return;
          } catch (created) {
            if (!isApiError(created, 'AlreadyExists')) throw created;
            continue;
          }
        }
      }
      const base = this.fresh(now);
      const next: Lease = {
        ...this.lease,
        metadata: { ...this.lease.metadata, ownerReferences: base.metadata.ownerReferences ?? this.lease.metadata.ownerReferences },
        spec: { ...(this.lease.spec ?? {}), ...base.spec },
      };
      try {
        this.lease = await this.client.update<Lease>('leases', next, { namespace: NODE_LEASE_NAMESPACE });
        return;
      } catch (error) {
        this.lease = undefined;
        if (!isApiError(error, 'Conflict') && !isApiError(error, 'NotFound')) throw error;
      }
    }
  }
}
