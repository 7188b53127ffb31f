/**
 * Kernel mode's kube-proxy, for wiring into a node: `startKernelProxy(client, { netns, nodeName,
 * clusterCIDR })` (or `kernelProxyComponent` as a cluster component) programs the learner's rules
 * into nftables in the node's network namespace; the backend and nft helpers are exported for tests
 * and benchmarks.
 */
export { startKernelProxy, kernelProxyComponent, prepareNodeNetns, type KernelProxyOptions, type RunningKernelProxy } from './kernel-proxy.ts';
export { NftablesProxyBackend, type NftablesBackendOptions } from './nftables-backend.ts';
export { nftApply, nftListTable, nftDeleteTable, canProgramNftables } from './nft.ts';
