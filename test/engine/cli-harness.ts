/**
 * Runs the real `kubelings` command as a person does, in a child process with its own state
 * folder, and gives back what it printed and its exit code; with throwaway folders and copies of
 * the grader's fixture pack that a test may change. Shared by the CLI's tests.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ROOT } from '#engine/paths.ts';

export const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
export const FIXTURE = join(ROOT, 'test', 'engine', 'fixtures', 'grader-pack');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** A folder removed after the test file; `inside` puts it in the project (so #engine resolves). */
export function tempDir(prefix: string, inside = false): string {
  const base = inside ? join(ROOT, 'node_modules', '.cache', 'kubelings') : tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  temps.push(dir);
  return dir;
}

/** Runs `kubelings ...args` with a fresh (or given) state folder. */
export function kubelings(args: string[], options: { home?: string; env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {}) {
  const home = options.home ?? tempDir('kubelings-home-');
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '', KUBELINGS_PACKS: '', NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    timeout: options.timeoutMs ?? 110_000,
  });
  return { code: result.status, signal: result.signal, out: result.stdout, err: result.stderr, home };
}

/** A copy of the fixture pack (without its broken variants) that a test may change. */
export function packCopy(inside: boolean): string {
  const dir = join(tempDir('pack-', inside), 'grader-pack');
  cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes(`${join(FIXTURE, 'variants')}`) });
  return dir;
}
