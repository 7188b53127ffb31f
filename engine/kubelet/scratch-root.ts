/**
 * A fresh folder for the runtime of a kubelet in an in-process cluster (no state folder to keep it
 * in): in memory (/dev/shm) when the machine has one, else the temporary folder. The caller removes
 * it when the kubelet stops.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchRoot(nodeName: string): string {
  const prefix = `kubelings-kubelet-${nodeName}-`;
  try {
    return mkdtempSync(join('/dev/shm', prefix));
  } catch {
    return mkdtempSync(join(tmpdir(), prefix));
  }
}
