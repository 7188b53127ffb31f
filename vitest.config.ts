/**
 * `npm test`: the project's own tests (test/engine, test/tui), every hidden suite against the
 * reference (test/grading, with KUBELINGS_IMPL=solutions), and the stub proof
 * (test/engine/stub-proof.test.ts). Learner state goes to a temporary folder, never .kubelings/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', '**/node_modules/**', 'test/**/fixtures/**'],
    env: {
      KUBELINGS_IMPL: 'solutions',
      KUBELINGS_HOME: mkdtempSync(join(tmpdir(), 'kubelings-test-')),
      FORCE_COLOR: '0',
    },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
