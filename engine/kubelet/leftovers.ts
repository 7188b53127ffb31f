/**
 * What `cluster down` runs once the control plane is gone: every container process the cluster's
 * real nodes may have left (their runtimes live in `<state>/nodes/<node>`). A kubelet stopped
 * cleanly has ended them already; one whose process was killed with the daemon (kill -9) has not,
 * and its containers, each in a process group of its own, outlive it: cleanupOrphans finds them by
 * the records and by the runtime's id in their environment, and kills them. Never throws: what it
 * could not do comes back as sentences for the terminal.
 *
 * Kernel mode: then the cluster's network namespaces (kln-<tag>-*, ../cni/netns-layout.ts) that a
 * killed kubelet could not remove; only this cluster's (its tag is its state folder's).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clusterTag, listProjectNetns, NETNS_PREFIX, removeClusterNetworks } from '../cni/netns-layout.ts';
import { cleanupOrphans } from '../cri/orphans.ts';

export async function stopLeftoverContainers(home: string): Promise<{ killed: number; warnings: string[] }> {
  const dir = join(home, 'nodes');
  let nodes: string[] = [];
  try {
    nodes = readdirSync(dir);
  } catch {
    return { killed: 0, warnings: [] };
  }
  let killed = 0;
  const warnings: string[] = [];
  const removeNetworks = async () => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return;
    try {
      const tag = clusterTag(home);
      if ((await listProjectNetns(`${NETNS_PREFIX}${tag}-`)).length > 0) await removeClusterNetworks(tag);
    } catch (error) {
      // No `ip` on this machine: kernel mode never ran here, so there is nothing to remove.
      if ((error as Error).message.includes('ENOENT')) return;
      warnings.push(`the cluster's network namespaces could not all be removed: ${(error as Error).message}`);
    }
  };
  for (const node of nodes) {
    try {
      const report = await cleanupOrphans(join(dir, node), { force: true });
      killed += report.killed.length;
      warnings.push(...report.warnings);
    } catch (error) {
      warnings.push(`the containers of ${node} could not all be stopped: ${(error as Error).message}`);
    }
  }
  await removeNetworks();
  return { killed, warnings };
}
