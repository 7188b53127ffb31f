/**
 * Exercise 06-cni/01-ipam: give pods addresses, as the host-local IPAM plugin does, and give
 * nodes their pod ranges, as the node-ipam controller does.
 *
 * Every node owns a block of the cluster's pod network (its Node's spec.podCIDR, say
 * 10.244.3.0/24). On the node, each new pod sandbox gets one address of that block. The plugin
 * that decides which is an IPAM plugin; host-local is the one most clusters use. It is a new
 * process for every ADD and DEL, so it remembers nothing: every reservation lives in `store`,
 * which the engine keeps on disk (one file per address: ls it!).
 *
 * The config (ipam): { type: 'host-local', ranges: [[{ subnet, rangeStart?, rangeEnd?,
 * gateway? }, ...], ...], routes?, dataDir }. `ranges` is a list of range SETS: the container
 * gets one address from each set (an IPv4 set and an IPv6 set, in real clusters).
 *
 * Helpers: parseIPv4('10.0.0.5') → a number, formatIPv4(n) → '10.0.0.5', parseCidr('10.0.0.0/24',
 * true) → { network, prefix, last } (last is the broadcast address; strict refuses host bits).
 *
 * Read: lessons/core/06-cni/02-ipam.md
 * Check: npx kubelings check 06-cni/01-ipam
 * Upstream: containernetworking/plugins plugins/ipam/host-local (backend/allocator/allocator.go,
 * backend/allocator/range.go, backend/disk/backend.go) and kubernetes
 * pkg/controller/nodeipam/ipam/cidrset/cidr_set.go.
 */
import type { IpamStore, NodeCidrAllocator } from '#engine/cni/exercises.ts';
import { formatIPv4, parseCidr, parseIPv4 } from '#engine/cni/ipv4.ts';
import { CNI_ERROR, CNI_VERSION, CniPluginError, type CniArgs, type CniResult, type IpamConfig } from '#engine/cni/types.ts';
import { NotImplemented } from '#engine/errors.ts';

const PAGE = 'lessons/core/06-cni/02-ipam.md';
const todo = (what: string) => new NotImplemented('06-cni/01-ipam', PAGE, what);
void [formatIPv4, parseCidr, parseIPv4, CNI_ERROR, CNI_VERSION, CniPluginError];

/**
 * host-local's ADD: for each range set (index i), one address for (args.containerId, args.ifName).
 *
 * A range: subnet (host bits must be zero), rangeStart defaults to the network address + 1,
 * rangeEnd to the broadcast address - 1, gateway to the network address + 1. The gateway is never
 * handed out. Addresses in a set are tried in order (range after range), starting just AFTER
 * store.lastReserved(i) and wrapping round (so a pod that crash-loops does not get the address it
 * just had); store.reserve() says whether you got it; then store.setLastReserved(i, ip).
 * Pods that start together run their ADDs at the same time, each in its own process: another ADD
 * may take an address after you looked at store.reservations(). Only reserve() decides (it is
 * atomic): false means the address is not yours, so go on to the next one.
 *
 * Must hold:
 * - the container and interface already hold an address in the set (a retried ADD): return it,
 *   reserve nothing new;
 * - the store is the only memory: a fresh call (a restart) never hands out a reserved address;
 * - no free address: release what this call reserved in earlier sets, and throw
 *   new CniPluginError(CNI_ERROR.pluginError, `failed to allocate for range ${i}: no IP addresses
 *   available in range set: ${start}-${end}` (ranges of the set joined with ","));
 * - a bad config throws CniPluginError with CNI_ERROR.invalidNetworkConfig (7): no ranges or an
 *   empty set ('no IP ranges specified'), a subnet with host bits set or smaller than /30,
 *   rangeStart/rangeEnd outside the subnet or in the wrong order ('invalid range', details).
 * Returns { cniVersion: CNI_VERSION, ips: [{ address: 'a.b.c.d/prefix', gateway }], routes:
 * ipam.routes ?? [] }.
 */
export function ipamAdd(ipam: IpamConfig, args: CniArgs, store: IpamStore): CniResult {
  // TODO: read and check the range sets, then find or reserve one address per set.
  throw todo('ipamAdd()');
}

/**
 * host-local's DEL: release every address the container and interface hold (store.reservations()
 * says who holds what). Nothing held is no error: the runtime may call DEL twice, or after a
 * failed ADD. A bad config is refused as in ipamAdd.
 */
export function ipamDel(ipam: IpamConfig, args: CniArgs, store: IpamStore): void {
  // TODO
  throw todo('ipamDel()');
}

/**
 * The node-ipam controller's allocator (cidrset.CidrSet): the cluster CIDR cut into blocks of
 * /nodeMaskSize, numbered from the start. allocateNext() hands out the first free block at or
 * after the one following the last it handed out (wrapping round), and throws Error('CIDR
 * allocation failed; there are no remaining CIDRs left to allocate in the accepted range') when
 * none is free. occupy() marks a Node's existing podCIDR as used (when the controller starts);
 * release() frees the block of a deleted Node. Both throw an Error for a block outside the cluster
 * CIDR or not a block of the node mask. A nodeMaskSize shorter than the cluster prefix (or above
 * 32) throws when the allocator is made.
 */
export function newNodeCidrAllocator(clusterCidr: string, nodeMaskSize: number): NodeCidrAllocator {
  // TODO: a set of used block numbers, and the next candidate.
  throw todo('newNodeCidrAllocator()');
}
