/**
 * What the learner builds in lesson 06 "the pod network (CNI)". `exercises/cni/index.ts` (stubs)
 * and `solutions/cni/index.ts` (reference) both export an object that `satisfies` this interface.
 *
 * The engine gives the plumbing: an address store on disk in host-local's layout
 * (ipam-store.ts), the network operations a plugin needs in kernel mode as small helpers over the
 * `ip` command (net-ops.ts), and the executable shim that runs the learner's plugin the way a
 * container runtime execs a CNI plugin binary (plugin-shim.ts). The learner writes the logic:
 * which address, which error code, which links in which order, which traffic a policy allows.
 *
 * Why helpers rather than a plan the engine applies: a CNI result must report what only the
 * kernel knows once the link exists (the MAC addresses), CHECK must read the live state, and ADD
 * must undo what it did when a later step fails. Those are the lessons of a plugin, and a plan of
 * steps could not express them. Tests inject a recording fake of the helpers (no root needed);
 * kernel mode injects the real ones.
 */
import type { LabelSelector } from '../objects/types.ts';
import type { CniArgs, CniResult, IpamConfig } from './types.ts';

// ── 01-ipam ───────────────────────────────────────────────────────────────────────────────────────

/** Who holds an address: the container and its interface (host-local's file content). */
export interface IpamOwner {
  containerId: string;
  ifName: string;
}

/**
 * One network's reservations, kept on disk by the engine (ipam-store.ts) so that they outlive the
 * plugin process: every ADD and DEL is a new process, and a restart must see what was taken.
 */
export interface IpamStore {
  /** Every reserved address (`10.0.0.5`) and who holds it; `undefined` when the file cannot be read (still taken). */
  reservations(): Map<string, IpamOwner | undefined>;
  /** Takes `ip` for `owner`, atomically; false when it is taken already (by anyone). */
  reserve(ip: string, owner: IpamOwner): boolean;
  /** Frees `ip` (nothing happens when it is not reserved). */
  release(ip: string): void;
  /** The address last handed out from range set `rangeSet` (host-local's last_reserved_ip.N). */
  lastReserved(rangeSet: number): string | undefined;
  setLastReserved(rangeSet: number, ip: string): void;
}

/** The node-ipam controller's allocator of node blocks (cidrset.CidrSet). */
export interface NodeCidrAllocator {
  /** The next free block after the one allocated last (wrapping round); throws when none is left. */
  allocateNext(): string;
  /** Marks a block as used (a Node that already has spec.podCIDR); throws when outside the cluster CIDR or not a block of the node mask. */
  occupy(cidr: string): void;
  /** Frees a block (its Node was deleted). */
  release(cidr: string): void;
}

// ── 02-cni-plugin ─────────────────────────────────────────────────────────────────────────────────

/**
 * The kernel operations a bridge plugin needs, as the engine provides them (net-ops.ts runs `ip`).
 * `netns` is a path such as /var/run/netns/kubelings-pod-1.
 */
export interface NetOps {
  /**
   * Creates the bridge (or finds it), gives it `gatewayCidr` (`10.1.0.1/24`) when given, and sets
   * it up; its MAC. Safe when ADDs of pods starting together call it at once: a bridge or an
   * address another call made is fine. Throws when a link of that name is no bridge.
   */
  ensureBridge(name: string, gatewayCidr?: string): Promise<{ mac: string }>;
  /**
   * Creates a veth pair: one end named `ifName` inside `netns`, the other (`hostName`) on the host,
   * attached to `bridge`; both up. Throws when `ifName` exists in the namespace already.
   */
  createVeth(netns: string, ifName: string, hostName: string, bridge: string): Promise<{ hostMac: string; containerMac: string }>;
  addAddress(netns: string, ifName: string, cidr: string): Promise<void>;
  addDefaultRoute(netns: string, ifName: string, gateway: string): Promise<void>;
  /** Deletes the link (its veth peer goes with it); false when there was none. */
  deleteLink(netns: string, ifName: string): Promise<boolean>;
  /** The IPv4 addresses (CIDR notation) on the link, or undefined when there is no such link. */
  addresses(netns: string, ifName: string): Promise<string[] | undefined>;
  /** The routes in the namespace's main table as CNI routes (`0.0.0.0/0` for the default). */
  routes(netns: string): Promise<{ dst: string; gw?: string }[]>;
}

/** What the shim hands the plugin: the process's environment and stdin, and the engine's helpers. */
export interface PluginInvocation {
  env: Readonly<Record<string, string | undefined>>;
  stdin: string;
  /** The address store of a network, opened at the config's ipam.dataDir. */
  openStore(dataDir: string, network: string): IpamStore;
  net: NetOps;
  /** A fresh name for the host end of a veth (`veth` + 8 hex digits), as the bridge plugin picks one. */
  hostVethName(): string;
}

/** What the shim does with the plugin's answer: print `stdout`, exit with `exitCode`. */
export interface PluginOutput {
  exitCode: number;
  stdout: string;
}

// ── 03-network-policy ────────────────────────────────────────────────────────────────────────────

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** A number, or the name of a container port of the pod at the policy's end of the traffic. */
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

/** networking.k8s.io/v1 NetworkPolicy, the fields that decide traffic. */
export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

/** One end of a connection: a pod of the cluster, or an address outside it. */
export type PolicyEndpoint =
  | {
      kind: 'pod';
      namespace: string;
      name: string;
      labels: Record<string, string>;
      ip: string;
      /** The pod's named container ports, for `port: "http"`. */
      namedPorts?: { name: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
    }
  | { kind: 'external'; ip: string };

export interface Connection {
  from: PolicyEndpoint;
  to: PolicyEndpoint;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface PolicyWorld {
  policies: readonly NetworkPolicy[];
  /** Every namespace and its labels (for namespaceSelector). */
  namespaces: Readonly<Record<string, Record<string, string>>>;
}

export interface PolicyDecision {
  allowed: boolean;
  /** The source's egress side: no policy selects it for Egress ('not-isolated'), or allowed or denied. */
  egress: 'not-isolated' | 'allowed' | 'denied';
  ingress: 'not-isolated' | 'allowed' | 'denied';
  /** The policies (`namespace/name`) whose rules allowed it, in order; empty when none did. */
  allowedBy: string[];
}

/**
 * One pod's compiled rules in one direction: which peers (by address, with excepts) on which
 * ports may talk to (ingress) or be reached from (egress) the pod with address `podIp`. The engine
 * renders these as an nftables table (netpol-nft.ts) and the node loads it in kernel mode.
 */
export interface CompiledPodRules {
  podIp: string;
  direction: 'ingress' | 'egress';
  /** Each entry allows traffic; the pod is isolated in this direction, so anything else is dropped. */
  allow: {
    /** Peer addresses; undefined means any address. */
    peers?: { cidr: string; except: string[] }[];
    /** Port ranges (inclusive); undefined means any port and protocol. */
    ports?: { protocol: 'TCP' | 'UDP' | 'SCTP'; from: number; to: number }[];
  }[];
}

export interface CniExercises {
  // 01-ipam
  /** host-local's ADD: one address per range set of `ipam.ranges`, reserved in `store`. */
  ipamAdd(ipam: IpamConfig, args: CniArgs, store: IpamStore): CniResult;
  /** host-local's DEL: frees what the container and interface hold; succeeds when nothing is held. */
  ipamDel(ipam: IpamConfig, args: CniArgs, store: IpamStore): void;
  newNodeCidrAllocator(clusterCidr: string, nodeMaskSize: number): NodeCidrAllocator;
  // 02-cni-plugin
  /** The whole plugin program: CNI_COMMAND and the config in, the result or error out. */
  cniMain(invocation: PluginInvocation): Promise<PluginOutput>;
  // 03-network-policy
  evaluatePolicies(world: PolicyWorld, connection: Connection): PolicyDecision;
  compilePolicies(world: PolicyWorld, pods: readonly Extract<PolicyEndpoint, { kind: 'pod' }>[]): CompiledPodRules[];
}
