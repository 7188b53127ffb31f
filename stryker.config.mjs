// Mutation testing of the hidden suites (`npm run mutate [component]`, driven by
// test/mutation/run.ts; not part of `npm test`). Stryker changes the reference of one component
// (solutions/<component>/) one small edit at a time and runs that component's hidden suites
// (test/grading/<component>/, with KUBELINGS_IMPL=solutions from vitest.config.ts) against each
// edit: a mutant that passes every test is a wrong answer the suites would give full marks.
//
// The component comes from KUBELINGS_MUTATE (objects, etcd, scheduler, apiserver, controllers,
// kubelet, cni, services). Per-test coverage analysis runs only the tests that reach a mutant; concurrency stays
// low because the machine is shared. Scratch output goes to .stryker-tmp/ and reports/ (both git-ignored).

const COMPONENTS = {
  objects: { mutate: ['solutions/objects/**/*.ts', '!solutions/objects/index.ts'] },
  etcd: { mutate: ['solutions/etcd/**/*.ts', '!solutions/etcd/index.ts'] },
  scheduler: { mutate: ['solutions/scheduler/**/*.ts', '!solutions/scheduler/index.ts'] },
  apiserver: { mutate: ['solutions/apiserver/**/*.ts', '!solutions/apiserver/index.ts'] },
  controllers: { mutate: ['solutions/controllers/**/*.ts', '!solutions/controllers/index.ts'] },
  kubelet: { mutate: ['solutions/kubelet/**/*.ts', '!solutions/kubelet/index.ts'] },
  cni: { mutate: ['solutions/cni/**/*.ts', '!solutions/cni/index.ts'] },
  services: { mutate: ['solutions/services/**/*.ts', '!solutions/services/index.ts'] },
};

const component = process.env.KUBELINGS_MUTATE ?? '';
const chosen = COMPONENTS[component];
if (!chosen) {
  throw new Error(`KUBELINGS_MUTATE must name a component (${Object.keys(COMPONENTS).join(', ')}); got "${component}"`);
}
const concurrency = Number(process.env.KUBELINGS_MUTATE_CONCURRENCY ?? 2);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {
    // vitest.config.ts, narrowed to test/grading/<component>/ (see that file for why not `testFiles`).
    configFile: 'test/mutation/vitest.config.ts',
    // The suites reach the reference through loadComponent() (a dynamic import), which vitest's
    // import graph cannot follow: run the component's suites, not "related" ones.
    related: false,
  },
  mutate: chosen.mutate,
  coverageAnalysis: 'perTest',
  // Run every test that covers a mutant, even after one has failed. With bail on, vitest 4.1 stays
  // cancelled after the first bail, so every later run of that test runner reports no tests and
  // each later mutant "survives" (seen on the scheduler: 18% with bail, 89% for schedule-one.ts
  // without).
  disableBail: true,
  concurrency,
  // A mutant that loops forever is "timed out" (counted as detected): the grader's watchdog stops it.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  ignorePatterns: ['reports', '.kubelings', 'lessons', 'tui', 'exercises'],
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${component}.html` },
  jsonReporter: { fileName: `reports/mutation/${component}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // Incremental mode reuses results for code and tests that did not change since the last run.
  incremental: process.env.KUBELINGS_MUTATE_INCREMENTAL === '1',
  incrementalFile: `reports/mutation/${component}.incremental.json`,
  thresholds: { high: 90, low: 80, break: null },
};
