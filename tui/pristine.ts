/**
 * Pristine stubs: every component folder keeps a sealed copy of its untouched exercise files in
 * `<exercises>/<component>/.pristine.json`, so that `reset` works without git and the stub proof
 * (every hidden test fails on the untouched stub) runs on the stubs as shipped, not on the learner's
 * edits. One seal per component, so lessons can be written side by side without touching each
 * other's seal.
 *
 * Instructors refresh the seal with `npx kubelings pack seal` after changing a stub; CI runs
 * `pack seal --check`, which fails while a stub and its sealed copy differ.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { KubelingsError } from '#engine/errors.ts';
import { ROOT } from '#engine/paths.ts';
import { isBelow, isPlainRelativePath, realPathNear } from './course/confine.ts';
import type { Pack } from './course/load.ts';
import { writeFileAtomic } from './progress.ts';
import { isProcessAlive } from '#engine/processes.ts';

export const SEAL_FILE = '.pristine.json';
const SEAL_VERSION = 1;

interface Seal {
  version: number;
  /** Path relative to the component folder (always with `/`) → file content. */
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

/** The component folders of a pack's exercises tree. */
function components(pack: Pack): string[] {
  if (!existsSync(pack.exercisesRoot)) return [];
  return readdirSync(pack.exercisesRoot)
    .filter((name) => !name.startsWith('.') && statSync(join(pack.exercisesRoot, name)).isDirectory())
    .sort();
}

function sealPath(pack: Pack, component: string): string {
  return join(pack.exercisesRoot, component, SEAL_FILE);
}

function readSeal(pack: Pack, component: string): Seal | undefined {
  const file = sealPath(pack, component);
  if (!existsSync(file)) return undefined;
  let text: string;
  let seal: Seal;
  try {
    text = readFileSync(file, 'utf8');
    seal = JSON.parse(text) as Seal;
    if (seal.version !== SEAL_VERSION || typeof seal.files !== 'object' || seal.files === null) throw new Error('unknown format');
  } catch (error) {
    throw new KubelingsError(`${relative(ROOT, file)} is damaged (${(error as Error).message}): restore it from the pack's source.`);
  }
  // A seal names files inside its component folder only: `reset` writes them back there.
  for (const [rel, content] of Object.entries(seal.files)) {
    if (!isPlainRelativePath(rel) || !rel.endsWith('.ts') || typeof content !== 'string') {
      const line = text.slice(0, Math.max(0, text.indexOf(JSON.stringify(rel)))).split('\n').length;
      const why = typeof content !== 'string' ? 'its content is not text' : 'it is not a plain path inside the folder (no "..", no leading "/")';
      throw new KubelingsError(`${relative(ROOT, file)}:${line}: refusing the seal: it names ${JSON.stringify(rel)}, and ${why}. Restore the seal from the pack's source.`);
    }
  }
  return seal;
}

/** Splits `objects/selectors.ts` into the component and the path inside it; refuses anything else. */
function splitFile(relFile: string): [string, string] {
  const plain = relFile.split(sep).join('/');
  const [component, ...rest] = plain.split('/');
  if (!isPlainRelativePath(plain) || rest.length === 0) {
    throw new KubelingsError(`${relFile} is not a file inside a component folder of the pack's exercises.`);
  }
  return [component!, rest.join('/')];
}

/** Seals the exercise files of every component (or one) as they are now. Returns the file count. */
export function seal(pack: Pack, only?: string): number {
  let count = 0;
  for (const component of components(pack).filter((c) => !only || c === only)) {
    const dir = join(pack.exercisesRoot, component);
    const files = Object.fromEntries(listSources(dir).map((rel) => [rel, readFileSync(join(dir, rel), 'utf8')]));
    writeFileAtomic(sealPath(pack, component), `${JSON.stringify({ version: SEAL_VERSION, files }, null, 1)}\n`);
    count += Object.keys(files).length;
  }
  return count;
}

/** Files (relative to the exercises folder) that differ from their seal or lack one side. */
export function sealDrift(pack: Pack): string[] {
  const drift: string[] = [];
  for (const component of components(pack)) {
    const dir = join(pack.exercisesRoot, component);
    const sealed = readSeal(pack, component)?.files ?? {};
    const onDisk = listSources(dir);
    for (const rel of onDisk) if (sealed[rel] !== readFileSync(join(dir, rel), 'utf8')) drift.push(`${component}/${rel}`);
    for (const rel of Object.keys(sealed)) if (!onDisk.includes(rel)) drift.push(`${component}/${rel}`);
  }
  return drift.sort();
}

/** The pristine text of one exercise file (path relative to the exercises folder). */
export function pristineText(pack: Pack, relFile: string): string {
  const [component, inner] = splitFile(relFile);
  const text = readSeal(pack, component)?.files[inner];
  if (text === undefined) {
    throw new KubelingsError(`No pristine copy of ${relFile} in ${relative(ROOT, sealPath(pack, component))}: was the pack sealed (npx kubelings pack seal)?`);
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

/**
 * Restores one exercise file to its pristine stub. Writes only inside the pack's exercises folder:
 * a path or a link that leads elsewhere is refused.
 */
export function restore(pack: Pack, relFile: string): void {
  const [component] = splitFile(relFile);
  const text = pristineText(pack, relFile);
  const target = join(pack.exercisesRoot, relFile);
  const folder = join(pack.exercisesRoot, component);
  if (!isBelow(target, folder) || !isBelow(realPathNear(target), realPathNear(folder))) {
    throw new KubelingsError(`Refusing to reset ${relFile}: it leads outside ${relative(ROOT, folder) || folder}.`);
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic(target, text);
}

/**
 * Writes the pack's pristine stubs into a fresh folder inside the project (so `#engine` imports
 * resolve) and returns it; the caller removes it with `removeExtracted`.
 */
export function extractPristine(pack: Pack): string {
  const cache = join(ROOT, 'node_modules', '.cache', 'kubelings');
  sweepAbandoned(cache);
  const dir = join(cache, `pristine-${pack.id}-${process.pid}-${Date.now()}`);
  // Only the components the pack's lessons teach: a folder still being written has no seal yet.
  const taught = new Set(pack.lessons.map((l) => l.component));
  for (const component of components(pack).filter((c) => taught.has(c))) {
    const seal = readSeal(pack, component);
    if (!seal) {
      throw new KubelingsError(`${relative(ROOT, join(pack.exercisesRoot, component))} has no ${SEAL_FILE}: run npx kubelings pack seal`);
    }
    for (const [rel, text] of Object.entries(seal.files)) {
      const file = join(dir, component, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  return dir;
}

/** Removes folders left by a `pack check` that was killed before it could (its process is gone). */
function sweepAbandoned(cache: string): void {
  let names: string[];
  try {
    names = readdirSync(cache);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^pristine-.+-(\d+)-\d+$/.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) removeExtracted(join(cache, name));
  }
}

export function removeExtracted(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
