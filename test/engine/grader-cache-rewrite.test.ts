/**
 * The transform-cache check (tui/grader/tamper.ts) against concurrent graders: vitest names each
 * cache file by a hash of the module's id, source and configuration, so another check or test run
 * on the same project rewrites a grader module's cache file with the same bytes. That is not the
 * exercise changing the grader (a full npm test reported "it rewrote the transform cache's copy"
 * of a suite the run never loaded); different bytes still are.
 */
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GraderFiles } from '../../tui/grader/tamper.ts';

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-cache-'));
  const cacheFile = join(dir, 'abc123');
  const content = 'export default "transformed suite";\n';
  writeFileSync(cacheFile, content);
  utimesSync(cacheFile, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const files = new GraderFiles();
  const baseline = files.before([]);
  files.noteCache(baseline, [[cacheFile, join(dir, 'suite.test.ts')]]);
  // The run's vitest said what it read or wrote: not this file.
  baseline.cacheWritten = {};
  return { cacheFile, content, files, baseline };
}

describe("a grader module's cache file changed by someone else during a run", () => {
  test('rewritten with the same bytes (another vitest): not tampering, and kept', () => {
    const { cacheFile, content, files, baseline } = setUp();
    writeFileSync(cacheFile, content); // new mtime, same bytes
    expect(files.after(baseline)).toEqual([]);
    expect(readFileSync(cacheFile, 'utf8')).toBe(content);
  });

  test('rewritten with other bytes: the exercise changed the grader, and the file is removed', () => {
    const { cacheFile, files, baseline } = setUp();
    writeFileSync(cacheFile, 'export default "poisoned";\n');
    expect(files.after(baseline)).toEqual([expect.stringMatching(/^it rewrote the transform cache's copy of .*suite\.test\.ts \(removed: the next check transforms it afresh\)$/)]);
    expect(() => readFileSync(cacheFile)).toThrow();
  });
});
