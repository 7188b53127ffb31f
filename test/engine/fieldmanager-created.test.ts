/**
 * The create fast path of updateManagedFields (engine/apiserver/fieldmanager/created.ts) answers
 * exactly what the general path (the chain of managers over `compare(New(), object)`) does: the
 * same managedFields and the same object, for the manifests the engine serves as kubectl sends
 * them after defaulting, and for thousands of objects with one part replaced by random JSON (null
 * where a list was, duplicated list keys, items without keys, scalars where maps were). Where the
 * fast path cannot tell, it must hand over to the general path, never answer differently.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, test } from 'vitest';
import { createdFields } from '#engine/apiserver/fieldmanager/created.ts';
import { contextOf, generalUpdate, MAX_NESTING_DEPTH, updateManagedFields } from '#engine/apiserver/fieldmanager/field-manager.ts';
import { defaultObject, strategyFunctions } from '#engine/apiserver/registry/strategy.ts';
import { loadComponent } from '#engine/impl.ts';
import { findResourceForKind } from '#engine/kube/resources.ts';
import type { StoredKind } from '#engine/kube/kinds/types.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { useSeed } from '#grading';

const fns = strategyFunctions(await loadComponent('apiserver'), await loadComponent('objects'));

const MANIFESTS = ['configmap', 'job', 'nginx-deployment', 'service', 'simple-pod'].map(
  (name) => parseYaml(readFileSync(new URL(`./kubectl-manifests/${name}.yaml`, import.meta.url), 'utf8')) as KubeObject,
);

const BASES: KubeObject[] = [
  ...MANIFESTS,
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'x' } },
    spec: {
      containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }], env: [{ name: 'A', value: '1' }] }],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }], nodeSelector: { disk: 'ssd' } } },
    },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', finalizers: ['a', 'b'] } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { k: 'dg==' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
];

function kindOf(object: KubeObject): StoredKind {
  return findResourceForKind(object.apiVersion, object.kind) as StoredKind;
}

function options(object: KubeObject) {
  const kind = kindOf(object);
  return { manager: 'kubectl-create', apiVersion: object.apiVersion, kind: object.kind, now: new Date('2024-05-01T10:00:00Z'), resetFields: kind.resetFields.object };
}

/** Both paths on `object` (after the kind's defaults, as the registry calls them). */
function both(input: KubeObject): { fast: unknown; general: unknown } {
  const kind = kindOf(input);
  let object = input;
  try {
    object = defaultObject(kind, fns, structuredClone(input));
  } catch {
    // A body the defaults cannot take: compare the paths on it as it is.
  }
  const opts = options(object);
  return { fast: updateManagedFields(undefined, object, opts), general: generalUpdate(undefined, object, contextOf(opts), opts.manager) };
}

describe('the create fast path answers what the general path does', () => {
  test('every manifest, defaulted as a create is', () => {
    for (const base of BASES) {
      const { fast, general } = both(base);
      expect(fast, `${base.kind} ${base.metadata.name}`).toEqual(general);
      expect((fast as KubeObject).metadata.managedFields, `${base.kind} has managedFields`).toHaveLength(1);
      // ...and it was the fast path that answered.
      const ctx = contextOf(options(base));
      expect(createdFields(ctx.zero, base as unknown as Record<string, unknown>, ctx.type, ctx.updater.ignore, MAX_NESTING_DEPTH), `${base.kind}: the fast path takes it`).toBeDefined();
    }
  });

  test('objects with one part replaced by random JSON or removed', ({ task }) => {
    const pathsOf = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      if (value === null || typeof value !== 'object') return [prefix];
      const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
      return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
    };
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (base, pick, replacement, remove) => {
        const all = pathsOf(base).filter((p) => p.length > 1 && p[0] !== 'apiVersion' && p[0] !== 'kind');
        const at = all[pick % all.length]!;
        const copy = structuredClone(base) as unknown as Record<string | number, unknown>;
        let node = copy;
        for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        if (remove) delete node[at[at.length - 1]!];
        else node[at[at.length - 1]!] = replacement;
        const { fast, general } = both(copy as unknown as KubeObject);
        expect(fast, JSON.stringify(copy)).toEqual(general);
      }),
      { seed: useSeed(task), numRuns: 3000 },
    );
  });

  test('duplicated list keys, items without keys and nulls in lists', () => {
    const pod = (containers: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } as KubeObject['spec'] });
    const cases = [
      pod([
        { name: 'a', image: 'x' },
        { name: 'a', image: 'y' },
      ]),
      pod([{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }, { name: 'E', value: '2' }, { value: '3' }] }]),
      pod([{ image: 'x' }, null, { name: 'b' }]),
      pod([{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] }]),
    ];
    for (const object of cases) {
      const opts = options(object);
      expect(updateManagedFields(undefined, object, opts), JSON.stringify(object)).toEqual(generalUpdate(undefined, object, contextOf(opts), opts.manager));
    }
  });

  test('a body that sets managedFields itself takes the general path: the creator takes every field it sets', () => {
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', managedFields: [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }] },
      data: { a: '1' },
    };
    const opts = options(object);
    const result = updateManagedFields(undefined, object, opts);
    expect(result).toEqual(generalUpdate(undefined, object, contextOf(opts), opts.manager));
    expect(result.metadata.managedFields?.map((e) => (e as { manager: string }).manager)).toEqual(['kubectl-create']);
  });
});
