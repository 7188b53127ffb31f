/**
 * IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks: the arithmetic of address ranges
 * (the pod network's per-node blocks, host-local's ranges). Parsing is strict: four decimal
 * octets 0-255 without leading zeros, a prefix 0-32; anything else throws a sentence naming it.
 */

/** The number of `a.b.c.d`; throws on anything that is not a plain dotted-quad IPv4 address. */
export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
    throw new Error(`"${text}" is not an IPv4 address (four numbers 0-255 separated by dots)`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  /** The network address (host bits zero). */
  network: number;
  prefix: number;
  /** The last address of the block (the broadcast address). */
  last: number;
}

/** `a.b.c.d/n`; with `strict`, host bits must be zero (as CNI's range subnet requires). */
export function parseCidr(text: string, strict = false): Cidr & { address: number } {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^([0-9]|[12][0-9]|3[0-2])$/.test(text.slice(slash + 1))) {
    throw new Error(`"${text}" is not a CIDR block (an IPv4 address, "/", and a prefix length 0-32)`);
  }
  const address = parseIPv4(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  const size = 2 ** (32 - prefix);
  const network = Math.floor(address / size) * size;
  if (strict && network !== address) {
    throw new Error(`Network has host bits set. For a subnet mask of length ${prefix} the network address is ${formatIPv4(network)}`);
  }
  return { address, network, prefix, last: network + size - 1 };
}

export function formatCidr(cidr: { network: number; prefix: number }): string {
  return `${formatIPv4(cidr.network)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.network && ip <= cidr.last;
}

/** Node `index`'s block of `prefix` inside `cluster` (node 0 first); throws when there is none. */
export function nodeBlock(cluster: string, prefix: number, index: number): string {
  const outer = parseCidr(cluster, true);
  if (prefix < outer.prefix || prefix > 30) throw new Error(`a /${prefix} block cannot be cut from ${cluster}`);
  const count = 2 ** (prefix - outer.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`${cluster} holds ${count} blocks of /${prefix}: there is no block ${index}`);
  }
  return formatCidr({ network: outer.network + index * 2 ** (32 - prefix), prefix });
}
