/**
 * For tests that run kubelings as a person does: the real `kubelings` command in a child process
 * with its own state folder, and copies of the grader's fixture pack to change freely. Temporary
 * folders are removed by `removeTemps` (call it in afterAll).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';

export const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
export const FIXTURE_PACK = join(ROOT, 'test', 'engine', 'fixtures', 'grader-pack');

const temps: string[] = [];

/** A fresh temporary folder; `inside` puts it in the project (so `#engine` imports resolve). */
export function tempDir(prefix: string, inside = false): string {
  const base = inside ? join(ROOT, 'node_modules', '.cache', 'kubelings') : tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  temps.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A copy of the fixture pack without its variants; `variant` (a folder of variants/) becomes its
 * exercises, as if the learner had written that code.
 */
export function packCopy(options: { inside?: boolean; variant?: string } = {}): string {
  const dir = join(tempDir('pack-', options.inside ?? true), 'grader-pack');
  cpSync(FIXTURE_PACK, dir, { recursive: true, filter: (src) => !src.startsWith(join(FIXTURE_PACK, 'variants')) });
  if (options.variant) {
    const from = join(FIXTURE_PACK, 'variants', options.variant);
    cpSync(from, join(dir, 'exercises'), { recursive: true });
  }
  return dir;
}

export function cliEnv(home: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '', KUBELINGS_PACKS: '', NO_COLOR: '1', FORCE_COLOR: '0', ...env };
}

/** Runs `kubelings ...args` to the end with a fresh (or given) state folder. */
export function kubelings(args: string[], options: { home?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}) {
  const home = options.home ?? tempDir('kubelings-home-');
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    env: cliEnv(home, options.env),
    timeout: options.timeoutMs ?? 110_000,
  });
  return { code: result.status, signal: result.signal, out: result.stdout, err: result.stderr, home };
}

/** Starts `kubelings ...args` in its own process group (as a shell starts a job) and returns it. */
export function startKubelings(args: string[], home: string, env: Record<string, string> = {}): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(home, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

/** Polls `condition` until it holds or `deadlineMs` passes; throws naming what it waited for. */
export async function waitFor(what: string, condition: () => boolean, deadlineMs = 30_000, everyMs = 100): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`gave up after ${deadlineMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
