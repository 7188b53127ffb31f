/**
 * What `cluster down` runs once the control plane is gone: every container process the cluster's
 * real nodes may have left (their runtimes live in `<state>/nodes/<node>`). A kubelet stopped
 * cleanly has ended them already; one whose process was killed with the daemon (kill -9) has not,
 * and its containers, each in a process group of its own, outlive it: cleanupOrphans finds them by
 * the records and by the runtime's id in their environment, and kills them. Never throws: what it
 * could not do comes back as sentences for the terminal.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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
  for (const node of nodes) {
    try {
      const report = await cleanupOrphans(join(dir, node), { force: true });
      killed += report.killed.length;
      warnings.push(...report.warnings);
    } catch (error) {
      warnings.push(`the containers of ${node} could not all be stopped: ${(error as Error).message}`);
    }
  }
  return { killed, warnings };
}
