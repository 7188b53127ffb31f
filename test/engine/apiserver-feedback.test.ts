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
  test('a containerPort 0 reported as out of range fails only the port test', async () => {
    const { out, failed } = await gradeVariant('validation-port-zero-in-range', '03-validation');
    expect(failed).toEqual(['validatePodSpec > a port 0 is missing (Required), others are between 1 and 65535; the grace period is not negative']);
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
});
