/**
 * Where things are on disk. The project root is found from this file's own location, never from the
 * current directory, so that `npx kubelings` works from any subfolder.
 *
 * `KUBELINGS_HOME` moves the learner's state (progress, cluster data, kubeconfig) away from
 * `<root>/.kubelings`; tests use it to work in a temporary directory.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The learner's state folder (git-ignored). */
export function stateDir(): string {
  return process.env.KUBELINGS_HOME ? resolve(process.env.KUBELINGS_HOME) : join(ROOT, '.kubelings');
}

/** The built-in lesson pack. */
export const CORE_PACK_DIR = join(ROOT, 'lessons', 'core');
