/**
 * The grader's child process: runs hidden suites with vitest and reports every event to the parent
 * over IPC. The parent (runner.ts) owns the deadline and kills this process's whole group when it
 * passes, so a learner's `while (true) {}` can never hang the CLI or the TUI.
 *
 * Plain JavaScript on purpose: under tsx's loader hooks, importing vitest/node takes ~1.7 s instead
 * of ~0.3 s, and the child must start fast. vitest transforms the TypeScript suites itself.
 *
 * vitest is created once, as soon as it is imported, so a run costs only the tests; its transformed
 * modules are cached on disk by content hash, so a run transforms only what changed. The suites'
 * environment is not vitest config: each run sets process.env before it starts, and the worker
 * thread that runs the suites copies process.env when it is created.
 *
 * Protocol (process.send / process.on('message')):
 *   child → parent  { type: 'ready', pid }                       vitest is loaded (pid: this process)
 *   parent → child  { type: 'run', files, env, guard }            run these suite files (guard: integrity.js)
 *   child → parent  { type: 'collected', file, tests }            the tests a suite file holds
 *   child → parent  { type: 'test-start', id, file, name }        a test began (when the worker can say so)
 *   child → parent  { type: 'test-result', id, file, name, ... }  a test ended
 *   child → parent  { type: 'console', taskId, stream, content }  the learner's console output
 *   child → parent  { type: 'module-end', file, state, errors }
 *   child → parent  { type: 'run-end', reason, unhandledErrors }
 *   child → parent  { type: 'grader-cache', entries }             the grader's transform-cache files (transformCache.js)
 *   parent → child  { type: 'grader-cache-noted' }                 noted: the worker may load modules
 *   child → parent  { type: 'tampered', what }                    the learner's code changed the grader (before 'done')
 *   child → parent  { type: 'grader-cache-written', written }     cache files vitest wrote, with their hash (before 'done')
 *   child → parent  { type: 'flooded', bytes, keptBytes }         console output past the flood limit
 *   child → parent  { type: 'out-of-memory', limitMb }            the worker outgrew the heap limit
 *   child → parent  { type: 'done' } or { type: 'fatal', error }
 *   parent → child  { type: 'invalidate', files }                 files changed on disk (warm mode)
 *   parent → child  { type: 'exit' }
 */
import { readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isAbsolute, join, normalize } from 'node:path';
import workerThreads from 'node:worker_threads';
import { createIntegrity } from './integrity.js';
import { endRunProcesses, procInfo, RUN_MARKER } from './reap.js';
import { guardTransformCache } from './transformCache.js';

/**
 * The test worker's heap is capped (spawn.js says how far): vitest creates it, so Worker is given
 * the limit by default before vitest is loaded and takes the class.
 */
const HEAP_LIMIT_MB = Number(process.env.KUBELINGS_GRADE_HEAP_MB) || undefined;
if (HEAP_LIMIT_MB) {
  const NodeWorker = workerThreads.Worker;
  workerThreads.Worker = class extends NodeWorker {
    constructor(file, options = {}) {
      super(file, { ...options, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB, ...options.resourceLimits } });
    }
  };
  syncBuiltinESMExports();
}

const vitestNode = import('vitest/node');

/**
 * The transform cache, relative to the project (KUBELINGS_MODULE_CACHE moves it: the project's own
 * test suite gives each of its workers one, see test/module-cache-setup.ts); emptied when a great
 * many saves have filled it.
 */
const MODULE_CACHE = moduleCacheFolder(process.env.KUBELINGS_MODULE_CACHE);
const MODULE_CACHE_MAX_ENTRIES = 5000;

/** The cache folder asked for, if it is a plain relative path inside the project; else the default. */
function moduleCacheFolder(asked) {
  const fallback = 'node_modules/.cache/kubelings/vitest';
  if (!asked || isAbsolute(asked) || normalize(asked).split(/[\\/]/).includes('..')) return fallback;
  return normalize(asked);
}
try {
  const dir = join(process.env.KUBELINGS_ROOT || process.cwd(), MODULE_CACHE);
  if (readdirSync(dir).length > MODULE_CACHE_MAX_ENTRIES) rmSync(dir, { recursive: true, force: true });
} catch {}

function send(message, callback) {
  if (process.connected) process.send(message, callback);
  else callback?.();
}

const ROOT = process.env.KUBELINGS_ROOT || process.cwd();
/** The guard, run in the test worker before every suite (and so before the learner's code). */
const GUARD = join(ROOT, 'test', 'support', 'guard-setup.ts');
const integrity = createIntegrity({ send, root: ROOT, heapLimitMb: HEAP_LIMIT_MB });

/**
 * Keeps only what the parent needs from a vitest error, in a form that survives IPC. The cause is
 * kept one level deep: fast-check puts the failing assertion there.
 */
function plainError(error, depth = 0) {
  if (!error || typeof error !== 'object') return { message: String(error) };
  return {
    name: error.name,
    message: String(error.message ?? ''),
    expected: typeof error.expected === 'string' ? error.expected : undefined,
    actual: typeof error.actual === 'string' ? error.actual : undefined,
    diff: typeof error.diff === 'string' ? error.diff : undefined,
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    stacks: Array.isArray(error.stacks) ? error.stacks.map((s) => ({ file: s.file, line: s.line, column: s.column, method: s.method })) : undefined,
    type: error.type,
    frame: typeof error.frame === 'string' ? error.frame : undefined,
    nameOfCause: error.cause && typeof error.cause === 'object' ? error.cause.name : undefined,
    cause: depth === 0 && error.cause && typeof error.cause === 'object' ? plainError(error.cause, 1) : undefined,
  };
}

const reporter = {
  onTestModuleCollected(testModule) {
    const tests = [...testModule.children.allTests()].map((t) => ({ id: t.id, name: t.fullName, title: t.name, meta: t.meta() }));
    send({ type: 'collected', file: testModule.moduleId, tests });
  },
  onTestCaseReady(testCase) {
    send({ type: 'test-start', id: testCase.id, file: testCase.module.moduleId, name: testCase.fullName });
  },
  onTestCaseResult(testCase) {
    const result = testCase.result();
    const diagnostic = testCase.diagnostic();
    // A pass counts only with the guard's signature (integrity.js).
    const checked = integrity.checkResult(testCase.id, testCase.fullName, result.state, (result.errors ?? []).map(plainError), testCase.meta());
    send({
      type: 'test-result',
      id: testCase.id,
      file: testCase.module.moduleId,
      name: testCase.fullName,
      title: testCase.name,
      state: checked.state,
      errors: checked.errors,
      meta: testCase.meta(),
      durationMs: diagnostic?.duration ?? 0,
    });
  },
  onUserConsoleLog(log) {
    const content = String(log.content ?? '');
    if (integrity.noteConsole(content.length)) send({ type: 'console', taskId: log.taskId, stream: log.type, content });
  },
  onTestModuleEnd(testModule) {
    const errors = testModule.errors().map(plainError);
    for (const error of errors) integrity.noteError(error);
    const meta = testModule.task?.meta;
    if (meta) integrity.checkResult(testModule.moduleId, testModule.moduleId, 'failed', [], meta);
    send({ type: 'module-end', file: testModule.moduleId, state: testModule.state(), errors });
  },
  onTestRunEnd(_modules, unhandledErrors, reason) {
    const errors = unhandledErrors.map(plainError);
    for (const error of errors) integrity.noteError(error);
    send({ type: 'run-end', reason, unhandledErrors: errors });
  },
};

async function createRunner() {
  const { createVitest } = await vitestNode;
  // The parent always sets it (GRADER_TEST_TIMEOUT_MS in engine/params.ts); 5 s mirrors that default.
  const timeout = Number(process.env.KUBELINGS_TEST_TIMEOUT_MS || 5000);
  return createVitest(
    'test',
    {
      config: false,
      root: process.env.KUBELINGS_ROOT,
      watch: false,
      reporters: [reporter],
      pool: 'threads',
      maxWorkers: 1,
      fileParallelism: false,
      testTimeout: timeout,
      hookTimeout: timeout,
      // Suites run in file order and tests in the order written, so output reads like the lesson.
      sequence: { shuffle: false },
      setupFiles: [GUARD],
      // The guard itself (guard-setup.ts imports it) is loaded by Node, never transformed or cached.
      server: { deps: { external: [/[\\/]test[\\/]support[\\/](guard|hmac)\.js$/] } },
      // Transformed modules are kept on disk, keyed by their content: a check then transforms only
      // the files that changed since the last one (usually the learner's), about 0.2 s less.
      experimental: { fsModuleCache: true, fsModuleCachePath: MODULE_CACHE },
    },
    {
      server: { watch: null },
      resolve: { alias: JSON.parse(process.env.KUBELINGS_ALIASES || '[]') },
    },
  );
}

let previousEnv = {};
function applyEnv(env) {
  for (const key of Object.keys(previousEnv)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  previousEnv = env;
}

/** Answers the CLI gives to this process's questions, by kind. */
const waiting = new Map();
function askParent(message, answer, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    waiting.set(answer, () => {
      clearTimeout(timer);
      resolve();
    });
    send(message);
  });
}

/** @type {ReturnType<typeof guardTransformCache> | undefined} */
let transformCache;

const vitest = createRunner().then((v) => {
  transformCache = guardTransformCache({
    vitest: v,
    root: ROOT,
    ask: (entries) => askParent({ type: 'grader-cache', entries }, 'grader-cache-noted', 10_000),
  });
  // Every module the test worker loads is fetched through here: the first fetch of a run waits
  // until the CLI noted the grader's cache files (transformCache.js); integrity.js looks at each.
  for (const holder of new Set([v, v.getRootProject(), ...(v.projects ?? [])])) {
    const fetch = holder?._fetcher;
    if (typeof fetch !== 'function') continue;
    holder._fetcher = async (url, importer, environment, ...rest) => {
      await transformCache.protect(environment);
      const result = await fetch(url, importer, environment, ...rest);
      integrity.noteFetch(url, importer, result);
      return result;
    };
  }
  return v;
});

// A worker that ran out of memory makes vitest throw; the parent must hear why before this ends.
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  if (integrity.outOfMemory) send({ type: 'out-of-memory', limitMb: HEAP_LIMIT_MB }, () => process.exit(1));
  else process.exit(1);
});

/**
 * This process never outlives the CLI that started it: when the IPC channel closes (the CLI exited
 * or was killed with SIGKILL) or the CLI's pid is gone (checked every PARENT_CHECK_MS, with its
 * start time, since pids are reused), the whole run is ended (reap.js) and this process with it.
 * The main thread never runs learner code (the suites run in a worker thread), so it is free to
 * notice, even while a test spins in `while (true) {}`.
 */
const PARENT_CHECK_MS = 500;
const [parentPid, parentStart] = (process.env.KUBELINGS_GRADER_PARENT || '').split(':').map(Number);
function endWithParent() {
  const self = procInfo(process.pid);
  endRunProcesses(self?.session ?? process.pid, process.env[RUN_MARKER] || '', { rootStart: self?.start });
  process.exit(1);
}
process.on('disconnect', endWithParent);
const launcher = process.ppid;
if (parentPid && procInfo(process.pid)) {
  setInterval(() => {
    const parent = procInfo(parentPid);
    // The launcher gone too (the learner's code killed it): this process would be adopted by
    // another, which the learner's code could then signal as its new process.ppid.
    if (!parent || (parentStart && parent.start !== parentStart) || process.ppid !== launcher) endWithParent();
  }, PARENT_CHECK_MS).unref();
}

process.on('message', async (message) => {
  try {
    if (waiting.has(message.type)) {
      const resolve = waiting.get(message.type);
      waiting.delete(message.type);
      resolve();
    } else if (message.type === 'exit') {
      await (await vitest).close();
      process.exit(0);
    } else if (message.type === 'invalidate') {
      const v = await vitest;
      for (const file of message.files) v.invalidateFile(file);
    } else if (message.type === 'run') {
      applyEnv({ ...message.env, ...integrity.beginRun(message.guard) });
      const v = await vitest;
      transformCache?.beginRun(message.guard?.suites ?? []);
      const project = v.getRootProject();
      const specs = message.files.map((file) => project.createSpecification(file));
      await v.runTestSpecifications(specs);
      const tampered = integrity.endRun();
      if (tampered.length > 0) send({ type: 'tampered', what: tampered });
      if (transformCache) send({ type: 'grader-cache-written', written: transformCache.written(), available: transformCache.available });
      send({ type: 'done' });
    }
  } catch (error) {
    send({ type: 'fatal', error: plainError(error) });
  }
});

await vitest;
send({ type: 'ready', pid: process.pid });
