/**
 * What the kernel-mode cluster tests share (kernel-network-cluster, kernel-services-cluster,
 * kernel-netpol-cluster, kernel-dns-ingress): running a tool, a snapshot of the machine's own
 * network namespace taken before `cluster up`, the check that `cluster down` left nothing beside
 * it, and the helper processes (relays, listeners) a cluster started.
 */
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { listProjectNetns, NETNS_PREFIX } from '#engine/cni/netns-layout.ts';
import { pidsWithEnv } from '#engine/cri/procfs.ts';
import { cmdline } from '../support/processes.ts';

export { cmdline } from '../support/processes.ts';

/** Runs a tool and returns its stdout; throws on a non-zero exit, or after 30 s. */
export const sh = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8', timeout: 30_000 });

/** The names of the links in the machine's own namespace. */
export const rootLinks = () =>
  new Set(
    sh('ip', ['-o', 'link', 'show'])
      .split('\n')
      .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
      .filter(Boolean),
  );

/** The nftables tables of the machine's own namespace (`table inet name`). */
export const rootTables = () => sh('nft', ['list', 'tables']).trim().split('\n').filter(Boolean);

/** The processes of the cluster in `home` whose command line matches `program` (netns-relay, netns-listener). */
export const helperPids = (home: string, program: RegExp) => pidsWithEnv('KUBELINGS_HOME', home).filter((pid) => program.test(cmdline(pid)));

export interface MachineSnapshot {
  links: Set<string>;
  tables: string[];
}

/** The machine's links and nftables tables, before the cluster is started. */
export const machineSnapshot = (): MachineSnapshot => ({ links: rootLinks(), tables: rootTables() });

/** After `cluster down`: no namespace of cluster `tag`, and no link or table beside those of `before`. */
export async function expectMachineAsBefore(tag: string, before: MachineSnapshot): Promise<void> {
  expect(await listProjectNetns(`${NETNS_PREFIX}${tag}-`), 'namespaces left by cluster down').toEqual([]);
  expect(
    [...rootLinks()].filter((l) => !before.links.has(l)),
    "links added to the machine's namespace",
  ).toEqual([]);
  expect(
    rootTables().filter((t) => !before.tables.includes(t)),
    "nftables tables added to the machine's namespace",
  ).toEqual([]);
}
