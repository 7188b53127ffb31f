/**
 * The transform cache (node_modules/.cache/kubelings/vitest, or KUBELINGS_MODULE_CACHE) holds vitest's transformed copy of
 * every module, the hidden suites and the door (engine/impl.ts) included, in a folder the
 * learner's code can write: rewriting the cached copy of a suite would change every later grade
 * while the suite on disk stays untouched. So, for each run, in the grader child's main thread:
 *
 * - before the test worker loads anything (at its first fetch), the cache file names of the
 *   grader's modules (the run's suites folders, engine/impl.ts, test/support) are worked out the
 *   way vitest names them (a hash of the module's id, its source and the configuration), and the
 *   CLI notes how each of those files is (runner.ts, before any learner code runs: the child waits
 *   for its answer);
 * - the files vitest itself reads or writes during the run are noted with their content's hash;
 * - after the run, the CLI deletes any of those cache files that changed in another way (vitest
 *   makes a fresh one next time), and says the exercise changed the grader: a file this run read
 *   or wrote must still be what it read or wrote; one it did not touch must not have changed (one
 *   that appeared is only removed: another kubelings process may have written it).
 *
 * Cheap: a hash of each grader source file per run (they are small), a stat per cache file. The
 * alternative, keeping the grader's modules out of the cache, costs a fresh transform of the suite
 * on every check (about 60 ms of CPU).
 *
 * Relies on vitest's internal file cache (Vitest._fsCache.generateCachePath / saveCachedModule);
 * when those are not there, nothing is protected and `available` says so (the CLI's tests notice).
 *
 * Plain JavaScript, like child.js.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sourcesUnder(folder, out) {
  let names;
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(folder, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) sourcesUnder(path, out);
    else if (/\.[cm]?tsx?$/.test(name)) out.push(path);
  }
}

/**
 * @param {{ vitest: object, root: string, ask: (entries: [string, string][]) => Promise<void> }} options
 *   ask: hands the [cache file, source file] pairs to the CLI and resolves once it noted them.
 */
export function guardTransformCache({ vitest, root, ask }) {
  const cache = vitest._fsCache;
  const project = vitest.getRootProject();
  const available = Boolean(cache && typeof cache.generateCachePath === 'function' && typeof cache.saveCachedModule === 'function' && project?._config);
  let run = { suites: [], protecting: undefined, paths: new Map(), written: {} };

  const note = (path) => {
    if (!run.paths.has(path)) return;
    try {
      run.written[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {}
  };
  if (available) {
    const save = cache.saveCachedModule.bind(cache);
    cache.saveCachedModule = async (path, ...rest) => {
      const result = await save(path, ...rest);
      note(path);
      return result;
    };
    if (typeof cache.getCachedModule === 'function') {
      const read = cache.getCachedModule.bind(cache);
      cache.getCachedModule = async (path, ...rest) => {
        const result = await read(path, ...rest);
        if (result) note(path);
        return result;
      };
    }
  }

  return {
    available,

    /** A run of these suites folders begins. */
    beginRun(suites) {
      run = { suites, protecting: undefined, paths: new Map(), written: {} };
    },

    /** Before the worker's first fetch of a run: have the CLI note the grader's cache files. */
    protect(environment) {
      if (!available || !environment) return Promise.resolve();
      run.protecting ??= (async () => {
        const sources = [join(root, 'engine', 'impl.ts')];
        sourcesUnder(join(root, 'test', 'support'), sources);
        for (const folder of run.suites) sourcesUnder(folder, sources);
        for (const file of new Set(sources)) {
          try {
            const path = cache.generateCachePath(project._config, environment, file, readFileSync(file, 'utf8'));
            if (path) run.paths.set(path, file);
          } catch {}
        }
        await ask([...run.paths]);
      })();
      return run.protecting;
    },

    /** The grader's cache files vitest read or wrote in this run, with their content's SHA-256. */
    written() {
      return run.written;
    },
  };
}
