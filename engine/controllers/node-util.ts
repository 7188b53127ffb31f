/**
 * Node lifecycle names (given, not graded), after k8s.io/api/core/v1 (well_known_taints.go) and
 * kubernetes pkg/controller/nodelifecycle: the taint keys the node lifecycle controller owns, the
 * conditions it turns Unknown, and the reasons and messages it writes (kubectl describe node shows them).
 */

/** The taint of a node whose Ready condition is False. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
/** The taint of a node whose Ready condition is Unknown (it stopped reporting). */
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
/** The conditions set to Unknown when a node's heartbeats stop, in upstream's order (NetworkUnavailable is left alone). */
export const MONITORED_NODE_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
/** The namespace of the node Leases (kubelet heartbeats). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export const NODE_STATUS = {
  unknown: { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
  neverUpdated: { reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' },
} as const;
