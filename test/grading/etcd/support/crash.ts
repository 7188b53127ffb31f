/**
 * The crash test's parent side (05-wal). A child process (crash-writer.ts) writes to a durable
 * store and prints an `ack` for every acknowledged put; the test kills it with SIGKILL at a random
 * moment, then recovers the folder in this process and checks that:
 *   - every acknowledged write is there (nothing acknowledged is lost);
 *   - the store holds exactly the first N writes, each whole, for some N (nothing is half there:
 *     a record torn by the kill is dropped, never read as data);
 * and the next child carries on in the same folder, on top of what recovery left.
 *
 * The child is bundled with esbuild (with the component the door chooses) so that it starts fast:
 * 100 kills fit in seconds. Writes are split into small chunks (`chunkWrites`), so that a kill
 * often lands in the middle of a record, as a crash at the wrong moment does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { EtcdExercises } from '#engine/etcd/exercises.ts';
import { prefixEnd, type KeyValue } from '#engine/etcd/kv.ts';
import { createStore } from '#engine/etcd/store.ts';
import { componentIndex, currentChoice, treeFor } from '#engine/impl.ts';
import { ROOT } from '#engine/paths.ts';
import { CRASH_SNAPSHOT_EVERY, crashWrite } from './crash-writer.ts';

/**
 * Bundles a small program with esbuild into one plain JavaScript file that starts in tens of
 * milliseconds (no TypeScript loader at run time). `contents` is the program's entry (TypeScript);
 * `#engine/...` imports resolve to the engine, wherever the component's files are.
 */
export async function bundleProgram(dir: string, name: string, contents: string): Promise<string> {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    plugins: [
      {
        name: 'engine-imports',
        setup(b) {
          b.onResolve({ filter: /^#engine\// }, (args) => ({ path: join(ROOT, 'engine', args.path.slice('#engine/'.length)) }));
        },
      },
    ],
  });
  return outfile;
}

/** The `index.ts` of the etcd component the door chooses. */
export function etcdComponentIndex(): string {
  const component = componentIndex(treeFor(currentChoice(), 'etcd'), 'etcd');
  if (!component) throw new Error('no etcd component found through the door');
  return component;
}

/**
 * Bundles the writer with the etcd component the door chooses (or the `index.ts` given, for tests
 * of the crash test itself); returns the bundle's path.
 */
export async function bundleWriter(dir: string, index?: string): Promise<string> {
  const component = index ?? etcdComponentIndex();
  const writer = join(ROOT, 'test/grading/etcd/support/crash-writer.ts');
  return bundleProgram(dir, 'crash-writer', `import parts from ${JSON.stringify(component)};\nimport { runWriter } from ${JSON.stringify(writer)};\nawait runWriter(parts);\n`);
}

export interface CycleResult {
  /** Writes acknowledged by this child. */
  acked: number[];
  /** True when the newest log file ended in a record cut short when the child died. */
  tornTail: boolean;
  /** What the child printed on stderr (why it failed, when it did). */
  stderr: string;
}

/** Starts a child on `dataDir`, kills it `killAfterMs` after it is ready, returns what it acked. */
export function crashCycle(bundle: string, dataDir: string, killAfterMs: number, chunkBytes: number): Promise<CycleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, dataDir, String(chunkBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let stderr = '';
    let buffer = '';
    let ready = false;
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
        else if (line.startsWith('ready ') && !ready) {
          ready = true;
          setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, killAfterMs);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (!killed) {
        reject(new Error(`the writer process stopped on its own (exit ${code ?? signal}) before it was killed:\n${stderr.trim().split('\n').slice(0, 8).join('\n')}`));
        return;
      }
      resolve({ acked, tornTail: endsTorn(dataDir), stderr });
    });
  });
}

/** Bytes of a record's header in the format 05-wal specifies: length, payload CRC, header CRC. */
const RECORD_HEADER_BYTES = 12;

/** Whether the newest log file ends in an incomplete record (read with the format's framing). */
function endsTorn(dataDir: string): boolean {
  const names = readdirSync(join(dataDir, 'wal'))
    .filter((n) => n.endsWith('.wal'))
    .sort();
  if (names.length === 0) return false;
  const bytes = readFileSync(join(dataDir, 'wal', names.at(-1)!));
  let offset = 0;
  while (offset + RECORD_HEADER_BYTES <= bytes.length) {
    const end = offset + RECORD_HEADER_BYTES + bytes.readUInt32LE(offset);
    if (end > bytes.length) return true;
    offset = end;
  }
  return offset !== bytes.length;
}

/** The key space after the first `n` crash writes, as the store must hold it. */
export function expectedAfter(n: number): KeyValue[] {
  const keys = new Map<string, KeyValue>();
  for (let seq = 0; seq < n; seq++) {
    const { key, value } = crashWrite(seq);
    const prev = keys.get(key);
    keys.set(key, { key, value, createRevision: prev?.createRevision ?? seq + 2, modRevision: seq + 2, version: (prev?.version ?? 0) + 1, lease: 0 });
  }
  return [...keys.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Recovers the folder in this process: how many writes it holds, the key space, and what recovery
 * warned about (what it cut, and where it kept it).
 */
export async function recoverFolder(dataDir: string, parts?: EtcdExercises): Promise<{ writes: number; kvs: KeyValue[]; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (message: string) => void warnings.push(message) };
  const store = await createStore({ dataDir, parts, snapshotEvery: CRASH_SNAPSHOT_EVERY, logger });
  try {
    const writes = (await store.revision()) - 1;
    const { kvs } = await store.range('/crash/', { end: prefixEnd('/crash/') });
    return { writes, kvs, warnings };
  } finally {
    await store.close();
  }
}

/** The files recovery kept aside in the folder (`<file>.broken-<time>`, in wal/ and snap/). */
export function keptAside(dataDir: string): string[] {
  return ['wal', 'snap'].flatMap((sub) =>
    readdirSync(join(dataDir, sub))
      .filter((n) => n.includes('.broken-'))
      .map((n) => `${sub}/${n}`),
  );
}

/**
 * A fresh temporary folder. Folders with the same prefix left over an hour ago by a run that was
 * killed before it could clean up (a grader deadline) are removed on the way.
 */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(prefix))) {
    try {
      if (statSync(join(tmpdir(), name)).mtimeMs < hourAgo) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another run's folder, gone already
    }
  }
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
