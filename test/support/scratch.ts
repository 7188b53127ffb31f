/**
 * A scratch folder in memory (/dev/shm) when the machine has one that can be written, else in the
 * temporary folder: for tests and benchmarks of logic over many small files, where fsync's speed
 * on a shared disk would only add noise and minutes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchDir(prefix: string): string {
  try {
    return mkdtempSync(join('/dev/shm', prefix));
  } catch {
    return mkdtempSync(join(tmpdir(), prefix));
  }
}
