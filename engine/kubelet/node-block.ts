/**
 * Which block of the pod network a real node of a `cluster up` takes. Two clusters on one machine
 * (two projects, or tests running side by side) must never hand out the same pod addresses, and
 * each runtime's IPAM only knows its own root; so a node claims its block machine-wide: a file per
 * block in the temporary folder (`kubelings-node-blocks/<index>`, created exclusively, holding the
 * owner's pid and start time). A claim whose owner is gone is taken over; the same owner (a
 * kubelet restarted in a new process under the same root) finds its block again through
 * `<root>/pod-block`, written once claimed.
 *
 * Invariants: a live owner's block is never taken; release() removes the claim only while it is
 * still this process's.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLive, processStartTime } from '../cri/procfs.ts';

const BLOCKS = join(tmpdir(), 'kubelings-node-blocks');
/**
 * The blocks cluster nodes take: 0, then 4001-4095 (the runtime's own tests claim 1-4000 in a folder
 * of their own, test/engine/cri-harness.ts); 96 nodes on one machine at once.
 */
const NODE_BLOCKS = [0, ...Array.from({ length: 95 }, (_, i) => 4001 + i)];

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function ownerAlive(text: string): boolean {
  const [pid, start] = text.split(' ');
  return Number(pid) > 0 && isLive(Number(pid), start || undefined);
}

function tryClaim(index: number, mark: string): boolean {
  const file = join(BLOCKS, String(index));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(file, 'wx', 0o644));
      writeFileSync(file, mark);
      return true;
    } catch {
      const owner = read(file);
      if (owner === mark) return true;
      if (owner === '' || ownerAlive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** Claims a block for the node whose runtime root is `root`: the one it had, else the first free one of NODE_BLOCKS. */
export function claimNodeBlock(root: string): { index: number; release: () => void } {
  mkdirSync(BLOCKS, { recursive: true });
  mkdirSync(root, { recursive: true });
  const mark = `${process.pid} ${processStartTime(process.pid) ?? ''}`;
  const remembered = Number(read(join(root, 'pod-block')) || NaN);
  const order = [...(NODE_BLOCKS.includes(remembered) ? [remembered] : []), ...NODE_BLOCKS];
  for (const index of order) {
    if (!tryClaim(index, mark)) continue;
    writeFileSync(join(root, 'pod-block'), String(index));
    const file = join(BLOCKS, String(index));
    return { index, release: () => (read(file) === mark ? rmSync(file, { force: true }) : undefined) };
  }
  throw new Error(`every block of the pod network is claimed by a live kubelet (see ${BLOCKS})`);
}
