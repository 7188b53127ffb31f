/**
 * `npm test`: the project's own tests (test/engine, test/tui), every hidden suite against the
 * reference (test/grading, with KUBELINGS_IMPL=solutions), and the stub proof
 * (test/engine/stub-proof.test.ts). Learner state goes to a temporary folder, never .kubelings/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One temporary folder for the whole run: the tests' learner state (KUBELINGS_HOME), and TMPDIR for
// the tests and every process they start, so that what a test, a killed CLI or a killed cluster
// leaves in the temporary folder goes with the run (it is removed when vitest exits).
const scratch = mkdtempSync(join(tmpdir(), 'kubelings-test-'));
mkdirSync(join(scratch, 'home'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', '**/node_modules/**', 'test/**/fixtures/**'],
    env: {
      KUBELINGS_IMPL: 'solutions',
      KUBELINGS_HOME: join(scratch, 'home'),
      TMPDIR: scratch,
      FORCE_COLOR: '0',
      // `cluster up` picks kernel mode by itself as root; the tests run loopback unless they ask
      // for kernel mode with --network kernel (test/engine/kernel-network*.test.ts).
      KUBELINGS_NETWORK: 'loopback',
      // A check typed at a terminal leaves a warm grader running (tui/grader/warm.js); the tests'
      // checks (some at a terminal, in tmux) must not: test/tui/warm-grader.test.ts turns it on.
      KUBELINGS_WARM_GRADER: '0',
      // A control plane that is alive but slow to answer on a loaded machine is not a failure of
      // the test: `cluster up` still stops waiting at once if its daemon ends.
      KUBELINGS_CLUSTER_READY_TIMEOUT_MS: '100000',
    },
    // Generous: a test's pass must not depend on how busy the machine is (at a load average of 35
    // on 2 cores, a 200-run property test and a `cluster up` that must fail took over 20 s). Tests
    // that wait for something say what, with their own deadlines.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    // A transform cache per worker for the checks its tests start (see the file for why).
    setupFiles: ['test/module-cache-setup.ts'],
  },
});
