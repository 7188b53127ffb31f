/**
 * The address store the learner's IPAM (lesson 06, 01-ipam) writes through: one folder per
 * network, in host-local's layout (plugins/ipam/host-local/backend/disk), so `ls` shows it and the
 * real host-local could read it: a file per reserved address, named by the address and holding
 * `<containerID>\r\n<ifname>`, and `last_reserved_ip.<range set>`.
 *
 * Invariants:
 * - reserve() is atomic: the file is written under a temporary name and hard-linked to the
 *   address's name, which fails when the address is taken, so no file is ever half-written and two
 *   processes never both get one address;
 * - a file that cannot be read still holds its address (reservations() reports its owner as
 *   undefined): never hand out a live pod's address;
 * - names that are not addresses (lock, last_reserved_ip.N, temporaries) are not reservations.
 */
import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IpamOwner, IpamStore } from './exercises.ts';
import { formatIPv4, parseIPv4 } from './ipv4.ts';
import { CNI_ERROR, CniPluginError } from './types.ts';

const LINE_BREAK = '\r\n';
const LAST_IP_PREFIX = 'last_reserved_ip.';
const TEMP_PREFIX = '.reserving-';

function canonical(ip: string): string {
  return formatIPv4(parseIPv4(ip));
}

/** The store of `network` under `dataDir` (created if missing). */
export function openIpamStore(dataDir: string, network: string): IpamStore {
  if (!network || network.includes('/') || network.startsWith('.')) {
    throw new CniPluginError(CNI_ERROR.invalidNetworkConfig, 'invalid network name', `"${network}" cannot name a folder`);
  }
  const dir = join(dataDir, network);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lock'), '', { flag: 'a' });
  return {
    reservations() {
      const out = new Map<string, IpamOwner | undefined>();
      for (const name of readdirSync(dir)) {
        try {
          if (canonical(name) !== name) continue;
        } catch {
          continue;
        }
        let owner: IpamOwner | undefined;
        try {
          const [containerId, ifName] = readFileSync(join(dir, name), 'utf8').split(LINE_BREAK);
          owner = containerId ? { containerId: containerId.trim(), ifName: (ifName ?? '').trim() } : undefined;
        } catch {
          owner = undefined;
        }
        out.set(name, owner);
      }
      return out;
    },
    reserve(ip, owner) {
      const name = canonical(ip);
      const temp = join(dir, `${TEMP_PREFIX}${process.pid}-${name}`);
      writeFileSync(temp, `${owner.containerId.trim()}${LINE_BREAK}${owner.ifName}`, { mode: 0o600 });
      try {
        linkSync(temp, join(dir, name));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      } finally {
        rmSync(temp, { force: true });
      }
    },
    release(ip) {
      try {
        unlinkSync(join(dir, canonical(ip)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
    lastReserved(rangeSet) {
      try {
        return canonical(readFileSync(join(dir, `${LAST_IP_PREFIX}${rangeSet}`), 'utf8').trim());
      } catch {
        return undefined;
      }
    },
    setLastReserved(rangeSet, ip) {
      writeFileSync(join(dir, `${LAST_IP_PREFIX}${rangeSet}`), canonical(ip), { mode: 0o600 });
    },
  };
}
