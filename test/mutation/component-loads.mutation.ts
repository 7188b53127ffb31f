/**
 * Collected only by the mutation run (test/mutation/vitest.config.ts), never by `npm test`: one test
 * that loads the component being mutated. A mutant that makes the component throw while it loads
 * (a broken constant table, say) fails every hidden suite at import, before any test exists, and
 * Stryker's vitest runner counts a suite that collected no test as passing; this test fails
 * instead, so the mutant counts as killed, as it is when a learner runs `check`.
 */
import { expect, test } from 'vitest';
import type { ComponentName } from '#engine/components.ts';
import { loadComponent } from '#engine/impl.ts';

const component = process.env.KUBELINGS_MUTATE as ComponentName;

test(`the ${component} component loads`, async () => {
  await expect(loadComponent(component), `loadComponent(${component})`).resolves.toBeTypeOf('object');
});
