/**
 * The grader's guard, loaded by the setup file guard-setup.ts in the test worker before every hidden suite,
 * and so before the learner's module loads. It keeps the learner's code from faking a grade:
 *
 * - Intrinsics are locked: every method of Object, Array, Function.prototype, Reflect, JSON, Math,
 *   Number, String, Map, Set, Error (and their prototypes) becomes a permanent accessor whose getter
 *   returns the original captured here, and whose setter records the attempt. `Object.is = () =>
 *   true` changes nothing (assertions still compare with the original) and is reported. Symbol
 *   keys and `constructor` stay data properties (V8 keeps fast paths only while those are
 *   untouched); they, the prototypes' own keys and parents are compared at every checkpoint.
 * - The assertion library is locked the same way (chai's Assertion.prototype, `expect` and its
 *   matcher tables), so `expect.extend({ toBe … })` is reported, and each matcher first checks that
 *   nothing changed, and that the value under test is not an impostor (a Proxy, or an object with
 *   its own `asymmetricMatch` claiming to equal anything).
 * - Reading the grader's files (the hidden suites, this folder, the reference solutions) from the
 *   learner's code is reported: a grade earned by reading the answers is no grade.
 * - Each test that passed is signed: HMAC(key, test id), with a key given through the environment
 *   and removed from it before any suite code runs. The grader's main thread (child.js) accepts a
 *   pass only with a valid signature, so a result forged past vitest's own reporting is refused.
 * - Console output is counted; past CONSOLE_KEEP_BYTES it is dropped, past CONSOLE_FLOOD_BYTES the
 *   run is stopped as "printed too much".
 *
 * What is reported: a `GraderTampered` error (the test fails) and an entry in the test's meta;
 * child.js turns both into "the exercise changed the grader". Code with the inspector, native
 * addons or a copy of another realm can defeat any in-process guard; the fetcher in child.js
 * reports the obvious doors (importing vitest, the inspector, the suites).
 *
 * The guard's own code runs after learner code, so it calls nothing the learner could replace:
 * captured functions through a captured Reflect.apply, index loops (no iterators), locked methods.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isAbsolute, resolve, sep } from 'node:path';
import { format, types } from 'node:util';
// @vitest/runner, not vitest's TestRunner.setTestFn: in vitest 4.1 that one is getFn by mistake.
import { getFn, setFn } from '@vitest/runner';
import { afterAll, afterEach, beforeAll, beforeEach, chai, expect } from 'vitest';
import { hmacSha256Hex } from './hmac.js';

// ---- captured before anything else ------------------------------------------------------------

const R = Object.freeze({
  apply: Reflect.apply,
  gopd: Reflect.getOwnPropertyDescriptor,
  define: Reflect.defineProperty,
  ownKeys: Reflect.ownKeys,
  getProto: Reflect.getPrototypeOf,
  is: Object.is,
  then: Promise.prototype.then,
  push: Array.prototype.push,
  startsWith: String.prototype.startsWith,
  indexOf: String.prototype.indexOf,
  slice: String.prototype.slice,
  isProxy: types.isProxy,
  format,
  resolvePath: resolve,
  isAbsolute,
  stringify: JSON.stringify,
  ErrorCtor: Error,
  captureStack: Error.captureStackTrace,
  mapGet: Map.prototype.get,
  mapSet: Map.prototype.set,
  mapHas: Map.prototype.has,
  setHas: Set.prototype.has,
  setAdd: Set.prototype.add,
});

const call = (fn, self, ...args) => R.apply(fn, self, args);

/**
 * @typedef {object} GuardConfig
 * @property {string} key          key for the signatures of passing tests
 * @property {string[]} readProtected folders the learner's code must not read (suites, the grader, the reference)
 * @property {string[]} learner    folders holding the learner's code
 * @property {number} keepBytes    console output kept
 * @property {number} floodBytes   console output past which the run is stopped
 */

/** @type {GuardConfig | undefined} */
const config = (() => {
  const text = process.env.KUBELINGS_GUARD;
  delete process.env.KUBELINGS_GUARD;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
})();

// ---- what was seen ---------------------------------------------------------------------------

/** Every tampering seen, in words; once non-empty, nothing of this file counts. */
/** @type {string[]} */
const seen = [];
function record(what) {
  for (let i = 0; i < seen.length; i++) if (seen[i] === what) return;
  call(R.push, seen, what);
}

class GraderTampered extends Error {
  constructor(what) {
    let list = '';
    for (let i = 0; i < what.length; i++) list += (i > 0 ? '; ' : '') + what[i];
    super(`the exercise changed the grader: ${list}`);
    this.name = 'GraderTampered';
  }
}

class GraderFlood extends Error {
  constructor(bytes) {
    super(`printed ${bytes} bytes of output`);
    this.bytes = bytes;
    this.name = 'GraderFlood';
  }
}

// ---- locking ---------------------------------------------------------------------------------

const TAMPER_SETTER = Symbol('kubelings guard setter');

/**
 * Makes each own property of `owner` permanent. A data property becomes an accessor that always
 * gives the original value; assigning to it on `owner` itself is recorded (and changes nothing),
 * assigning through an object that inherits from it creates that object's own property, as an
 * ordinary assignment would. `keep` names keys left alone (watched by `watch` instead).
 */
function lock(owner, label, keep = () => false) {
  const keys = R.ownKeys(owner);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key === 'symbol' || key === 'constructor' || keep(key)) continue;
    const d = R.gopd(owner, key);
    if (!d.configurable) continue;
    const name = `${label}.${key}`;
    if ('value' in d) {
      const value = d.value;
      const setter = d.writable
        ? function (next) {
            if (this === owner) {
              if (!R.is(next, value)) record(`it replaced ${name}`);
            } else R.define(this, key, { value: next, writable: true, enumerable: true, configurable: true });
          }
        : undefined;
      if (setter) setter[TAMPER_SETTER] = true;
      R.define(owner, key, { configurable: false, enumerable: d.enumerable, get: () => value, set: setter });
    } else {
      R.define(owner, key, { configurable: false, enumerable: d.enumerable, get: d.get, set: d.set });
    }
  }
}

/**
 * What `lock` leaves unlocked on an object, as it was: the keys and their values or getters, how
 * many own keys it had (a new one, such as Object.prototype.asymmetricMatch, is tampering), and
 * its prototype.
 * @type {{ owner: object, label: string, keys: (string | symbol)[], values: unknown[], getters: unknown[], count: number, proto: object | null, countKeys: boolean }[]}
 */
const watched = [];

/** Records what `lock` leaves unlocked on `owner`, to compare at every checkpoint. */
function watch(owner, label, countKeys = true) {
  const keys = [];
  const values = [];
  const getters = [];
  const all = R.ownKeys(owner);
  for (let i = 0; i < all.length; i++) {
    const d = R.gopd(owner, all[i]);
    if (!d.configurable && !('get' in d)) continue;
    if ('get' in d && d.set?.[TAMPER_SETTER]) continue;
    call(R.push, keys, all[i]);
    call(R.push, values, d.value);
    call(R.push, getters, d.get);
  }
  call(R.push, watched, { owner, label, keys, values, getters, count: all.length, proto: R.getProto(owner), countKeys });
}

function describeKey(key) {
  return typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key;
}

/**
 * Compares everything watched with how it was; records what changed. `full` also counts the keys
 * of every watched object (new properties); otherwise only those every object inherits from.
 */
function checkWatched(full) {
  for (let i = 0; i < watched.length; i++) {
    const w = watched[i];
    const count = full || w.owner === Object.prototype || w.owner === Array.prototype || w.owner === Function.prototype;
    if (count && w.countKeys && R.ownKeys(w.owner).length !== w.count) {
      const now = R.ownKeys(w.owner);
      let added = '';
      for (let j = 0; j < now.length; j++) {
        let old = false;
        for (let k = 0; k < w.keys.length; k++) if (w.keys[k] === now[j]) old = true;
        const d = R.gopd(w.owner, now[j]);
        if (!old && !(d && 'get' in d && d.set?.[TAMPER_SETTER]) && d?.configurable !== false) added = describeKey(now[j]);
      }
      record(added ? `it added ${w.label}.${added}` : `it changed the properties of ${w.label}`);
    }
    if (R.getProto(w.owner) !== w.proto) record(`it changed the prototype of ${w.label}`);
    for (let k = 0; k < w.keys.length; k++) {
      const d = R.gopd(w.owner, w.keys[k]);
      if (!d || !R.is(d.value, w.values[k]) || !R.is(d.get, w.getters[k])) record(`it replaced ${w.label}.${describeKey(w.keys[k])}`);
    }
  }
}

// ---- the intrinsics ---------------------------------------------------------------------------

/** @type {[object, string][]} */
const intrinsics = [
  [Object, 'Object'],
  [Object.prototype, 'Object.prototype'],
  [Array, 'Array'],
  [Array.prototype, 'Array.prototype'],
  [Function.prototype, 'Function.prototype'],
  [Reflect, 'Reflect'],
  [JSON, 'JSON'],
  [Math, 'Math'],
  [Number, 'Number'],
  [Number.prototype, 'Number.prototype'],
  [String, 'String'],
  [String.prototype, 'String.prototype'],
  [Boolean.prototype, 'Boolean.prototype'],
  [Symbol, 'Symbol'],
  [Map.prototype, 'Map.prototype'],
  [Set.prototype, 'Set.prototype'],
  [Error.prototype, 'Error.prototype'],
];
/** Left unlocked, but watched: V8 keeps fast paths for these only while they are untouched. */
/** @type {[object, string][]} */
const unlockedButWatched = [
  [Promise, 'Promise'],
  [Promise.prototype, 'Promise.prototype'],
  [Object.getPrototypeOf([][Symbol.iterator]()), 'ArrayIterator.prototype'],
];

/** The global bindings the grader and the matchers use: fixed in place (assigning them throws). */
const GLOBALS = [
  'Object',
  'Array',
  'Function',
  'Reflect',
  'JSON',
  'Math',
  'Number',
  'String',
  'Boolean',
  'Symbol',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Proxy',
  'Promise',
  'Error',
  'TypeError',
  'RangeError',
  'BigInt',
];

function lockIntrinsics() {
  for (let i = 0; i < GLOBALS.length; i++) {
    const d = R.gopd(globalThis, GLOBALS[i]);
    if (d?.configurable) R.define(globalThis, GLOBALS[i], { value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
  }
  for (let i = 0; i < intrinsics.length; i++) lock(intrinsics[i][0], intrinsics[i][1]);
  for (let i = 0; i < intrinsics.length; i++) watch(intrinsics[i][0], intrinsics[i][1]);
  for (let i = 0; i < unlockedButWatched.length; i++) watch(unlockedButWatched[i][0], unlockedButWatched[i][1]);
}

// ---- the assertion library -------------------------------------------------------------------

const JEST_MATCHERS = Symbol.for('$$jest-matchers-object');
const MATCHER_GLOBALS = [JEST_MATCHERS, Symbol.for('matchers-object'), Symbol.for('asymmetric-matchers-object'), Symbol.for('expect-global')];

/** Every test whose assertions failed at least once (by the guard's own count). */
const failedIn = new Set();
/** @type {string | undefined} */
let currentTest;
/** @type {unknown[] | undefined} */
let equalityTesters;
let equalityTesterCount = 0;

/**
 * The value under test, when it is an impostor: a Proxy, or an object that claims to match
 * anything (an `asymmetricMatch` function anywhere on it or its prototypes, which vitest's
 * equality trusts: only the expected side may hold such matchers).
 */
function impostor(value, depth = 0, budget = { nodes: 2000 }) {
  if (typeof value !== 'object' || value === null || depth > 6 || --budget.nodes < 0) return undefined;
  if (R.isProxy(value)) return 'it returned a Proxy, which the grader cannot compare honestly';
  let level = value;
  for (let i = 0; level !== null && i < 10; i++) {
    if (R.gopd(level, 'asymmetricMatch')) return 'it returned an object with an asymmetricMatch, which claims to equal anything';
    level = R.getProto(level);
  }
  const keys = R.ownKeys(value);
  for (let i = 0; i < keys.length && i < 200; i++) {
    const kd = R.gopd(value, keys[i]);
    if (kd && 'value' in kd) {
      const found = impostor(kd.value, depth + 1, budget);
      if (found) return found;
    }
  }
  return undefined;
}

/** Runs before every matcher: nothing changed, and the value under test is honest. */
function checkBeforeAssertion(assertion) {
  checkWatched(false);
  if (equalityTesters && equalityTesters.length !== equalityTesterCount) record('it added an equality tester to expect');
  const objectDescriptor = R.gopd(assertion, '__flags');
  const flags = objectDescriptor?.value;
  const actual = flags ? R.gopd(flags, 'object')?.value : undefined;
  const fake = impostor(actual);
  if (fake) record(fake);
  if (seen.length > 0) throw new GraderTampered(seen);
}

function wrapMatchers() {
  const proto = chai.Assertion.prototype;
  const keys = R.ownKeys(proto);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const d = R.gopd(proto, key);
    // The jest-style matchers (toBe, toEqual, …): what the suites call. chai's own `assert`, which
    // they call in turn, is locked but not checked a second time.
    if (typeof key !== 'string' || !/^to[A-Z]/.test(key) || !('value' in d) || typeof d.value !== 'function' || !d.configurable) continue;
    const original = d.value;
    const guarded = function (...args) {
      checkBeforeAssertion(this);
      try {
        const result = R.apply(original, this, args);
        if (types.isPromise(result)) {
          const test = currentTest;
          return R.apply(R.then, result, [
            undefined,
            (error) => {
              if (test !== undefined) failedIn.add(test);
              throw error;
            },
          ]);
        }
        return result;
      } catch (error) {
        // An assertion outside any test (a hook) fails that hook; it concerns no test's signature.
        if (currentTest !== undefined) failedIn.add(currentTest);
        throw error;
      }
    };
    R.define(proto, key, { value: guarded, writable: true, enumerable: d.enumerable, configurable: true });
  }
  lock(proto, 'expect(…)');
  watch(proto, 'expect(…)', false);
  lock(expect, 'expect');
  watch(expect, 'expect', false);
  const table = globalThis[JEST_MATCHERS];
  if (table?.matchers) {
    lock(table.matchers, 'expect(…)');
    watch(table.matchers, 'expect(…)', false);
  }
  equalityTesters = table?.customEqualityTesters;
  equalityTesterCount = equalityTesters?.length ?? 0;
  for (let i = 0; i < MATCHER_GLOBALS.length; i++) {
    const d = R.gopd(globalThis, MATCHER_GLOBALS[i]);
    if (d?.configurable) R.define(globalThis, MATCHER_GLOBALS[i], { ...d, configurable: false, ...('value' in d ? { writable: false } : {}) });
  }
}

// ---- reading the grader's files ----------------------------------------------------------------

function underProtected(path) {
  if (!config || (typeof path !== 'string' && !(path instanceof URL) && !Buffer.isBuffer(path))) return undefined;
  let text = path instanceof URL ? (path.protocol === 'file:' ? decodeURIComponent(path.pathname) : '') : String(path);
  if (text === '') return undefined;
  if (!R.isAbsolute(text)) text = R.resolvePath(text);
  for (let i = 0; i < config.readProtected.length; i++) {
    const root = config.readProtected[i];
    if (text === root || call(R.startsWith, text, root + sep)) return text;
  }
  return undefined;
}

/**
 * True when the grader's own code (a suite, the engine, a library) is the one reading: the stack,
 * formatted by V8 itself (not by a prepareStackTrace the learner's code may have set), holds no
 * frame of the learner's files and at least one frame of a file at all (a read laundered through
 * a timer or a promise has none).
 */
function graderReads() {
  if (!config) return true;
  const E = R.ErrorCtor;
  const before = E.prepareStackTrace;
  const holder = {};
  try {
    E.prepareStackTrace = undefined;
    R.captureStack(holder, graderReads);
  } finally {
    E.prepareStackTrace = before;
  }
  const stack = typeof holder.stack === 'string' ? holder.stack : '';
  if (E.prepareStackTrace !== before) return false;
  for (let i = 0; i < config.learner.length; i++) if (call(R.indexOf, stack, config.learner[i]) >= 0) return false;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (call(R.indexOf, line, 'node:') < 0 && call(R.indexOf, line, 'test/support/guard.js') < 0 && call(R.indexOf, line, '/') >= 0) return true;
  }
  return false;
}

function guardReads() {
  const target = fs;
  const promises = fs.promises;
  const wrap = (owner, name, paths) => {
    const original = owner[name];
    if (typeof original !== 'function') return;
    const guarded = function (...args) {
      for (let i = 0; i < paths.length; i++) {
        const file = underProtected(args[paths[i]]);
        if (file && !graderReads()) {
          record(`it read the grader's file ${file}`);
          const error = new R.ErrorCtor(`kubelings: an exercise may not read the grader's files (${file})`);
          error.name = 'GraderRefused';
          throw error;
        }
      }
      return R.apply(original, this, args);
    };
    owner[name] = guarded;
  };
  for (const name of ['readFileSync', 'readFile', 'openSync', 'open', 'createReadStream']) wrap(target, name, [0]);
  for (const name of ['copyFileSync', 'copyFile', 'cpSync', 'cp', 'linkSync', 'link', 'symlinkSync', 'symlink', 'renameSync', 'rename']) wrap(target, name, [0]);
  for (const name of ['readFile', 'open', 'copyFile', 'cp', 'link', 'symlink', 'rename']) wrap(promises, name, [0]);
  syncBuiltinESMExports();
  const binding = process.binding;
  if (typeof binding === 'function') {
    process.binding = function (name) {
      if (name === 'fs' || name === 'fs_dir') {
        record(`it opened node's internal file binding (process.binding('${name}'))`);
        const error = new R.ErrorCtor('kubelings: an exercise may not use process.binding');
        error.name = 'GraderRefused';
        throw error;
      }
      return R.apply(binding, process, [name]);
    };
  }
}

// ---- console output ----------------------------------------------------------------------------

let printed = 0;
let flooded = false;

function countOutput(bytes) {
  printed += bytes;
  if (!config) return true;
  if (printed > config.floodBytes && !flooded) {
    flooded = true;
    throw new GraderFlood(printed);
  }
  return printed <= config.keepBytes;
}

function guardConsole() {
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'dirxml', 'table'];
  const target = console;
  for (let i = 0; i < methods.length; i++) {
    const original = target[methods[i]];
    if (typeof original !== 'function') continue;
    target[methods[i]] = function (...args) {
      const text = R.apply(R.format, undefined, args);
      if (countOutput(text.length + 1)) R.apply(original, this, args);
    };
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    stream.write = function (chunk, ...rest) {
      const size = typeof chunk === 'string' ? chunk.length : (chunk?.length ?? 0);
      if (countOutput(size)) return R.apply(write, this, [chunk, ...rest]);
      return true;
    };
  }
}

// ---- checkpoints and signatures ---------------------------------------------------------------

/** How each test's own function ended, as the guard saw it (wrapped in beforeAll). */
const outcome = new Map();

function wrapTestFunctions(task) {
  if (task.type === 'test') {
    const original = getFn(task);
    if (typeof original !== 'function') return;
    const id = task.id;
    setFn(task, function (...args) {
      call(R.mapSet, outcome, id, 'running');
      let result;
      try {
        result = R.apply(original, this, args);
      } catch (error) {
        call(R.mapSet, outcome, id, 'threw');
        throw error;
      }
      if (result !== null && typeof result === 'object' && types.isPromise(result)) {
        return R.apply(R.then, result, [
          (value) => {
            call(R.mapSet, outcome, id, 'done');
            return value;
          },
          (error) => {
            call(R.mapSet, outcome, id, 'threw');
            throw error;
          },
        ]);
      }
      call(R.mapSet, outcome, id, 'done');
      return result;
    });
    return;
  }
  const tasks = task.tasks ?? [];
  for (let i = 0; i < tasks.length; i++) wrapTestFunctions(tasks[i]);
}

function checkpoint(task) {
  checkWatched(true);
  if (equalityTesters && equalityTesters.length !== equalityTesterCount) record('it added an equality tester to expect');
  if (seen.length > 0) {
    if (task) {
      const copy = [];
      for (let i = 0; i < seen.length; i++) copy[i] = seen[i];
      task.meta.kubelingsTampered = copy;
    }
    throw new GraderTampered(seen);
  }
}

/**
 * Everything the worker reports goes through its rpc (`__vitest_worker__.rpc`): collected files and
 * task updates. Each report first runs a checkpoint, and carries what the guard saw in its meta,
 * so that tampering is reported even when it broke the suite before any hook could run (a new
 * enumerable key on Object.prototype breaks vitest's own collection).
 */
function guardReports() {
  const state = globalThis.__vitest_worker__;
  const rpc = state?.rpc;
  if (!state || !rpc) return;
  const stamp = (meta) => {
    if (!meta || seen.length === 0) return;
    const copy = [];
    for (let i = 0; i < seen.length; i++) copy[i] = seen[i];
    meta.kubelingsTampered = copy;
  };
  state.rpc = new Proxy(rpc, {
    get(target, key) {
      const value = R.apply(Reflect.get, undefined, [target, key]);
      if (key === 'onCollected' && typeof value === 'function') {
        return (files, ...rest) => {
          checkWatched(true);
          for (let i = 0; i < files.length; i++) stamp(files[i].meta);
          return R.apply(value, target, [files, ...rest]);
        };
      }
      if (key === 'onTaskUpdate' && typeof value === 'function') {
        return (packs, ...rest) => {
          checkWatched(true);
          for (let i = 0; i < packs.length; i++) {
            if (seen.length > 0 && packs[i][2] === undefined) packs[i][2] = {};
            stamp(packs[i][2]);
          }
          return R.apply(value, target, [packs, ...rest]);
        };
      }
      return value;
    },
  });
}

function install() {
  guardReports();
  lockIntrinsics();
  wrapMatchers();
  guardReads();
  guardConsole();

  // vitest hands hooks of all tests a context first (destructured, or it refuses), the file second.
  // eslint-disable-next-line no-empty-pattern
  beforeAll(({}, file) => {
    wrapTestFunctions(file);
    checkpoint(file);
  });
  beforeEach(({ task }) => {
    currentTest = task.id;
    checkpoint(task);
  });
  afterEach(({ task }) => {
    currentTest = undefined;
    checkpoint(task);
    if (flooded) throw new GraderFlood(printed);
    const clean = call(R.mapGet, outcome, task.id) === 'done' && !call(R.setHas, failedIn, task.id);
    if (clean && config) task.meta.kubelingsGuard = hmacSha256Hex(config.key, task.id);
  });
  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, file) => {
    checkpoint(file);
    if (flooded) throw new GraderFlood(printed);
  });
}

if (config) install();
