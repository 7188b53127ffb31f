/**
 * "See it live" for lesson 01: the learner's own store (through the door) answering the calls the
 * apiserver makes (in memory while 05-wal is not written, durable once it is). It writes pods under /registry/pods/, updates one with a compare-and-swap (and
 * shows the conflict a stale writer gets), deletes one, lets a lease expire, reads the present and
 * the past, compacts, and reopens the store from its data dir. A watch from revision 1 prints
 * every event as it arrives.
 *
 *   npx tsx engine/etcd/demo.ts [--impl exercises:etcd|solutions|...] [--keep] [--dir DIR]
 *
 * --impl (or KUBELINGS_IMPL) chooses whose code runs; the default is your exercises/etcd.
 * --keep keeps the data dir (.kubelings/etcd-demo unless --dir), so a second run carries on from
 * the revision the first one reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { impl: { type: 'string' }, keep: { type: 'boolean', default: false }, dir: { type: 'string' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  console.log('usage: npx tsx engine/etcd/demo.ts [--impl SPEC] [--keep] [--dir DIR]');
  process.exit(0);
}
if (values.impl) process.env.KUBELINGS_IMPL = values.impl;
process.env.KUBELINGS_IMPL ||= 'exercises:etcd';

// Loaded after KUBELINGS_IMPL is set: the door reads it.
const { isNotImplemented } = await import('../errors.ts');
const { formatImplChoice, currentChoice, treeFor } = await import('../impl.ts');
const { stateDir } = await import('../paths.ts');
const { createStore } = await import('./store.ts');
const { prefixEnd } = await import('./kv.ts');
type KVStore = import('./kv.ts').KVStore;
type KeyValue = import('./kv.ts').KeyValue;

const tree = treeFor(currentChoice(), 'etcd');
const dataDir = values.dir ?? (values.keep ? join(stateDir(), 'etcd-demo') : mkdtempSync(join(tmpdir(), 'kubelings-etcd-demo-')));
const registry = '/registry/';
const pods = '/registry/pods/';
const heartbeat = '/registry/leases/kube-node-lease/node-1';

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (title: string) => console.log(`\n${bold(`── ${title}`)}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pod(name: string, image: string, replicasNote = ''): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image }] }, ...(replicasNote ? { note: replicasNote } : {}) });
}

function row(kv: KeyValue): string {
  const image = (() => {
    try {
      return (JSON.parse(kv.value) as { spec?: { containers?: { image?: string }[] } }).spec?.containers?.[0]?.image ?? '';
    } catch {
      return kv.value.slice(0, 20);
    }
  })();
  return `  ${kv.key.padEnd(36)} create ${String(kv.createRevision).padStart(3)}  mod ${String(kv.modRevision).padStart(3)}  version ${kv.version}  ${dim(image)}`;
}

async function run(): Promise<void> {
  console.log(`${bold('kubelings: your etcd, live')}   code: ${tree}/etcd (impl ${formatImplChoice(currentChoice())})   data: ${dataDir}`);
  console.log(
    dim(`
   this demo, playing the apiserver          the store (${tree}/etcd, through the door)
   ───────────────────────────────           ─────────────────────────────────────────
   txn / put / delete / range / compact ───▶  MVCC key space ── watch log ── leases
   watch /registry/ from revision 1  ◀──  events, in order        WAL + snapshot ─▶ ${dataDir}`),
  );

  let store: KVStore;
  let durable = true;
  try {
    store = await createStore({ dataDir });
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
    // Exercises 01-04 work without the WAL: show them in memory.
    durable = false;
    console.log('\n  Your write-ahead log (exercise 05-wal) is not written yet, so this runs in memory.');
    store = await createStore();
  }
  const start = await store.revision();
  step(`opened the store at revision ${start}${start > 1 ? ' (recovered from the data dir)' : ''}`);

  let watchFrom = 1;
  let watcher;
  try {
    watcher = await store.watch(registry, { end: prefixEnd(registry), startRevision: watchFrom, prevKv: true }, print);
  } catch (error) {
    if ((error as Error).name !== 'CompactedError') throw error;
    watchFrom = start + 1;
    console.log(`  watch from revision 1: ${(error as Error).message}; watching from ${watchFrom} instead`);
    watcher = await store.watch(registry, { end: prefixEnd(registry), startRevision: watchFrom, prevKv: true }, print);
  }
  console.log(`  watching ${registry}* from revision ${watchFrom} (with prevKv, as the apiserver's watch cache does)`);

  function print(response: { events: { type: string; kv: KeyValue; prevKv?: KeyValue }[] }) {
    for (const e of response.events) {
      const prev = e.prevKv ? dim(` (was version ${e.prevKv.version})`) : '';
      console.log(`  ${dim('watch ▸')} ${e.type.padEnd(6)} ${e.kv.key} @ ${e.kv.modRevision}${e.type === 'PUT' ? ` version ${e.kv.version}` : ''}${prev}`);
    }
  }

  step('create three pods: txn "if mod_revision(key) = 0 then put" (create only if absent)');
  for (const [name, image] of [
    ['web-1', 'nginx:1.25'],
    ['web-2', 'nginx:1.25'],
    ['db-1', 'postgres:16'],
  ] as const) {
    const key = `${pods}default/${name}`;
    const result = await store.txn({ compare: [{ key, target: 'modRevision', result: '=', value: 0 }], success: [{ type: 'put', key, value: pod(name, image) }], failure: [] });
    console.log(`  create ${key}: ${result.succeeded ? `created, resourceVersion ${result.revision}` : 'already exists (409)'}`);
  }
  await sleep(10);

  step('update web-1 as two clients would, both having read it at the same resourceVersion');
  const web1 = `${pods}default/web-1`;
  const read = (await store.range(web1)).kvs[0]!;
  const update = (image: string) =>
    store.txn({
      compare: [{ key: web1, target: 'modRevision', result: '=', value: read.modRevision }],
      success: [{ type: 'put', key: web1, value: pod('web-1', image) }],
      failure: [{ type: 'range', key: web1 }],
    });
  const first = await update('nginx:1.26');
  console.log(`  client A: if mod_revision = ${read.modRevision} then put → ${first.succeeded ? `ok, resourceVersion ${first.revision}` : 'conflict'}`);
  const second = await update('nginx:1.27');
  console.log(
    `  client B: if mod_revision = ${read.modRevision} then put → ${second.succeeded ? 'ok' : `409 Conflict: the object has been modified (it is at ${second.responses[0]?.type === 'range' ? second.responses[0].kvs[0]?.modRevision : '?'} now)`}`,
  );
  await sleep(10);

  step('delete db-1');
  const deleted = await store.delete(`${pods}default/db-1`, { prevKv: true });
  console.log(`  deleted ${deleted.deleted} key at revision ${deleted.revision}`);
  await sleep(10);

  step('a heartbeat under a 2-second lease, then no keep-alives');
  const lease = await store.leaseGrant(2);
  await store.put(heartbeat, 'node-1 is alive', { lease: lease.id });
  console.log(`  lease ${lease.id} granted for ${lease.ttl} s; waiting for it to expire...`);
  for (let i = 0; i < 40 && (await store.range(heartbeat)).count > 0; i++) await sleep(100);

  step('range: the present, and the past');
  const now = await store.range(pods, { end: prefixEnd(pods) });
  console.log(`  range ${pods}* → ${now.count} keys at revision ${now.revision}`);
  for (const kv of now.kvs) console.log(row(kv));
  const past = Math.max(start + 3, 2);
  try {
    const then = await store.range(pods, { end: prefixEnd(pods), revision: past });
    console.log(`  range ${pods}* at revision ${past} → ${then.count} keys (the store as it was then)`);
    for (const kv of then.kvs) console.log(row(kv));
  } catch (error) {
    console.log(`  range at revision ${past}: ${(error as Error).message}`);
  }

  step('compact to the current revision, then read the past again');
  const current = await store.revision();
  try {
    await store.compact(current);
    console.log(`  compacted at ${current}`);
  } catch (error) {
    console.log(`  compact(${current}): ${(error as Error).message}`);
  }
  try {
    await store.range(pods, { end: prefixEnd(pods), revision: past });
    console.log(`  range at revision ${past}: still readable?!`);
  } catch (error) {
    console.log(`  range at revision ${past} → ${(error as Error).name}: "${(error as Error).message}"`);
    console.log(dim('  (a Kubernetes client resuming from there gets 410 Gone and lists again)'));
  }

  watcher.cancel();
  const before = await store.range(pods, { end: prefixEnd(pods) });
  await store.close();
  if (!durable) {
    console.log(dim('\n(in memory: everything is gone now. Write 05-wal and run again to see the store survive a restart.)'));
    return;
  }
  step('close the store and open it again from its data dir (WAL + snapshot)');
  store = await createStore({ dataDir });
  const after = await store.range(pods, { end: prefixEnd(pods) });
  const same = JSON.stringify(after.kvs) === JSON.stringify(before.kvs) && after.revision === before.revision;
  console.log(`  recovered: revision ${after.revision}, ${after.count} keys: ${same ? 'exactly what was acknowledged before' : 'DIFFERENT from before the restart!'}`);
  await store.close();
}

try {
  await run();
} catch (error) {
  if (isNotImplemented(error)) {
    console.log(`\nYour store is not finished yet: ${(error as Error).message}`);
    console.log('To see the reference instead: npx tsx engine/etcd/demo.ts --impl solutions');
    process.exitCode = 1;
  } else throw error;
} finally {
  if (!values.keep && !values.dir) rmSync(dataDir, { recursive: true, force: true });
  else console.log(dim(`\n(data kept in ${dataDir}: run again to carry on from revision where it stopped)`));
}
