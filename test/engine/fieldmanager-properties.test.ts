/**
 * Properties of the field manager over random sequences of writes (property-based, replayable with
 * the printed seed), and its answers to hostile input:
 * - every path any manager owns names a field or item the object has (upstream's invariant: a
 *   removed field leaves every set, merge/update.go Updater.update);
 * - managedFields always decode, and re-encode to the same bytes (managedfields_test.go
 *   TestRoundTripManagedFields);
 * - re-applying the last configuration changes no ownership (fieldmanager_test.go TestNoOpChanges);
 * - after a successful apply, every scalar the configuration sets has the applied value;
 * - nothing but a 409 escapes an apply of a well-formed configuration;
 * - nesting past the limit, "__proto__" keys and huge sets are handled without a crash.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ApiError } from '#engine/kube/errors.ts';
import {
  ApplyConflictError,
  applyManagedFields,
  decodeManagedFields,
  encodeManagedFields,
  FieldSet,
  type ManagedFieldsEntry,
  MAX_NESTING_DEPTH,
  updateManagedFields,
} from '#engine/apiserver/fieldmanager/index.ts';
import type { Path } from '#engine/apiserver/fieldmanager/path.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { useSeed } from '#grading';

type Json = Record<string, unknown>;

/** Whether `object` has the field or item `path` names (key defaults: a port's protocol is TCP). */
function pathExists(object: unknown, path: Path): boolean {
  let at: unknown = object;
  for (const pe of path) {
    if (pe.type === 'field') {
      if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, pe.name)) return false;
      at = (at as Json)[pe.name];
    } else if (pe.type === 'value') {
      if (!Array.isArray(at) || !at.includes(pe.value)) return false;
      at = pe.value;
    } else if (pe.type === 'key') {
      if (!Array.isArray(at)) return false;
      at = at.find((item: Json) => pe.fields.every(([k, v]) => (item[k] ?? (k === 'protocol' ? 'TCP' : undefined)) === v));
      if (at === undefined) return false;
    } else return false;
  }
  return true;
}

const managers = fc.constantFrom('alice', 'bob', 'kubectl');
const value = fc.constantFrom('1', '2', '3');
const dataArb = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), value, { maxKeys: 4 });
const labelsArb = fc.dictionary(fc.constantFrom('app', 'tier', 'team'), value, { maxKeys: 3 });
const finalizersArb = fc.uniqueArray(fc.constantFrom('x.io/a', 'x.io/b', 'x.io/c'), { maxLength: 3 });
const portsArb = fc.uniqueArray(fc.record({ containerPort: fc.constantFrom(80, 443), protocol: fc.constantFrom('TCP', 'UDP') }), { maxLength: 2, selector: (p) => `${p.containerPort}/${p.protocol}` });
const containersArb = fc.uniqueArray(fc.record({ name: fc.constantFrom('app', 'sidecar'), image: fc.constantFrom('i:1', 'i:2'), ports: portsArb }), {
  minLength: 1,
  maxLength: 2,
  selector: (c) => c.name,
});

/** Leaves out empty maps and lists, as a manifest does. (An applied `{}` that pruning empties is
 * owned while absent, upstream too: Go drops the emptied map, the ownership stays.) */
function withoutEmpty<T extends Json>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => !(Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0))) as T;
}

const podArb = fc.record({ labels: labelsArb, finalizers: finalizersArb, containers: containersArb, data: dataArb }).map(({ labels, finalizers, containers, data }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: withoutEmpty({ name: 'p', namespace: 'default', labels, finalizers, annotations: data }) as Json & { labels?: Record<string, string> },
  spec: { containers: containers.map((c) => withoutEmpty(c)) },
}));

const opArb = fc.record({ apply: fc.boolean(), force: fc.boolean(), manager: managers, object: podArb });
const gvk = { apiVersion: 'v1', kind: 'Pod' };

describe('random sequences of writes', () => {
  test('owned paths exist, managedFields round-trip, re-applying keeps ownership, applied values hold', ({ task }) => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 12 }), (ops) => {
        let live: KubeObject | undefined;
        let second = 0;
        for (const op of ops) {
          const options = { ...gvk, manager: op.manager, now: new Date(Date.UTC(2024, 0, 1, 0, 0, ++second)), resetFields: [['status']] };
          let next: KubeObject;
          if (op.apply) {
            try {
              next = applyManagedFields(live, op.object, { ...options, force: op.force });
            } catch (error) {
              expect(error, 'only a conflict may refuse a well-formed apply').toBeInstanceOf(ApplyConflictError);
              expect(op.force).toBe(false);
              continue;
            }
            for (const [k, v] of Object.entries(op.object.metadata.labels ?? {})) expect(next.metadata.labels?.[k]).toBe(v);
            const again = applyManagedFields({ ...next, metadata: { ...next.metadata, uid: 'u' } }, op.object, { ...options, now: new Date(Date.UTC(2030, 0, 1)), force: false });
            // Ownership is unchanged. (The time may move: a configuration with an empty list
            // "changes" an object that lacks the list, upstream too, where Go then drops it again.)
            const owners = (o: KubeObject) => ((o.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map(({ time: _, ...rest }) => rest);
            expect(owners(again), 're-applying the same configuration changes no ownership').toEqual(owners(next));
          } else {
            const base = live ?? (op.object as KubeObject);
            next = updateManagedFields(live, { ...op.object, metadata: { ...op.object.metadata, managedFields: base.metadata.managedFields } } as KubeObject, options);
          }
          live = { ...next, metadata: { ...next.metadata, uid: 'u' } };
          const entries = (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];
          expect(encodeManagedFields(decodeManagedFields(entries)) ?? []).toEqual(entries);
          for (const entry of entries) {
            for (const path of FieldSet.fromFieldsV1(entry.fieldsV1).paths()) {
              expect(pathExists(live, path), `${entry.manager} owns ${path.map((p) => p.id).join('/')} of ${JSON.stringify(live)}`).toBe(true);
            }
          }
        }
      }),
      { seed: useSeed(task), numRuns: 200 },
    );
  });
});

describe('random configurations', () => {
  test('an apply or update of any JSON under a Deployment either succeeds or is a 4xx ApiError, never a crash', ({ task }) => {
    const live = applyManagedFields(
      undefined,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', manager: 'm', now: new Date(), force: false },
    );
    const stored = { ...live, metadata: { ...live.metadata, uid: 'u' } };
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (spec, metadata, force) => {
        const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
        const options = { apiVersion: 'apps/v1', kind: 'Deployment', manager: 'fuzz', now: new Date() };
        try {
          applyManagedFields(stored, body, { ...options, force });
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(ApiError);
          expect((error as ApiError).code).toBeLessThan(500);
        }
        const updated = updateManagedFields(stored, body as unknown as KubeObject, options);
        expect(Array.isArray(updated.metadata?.managedFields ?? [])).toBe(true);
      }),
      { seed: useSeed(task), numRuns: 300 },
    );
  });
});

describe('hostile input', () => {
  const deep = (depth: number) => {
    let v: unknown = 'x';
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };
  // A kind no schema knows: its fields are untyped, so any nesting is accepted up to the limit.
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget' };
  const pod = (affinity: unknown) => ({ ...widget, metadata: { name: 'p' }, spec: { affinity } });
  const options = { ...widget, manager: 'm', now: new Date(), force: false };

  test(`a configuration nested deeper than ${MAX_NESTING_DEPTH} levels is a 400, not a crash`, () => {
    expect(() => applyManagedFields(undefined, pod(deep(MAX_NESTING_DEPTH - 10)), options)).not.toThrow();
    let error: unknown;
    try {
      applyManagedFields(undefined, pod(deep(100_000)), options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).code, (error as ApiError).message]).toEqual([400, `error decoding patch: exceeded max depth of ${MAX_NESTING_DEPTH}`]);
  });

  test('an update nested that deep is left untracked, keeping the stored managedFields', () => {
    const live = {
      ...pod({}),
      metadata: { name: 'p', uid: 'u', managedFields: [{ manager: 'a', operation: 'Update', apiVersion: 'example.com/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:affinity': {} } } }] },
    } as KubeObject;
    const out = updateManagedFields(live, pod(deep(100_000)) as KubeObject, options);
    expect(out.metadata.managedFields).toEqual(live.metadata.managedFields);
  });

  test('"__proto__" is a key like any other: owned, merged and kept, and no prototype changes', () => {
    const cm = (data: string) => JSON.parse(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"__proto__":${JSON.stringify(data)},"x":"1"}}`);
    const created = updateManagedFields(undefined, cm('a'), { manager: 'one', apiVersion: 'v1', kind: 'ConfigMap', now: new Date() });
    expect(Object.getOwnPropertyNames(created.data)).toEqual(['__proto__', 'x']);
    const applied = applyManagedFields({ ...created, metadata: { ...created.metadata, uid: 'u' } }, cm('b'), { manager: 'two', apiVersion: 'v1', kind: 'ConfigMap', now: new Date(), force: true });
    expect(Object.getPrototypeOf(applied.data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(applied.data))).toEqual(JSON.parse('{"__proto__":"b","x":"1"}'));
    expect((applied.metadata.managedFields as ManagedFieldsEntry[]).find((e) => e.manager === 'two')!.fieldsV1).toEqual(JSON.parse('{"f:data":{"f:__proto__":{},"f:x":{}}}'));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test('a ConfigMap with 20,000 keys is tracked, and two appliers of it share every key', () => {
    const data = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key-${i}`, 'v']));
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data };
    const one = applyManagedFields(undefined, cm, { manager: 'one', apiVersion: 'v1', kind: 'ConfigMap', now: new Date(), force: false });
    const two = applyManagedFields({ ...one, metadata: { ...one.metadata, uid: 'u' } }, cm, { manager: 'two', apiVersion: 'v1', kind: 'ConfigMap', now: new Date(), force: false });
    const entries = two.metadata.managedFields as ManagedFieldsEntry[];
    expect(entries.map((e) => Object.keys((e.fieldsV1 as Json)['f:data'] as Json).length)).toEqual([20_000, 20_000]);
  });
});
