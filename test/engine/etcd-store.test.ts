/**
 * The store's runner (engine/etcd/store.ts, files.ts), beyond what the learner writes: one store
 * per data dir, a lock left by a killed process taken over, writes after close refused, watch
 * delivery that never runs inside a put and never after cancel, and a watcher's own error kept
 * from the others.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import type { WatchResponse } from '#engine/etcd/kv.ts';
import { createStore } from '#engine/etcd/store.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the durable store's data dir", () => {
  test('a second store on the same data dir is refused with a clear error, and works once the first is closed', async () => {
    const dir = dataDir();
    const first = await createStore({ dataDir: dir });
    await first.put('/a', '1');
    await expect(createStore({ dataDir: dir }), 'opening the dir a second time').rejects.toThrow(/in use by another store in this process/);
    await first.close();
    const second = await createStore({ dataDir: dir });
    expect((await second.range('/a')).kvs[0]?.value, 'the value, through the second store').toBe('1');
    await second.close();
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const dir = dataDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'lock'), `${gone.stdout}\n`);
    const store = await createStore({ dataDir: dir });
    await store.put('/a', '1');
    await store.close();
  });

  test('writes after close() are refused', async () => {
    const store = await createStore({ dataDir: dataDir() });
    await store.close();
    await expect(store.put('/a', '1'), 'put after close').rejects.toThrow('the store is closed');
    const memory = await createStore();
    await memory.close();
    await expect(memory.range('/a'), 'range after close (in memory)').rejects.toThrow('the store is closed');
  });
});

describe('watch delivery', () => {
  test('events are delivered after put() returns, in order, and never after cancel()', async () => {
    const store = await createStore();
    const seen: string[] = [];
    const watcher = await store.watch('/a', {}, (r: WatchResponse) => seen.push(...r.events.map((e) => e.kv.value)));
    const put = store.put('/a', '1');
    expect(seen, 'events seen while put() is still running').toEqual([]);
    await put;
    await store.put('/a', '2');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen, 'events after two puts').toEqual(['1', '2']);
    const third = store.put('/a', '3'); // applied, its event queued for delivery...
    watcher.cancel(); // ...and the watch canceled before the delivery ran
    await third;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen, 'events after cancel()').toEqual(['1', '2']);
    await store.close();
  });

  test('a watcher whose callback throws does not stop the store or the other watchers', async () => {
    const store = await createStore();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    await store.watch('/a', {}, () => {
      throw new Error('boom');
    });
    const seen: string[] = [];
    await store.watch('/a', {}, (r) => seen.push(...r.events.map((e) => e.kv.value)));
    await store.put('/a', '1');
    await store.put('/a', '2');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen, 'events the well-behaved watcher saw').toEqual(['1', '2']);
    expect(errors, 'the failing callback was reported').toHaveBeenCalled();
    errors.mockRestore();
    await store.close();
  });
});
