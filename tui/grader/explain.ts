/**
 * Turns what the test runner reports into words a learner can act on: for an assertion, what was
 * done, what was expected and what came back; for anything else (a stub, a thrown error, an exit,
 * a hang, a crash, a file that does not compile) one clear sentence, never a runner's stack trace.
 *
 * Pure functions over RawRun data, so every message is tested against recorded fixtures.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ROOT } from '#engine/paths.ts';
import type { RawError } from './runner.ts';

/** Why a test failed, in the learner's terms. */
export type Failure =
  | {
      kind: 'assertion';
      did?: string;
      expected?: string;
      got?: string;
      message: string;
      /** Set when what came back was a stub's "not written yet" error: that sentence. */
      notWritten?: string;
    }
  | { kind: 'not-written'; message: string }
  | { kind: 'problem'; message: string };

/** A path as the learner sees it: relative to the project when inside it. */
export function showPath(file: string): string {
  const rel = relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * The first stack frame in code the learner wrote (not the runner, not the suite), as
 * `file:line`, with the function it is in when the stack names one: `exercises/etcd/watch.ts:42,
 * in startWatch()`, so the learner looks at the function that failed, not the one a test is about.
 */
export function learnerFrame(error: RawError): string | undefined {
  const frames = error.stacks ?? parseStack(error.stack);
  const frame = frames.find((f) => !/node_modules|\.test\.tsx?$|[\\/]test[\\/]support[\\/]|[\\/]test[\\/]grading[\\/]|^node:|[\\/]engine[\\/]impl\.ts/.test(f.file));
  if (!frame) return undefined;
  const where = `${showPath(frame.file.replace(/^file:\/\//, ''))}:${frame.line}`;
  const fn = functionName(frame.method);
  return fn ? `${where}, in ${fn}()` : where;
}

/** `PriorityQueue.pop` → `pop`; `Object.startWatch` → `startWatch`; anonymous functions → undefined. */
function functionName(method: string | undefined): string | undefined {
  const name = method
    ?.replace(/^async /, '')
    .replace(/ \[as [^\]]+\]$/, '')
    .split('.')
    .at(-1)
    ?.trim();
  return name && /^[A-Za-z_$][\w$]*$/.test(name) && !/^(anonymous|<anonymous>|eval)$/.test(name) ? name : undefined;
}

function parseStack(stack: string | undefined): { file: string; line: number; column: number; method?: string }[] {
  const frames: { file: string; line: number; column: number; method?: string }[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const match = /^\s*at (?:(.+?) \()?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (match) frames.push({ method: match[1], file: match[2]!, line: Number(match[3]), column: Number(match[4]) });
  }
  return frames;
}

const MAX_VALUE = 400;

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** Explains the first error of a failed test. */
export function explainTestError(error: RawError | undefined, testTimeoutMs: number): Failure {
  if (!error) return { kind: 'problem', message: 'The test failed without an error message.' };
  const message = error.message ?? '';
  if (error.name === 'NotImplemented' || error.nameOfCause === 'NotImplemented' || / is not written yet: it is exercise /.test(message)) {
    // The stub's own sentence, also when it comes wrapped (fast-check's "Property failed …").
    return { kind: 'not-written', message: stubSentence(message) ?? stubSentence(error.cause?.message) ?? message };
  }
  // fast-check: "Property failed after N tests ... Counterexample: [...]", the assertion as cause.
  const property = /^Property failed after (\d+) tests?\n\{ seed: (-?\d+)[^}]*\}\nCounterexample: (.*)\n/.exec(message);
  if (property && error.cause) {
    const inner = explainTestError(error.cause, testTimeoutMs);
    const input = `the random input ${clip(property[3])} (the smallest failing one, found after ${property[1]} run${property[1] === '1' ? '' : 's'})`;
    if (inner.kind === 'assertion') return { ...inner, did: inner.did ? `${inner.did}, for ${input}` : `for ${input}` };
    return { ...inner, message: `${inner.message} For ${input}.` };
  }
  const exit = /process\.exit unexpectedly called with "([^"]*)"/.exec(message);
  if (exit) {
    return {
      kind: 'problem',
      message: `Your code called process.exit(${exit[1]}): an exercise must return a value or throw an error, never end the process.`,
    };
  }
  if (/Test timed out in \d+ms/.test(message)) {
    return {
      kind: 'problem',
      message: `The test waited ${testTimeoutMs / 1000} s and your code never finished: is a promise never resolved, ` + 'or an await waiting on something that never comes?',
    };
  }
  if (error.name === 'AssertionError' || error.expected !== undefined || /^(.*?:\s)?expected /.test(message)) {
    const split = /^([\s\S]*?): (expected [\s\S]*)$/.exec(message);
    // A test that expects a throw gets the stub's own throw back: say that once, not as "got".
    const stub = stubSentence(error.actual);
    return {
      kind: 'assertion',
      did: split?.[1],
      expected: clip(error.expected),
      got: clip(error.actual),
      message: (split?.[2] ?? message).replace(/\s*\/\/ Object\.is equality$/, ''),
      ...(stub ? { notWritten: stub } : {}),
    };
  }
  const where = learnerFrame(error);
  const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
  return {
    kind: 'problem',
    message: `Your code threw ${name || 'an error: '}${firstLine(message)}${where ? ` (at ${where})` : ''}.`,
  };
}

/** A stub's "X is not written yet: it is exercise …" sentence found in a text, or undefined. */
function stubSentence(text: string | undefined): string | undefined {
  return /(?:\S+\(\)|[Tt]his) is not written yet: it is exercise \S+?\. Read \S+, then fill in the TODO and run: npx kubelings check [^\s"'`]+/.exec(text ?? '')?.[0];
}

/** Explains an error that stopped a whole suite file: a file that does not compile or load. */
export function explainModuleError(error: RawError, suiteFile: string): string {
  const message = error.message ?? '';
  const notWritten = explainTestError(error, 0);
  if (notWritten.kind === 'not-written') return notWritten.message;
  const plain = stripAnsi(message);
  // vite 8 (oxc): "[PARSE_ERROR] Unexpected token ... [ path/file.ts:3:4 ]"
  const oxc = /\[([A-Z_]+)\]\s*([^\n]+)[\s\S]*?([^\s[\]]+\.[cm]?[jt]sx?):(\d+):(\d+)/.exec(plain);
  // esbuild: "path/file.ts:3:4: ERROR: text"
  const esbuild = /([^\s:]+\.[cm]?[jt]sx?):(\d+):(\d+): ERROR: ([^\n]+)/.exec(plain);
  const located = oxc ? { file: oxc[3]!, line: oxc[4]!, column: oxc[5]!, text: oxc[2]! } : esbuild ? { file: esbuild[1]!, line: esbuild[2]!, column: esbuild[3]!, text: esbuild[4]! } : undefined;
  if (located) {
    const file = isAbsolute(located.file) ? located.file : join(ROOT, located.file);
    const excerpt = codeFrame(file, Number(located.line), Number(located.column));
    return `${showPath(file)} does not compile: line ${located.line}, column ${located.column}: ${located.text.trim().replace(/\.$/, '')}.${excerpt ? `\n${excerpt}` : ''}`;
  }
  if (/Transform failed|Failed to parse|SyntaxError/.test(message) || error.name === 'SyntaxError') {
    const where = learnerFrame(error) ?? (error.frame ? '' : undefined);
    return `Your code does not compile: ${firstLine(message)}${where ? ` (at ${where})` : ''}.`;
  }
  if (/Failed to (load|resolve import)|Cannot find module/.test(message)) {
    return `A file could not be loaded: ${firstLine(message)}. Did an edit change an import?`;
  }
  if (error.name === 'KubelingsError') return firstLine(message);
  const exitOrThrow = explainTestError(error, 0);
  if (exitOrThrow.kind === 'problem') return `While ${showPath(suiteFile)} was loading: ${exitOrThrow.message}`;
  return `${showPath(suiteFile)} could not run: ${firstLine(message)}`;
}

/** Explains an error thrown outside any test, such as a promise nobody awaited. */
export function explainUnhandled(error: RawError): string {
  const where = learnerFrame(error);
  const what = `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${firstLine(error.message ?? '')}`;
  if (/Rejection/i.test(error.type ?? '')) {
    return `A promise rejected and nothing caught it: ${what}${where ? ` (at ${where})` : ''}. Did you forget an await or a .catch()?`;
  }
  return `Your code threw outside any test: ${what}${where ? ` (at ${where})` : ''}. Is a timer or callback still running after the function returned?`;
}

/** The sentence for a run stopped at the deadline. */
export function explainDeadline(afterMs: number, testName: string | undefined, file: string | undefined): string {
  const seconds = Math.round(afterMs / 100) / 10;
  if (testName) {
    return `Did not finish in ${seconds} s while running "${testName}": is there an infinite loop, or a loop whose condition never changes?`;
  }
  return `Did not finish in ${seconds} s while loading ${file ? showPath(file) : 'the suite'}: is there a loop at the top level ` + 'of your file, outside any function?';
}

/** The sentence for a test process that died on its own. */
export function explainCrash(code: number | null, signal: string | null, testName: string | undefined): string {
  const during = testName ? ` while running "${testName}"` : '';
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return `The test process ${how}${during}: did your code call process.kill, or use up all memory (an array that never stops growing)?`;
}

/** The offending line of a file with a caret under the column (1-based), or '' when unreadable. */
export function codeFrame(file: string, line: number, column: number): string {
  try {
    const source = readFileSync(file, 'utf8').split('\n')[line - 1];
    if (source === undefined) return '';
    const gutter = `${line} | `;
    return `${gutter}${source}\n${' '.repeat(gutter.length + Math.max(0, column - 1))}^`;
  } catch {
    return '';
  }
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim().replace(/\.$/, '');
}
