/**
 * Lesson 00's "see it live" step (engine/objects/demo.ts): it runs the chosen code over the sample
 * pods and prints which a selector picks; a bad selector ends with the parser's message, exit 1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { ROOT } from '#engine/paths.ts';

// Each test starts the demo through tsx in a child process: seconds on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DEMO = join(ROOT, 'engine', 'objects', 'demo.ts');

function demo(...args: string[]) {
  return spawnSync(TSX, [DEMO, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KUBELINGS_IMPL: '' } });
}

describe('npx tsx engine/objects/demo.ts', () => {
  test('shows which sample pods a set-based selector picks, and the request kubectl would send', () => {
    const out = execFileSync(TSX, [DEMO, 'app=web,tier in (fe,be),!canary', '--impl', 'solutions'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('sends      GET /api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier+in+%28fe%2Cbe%29%2C%21canary&limit=500');
    expect(out).toContain('  - {key: canary, operator: DoesNotExist}');
    expect(out).toMatch(/web-7d9f8c6b5-x2kqp\s+✓/);
    expect(out).toMatch(/web-canary-6c4d9-qr8vn\s+·/);
    expect(out).toMatch(/postgres-0\s+·/);
    expect(out).toContain('3 of 8 pods match');
  });

  test("runs the learner's code by default, with the reference standing in for what is not written", () => {
    const run = demo('tier');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('code       exercises/objects (yours)');
    expect(run.stdout).toMatch(/redis-cache-0\s+✓/); // tier: "" exists
  });

  test('a malformed selector prints where it went wrong and exits 1', () => {
    const run = demo('app=web,,x', '--impl', 'solutions');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`found ',' at position 8, expected: a label key or '!' after ','`);
  });
});
