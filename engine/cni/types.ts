/**
 * The Container Network Interface as TypeScript types (containernetworking/cni SPEC.md, version
 * 1.0): the network configuration a runtime hands a plugin, the arguments it passes in CNI_*
 * variables, the result of ADD, and the error object. This is the seam between the container
 * runtime and the pod network: the runtime calls a `CniPlugin` exactly where a real runtime execs
 * a plugin binary (ADD when a sandbox starts, DEL when it stops, CHECK to verify), so the CNI
 * lesson can put the learner's plugin (or a real binary, through execCniPlugin) behind it.
 */

export const CNI_VERSION = '1.0.0';

/** One address range of host-local's `ranges` (gateway and bounds default from the subnet). */
export interface IpamRange {
  subnet: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

/** The `ipam` section: which IPAM plugin, and host-local's settings. */
export interface IpamConfig {
  type: string;
  /** A list of range sets; each range set gives the container one address. */
  ranges?: IpamRange[][];
  routes?: CniRoute[];
  /** Where host-local keeps its files (one folder per network name inside). */
  dataDir?: string;
  [field: string]: unknown;
}

/** A network configuration (the JSON on the plugin's stdin). */
export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  ipam?: IpamConfig;
  /** The result of ADD, given back to CHECK and DEL. */
  prevResult?: CniResult;
  [field: string]: unknown;
}

/** CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and CNI_PATH. */
export interface CniArgs {
  containerId: string;
  /** Path of the network namespace; '' in loopback mode, which has none. */
  netns: string;
  ifName: string;
  /** CNI_ARGS as pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_UID…). */
  args?: [string, string][];
  path?: string[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR notation: the address and its subnet's prefix (`127.64.0.2/24`). */
  address: string;
  gateway?: string;
  /** Index into `interfaces`. */
  interface?: number;
}

/** The result of ADD (CNI 1.0). */
export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips: CniIpConfig[];
  routes?: CniRoute[];
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

/** The spec's well-known error codes. */
export const CNI_ERROR = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodingFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
  /** Not in the spec's table: plugins use their own codes above 99; host-local's errors come as 999 from skel. */
  pluginError: 999,
} as const;

/** A plugin's failure, carrying the spec's error object. */
export class CniPluginError extends Error {
  override name = 'CniPluginError';
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly details = '',
  ) {
    super(details ? `${msg}: ${details}` : msg);
  }

  toJSON(): { cniVersion: string; code: number; msg: string; details?: string } {
    return { cniVersion: CNI_VERSION, code: this.code, msg: this.msg, ...(this.details ? { details: this.details } : {}) };
  }
}

/** A CNI plugin: the three verbs of the spec, as the runtime calls them. */
export interface CniPlugin {
  add(conf: NetConf, args: CniArgs): Promise<CniResult>;
  /** Idempotent: releasing what is not held succeeds. */
  del(conf: NetConf, args: CniArgs): Promise<void>;
  /** Throws when what ADD set up is no longer there. */
  check(conf: NetConf, args: CniArgs): Promise<void>;
}
