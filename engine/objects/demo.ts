/**
 * "See it live" for lesson 00: runs the learner's own selector code (through the door) over a
 * handful of real-looking pods and prints which ones a selector picks, the way
 * `kubectl get pods -l '<selector>'` would, with the request kubectl would send.
 *
 *   npx tsx engine/objects/demo.ts 'app=web,tier in (fe,be)'
 *   npx tsx engine/objects/demo.ts '!canary,env notin (prod)' --impl solutions
 *   npx tsx engine/objects/demo.ts 'tier' --pods my-pods.yaml
 *
 * The code comes from exercises/objects (the learner's) unless `--impl` or KUBELINGS_IMPL says
 * otherwise. A function that is not written yet is replaced by the reference, with a note; a
 * selector that does not parse prints the SelectorSyntaxError and exits 1.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isNotImplemented, KubelingsError } from '../errors.ts';
import { loadComponent, parseImplSpec, treeFor } from '../impl.ts';
import { CORE_PACK_DIR, ROOT } from '../paths.ts';
import { SelectorSyntaxError } from './errors.ts';
import type { ObjectsExercises } from './exercises.ts';
import type { KubeObject, LabelSelector, StringMap } from './types.ts';

const USAGE = "usage: npx tsx engine/objects/demo.ts '<selector>' [--impl solutions|exercises] [--pods FILE]";

interface Options {
  selector: string;
  impl: string;
  pods: string;
}

function readOptions(argv: string[]): Options {
  const options: Options = {
    selector: '',
    impl: process.env.KUBELINGS_IMPL || 'exercises:objects',
    pods: join(CORE_PACK_DIR, '00-objects', 'sample-pods.yaml'),
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--impl' || arg === '--pods') {
      const value = argv[++i];
      if (value === undefined) throw new KubelingsError(`${arg} needs a value.\n${USAGE}`);
      if (arg === '--impl') options.impl = value;
      else options.pods = value;
    } else if (arg === '-h' || arg === '--help') {
      throw new KubelingsError(USAGE);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) throw new KubelingsError(`give one selector, quoted.\n${USAGE}`);
  options.selector = positional[0]!;
  return options;
}

function readPods(file: string): KubeObject[] {
  const data = parseYaml(readFileSync(file, 'utf8')) as { items?: KubeObject[] } | KubeObject[];
  const items = Array.isArray(data) ? data : (data.items ?? []);
  return items.filter((o) => o && typeof o === 'object' && o.metadata);
}

/** Calls the learner's function; if it is not written yet, the reference's, and says so. */
async function withFallback<T>(what: string, mine: () => T, reference: (r: ObjectsExercises) => T, notes: string[]): Promise<T> {
  try {
    return mine();
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
    const exercise = (error as { exercise?: string }).exercise ?? 'a later exercise';
    notes.push(`your ${what} is not written yet (${exercise}): the reference stands in for it.`);
    return reference(await loadComponent('objects', parseImplSpec('solutions')));
  }
}

function showLabels(labels: StringMap | undefined): string {
  const pairs = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length === 0 ? '<none>' : pairs.map(([k, v]) => `${k}=${v}`).join(',');
}

function showRequirements(selector: LabelSelector): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) lines.push(`  matchLabels: ${k}: ${JSON.stringify(v)}`);
  for (const r of selector.matchExpressions ?? []) {
    const values = r.values ? `, values: [${r.values.map((v) => JSON.stringify(v)).join(', ')}]` : '';
    lines.push(`  - {key: ${r.key}, operator: ${r.operator}${values}}`);
  }
  return lines.length > 0 ? lines : ['  (no requirements: the empty selector, which matches everything)'];
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  const choice = parseImplSpec(options.impl);
  const tree = treeFor(choice, 'objects');
  const objects = await loadComponent('objects', choice);
  const notes: string[] = [];

  let selector: LabelSelector;
  try {
    selector = await withFallback(
      'parseSelector()',
      () => objects.parseSelector(options.selector),
      (r) => r.parseSelector(options.selector),
      notes,
    );
  } catch (error) {
    if (error instanceof SelectorSyntaxError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const pods = readPods(options.pods);
  const verdicts: boolean[] = [];
  for (const pod of pods) {
    const labels = pod.metadata.labels;
    verdicts.push(
      await withFallback(
        'matchesSelector()',
        () => objects.matchesSelector(selector, labels),
        (r) => r.matchesSelector(selector, labels),
        notes,
      ),
    );
  }

  // kubectl sends the selector form-encoded, and lists in chunks of 500 (--chunk-size).
  const query = new URLSearchParams({ labelSelector: options.selector, limit: '500' }).toString();
  console.log(`selector   ${options.selector}`);
  console.log(`code       ${tree}/objects (${tree === 'exercises' ? 'yours' : 'the reference'})`);
  for (const note of new Set(notes)) console.log(`note       ${note}`);
  console.log(`kubectl    kubectl get pods -l '${options.selector}'`);
  console.log(`sends      GET /api/v1/namespaces/default/pods?${query}`);
  console.log('parsed as a LabelSelector:');
  console.log(showRequirements(selector).join('\n'));
  console.log('');

  const width = Math.max(4, ...pods.map((p) => (p.metadata.name ?? '').length));
  console.log(`${'NAME'.padEnd(width)}  MATCH  LABELS`);
  pods.forEach((pod, i) => {
    console.log(`${(pod.metadata.name ?? '').padEnd(width)}  ${verdicts[i] ? '  ✓  ' : '  ·  '}  ${showLabels(pod.metadata.labels)}`);
  });
  const matched = verdicts.filter(Boolean).length;
  console.log('');
  console.log(`${matched} of ${pods.length} pods match (pods from ${relative(ROOT, options.pods) || options.pods}).`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A KubelingsError is written for a person (usage, a bad selector); anything else is a bug in
    // the code being run, so its stack points at the line.
    console.error(error instanceof KubelingsError ? error.message : error);
    process.exit(1);
  },
);
