/**
 * The Service ClusterIP range of a cluster, from its flags, as kubeadm gives kube-apiserver its
 * --service-cluster-ip-range: loopback mode keeps SERVICE_CLUSTER_IP_RANGE (127.96.0.0/16, local to
 * every process on the machine, where the userspace proxy listens); kernel mode
 * (`flags.network === 'kernel'`) uses KERNEL_SERVICE_CLUSTER_IP_RANGE (10.96.0.0/16), addresses
 * that exist only in kube-proxy's nftables rules inside the cluster's node namespaces.
 *
 * The apiserver takes the range as an option (startCluster passes this); components that need an
 * address of it (the kubelet's cluster DNS address, cluster DNS itself) call these with
 * ctx.options.flags, so every process of one cluster agrees without a global switch.
 */
import { clusterDnsServiceIP } from '../kube/kinds/core/service-allocator.ts';
import { KERNEL_SERVICE_CLUSTER_IP_RANGE, SERVICE_CLUSTER_IP_RANGE } from '../params.ts';

/** The ClusterIP range for a cluster started with `flags`. */
export function serviceClusterIPRange(flags: Readonly<Record<string, unknown>> | undefined): string {
  return flags?.network === 'kernel' ? KERNEL_SERVICE_CLUSTER_IP_RANGE : SERVICE_CLUSTER_IP_RANGE;
}

/** kube-system/kube-dns's ClusterIP for a cluster started with `flags`: the range's tenth address (127.96.0.10 or 10.96.0.10). */
export function clusterDnsIP(flags: Readonly<Record<string, unknown>> | undefined): string {
  return clusterDnsServiceIP(serviceClusterIPRange(flags));
}
