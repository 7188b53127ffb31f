/**
 * Preemption end to end: PriorityClasses served by the apiserver, the Priority admission plugin
 * filling in spec.priority, and a high-priority pod evicting a low-priority one from the only node,
 * nominated there first, then bound there once the victim is gone.
 */
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isApiError } from '#engine/kube/errors.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { hollowNodesComponent } from '#engine/hollow/component.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { ROOT } from '#engine/paths.ts';
import { schedulerComponent } from '#engine/scheduler/component.ts';
import type { Pod } from '#engine/scheduler/types.ts';

let cluster: Cluster;
const docs = parseAllDocuments(readFileSync(join(ROOT, 'lessons/core/03-scheduler/preemption.yaml'), 'utf8')).map((d) => d.toJSON() as KubeObject);
const byName = (name: string) => docs.find((d) => d.metadata.name === name)!;

// Waits poll for their condition and name it; generous, so that a loaded machine is slow, not wrong.
vi.setConfig({ testTimeout: 90_000 });

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await get();
  }
  return last;
}

const getPod = (name: string) => cluster.client.get('pods', name, { namespace: 'default' }) as Promise<unknown> as Promise<Pod>;
const tryGetPod = (name: string) => getPod(name).catch((error) => (isApiError(error, 'NotFound') ? undefined : Promise.reject(error)));

beforeAll(async () => {
  cluster = await startCluster({ components: [...hollowNodesComponent({ nodes: 1, hollow: true }), schedulerComponent()] });
  for (const pc of docs.filter((d) => d.kind === 'PriorityClass')) await cluster.client.create('priorityclasses', pc);
});

afterAll(async () => {
  await cluster?.stop();
});

test('the built-in classes exist, and admission turns priorityClassName into spec.priority', async () => {
  const names = (await cluster.client.list('priorityclasses')).items.map((p) => p.metadata.name).sort();
  expect(names).toEqual(['high-priority', 'low-priority', 'system-cluster-critical', 'system-node-critical']);
  await cluster.client.create('pods', { ...byName('batch'), metadata: { name: 'batch', namespace: 'default' } });
  const batch = await getPod('batch');
  expect(batch.spec.priority).toBe(100);
  expect(batch.spec.preemptionPolicy).toBe('PreemptLowerPriority');
});

test("a pod naming a PriorityClass that does not exist is refused with upstream's message", async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lost', namespace: 'default' }, spec: { priorityClassName: 'nope', containers: [{ name: 'c', image: 'busybox' }] } };
  await expect(cluster.client.create('pods', pod as KubeObject)).rejects.toMatchObject({ message: expect.stringContaining('pods "lost" is forbidden: no PriorityClass with name nope was found') });
});

test('the high-priority pod evicts the low-priority one, is nominated to the node, and lands there', async () => {
  await until(
    'batch to be bound',
    () => getPod('batch'),
    (p) => Boolean(p.spec.nodeName),
  );
  await cluster.client.create('pods', { ...byName('critical'), metadata: { name: 'critical', namespace: 'default' } });
  const nominated = await until(
    'critical to be nominated or bound',
    () => getPod('critical'),
    (p) => Boolean(p.status?.nominatedNodeName || p.spec.nodeName),
  );
  if (!nominated.spec.nodeName) expect(nominated.status?.nominatedNodeName).toBe('hollow-node-0');
  await until(
    'batch to be gone',
    () => tryGetPod('batch'),
    (p) => p === undefined,
  );
  const critical = await until(
    'critical to be bound',
    () => getPod('critical'),
    (p) => Boolean(p.spec.nodeName),
  );
  expect(critical.spec.nodeName).toBe('hollow-node-0');
  const events = (await cluster.client.list('events', { namespace: 'default' })).items as unknown as { reason: string; message: string; involvedObject: { name: string } }[];
  expect(events.find((e) => e.reason === 'Preempted' && e.involvedObject.name === 'batch')?.message).toMatch(/^Preempted by pod .+ on node hollow-node-0$/);
});
