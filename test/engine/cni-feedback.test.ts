/**
 * The feedback of lesson 06's suites against deliberately broken cni components
 * (test/engine/fixtures/cni/<variant>): each mistake learners really make fails the test that
 * names it. One variant per mistake of the list in lessons/core/06-cni's pages ("Where learners
 * slip").
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('06-cni', join(import.meta.dirname, 'fixtures', 'cni'));

const cases: [variant: string, exercise: string, mustFail: string[]][] = [
  ['broadcast-handed-out', '01-ipam', ['the broadcast address is never handed out']],
  ['gateway-handed-out', '01-ipam', ['the first pods get .2, .3', 'a gateway named in the config is skipped wherever it is']],
  ['in-memory-reservations', '01-ipam', ['a restart (a new process, a fresh store on the same folder) never hands out an address still held']],
  ['reserve-result-ignored', '01-ipam', ['an address another ADD takes between your look at the store and your reserve() is not yours']],
  ['ipam-del-not-idempotent', '01-ipam', ['DEL releases the address; DEL again, or of a container that holds nothing, succeeds']],
  ['env-error-as-config', '02-cni-plugin', ['a missing or unknown CNI_COMMAND']],
  ['add-drops-prevresult', '02-cni-plugin', ["an earlier plugin's prevResult is kept"]],
  [
    'check-always-passes',
    '02-cni-plugin',
    ['CHECK passes on what ADD made, and needs the prevResult', 'CHECK fails when the address was released', 'loopback CHECK: passes while the address is held, fails once it is not'],
  ],
  ['plugin-del-not-idempotent', '02-cni-plugin', ['DEL releases the address and deletes the link; a second DEL']],
  ['no-undo-on-failure', '02-cni-plugin', ['a step that fails half-way leaves nothing']],
  ['empty-podselector-none', '03-network-policy', ['an empty podSelector selects every pod of its namespace']],
  ['except-ignored', '03-network-policy', ['ipBlock allows addresses in cidr except those in except']],
  ['endport-exclusive', '03-network-policy', ['port to endPort is a range with both ends included']],
  ['egress-by-default', '03-network-policy', ['without policyTypes a policy is Ingress only, unless it has egress rules']],
];

describe('lesson 06 names the mistake', () => {
  test.each(cases)(
    '%s fails in %s',
    async (variant, exercise, mustFail) => {
      const { out, failed } = await gradeVariant(variant, exercise);
      for (const title of mustFail)
        expect(
          failed.some((t) => t.includes(title)),
          `a failed test titled "${title}…" among ${JSON.stringify(failed)}\n${out}`,
        ).toBe(true);
    },
    120_000,
  );
});
