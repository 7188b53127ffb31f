/**
 * The grader child's side of honest grading, in its main thread, where no learner code runs (the
 * suites and the learner's code run in a worker thread):
 *
 * - each run gets a fresh signing key, handed to the guard (test/support/guard.ts) through the
 *   environment of the worker, which the guard removes before any suite code runs; a test reported
 *   as passed counts only with the guard's signature, HMAC(key, test id);
 * - what the guard saw (GraderTampered errors, meta.kubelingsTampered) is gathered;
 * - every module the worker loads is seen here first (vitest's fetch): the learner's code
 *   importing a hidden suite, the test framework or the inspector, or any file of the reference
 *   solution of a component graded from the learner's code, is tampering;
 * - console output is counted: only the first `keepBytes` of a run are kept, and past `floodBytes`
 *   the run is reported as flooded;
 * - a worker stopped by V8 for want of memory is reported as out of memory.
 *
 * Plain JavaScript, like child.js.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Names of modules the learner's code has no business importing, with what importing them means. */
const FORBIDDEN_IMPORTS = [
  [/^(vitest|@vitest\/[^/]+|chai|tinyspy)(\/|$)/, 'it imports the test framework'],
  [/^(node:)?inspector(\/|$)/, 'it opens the inspector'],
];

function below(file, roots) {
  if (typeof file !== 'string') return undefined;
  for (const root of roots) if (file === root || file.startsWith(root + sep)) return root;
  return undefined;
}

/**
 * The file a fetch concerns, from vitest's url or id: `/@fs/abs`, `/abs?raw`, `file:///abs`, or a
 * path relative to the project root (`/exercises/x.ts`).
 */
function fileOf(id, root) {
  if (typeof id !== 'string') return undefined;
  let file = id.replace(/^file:\/\//, '').replace(/^\/@fs\//, '/');
  const query = file.indexOf('?');
  if (query >= 0) file = file.slice(0, query);
  if (!file.startsWith('/')) return undefined;
  file = decodeURIComponent(file);
  if (root && !file.startsWith(root + sep) && existsSync(root + file)) return root + file;
  return file;
}

export function createIntegrity({ send, root, heapLimitMb }) {
  /** The run in progress: its guard settings, key, and what it found. */
  let run = { guard: undefined, key: '', tampered: [], printed: 0, floodSent: false };

  const tamper = (what) => {
    if (!run.tampered.includes(what)) run.tampered.push(what);
  };

  // A worker that ran out of memory: V8 stops it, Node says ERR_WORKER_OUT_OF_MEMORY, and vitest,
  // which expects no such exit, throws. Say so first, and let the parent hear it before exiting.
  let outOfMemory = false;
  const emit = Worker.prototype.emit;
  Worker.prototype.emit = function (event, ...args) {
    if (event === 'error' && args[0] && args[0].code === 'ERR_WORKER_OUT_OF_MEMORY') {
      outOfMemory = true;
      send({ type: 'out-of-memory', limitMb: heapLimitMb });
    }
    return emit.call(this, event, ...args);
  };

  return {
    get outOfMemory() {
      return outOfMemory;
    },

    /** Starts a run: returns the environment the worker needs (the guard's settings and key). */
    beginRun(guard) {
      run = { guard, key: randomBytes(32).toString('hex'), tampered: [], printed: 0, floodSent: false };
      if (!guard) return {};
      return { KUBELINGS_GUARD: JSON.stringify({ ...guard, key: run.key }) };
    },

    /** What the run found, once it ended. */
    endRun() {
      return run.tampered;
    },

    /** Checks a test result; returns it, turned into a failure when it cannot be trusted. */
    checkResult(id, name, state, errors, meta) {
      for (const error of errors) this.noteError(error);
      for (const what of (meta && meta.kubelingsTampered) || []) tamper(String(what));
      if (!run.guard || state !== 'passed') return { state, errors };
      const signature = createHmac('sha256', run.key).update(id).digest('hex');
      if (meta && meta.kubelingsGuard === signature) return { state, errors };
      const what = `the pass of "${name}" did not come from the grader's own check`;
      tamper(what);
      return { state: 'failed', errors: [{ name: 'GraderTampered', message: `the exercise changed the grader: ${what}` }] };
    },

    /** Looks at an error for what the guard saw. */
    noteError(error) {
      if (!error) return;
      if (error.name === 'GraderTampered') {
        const text = String(error.message || '').replace(/^the exercise changed the grader: /, '');
        for (const part of text.split('; ')) if (part) tamper(part);
      }
      // A read the guard refused, and that stopped the suite before it could say so itself.
      const refused = error.name === 'GraderRefused' && /may not read the grader's files \((.*)\)$/.exec(String(error.message || ''));
      if (refused) tamper(`it read the grader's file ${refused[1]}`);
      else if (error.name === 'GraderRefused') tamper(String(error.message || '').replace(/^kubelings: /, ''));
      if (error.name === 'GraderFlood') this.noteConsole(run.guard ? run.guard.floodBytes + 1 : 0);
    },

    /** Counts console output; true while it is still to be kept and forwarded. */
    noteConsole(bytes) {
      run.printed += bytes;
      if (run.guard && run.printed > run.guard.floodBytes && !run.floodSent) {
        run.floodSent = true;
        send({ type: 'flooded', bytes: run.printed, keptBytes: run.guard.keepBytes });
      }
      return !run.guard || run.printed <= run.guard.keepBytes;
    },

    /** Looks at a module the worker asked for (vitest's fetch: url, importer, and the result). */
    noteFetch(url, importer, result) {
      const guard = run.guard;
      if (!guard) return;
      const from = fileOf(importer, root);
      const learnerImports = below(from, guard.learner) !== undefined;
      const external = result && typeof result.externalize === 'string' ? result.externalize : undefined;
      if (learnerImports) {
        for (const [pattern, what] of FORBIDDEN_IMPORTS) {
          if (pattern.test(url) || (external && pattern.test(external.replace(/^.*\/node_modules\//, '')))) tamper(`${what} (${url}, from ${from})`);
        }
      }
      const file = fileOf((result && (result.file || result.id)) || url, root);
      if (!file) return;
      const reference = below(file, guard.referenceOfGraded);
      if (reference) tamper(`it loads the reference solution ${file}`);
      else if (learnerImports && below(file, guard.readProtected)) tamper(`it imports the grader's file ${file}`);
    },
  };
}
