/**
 * The vitest configuration Stryker runs (stryker.config.mjs): the project's own (vitest.config.ts),
 * collecting only the hidden suites of the component being mutated (KUBELINGS_MUTATE), plus
 * component-loads.mutation.ts (see there why).
 *
 * The suites are chosen here rather than with Stryker's `testFiles` option: with `testFiles`,
 * Stryker 9.6 activates a mutant of module-level code (a "static" mutant, such as a constant table)
 * only after the module has loaded, so every such mutant wrongly survives
 * (stryker-mutator/stryker-js#6144).
 */
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.ts';

const component = process.env.KUBELINGS_MUTATE ?? '';

export default defineConfig({
  ...base,
  root: join(import.meta.dirname, '..', '..'),
  test: {
    ...base.test,
    include: [`test/grading/${component}/*.test.ts`, 'test/mutation/component-loads.mutation.ts'],
  },
});
