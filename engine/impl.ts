/**
 * The one door: the only place that chooses whether a component's code comes from the learner's
 * `exercises/` or the reference `solutions/`. The engine, the hidden suites and the CLI all load
 * component code through `loadComponent(name)`, never by importing either tree directly.
 *
 * A choice is a default tree plus per-component overrides, written as a spec string:
 *
 *   solutions                   every component from the reference
 *   exercises                   every component from the learner's files
 *   exercises:scheduler,etcd    the learner's scheduler and store, the reference for the rest
 *   solutions:etcd              the reference store, the learner's code for the rest
 *   mine                        the learner's code for every component whose exercises all pass
 *
 * The spec comes from `--impl` (the CLI sets KUBELINGS_IMPL) or the KUBELINGS_IMPL environment
 * variable; unset means `solutions`. `mine` needs to know which components are complete: the CLI
 * passes that list in, and otherwise it is read from the progress file the grader keeps.
 *
 * Where the trees are: KUBELINGS_EXERCISES_PATH and KUBELINGS_SOLUTIONS_PATH are lists of folders
 * (joined with the platform's path delimiter), searched in order for `<component>/index.ts`; they
 * default to the repository's own `exercises/` and `solutions/`. Lesson packs that bring their own
 * code put their folders first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ComponentName, Components } from './components.ts';
import { KubelingsError } from './errors.ts';
import { ROOT, stateDir } from './paths.ts';

export type ImplTree = 'exercises' | 'solutions';

export interface ImplChoice {
  /** The tree for every component not named in `overrides`. */
  readonly default: ImplTree;
  /** Per-component trees. */
  readonly overrides: Readonly<Record<string, ImplTree>>;
}

const TREES: readonly ImplTree[] = ['exercises', 'solutions'];

/**
 * Parses an impl spec (see the file header). `completeComponents` is needed only for `mine`: the
 * components whose exercises all pass. Throws a KubelingsError naming the mistake.
 */
export function parseImplSpec(spec: string, completeComponents?: readonly string[]): ImplChoice {
  const text = spec.trim();
  if (text === 'mine') {
    const complete = completeComponents ?? readCompleteComponents();
    return { default: 'solutions', overrides: Object.fromEntries(complete.map((c) => [c, 'exercises' as const])) };
  }
  const [tree, list, ...rest] = text.split(':');
  if (!TREES.includes(tree as ImplTree) || rest.length > 0) {
    throw new KubelingsError(`"${spec}" is not an implementation choice: use solutions, exercises, mine, or a tree with ` + `components such as exercises:scheduler,etcd.`);
  }
  if (list === undefined) return { default: tree as ImplTree, overrides: {} };
  const names = list.split(',').map((n) => n.trim());
  if (names.some((n) => !/^[a-z][a-z0-9-]*$/.test(n))) {
    throw new KubelingsError(`"${spec}" names a component badly: components are lowercase words such as etcd or scheduler.`);
  }
  const other: ImplTree = tree === 'exercises' ? 'solutions' : 'exercises';
  return { default: other, overrides: Object.fromEntries(names.map((n) => [n, tree as ImplTree])) };
}

/** Writes a choice back as the shortest spec that means the same. */
export function formatImplChoice(choice: ImplChoice): string {
  const named = Object.entries(choice.overrides)
    .filter(([, t]) => t !== choice.default)
    .map(([c]) => c);
  if (named.length === 0) return choice.default;
  const tree = choice.default === 'exercises' ? 'solutions' : 'exercises';
  return `${tree}:${named.sort().join(',')}`;
}

/** The tree a component comes from under a choice. */
export function treeFor(choice: ImplChoice, component: string): ImplTree {
  return choice.overrides[component] ?? choice.default;
}

/** The choice in force for this process: KUBELINGS_IMPL, or `solutions` when unset. */
export function currentChoice(): ImplChoice {
  return parseImplSpec(process.env.KUBELINGS_IMPL || 'solutions');
}

/** The folders searched for a tree, in order. */
export function treeRoots(tree: ImplTree): string[] {
  const variable = tree === 'exercises' ? 'KUBELINGS_EXERCISES_PATH' : 'KUBELINGS_SOLUTIONS_PATH';
  const fromEnv = (process.env[variable] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((p) => resolve(p));
  return [...fromEnv, join(ROOT, tree)];
}

/** The `index.ts` of a component in a tree, or undefined when no root has it. */
export function componentIndex(tree: ImplTree, component: string): string | undefined {
  for (const root of treeRoots(tree)) {
    const file = join(root, component, 'index.ts');
    if (existsSync(file)) return file;
  }
  return undefined;
}

const loaded = new Map<string, Promise<unknown>>();

/**
 * Loads a component's code from the tree the current choice names. The result is the object its
 * `index.ts` exports by default, typed by the component's interface in engine/components.ts.
 */
export function loadComponent<K extends ComponentName>(component: K, choice: ImplChoice = currentChoice()): Promise<Components[K]> {
  const tree = treeFor(choice, component);
  const key = `${tree}:${component}`;
  let promise = loaded.get(key);
  if (!promise) {
    promise = importComponent(tree, component);
    loaded.set(key, promise);
  }
  return promise as Promise<Components[K]>;
}

async function importComponent(tree: ImplTree, component: string): Promise<unknown> {
  const file = componentIndex(tree, component);
  if (!file) {
    throw new KubelingsError(`No component "${component}" in ${tree}/: looked in ${treeRoots(tree).join(', ')}.`);
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (typeof module.default !== 'object' || module.default === null) {
    throw new KubelingsError(`${file} must export its functions as one default object (export default { ... } satisfies ...); ` + `did an edit remove the "export default"?`);
  }
  return module.default;
}

/** Components whose exercises all pass, as the grader last recorded them in the progress file. */
export function readCompleteComponents(): string[] {
  const file = join(stateDir(), 'progress.json');
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { completeComponents?: unknown };
    return Array.isArray(data.completeComponents) ? data.completeComponents.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}
