/**
 * Container logs: the CRI log format (kubernetes/cri-api; the kubelet's parser is
 * pkg/kubelet/kuberuntime/logs/logs.go, parseCRILog), the writer's partial lines, the reader's
 * tail/since/limitBytes/timestamps/follow (logs.go ReadLogs), and rotation as the kubelet's
 * container log manager does it (pkg/kubelet/logs/container_log_manager.go): maxFiles, gzip of
 * older files, the newest rotated file kept plain, ReopenContainerLog after the rename; and the
 * same with a real container that keeps writing, losing no line.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import type { ContainerStatus, ListContainersResponse } from '#engine/cri/api.ts';
import { formatLogRecord, formatLogTimestamp, parseLogRecord, parseLogTimestamp } from '#engine/cri/logs/format.ts';
import { readContainerLog } from '#engine/cri/logs/reader.ts';
import { allLogFiles, ContainerLogManager, rotationStamp } from '#engine/cri/logs/rotation.ts';
import { ContainerLogWriter } from '#engine/cri/logs/writer.ts';
import { scratchDir } from '../support/scratch.ts';
import { onCleanup, openTestRuntime, startPod, testPod, waitFor } from './cri-harness.ts';

const T0 = parseLogTimestamp('2016-10-06T00:17:09.669794202Z');

function tempLog(): string {
  const dir = scratchDir('kubelings-cri-logs-');
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'web', '0.log');
}

/** A writer whose clock ticks one microsecond per record, from T0. */
function writerAt(path: string, maxLineBytes?: number): ContainerLogWriter {
  let tick = 0n;
  return new ContainerLogWriter(path, { ...(maxLineBytes ? { maxLineBytes } : {}), now: () => T0 + 1000n * tick++ });
}

async function read(path: string, options: Parameters<typeof readContainerLog>[1] = {}): Promise<string> {
  let out = '';
  await readContainerLog(path, options, (stream, bytes) => (out += stream === 'stderr' ? `[err]${bytes.toString()}` : bytes.toString()));
  return out;
}

describe('the CRI log format', () => {
  test('a record is "<RFC3339 with nine fraction digits, UTC> <stream> <P|F> <content>"', () => {
    expect(formatLogRecord({ timestamp: T0, stream: 'stdout', partial: false, content: Buffer.from('log content 1') }).toString()).toBe('2016-10-06T00:17:09.669794202Z stdout F log content 1\n');
    expect(formatLogTimestamp(parseLogTimestamp('2016-10-06T00:17:09Z'))).toBe('2016-10-06T00:17:09.000000000Z');
    expect(parseLogTimestamp('2016-10-06T02:17:09.5+02:00')).toBe(parseLogTimestamp('2016-10-06T00:17:09.500000000Z'));
    const record = parseLogRecord(Buffer.from('2016-10-06T00:17:09.669794203Z stderr P log content 2\n'));
    expect(record).toEqual({ timestamp: T0 + 1n, stream: 'stderr', partial: true, content: Buffer.from('log content 2') });
    expect(parseLogRecord(Buffer.from('2016-10-06T00:17:09.669794203Z stdout F \n')).content.length).toBe(0);
  });

  test('malformed records are refused with what is wrong', () => {
    expect(() => parseLogRecord(Buffer.from('yesterday stdout F x'))).toThrow('unexpected timestamp format');
    expect(() => parseLogRecord(Buffer.from('2016-10-06T00:17:09Z stdin F x'))).toThrow('unexpected stream type "stdin"');
    expect(() => parseLogRecord(Buffer.from('2016-10-06T00:17:09Z stdout'))).toThrow('stream type is not found');
  });
});

describe('the writer', () => {
  test('each line is one F record; output without a newline waits for it, and is flushed as F when the stream ends', () => {
    const path = tempLog();
    const writer = writerAt(path);
    writer.write('stdout', Buffer.from('hel'));
    writer.write('stdout', Buffer.from('lo\nwor'));
    writer.write('stderr', Buffer.from('oops\n'));
    writer.write('stdout', Buffer.from('ld\n\nlast'));
    writer.close();
    expect(readFileSync(path, 'utf8')).toBe(
      [
        '2016-10-06T00:17:09.669794202Z stdout F hello',
        '2016-10-06T00:17:09.669795202Z stderr F oops',
        '2016-10-06T00:17:09.669796202Z stdout F world',
        '2016-10-06T00:17:09.669797202Z stdout F ',
        '2016-10-06T00:17:09.669798202Z stdout F last',
        '',
      ].join('\n'),
    );
  });

  test('a line longer than the maximum becomes P records of the maximum, then F with the rest', () => {
    const path = tempLog();
    const writer = writerAt(path, 4);
    writer.write('stdout', Buffer.from('abcdefghij\nxyz\n'));
    writer.write('stdout', Buffer.from('1234'));
    writer.write('stdout', Buffer.from('\n'));
    writer.close();
    const records = readFileSync(path, 'utf8')
      .split('\n')
      .slice(0, -1)
      .map((l) => l.slice(31));
    expect(records).toEqual(['stdout P abcd', 'stdout P efgh', 'stdout F ij', 'stdout F xyz', 'stdout P 1234', 'stdout F ']);
  });

  test('reopen() continues in a new file at the same path after the old one was renamed', async () => {
    const path = tempLog();
    const writer = writerAt(path);
    writer.write('stdout', Buffer.from('one\n'));
    renameSync(path, `${path}.20240101-000000`);
    writer.write('stdout', Buffer.from('two\n'));
    writer.reopen();
    writer.write('stdout', Buffer.from('three\n'));
    writer.close();
    expect(await read(`${path}.20240101-000000`)).toBe('one\ntwo\n');
    expect(await read(path)).toBe('three\n');
  });
});

describe('the reader (kubectl logs)', () => {
  function sample(): string {
    const path = tempLog();
    const writer = writerAt(path, 8);
    writer.write('stdout', Buffer.from('line 1\nline 2\n'));
    writer.write('stderr', Buffer.from('error 3\n'));
    writer.write('stdout', Buffer.from('a long line 4\nline 5\n'));
    writer.close();
    return path;
  }

  test('all of it, partial records joined, each stream to its own sink', async () => {
    expect(await read(sample())).toBe('line 1\nline 2\n[err]error 3\na long line 4\nline 5\n');
  });

  test('--tail counts records from the end (a P record is a line of the file, as upstream counts)', async () => {
    const path = sample();
    expect(await read(path, { tail: 1 })).toBe('line 5\n');
    // "a long line 4" is two records at 8 bytes a record: "a long l" (P) and "ine 4" (F).
    expect(await read(path, { tail: 2 })).toBe('ine 4\nline 5\n');
    expect(await read(path, { tail: 3 })).toBe('a long line 4\nline 5\n');
    expect(await read(path, { tail: 0 })).toBe('');
    expect(await read(path, { tail: 100 })).toBe(await read(path));
  });

  test('--since skips older records; --limit-bytes cuts; --timestamps prefixes each record', async () => {
    const path = sample();
    expect(await read(path, { since: T0 + 2000n })).toBe('[err]error 3\na long line 4\nline 5\n');
    expect(await read(path, { since: T0 + 2001n })).toBe('a long line 4\nline 5\n');
    expect(await read(path, { limitBytes: 10 })).toBe('line 1\nlin');
    expect(await read(path, { timestamps: true, tail: 1 })).toBe('2016-10-06T00:17:09.669799202Z line 5\n');
  });

  test('malformed lines are skipped; a missing file is an error', async () => {
    const path = sample();
    writeFileSync(path, `garbage\n${readFileSync(path, 'utf8')}not a record\n`);
    expect(await read(path, { tail: 4 })).toBe('a long line 4\nline 5\n');
    await expect(read(`${path}.missing`)).rejects.toThrow('ENOENT');
  });

  test('-f follows new records until the container stops, across a rotation', async () => {
    const path = tempLog();
    const writer = writerAt(path);
    writer.write('stdout', Buffer.from('before\n'));
    let running = true;
    let out = '';
    const following = readContainerLog(
      path,
      { follow: true, pollMs: 10 },
      (_, b) => (out += b.toString()),
      () => running,
    );
    await waitFor('the follower to print the first line', () => out === 'before\n');
    writer.write('stdout', Buffer.from('during\n'));
    await waitFor('the follower to print the second line', () => out.endsWith('during\n'));
    renameSync(path, `${path}.1`);
    writer.write('stdout', Buffer.from('just before the reopen\n'));
    writer.reopen();
    writer.write('stdout', Buffer.from('after the rotation\n'));
    await waitFor('the follower to read the new file', () => out.endsWith('after the rotation\n'));
    writer.write('stdout', Buffer.from('last words\n'));
    writer.close();
    running = false;
    await following;
    expect(out).toBe('before\nduring\njust before the reopen\nafter the rotation\nlast words\n');
  });
});

describe("rotation (the kubelet's container log manager)", () => {
  /** A runtime with one running container writing through `writer`. */
  function fakeRuntime(path: string, writer: ContainerLogWriter) {
    return {
      listContainers: async (): Promise<ListContainersResponse> => ({ containers: [{ id: 'c1', state: 'CONTAINER_RUNNING' } as ListContainersResponse['containers'][number]] }),
      containerStatus: async () => ({ status: { id: 'c1', logPath: path } as ContainerStatus, info: {} }),
      reopenContainerLog: async () => writer.reopen(),
    };
  }

  test('keeps at most maxFiles files, the newest rotated one plain and older ones gzipped, losing no line', async () => {
    const path = tempLog();
    const writer = writerAt(path);
    let now = new Date(2024, 0, 1, 12, 0, 0);
    const manager = new ContainerLogManager(fakeRuntime(path, writer), { maxSizeBytes: 100, maxFiles: 3 }, () => now);
    let n = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) writer.write('stdout', Buffer.from(`line ${n++}\n`));
      await manager.rotateLogs();
      now = new Date(now.getTime() + 1000);
    }
    writer.close();
    const files = readdirSync(join(path, '..')).sort();
    expect(files).toEqual(['0.log', '0.log.20240101-120003.gz', '0.log.20240101-120004']);
    expect(allLogFiles(path).map((f) => f.slice(path.length))).toEqual(['.20240101-120003.gz', '.20240101-120004', '']);
    const text = (file: string) => (file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString() : readFileSync(file, 'utf8'));
    const lines = allLogFiles(path)
      .flatMap((f) => text(f).trimEnd().split('\n'))
      .filter(Boolean);
    expect(lines.map((l) => l.slice(40))).toEqual(['line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14']);
    expect(manager.errors.size).toBe(0);
  });

  test('a log below the size is left alone; a second rotation in the same second waits; maxFiles below 2 is refused', async () => {
    const path = tempLog();
    const writer = writerAt(path);
    writer.write('stdout', Buffer.from('short\n'));
    const now = new Date(2024, 0, 1, 12, 0, 0);
    const manager = new ContainerLogManager(fakeRuntime(path, writer), { maxSizeBytes: 1000, maxFiles: 2 }, () => now);
    await manager.rotateLogs();
    expect(readdirSync(join(path, '..'))).toEqual(['0.log']);
    writer.write('stdout', Buffer.from('x'.repeat(2000) + '\n'));
    await manager.rotateLogs();
    writer.write('stdout', Buffer.from('y'.repeat(2000) + '\n'));
    await manager.rotateLogs();
    expect(readdirSync(join(path, '..')).sort()).toEqual(['0.log', `0.log.${rotationStamp(now)}`]);
    expect(() => new ContainerLogManager(fakeRuntime(path, writer), { maxSizeBytes: 10, maxFiles: 1 })).toThrow('invalid MaxFiles 1, must be > 1');
    writer.close();
  });

  test('with a real container writing all along: ReopenContainerLog moves it to the new file and no line is lost', { timeout: 90_000 }, async () => {
    const t = await openTestRuntime();
    const pod = await startPod(t, testPod({ image: 'busybox', command: ['sh', '-c', 'i=0; while [ $i -lt 400 ]; do echo "line $i"; i=$((i+1)); sleep 0.005; done'] }));
    const id = pod.containerIds[0]!;
    let now = new Date(2024, 0, 1, 12, 0, 0);
    const manager = new ContainerLogManager(t.runtime, { maxSizeBytes: 2000, maxFiles: 100 }, () => now);
    const { status } = await t.runtime.containerStatus({ containerId: id });
    let rotations = 0;
    while ((await t.runtime.containerStatus({ containerId: id })).status.state === 'CONTAINER_RUNNING') {
      await manager.rotateLogs();
      now = new Date(now.getTime() + 1000);
      rotations++;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(rotations).toBeGreaterThan(0);
    const text = (file: string) => (file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString() : readFileSync(file, 'utf8'));
    const files = allLogFiles(status.logPath);
    expect(files.length).toBeGreaterThan(1);
    const lines = files
      .flatMap((f) => text(f).trimEnd().split('\n'))
      .filter(Boolean)
      .map((l) => l.slice(40));
    expect(lines).toEqual(Array.from({ length: 400 }, (_, i) => `line ${i}`));
    await expect(t.runtime.reopenContainerLog({ containerId: id })).rejects.toMatchObject({ code: 'FailedPrecondition' });
    // The kubelet removes a container's logs with it.
    await manager.clean(id);
    expect(files.some((f) => existsSync(f))).toBe(false);
  });
});
