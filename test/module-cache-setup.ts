/**
 * Gives each vitest worker of `npm test` a transform cache of its own (tui/grader/child.js reads
 * KUBELINGS_MODULE_CACHE), for the checks its tests start.
 *
 * Why: after every run the grader removes each grader-module cache file that appeared during the
 * run without this run's vitest having read or written it (tamper.ts: it may be the learner's
 * forgery). When many checks run at once in one cache, as the test suite's do, one check can remove
 * a file another check's vitest has just written and is about to load, and that check fails with
 * ENOENT on node_modules/.cache/kubelings/vitest/…. The workers' test files run one after another,
 * so one folder per worker keeps its checks apart. A learner who runs two checks at the very same
 * moment can still meet it; the next check transforms the file afresh.
 */
process.env.KUBELINGS_MODULE_CACHE ??= `node_modules/.cache/kubelings/vitest-worker-${process.env.VITEST_POOL_ID ?? '0'}`;
