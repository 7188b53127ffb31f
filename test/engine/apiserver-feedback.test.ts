/**
 * The feedback of lesson 02's suites against deliberately broken apiserver code
 * (test/engine/apiserver-fixtures/<variant>): each common mistake fails the test that names it,
 * and the grader's output says what was done, what was expected, and asks the hint's question.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('02-apiserver', join(import.meta.dirname, 'apiserver-fixtures'));

describe('lesson 02 names the mistake', () => {
  test('a create that reads before it writes fails only the race test, with the question about txn', async () => {
    const { out, failed } = await gradeVariant('registry-reads-then-writes', '02-registry');
    expect(failed).toEqual(['create > two creates racing for one name: exactly one wins, decided by the store']);
    expect(out).toMatch(/did\s+two creates of configmap race at once\n\s+expected\s+\[\s+\\?"fulfilled\\?",\s+\\?"rejected\\?",\s+\]\n\s+got\s+\[\s+\\?"fulfilled\\?",\s+\\?"fulfilled\\?",/);
    expect(out).toContain('If you read first and write after, can two callers both read "absent"? What can a txn compare?');
  });

  test('a watch stream that drops objects leaving the selector fails the four-cases test, with its question', async () => {
    const { out, failed } = await gradeVariant('watch-forgets-leaving-objects', '04-list-watch');
    expect(failed).toEqual(['what one watcher is sent > a MODIFIED that moves an object into or out of the selector arrives as ADDED or DELETED']);
    expect(out).toMatch(/did\s+web before, db after\n\s+expected\s+\[[\s\S]*?\\?"type\\?": \\?"DELETED\\?"[\s\S]*?\n\s+got\s+\[\]/);
    expect(out).toContain('Check the object before and after the change against the selector: four cases.');
  });
  // 03-validation: the mistakes that make a 422 read unlike upstream's.
  test('a containerPort 0 (or none) reported as out of range fails only the two port tests', async () => {
    const { out, failed } = await gradeVariant('validation-port-zero-in-range', '03-validation');
    expect(failed).toEqual([
      'validatePodSpec > a port 0 is missing (Required), others are between 1 and 65535; the grace period is not negative',
      'validatePodSpec > a port left out is missing (Required); a negative port is out of range',
    ]);
    expect(out).toContain('Invalid value: 0: must be between 1 and 65535, inclusive');
  });

  test('restartPolicy values listed alphabetically fail only the listed-values test', async () => {
    const { out, failed } = await gradeVariant('validation-restart-alphabetical', '03-validation');
    expect(failed).toEqual(['validatePodSpec > restartPolicy, imagePullPolicy and port protocols take only their listed values']);
    expect(out).toMatch(/supported values: \\?"Always\\?", \\?"Never\\?", \\?"OnFailure\\?"/);
  });

  test('a name skipped because generateName is set fails only the generated-name test, with its question', async () => {
    const { out, failed } = await gradeVariant('validation-skips-generated-name', '03-validation');
    expect(failed).toEqual(['validateObjectMeta > a name made from generateName is checked like any other']);
    expect(out).toContain('is there a case in which you skip checking metadata.name?');
  });
  // Found by the mutation run of solutions/apiserver (issue 10): each passed every test before.
  test('an update that ends a terminating pod whatever its grace period fails only that test, with its hint', async () => {
    const { out, failed } = await gradeVariant('registry-update-ends-terminating-pods', '02-registry');
    expect(failed).toEqual(['update: more edges > an update of a pod that is terminating gracefully keeps it: only a grace period of 0 without finalizers ends it']);
    expect(out).toMatch(/did\s+the pod is still stored after a label update while it terminates \(grace 30 s\)\n\s+expected true\n\s+got\s+false/);
    expect(out).toContain('A marked object is deleted by an update only when its grace period is over (0) and it has no finalizers left.');
  });

  test('a delete that does not compare the modRevision it read fails only the delete race test, with its question', async () => {
    const { out, failed } = await gradeVariant('registry-delete-unconditional', '02-registry');
    expect(failed).toEqual(["delete: more edges > a write that lands between the delete's read and its write is not lost: the delete is decided on the object as it is now"]);
    expect(out).toMatch(/did\s+delete racing an update that adds a finalizer\n\s+expected\s+\{[\s\S]*?\\?"deleted\\?": false,[\s\S]*?\n\s+got\s+\{[\s\S]*?\\?"deleted\\?": true,/);
    expect(out).toContain('Is your delete conditional on the modRevision you read?');
  });

  test('a token for an empty next page when exactly `limit` items remain fails only the exact-limit test', async () => {
    const { out, failed } = await gradeVariant('pages-token-at-exact-limit', '04-list-watch');
    expect(failed).toEqual(['pages and continue tokens: more edges > exactly `limit` items left: one page, no token']);
    expect(out).toMatch(/did\s+paginate 3 items, limit 3\n/);
    expect(out).toContain('When the page holds every remaining item, is there a next page?');
  });

  test('a $setElementOrder that needs its list in the patch fails only the reorder-alone test, with its question', async () => {
    const { out, failed } = await gradeVariant('patch-order-needs-the-list', '05-patch');
    expect(failed).toEqual(['strategic merge patch: more edges > $setElementOrder alone reorders a list the patch does not change (kubectl apply after reordering a manifest)']);
    expect(out).toMatch(
      /did\s+containers after \{"spec":\{"\$setElementOrder\/containers":\[\{"name":"c"\},\{"name":"a"\},\{"name":"b"\}\]\}\}\n\s+expected\s+\[[\s\S]*?\\?"c\\?",[\s\S]*?\n\s+got\s+\[\s+\\?"a\\?",/,
    );
    expect(out).toContain('is $setElementOrder/<field> applied when <field> itself is not in the patch?');
  });
});
