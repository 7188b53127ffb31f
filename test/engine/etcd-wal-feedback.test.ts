/**
 * The 05-wal suite catches the mistakes a learner is likely to make in the write-ahead log, and
 * says which: each deliberately broken variant (test/engine/fixtures/etcd-wal/<variant>) is graded
 * as the learner would see it, and must fail exactly the tests that name its mistake, with their
 * messages. The crash test then fails at once, saying it waits for the tests above (it relies on
 * each of them), instead of spending its 100 kills on a log that cannot pass.
 *
 * The likely mistakes in the new code (issue 9): no header checksum, or one over the payload only;
 * trusting the length before the header checksum (a damaged length passes for a torn tail); taking
 * any short read at the end for a tear, even when the header's checksum fails; an off-by-four on
 * the header's size; a WalCorruptError that does not say where; cutting a torn tail without
 * keeping it, or keeping it after the cut; leaving a damaged snapshot in place.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('01-etcd', join(import.meta.dirname, 'fixtures', 'etcd-wal'));

const RECORDS = 'records: a header with its own checksum, then the payload > ';
const RECOVERY = 'recovery: snapshot, then the log after it; keep what you cut > ';
const STORE = 'the durable store across restarts > ';
const T = {
  encodeBytes: `${RECORDS}encodeRecord frames a payload as length, CRC-32 of the payload, CRC-32 of those first 8 bytes (4 bytes each, little-endian), then the payload`,
  roundTrip: `${RECORDS}decodeRecords reads back every record, in order, even an empty one`,
  emptyLast: `${RECORDS}an empty record at the very end is whole, not torn: exactly 12 bytes left is a complete header`,
  view: `${RECORDS}decodeRecords works on bytes that do not start at the beginning of their buffer`,
  cutShort: `${RECORDS}a record cut short at any byte is dropped: the records before it are kept, and it is marked torn`,
  lastPayload: `${RECORDS}a last record whose payload is damaged is a torn write: dropped, never returned as data`,
  middlePayload: `${RECORDS}a damaged payload with more records after it is corruption: WalCorruptError, with the offset where that record begins`,
  middleHeader: `${RECORDS}one flipped bit anywhere in the header of a record in the middle is corruption at that record, never a torn tail (the finding: a damaged length hid half the store)`,
  lastHeader: `${RECORDS}a flipped bit in the header of the LAST record is corruption too: only a header cut short can be torn, a header that fails its checksum cannot`,
  newestSnapshot: `${RECOVERY}recovery uses the newest snapshot and applies only the entries after it`,
  damagedSnapshot: `${RECOVERY}a damaged newest snapshot is skipped for an older one, and kept aside then removed`,
  damagedSnapshotHeader: `${RECOVERY}a newest snapshot whose header is damaged (decodeRecords throws) is skipped for an older one, and kept aside then removed`,
  emptySnapshot: `${RECOVERY}an empty newest snapshot file holds no record: it is skipped for an older one, and kept aside then removed`,
  tornTail: `${RECOVERY}a torn tail in the last log file is kept aside, then cut (in that order); its whole entries are applied`,
  tornNotLast: `${RECOVERY}a torn tail in a log file that is not the last is corruption: WalCorruptError naming the file`,
  middleDamage: `${RECOVERY}damage in the middle of a log file: WalCorruptError naming the file and the byte where the bad record begins, and no plan to cut anything`,
  restart: `${STORE}after close and reopen, every write is there with its revision, and new writes continue the revisions`,
  compaction: `${STORE}compaction and leases survive a restart; a lease gets its whole TTL again after it`,
  refused: `${STORE}a write the store refused is refused again on replay, and changes nothing`,
  crashTail: `${STORE}after a crash, a torn record at the end of the log is cut at recovery, its bytes kept in <segment>.broken-<time> and a warning logged; writing goes on after it`,
  cleanTail: `${STORE}a store stopped cleanly whose log later lost its last bytes refuses to start, names the file and byte and \`cluster repair\`, and changes nothing`,
  finding: `${STORE}one flipped bit in the length of a record in the middle of a stopped store's log: the store refuses to start, says where and how to recover, and changes nothing`,
  crash: 'crashes > killed with SIGKILL at 100 random moments, the store loses no acknowledged write and never reads a torn record',
};

describe('the 05-wal suite names the mistake', () => {
  test('no header checksum: a flipped length reads as a torn tail, and the header tests say so', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('no-header-checksum', '05-wal');
    expect(failed).toEqual([T.middleHeader, T.lastHeader, T.crash]);
    expect(out).toMatch(
      /did\s+records "first", "the record whose\.\.\.", "third", "fourth", with bit 6 of byte 0 \(the length\) of the second flipped\n\s+expected\s+\{\n\s+"error": "WalCorruptError",\n\s+"offset": 17,/,
    );
    expect(out).toContain('What must you check before you trust the length, and before you decide a record is cut short?');
    expect(out).toContain('did      tests above that fail (the crash test runs once they all pass: it relies on each of them)');
  });

  test('the length trusted before the header checksum: a length past the end passes for a tear', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('length-trusted-first', '05-wal');
    expect(failed).toEqual([T.middleHeader, T.lastHeader, T.crash]);
    expect(out).toMatch(
      /with bit 6 of byte 0 \(the length\) of the second flipped\n\s+expected\s+\{\n\s+"error": "WalCorruptError",\n\s+"offset": 17,\n\s+\}\n\s+got\s+\{\n\s+"records": \[\n\s+"first",\n\s+\],\n\s+"torn": true,/,
    );
  });

  test('any short read at the end taken for a tear, even with a failing header checksum', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('damaged-header-at-end-is-torn', '05-wal');
    expect(failed).toEqual([T.middleHeader, T.lastHeader, T.crash]);
    expect(out).toContain("When the header's checksum fails, can you know where that record ends, or that it is the last one?");
  });

  test("the header's third field a checksum of the payload, not of the header: the exact bytes say so first", { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('header-checksum-of-payload', '05-wal');
    expect(failed.slice(0, 2)).toEqual([T.encodeBytes, T.roundTrip]);
    expect(failed).toContain(T.middleHeader);
    expect(out).toContain('then setUint32(8, crc32(record.subarray(0, 8)), true)');
  });

  test('the payload read from byte 8 (the old header size): records do not read back', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('header-off-by-four', '05-wal');
    expect(failed.slice(0, 4)).toEqual([T.roundTrip, T.emptyLast, T.view, T.cutShort]);
    expect(failed).not.toContain(T.encodeBytes);
    expect(out).toContain('After a record, where does the next one start? The header is 12 bytes.');
  });

  test('a WalCorruptError that does not say where: the offset and file checks fail', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('error-without-offset', '05-wal');
    expect(failed).toEqual([T.middlePayload, T.middleHeader, T.lastHeader, T.tornNotLast, T.middleDamage, T.finding, T.crash]);
    expect(out).toMatch(
      /did\s+planRecovery with a flipped bit in the length of entry 2 of 4 in a\.wal: the error\n\s+expected\s+\{\n\s+"file": "a\.wal",\n\s+"name": "WalCorruptError",\n\s+"offset": \d+,/,
    );
    expect(out).toContain('new WalCorruptError(message, { file, offset })');
  });

  test('a torn tail cut without keeping it: the plan test shows the missing step, and the engine refuses the plan', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('cut-without-keeping', '05-wal');
    expect(failed).toEqual([T.tornTail, T.crashTail, T.cleanTail, T.crash]);
    expect(out).toContain('What if the engine cut first and the machine crashed before it kept them?');
    expect(out).toMatch(/planRecovery\(\) cuts 0000000000000001\.wal to \d+ bytes without first keeping the bytes it cuts \(a \{ op: 'keep', file, from: \d+ \} step before the truncate\)/);
    expect(out).toContain('reread "Keep what you cut" in lessons/core/01-etcd/06-wal.md');
  });

  test('the torn tail kept after the cut: the same tests, the same refusal', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('keep-after-cut', '05-wal');
    expect(failed).toEqual([T.tornTail, T.crashTail, T.cleanTail, T.crash]);
    expect(out).toContain('without first keeping the bytes it cuts');
  });

  test('a damaged snapshot skipped but left in place: the snapshot test wants it kept, then removed', { timeout: 60_000 }, async () => {
    const { out, failed } = await gradeVariant('damaged-snapshot-left-in-place', '05-wal');
    expect(failed).toEqual([T.damagedSnapshot, T.damagedSnapshotHeader, T.emptySnapshot, T.crash]);
    expect(out).toContain('What must happen to the bytes before the file goes?');
  });
});
