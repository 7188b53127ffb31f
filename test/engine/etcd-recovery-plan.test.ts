/**
 * The engine runs the learner's recovery plan (planRecovery's steps) only when it loses nothing
 * and touches only the files it was given (engine/etcd/recovery.ts): a plan that cuts or removes
 * bytes it has not kept, cuts any file but the last log segment, removes a log segment, names a
 * file it was not given (`../../etc/passwd`), has an unknown op or no steps list, is refused with
 * a sentence that names the mistake, before any file is touched.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import { createStore } from '#engine/etcd/store.ts';
import type { RecoveryPlan, RecoveryStep } from '#engine/etcd/types.ts';
import { loadComponent } from '#engine/impl.ts';

const reference = await loadComponent('etcd');
const root = mkdtempSync(join(tmpdir(), 'kubelings-plan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const quiet = { info: () => {}, warn: () => {} };

/** A data dir after a crash: two segments (snapshots after entries 2 and 4), the last with a torn tail. */
async function crashedDir(): Promise<{ dir: string; files: () => Map<string, string> }> {
  const dir = join(root, `d${dirs++}`);
  const store = await createStore({ dataDir: dir, snapshotEvery: 2, logger: quiet });
  for (let i = 0; i < 5; i++) await store.put(`/k${i}`, `v${i}`);
  await store.close();
  rmSync(join(dir, 'clean-shutdown'));
  const segments = readdirSync(join(dir, 'wal')).sort();
  writeFileSync(join(dir, 'wal', segments.at(-1)!), Buffer.from([9, 0, 0, 0, 1, 2]), { flag: 'a' });
  const files = () => new Map(['wal', 'snap'].flatMap((sub) => readdirSync(join(dir, sub)).map((n) => [`${sub}/${n}`, readFileSync(join(dir, sub, n)).toString('hex')] as [string, string])));
  return { dir, files };
}

/** The reference's plan with its steps replaced. */
function withSteps(steps: (plan: RecoveryPlan, segments: string[]) => unknown): EtcdExercises {
  return {
    ...reference,
    planRecovery: (snapshots, segments) => {
      const plan = reference.planRecovery(snapshots, segments);
      return {
        ...plan,
        steps: steps(
          plan,
          segments.map((s) => s.name),
        ) as RecoveryStep[],
      };
    },
  };
}

const cases: [string, EtcdExercises, RegExp][] = [
  ['cuts the torn tail without keeping it', withSteps((p) => p.steps.filter((s) => s.op !== 'keep')), /planRecovery\(\) cuts \S+\.wal to \d+ bytes without first keeping the bytes it cuts/],
  ['keeps fewer bytes than it cuts', withSteps((p) => p.steps.map((s) => (s.op === 'keep' ? { ...s, from: s.from + 1 } : s))), /without first keeping the bytes it cuts/],
  [
    'cuts a log file that is not the last',
    withSteps((p, segs) => [
      { op: 'keep', file: segs[0], from: 0 },
      { op: 'truncate', file: segs[0], length: 0 },
    ]),
    /cuts \S+\.wal, which is not the last log file: only the last record of the last log file can be torn/,
  ],
  [
    'removes a log file',
    withSteps((p, segs) => [
      { op: 'keep', file: segs[0], from: 0 },
      { op: 'remove', file: segs[0] },
    ]),
    /removes the log file \S+\.wal: recovery never removes a log file/,
  ],
  ['names a file it was not given', withSteps(() => [{ op: 'keep', file: '../../etc/passwd', from: 0 }]), /returned a step for "\.\.\/\.\.\/etc\/passwd", which is not one of the files it was given/],
  ['keeps from outside the file', withSteps((p, segs) => [{ op: 'keep', file: segs.at(-1), from: 1e9 }]), /keeps \S+\.wal from byte 1000000000, outside its \d+ bytes/],
  ['has an unknown op', withSteps((p, segs) => [{ op: 'shred', file: segs.at(-1) }]), /returned a step with op "shred" \(expected keep, truncate or remove\)/],
  ['returns no steps list', withSteps(() => undefined), /planRecovery\(\) must return \{ snapshot\?, entries: \[\.\.\.\], steps: \[\.\.\.\] \}/],
];

describe('a recovery plan that would lose bytes or touch the wrong files is refused, and nothing is touched', () => {
  test.each(cases)('a plan that %s', async (_what, parts, message) => {
    const { dir, files } = await crashedDir();
    const before = files();
    await expect(createStore({ dataDir: dir, parts, logger: quiet }), 'opening the store with that plan').rejects.toThrow(message);
    expect(files(), 'the files after the refused plan').toEqual(before);
  });

  test('the reference plan on the same files keeps, then cuts, and the store opens', async () => {
    const { dir, files } = await crashedDir();
    const store = await createStore({ dataDir: dir, logger: quiet });
    await store.close();
    expect(
      [...files().keys()].filter((n) => n.includes('.broken-')),
      'files kept aside',
    ).toHaveLength(1);
  });
});

test('an unreadable clean-shutdown record is reported, removed, and recovery goes on as after a crash', async () => {
  const { dir } = await crashedDir();
  writeFileSync(join(dir, 'clean-shutdown'), '{"segment": 12');
  const warnings: string[] = [];
  const store = await createStore({ dataDir: dir, logger: { info: () => {}, warn: (m) => void warnings.push(m) } });
  expect(await store.revision(), 'the revision recovered (5 puts)').toBe(6);
  expect(existsSync(join(dir, 'clean-shutdown')), 'the unreadable record, while the store runs').toBe(false);
  await store.close();
  expect(
    warnings.map((w) => w.replace(/\S*kubelings-plan-\S*/, 'DIR')),
    'warnings',
  ).toEqual([
    'the clean-shutdown record in DIR is unreadable (removed): recovering as after a crash',
    expect.stringMatching(/^recovery cut the torn record at the end of wal\/\S+\.wal: 6 bytes from byte \d+ on, kept in wal\/\S+\.broken-\S+ \(a write a crash cut short, never acknowledged\)$/),
  ]);
});
