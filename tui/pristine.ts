/**
 * Pristine stubs: every pack keeps a sealed copy of its untouched exercise files in
 * `<exercises>/.pristine.json`, so that `reset` works without git and the stub proof (every hidden
 * test fails on the untouched stub) runs on the stubs as shipped, not on the learner's edits.
 *
 * Instructors refresh the seal with `npx kubelings pack seal` after changing a stub; CI runs
 * `pack seal --check`, which fails while a stub and its sealed copy differ.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { KubelingsError } from '#engine/errors.ts';
import { ROOT } from '#engine/paths.ts';
import type { Pack } from './course/load.ts';
import { writeFileAtomic } from './progress.ts';

export const SEAL_FILE = '.pristine.json';
const SEAL_VERSION = 1;

interface Seal {
  version: number;
  /** Path relative to the exercises folder (always with `/`) → file content. */
  files: Record<string, string>;
}

/** Every TypeScript file under a folder, as sorted relative paths with `/`. */
function listSources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

function readSeal(pack: Pack): Seal | undefined {
  const file = join(pack.exercisesRoot, SEAL_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const seal = JSON.parse(readFileSync(file, 'utf8')) as Seal;
    if (seal.version !== SEAL_VERSION || typeof seal.files !== 'object') throw new Error('unknown format');
    return seal;
  } catch (error) {
    throw new KubelingsError(`${relative(ROOT, file)} is damaged (${(error as Error).message}): restore it from the pack's source.`);
  }
}

/** Seals the pack's exercise files as they are now. Returns the number of files sealed. */
export function seal(pack: Pack): number {
  const files = Object.fromEntries(listSources(pack.exercisesRoot).map((rel) => [rel, readFileSync(join(pack.exercisesRoot, rel), 'utf8')]));
  writeFileAtomic(join(pack.exercisesRoot, SEAL_FILE), `${JSON.stringify({ version: SEAL_VERSION, files }, null, 1)}\n`);
  return Object.keys(files).length;
}

/** Files whose content differs from the seal (or that one side lacks). Empty when in step. */
export function sealDrift(pack: Pack): string[] {
  const sealed = readSeal(pack)?.files ?? {};
  const onDisk = listSources(pack.exercisesRoot);
  const drift = onDisk.filter((rel) => sealed[rel] !== readFileSync(join(pack.exercisesRoot, rel), 'utf8'));
  drift.push(...Object.keys(sealed).filter((rel) => !onDisk.includes(rel)));
  return drift.sort();
}

/** The pristine text of one exercise file (path relative to the exercises folder). */
export function pristineText(pack: Pack, relFile: string): string {
  const seal = readSeal(pack);
  const text = seal?.files[relFile.split(sep).join('/')];
  if (text === undefined) {
    throw new KubelingsError(`No pristine copy of ${relFile} in ${relative(ROOT, join(pack.exercisesRoot, SEAL_FILE))}: was the pack sealed (npx kubelings pack seal)?`);
  }
  return text;
}

/** True when the learner's file is exactly the pristine stub. */
export function isPristine(pack: Pack, relFile: string): boolean {
  try {
    return readFileSync(join(pack.exercisesRoot, relFile), 'utf8') === pristineText(pack, relFile);
  } catch {
    return false;
  }
}

/** Restores one exercise file to its pristine stub. */
export function restore(pack: Pack, relFile: string): void {
  const target = join(pack.exercisesRoot, relFile);
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic(target, pristineText(pack, relFile));
}

/**
 * Writes the pack's pristine stubs into a fresh folder inside the project (so `#engine` imports
 * resolve) and returns it; the caller removes it with `removeExtracted`.
 */
export function extractPristine(pack: Pack): string {
  const seal = readSeal(pack);
  if (!seal) throw new KubelingsError(`${relative(ROOT, pack.exercisesRoot)} has no ${SEAL_FILE}: run npx kubelings pack seal ${relative(process.cwd(), pack.dir) || '.'}`);
  const dir = join(ROOT, 'node_modules', '.cache', 'kubelings', `pristine-${pack.id}-${process.pid}-${Date.now()}`);
  for (const [rel, text] of Object.entries(seal.files)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

export function removeExtracted(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A short content hash, for messages. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
