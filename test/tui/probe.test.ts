/**
 * The "see it live" probe: an engine verb that is not there yet is reported in the CLI's own
 * sentence; one that exists is offered; other programs are the learner's and never probed.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { makeProbe } from '../../tui/app/probe.ts';

test("an engine verb that is not there yet is reported in the CLI's words", async () => {
  const probe = makeProbe(join(ROOT, 'test', 'tui', 'fixtures', 'not-yet-cli.mjs'));
  expect(await probe('npx kubelings cluster up --impl mine')).toEqual({
    available: false,
    reason: '"cluster --help" is not available yet: the cluster arrives with lesson 02 (the apiserver).',
  });
});

test('a verb whose --help answers is available, even with a non-zero exit code', async () => {
  const probe = makeProbe(join(ROOT, 'test', 'tui', 'fixtures', 'help-cli.mjs'));
  expect(await probe('npx kubelings cluster up')).toEqual({ available: true });
});

test('commands that are not engine verbs are not probed', async () => {
  const probe = makeProbe('/nonexistent');
  expect(await probe('kubectl get pods')).toEqual({ available: true });
  expect(await probe('npx tsx engine/objects/demo.ts x')).toEqual({ available: true });
  expect(await probe('npx kubelings check 00-objects')).toEqual({ available: true });
});
