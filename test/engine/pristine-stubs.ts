/**
 * The stubs as shipped, for engine tests that need an unwritten exercise: the sealed pristine copy
 * of the core pack, never the live `exercises/` tree (which a learner who has finished the exercise
 * has filled in, and whose tests would then fail for the wrong reason).
 *
 * `usePristineStubs()` extracts the seal before the file's tests and points KUBELINGS_EXERCISES_PATH
 * at it, so that `--impl exercises` resolves to the shipped stubs; both are undone afterwards.
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { CORE_PACK_DIR } from '#engine/paths.ts';
import { loadPack } from '../../tui/course/load.ts';
import { extractPristine, removeExtracted } from '../../tui/pristine.ts';

export interface PristineStubs {
  /** The absolute path of a stub file, e.g. `file('apiserver/routing.ts')`. */
  file(relative: string): string;
}

export function usePristineStubs(): PristineStubs {
  let dir: string | undefined;
  let previous: string | undefined;
  beforeAll(() => {
    dir = extractPristine(loadPack(CORE_PACK_DIR));
    previous = process.env.KUBELINGS_EXERCISES_PATH;
    process.env.KUBELINGS_EXERCISES_PATH = dir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.KUBELINGS_EXERCISES_PATH;
    else process.env.KUBELINGS_EXERCISES_PATH = previous;
    if (dir) removeExtracted(dir);
  });
  return {
    file(relative: string) {
      if (!dir) throw new Error('usePristineStubs(): the stubs are extracted in beforeAll; call file() inside a test');
      return join(dir, relative);
    },
  };
}
