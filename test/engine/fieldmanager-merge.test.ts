/**
 * The ownership algorithm itself (engine/apiserver/fieldmanager/updater.ts and typed.ts), run as
 * structured-merge-diff's own tests run it: a sequence of applies and updates by named managers on
 * a small schema, then the object and every manager's set compared with upstream's expectations.
 * Ported cases, by upstream file and case name:
 * - merge/set_test.go TestUpdateSet: apply_twice, apply_update_apply_no_overlap,
 *   apply_update_apply_with_overlap, apply_twice_reorder, apply_update_apply_reorder,
 *   apply_twice_remove
 * - merge/multiple_appliers_test.go: TestMultipleAppliersSet remove_one, same_value_no_conflict,
 *   change_value_yes_conflict; TestMultipleAppliersFieldUnsetting unset_scalar_sole_owner,
 *   unset_scalar_shared_with_applier, unset_scalar_shared_with_updater, updater_claims_field;
 *   TestMultipleAppliersNestedType remove_one_keep_one_with_dangling_subitem
 * - merge/leaf_test.go TestUpdateLeaf: apply_update_apply_with_conflict, update_apply_omits
 * - typed/comparison_test.go, typed/toset_test.go, typed/merge_test.go for the walkers.
 */
import { describe, expect, test } from 'vitest';
import { Conflicts, applyConfiguration, updateOwnership } from '#engine/apiserver/fieldmanager/updater.ts';
import { FieldSet } from '#engine/apiserver/fieldmanager/fieldset.ts';
import type { Managed, ManagerEntry } from '#engine/apiserver/fieldmanager/managed.ts';
import { pathToString } from '#engine/apiserver/fieldmanager/path.ts';
import { compare, merge, removeItems, toFieldSet, validate, formatTypedErrors } from '#engine/apiserver/fieldmanager/typed.ts';
import { listType, mapType, scalarType, type TypeNode, UNTYPED } from '#engine/apiserver/fieldmanager/types.ts';
import { schemaResolver } from '#engine/apiserver/fieldmanager/schema-resolver.ts';

const str = scalarType('string');
const num = scalarType('numeric');

/** `sets` of set_test.go: a set of strings. */
const SETS = mapType({ list: listType(str, 'set') });
/** `lists`/`nested` of multiple_appliers_test.go: items keyed by name, with a value and a set. */
const NESTED = mapType({
  list: listType(mapType({ name: str, value: num }), 'map', ['name']),
  listOfLists: listType(mapType({ name: str, value: listType(str, 'set') }), 'map', ['name']),
});
/** `v1` of structMultiversionParser, one version. */
const STRUCT = mapType({ struct: mapType({ name: str, scalarField: str, complexField: mapType({ name: str }) }) });
/** leaf_test.go's leafFieldsParser. */
const LEAVES = mapType({ numeric: num, string: str, bool: scalarType('boolean') });

type Op = { apply: string; object: Record<string, unknown>; force?: boolean; conflicts?: string[] } | { update: string; object: Record<string, unknown> };

/** Runs `ops` from an empty object, as structured-merge-diff's fixture State does. */
function run(type: TypeNode, ops: Op[]) {
  let live: Record<string, unknown> = {};
  let managed: Managed = new Map();
  const ctx = { type, ignore: new FieldSet() };
  for (const op of ops) {
    if ('apply' in op) {
      const template: Omit<ManagerEntry, 'set'> = { manager: op.apply, operation: 'Apply', apiVersion: 'v1', subresource: '', time: undefined };
      try {
        const result = applyConfiguration(live, op.object, managed, op.apply, template, op.force ?? false, ctx);
        expect(op.conflicts, `apply by ${op.apply} succeeded`).toBeUndefined();
        managed = result.managers;
        if (result.object) live = result.object;
      } catch (error) {
        if (!(error instanceof Conflicts)) throw error;
        expect(error.conflicts.map((c) => `${c.manager} ${pathToString(c.path)}`)).toEqual(op.conflicts);
      }
    } else {
      const template: Omit<ManagerEntry, 'set'> = { manager: op.update, operation: 'Update', apiVersion: 'v1', subresource: '', time: undefined };
      managed = updateOwnership(live, op.object, managed, op.update, template, ctx);
      live = op.object;
    }
  }
  const owners: Record<string, string[]> = {};
  for (const [id, entry] of managed) owners[id] = entry.set.paths().map(pathToString).sort();
  return { live, owners };
}

describe('sets (merge/set_test.go TestUpdateSet)', () => {
  test('apply_twice: the second apply owns the grown set', () => {
    const r = run(SETS, [
      { apply: 'default', object: { list: ['a', 'c'] } },
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
    ]);
    expect(r.live).toEqual({ list: ['a', 'b', 'c', 'd'] });
    expect(r.owners).toEqual({ default: ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] });
  });

  test('apply_update_apply_no_overlap: items merge in place, each owned by whoever set it', () => {
    const r = run(SETS, [
      { apply: 'default', object: { list: ['a', 'c'] } },
      { update: 'controller', object: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', object: { list: ['a', 'aprime', 'c', 'cprime'] } },
    ]);
    expect(r.live).toEqual({ list: ['a', 'b', 'aprime', 'c', 'd', 'cprime'] });
    expect(r.owners).toEqual({ default: ['.list[="a"]', '.list[="aprime"]', '.list[="c"]', '.list[="cprime"]'], controller: ['.list[="b"]', '.list[="d"]'] });
  });

  test('apply_update_apply_with_overlap: applying an item another manager added shares it, no conflict', () => {
    const r = run(SETS, [
      { apply: 'default', object: { list: ['a', 'c'] } },
      { update: 'controller', object: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', object: { list: ['a', 'b', 'c'] } },
    ]);
    expect(r.live).toEqual({ list: ['a', 'b', 'c', 'd'] });
    expect(r.owners).toEqual({ default: ['.list[="a"]', '.list[="b"]', '.list[="c"]'], controller: ['.list[="b"]', '.list[="d"]'] });
  });

  test('apply_twice_reorder and apply_update_apply_reorder: the applier decides the order; reordering owns nothing', () => {
    expect(
      run(SETS, [
        { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
        { apply: 'default', object: { list: ['a', 'd', 'c', 'b'] } },
      ]).live,
    ).toEqual({ list: ['a', 'd', 'c', 'b'] });
    const r = run(SETS, [
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
      { update: 'controller', object: { list: ['a', 'd', 'c', 'b'] } },
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
    ]);
    expect(r.live).toEqual({ list: ['a', 'b', 'c', 'd'] });
    expect(Object.keys(r.owners)).toEqual(['default']);
  });

  test('apply_twice_remove: items the applier stops applying are removed', () => {
    const r = run(SETS, [
      { apply: 'default', object: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', object: { list: ['a', 'c'] } },
    ]);
    expect(r.live).toEqual({ list: ['a', 'c'] });
    expect(r.owners).toEqual({ default: ['.list[="a"]', '.list[="c"]'] });
  });
});

describe('several appliers (merge/multiple_appliers_test.go)', () => {
  test('remove_one: an applier removes only its own items', () => {
    const r = run(NESTED, [
      { apply: 'apply-one', object: { list: [{ name: 'a' }, { name: 'b' }] } },
      { apply: 'apply-two', object: { list: [{ name: 'c' }] } },
      { apply: 'apply-one', object: { list: [{ name: 'a' }] } },
    ]);
    expect(r.live).toEqual({ list: [{ name: 'a' }, { name: 'c' }] });
    expect(r.owners).toEqual({ 'apply-one': ['.list[name="a"]', '.list[name="a"].name'], 'apply-two': ['.list[name="c"]', '.list[name="c"].name'] });
  });

  test('same_value_no_conflict: two appliers of the same value both own it', () => {
    const r = run(NESTED, [
      { apply: 'apply-one', object: { list: [{ name: 'a', value: 0 }] } },
      { apply: 'apply-two', object: { list: [{ name: 'a', value: 0 }] } },
    ]);
    const both = ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'];
    expect(r.owners).toEqual({ 'apply-one': both, 'apply-two': both });
  });

  test('change_value_yes_conflict: a different value is a conflict and nothing changes', () => {
    const r = run(NESTED, [
      { apply: 'apply-one', object: { list: [{ name: 'a', value: 0 }] } },
      { apply: 'apply-two', object: { list: [{ name: 'a', value: 1 }] }, conflicts: ['apply-one .list[name="a"].value'] },
    ]);
    expect(r.live).toEqual({ list: [{ name: 'a', value: 0 }] });
    expect(Object.keys(r.owners)).toEqual(['apply-one']);
  });

  test('force: the forced applier takes the field and the other loses it', () => {
    const r = run(NESTED, [
      { apply: 'apply-one', object: { list: [{ name: 'a', value: 0 }] } },
      { apply: 'apply-two', object: { list: [{ name: 'a', value: 1 }] }, force: true },
    ]);
    expect(r.live).toEqual({ list: [{ name: 'a', value: 1 }] });
    expect(r.owners['apply-one']).toEqual(['.list[name="a"]', '.list[name="a"].name']);
    expect(r.owners['apply-two']).toEqual(['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value']);
  });

  test('unset_scalar_sole_owner: a field its only owner stops applying is removed', () => {
    const r = run(STRUCT, [
      { apply: 'apply-one', object: { struct: { name: 'a', scalarField: 'a' } } },
      { apply: 'apply-one', object: { struct: { name: 'a' } } },
    ]);
    expect(r.live).toEqual({ struct: { name: 'a' } });
    expect(r.owners).toEqual({ 'apply-one': ['.struct.name'] });
  });

  test('unset_scalar_shared_with_applier: a field another applier also applies stays', () => {
    const r = run(STRUCT, [
      { apply: 'apply-one', object: { struct: { name: 'a', scalarField: 'a' } } },
      { apply: 'apply-two', object: { struct: { scalarField: 'a' } } },
      { apply: 'apply-one', object: { struct: { name: 'a' } } },
    ]);
    expect(r.live).toEqual({ struct: { name: 'a', scalarField: 'a' } });
    expect(r.owners).toEqual({ 'apply-one': ['.struct.name'], 'apply-two': ['.struct.scalarField'] });
  });

  test('unset_scalar_shared_with_updater: a field an updater also set stays', () => {
    const r = run(STRUCT, [
      { update: 'updater', object: { struct: { name: 'a', scalarField: 'a' } } },
      { apply: 'applier', object: { struct: { name: 'a', scalarField: 'a' } } },
      { apply: 'applier', object: { struct: { name: 'a' } } },
    ]);
    expect(r.live).toEqual({ struct: { name: 'a', scalarField: 'a' } });
    expect(r.owners).toEqual({ updater: ['.struct', '.struct.name', '.struct.scalarField'], applier: ['.struct.name'] });
  });

  test('updater_claims_field: an update takes the field it changes from the applier', () => {
    const r = run(STRUCT, [
      { apply: 'applier', object: { struct: { name: 'a', scalarField: 'a' } } },
      { update: 'updater', object: { struct: { name: 'a', scalarField: 'b' } } },
    ]);
    expect(r.owners).toEqual({ applier: ['.struct.name'], updater: ['.struct.scalarField'] });
  });

  test('remove_one_keep_one_with_dangling_subitem: what an updater added under a removed item stays', () => {
    const r = run(NESTED, [
      { apply: 'apply-one', object: { listOfLists: [{ name: 'a' }, { name: 'b', value: ['c'] }] } },
      { apply: 'apply-two', object: { listOfLists: [{ name: 'b', value: ['d'] }] } },
      { update: 'controller', object: { listOfLists: [{ name: 'a' }, { name: 'b', value: ['c', 'd', 'e'] }] } },
      { apply: 'apply-one', object: { listOfLists: [{ name: 'a' }] } },
    ]);
    expect(r.live).toEqual({ listOfLists: [{ name: 'a' }, { name: 'b', value: ['d', 'e'] }] });
    expect(r.owners).toEqual({
      'apply-one': ['.listOfLists[name="a"]', '.listOfLists[name="a"].name'],
      'apply-two': ['.listOfLists[name="b"]', '.listOfLists[name="b"].name', '.listOfLists[name="b"].value[="d"]'],
      controller: ['.listOfLists[name="b"].value[="e"]'],
    });
  });
});

describe('leaves (merge/leaf_test.go)', () => {
  test('apply_update_apply_with_conflict: re-applying the old value conflicts with the updater', () => {
    const r = run(LEAVES, [
      { apply: 'default', object: { numeric: 1, string: 'string' } },
      { update: 'controller', object: { numeric: 1, string: 'controller string', bool: true } },
      { apply: 'default', object: { numeric: 2, string: 'user string' }, conflicts: ['controller .string'] },
      { apply: 'default', object: { numeric: 2, string: 'user string' }, force: true },
    ]);
    expect(r.live).toEqual({ numeric: 2, string: 'user string', bool: true });
    expect(r.owners).toEqual({ default: ['.numeric', '.string'], controller: ['.bool'] });
  });

  test("update_apply_omits: an applier that omits an updater's field does not remove it", () => {
    const r = run(LEAVES, [
      { update: 'controller', object: { numeric: 1 } },
      { apply: 'default', object: { string: 'x' } },
      { apply: 'default', object: {} },
    ]);
    expect(r.live).toEqual({ numeric: 1 });
    expect(r.owners).toEqual({ controller: ['.numeric'] });
  });
});

const pod = schemaResolver.typeOf('v1', 'Pod')!;
const deployment = schemaResolver.typeOf('apps/v1', 'Deployment')!;

describe('walking objects of the built-in kinds', () => {
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'web' }, finalizers: ['example.com/a', 'example.com/b'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }] },
    spec: {
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'k', operator: 'Exists' }],
      containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }], env: [{ name: 'A', value: '1' }], resources: {} }],
    },
  };

  test('toFieldSet: map lists by key (ports by containerPort and protocol, TCP by default), sets by value, atomic maps and lists whole (typed/toset_test.go)', () => {
    expect(toFieldSet(object, pod).paths().map(pathToString).sort()).toEqual(
      [
        '.apiVersion',
        '.kind',
        '.metadata.finalizers[="example.com/a"]',
        '.metadata.finalizers[="example.com/b"]',
        '.metadata.labels.app',
        '.metadata.name',
        '.metadata.ownerReferences[uid="u1"]',
        '.spec.containers[name="c"]',
        '.spec.containers[name="c"].env[name="A"]',
        '.spec.containers[name="c"].env[name="A"].name',
        '.spec.containers[name="c"].env[name="A"].value',
        '.spec.containers[name="c"].image',
        '.spec.containers[name="c"].name',
        '.spec.containers[name="c"].ports[containerPort=53,protocol="UDP"]',
        '.spec.containers[name="c"].ports[containerPort=53,protocol="UDP"].containerPort',
        '.spec.containers[name="c"].ports[containerPort=53,protocol="UDP"].protocol',
        '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
        '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
        '.spec.containers[name="c"].resources',
        '.spec.nodeSelector',
        '.spec.tolerations',
      ].sort(),
    );
  });

  test('compare: added, modified and removed, with "." for maps and items that appear (typed/comparison_test.go)', () => {
    const next = structuredClone(object) as typeof object & { metadata: { annotations?: Record<string, string> } };
    next.metadata.labels.app = 'api';
    next.metadata.annotations = { note: 'x' };
    next.metadata.finalizers = ['example.com/a'];
    next.spec.containers[0].env.push({ name: 'B', value: '2' });
    const c = compare(object, next, pod);
    expect(c.modified.paths().map(pathToString)).toEqual(['.metadata.labels.app']);
    expect(c.added.paths().map(pathToString)).toEqual([
      '.metadata.annotations',
      '.metadata.annotations.note',
      '.spec.containers[name="c"].env[name="B"]',
      '.spec.containers[name="c"].env[name="B"].name',
      '.spec.containers[name="c"].env[name="B"].value',
    ]);
    expect(c.removed.paths().map(pathToString)).toEqual(['.metadata.finalizers[="example.com/b"]']);
  });

  test('merge: containers merge by name, sets by value, atomic lists and maps are replaced (typed/merge_test.go)', () => {
    const applied = {
      metadata: { finalizers: ['example.com/c'] },
      spec: {
        nodeSelector: { zone: 'a' },
        tolerations: [{ key: 'j', operator: 'Exists' }],
        containers: [
          { name: 'c', image: 'i2' },
          { name: 'd', image: 'j' },
        ],
      },
    };
    const merged = merge(object, applied, pod) as typeof object;
    expect(merged.metadata.finalizers).toEqual(['example.com/a', 'example.com/b', 'example.com/c']);
    expect(merged.spec.nodeSelector).toEqual({ zone: 'a' });
    expect(merged.spec.tolerations).toEqual([{ key: 'j', operator: 'Exists' }]);
    expect(merged.spec.containers.map((c) => [c.name, c.image, c.ports?.length])).toEqual([
      ['c', 'i2', 2],
      ['d', 'j', undefined],
    ]);
    expect(object.spec.containers).toHaveLength(1);
  });

  test('removeItems: a member removes the item whole; emptied maps become null, or vanish when asked', () => {
    const set = FieldSet.of(...toFieldSet({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } }, pod).paths());
    const kept = removeItems(object, set, pod) as typeof object;
    expect(kept.metadata.labels).toBeNull();
    expect(kept.spec.containers).toBeNull();
    expect(kept.metadata.finalizers).toEqual(object.metadata.finalizers);
    expect('labels' in (removeItems(object, set, pod, true) as typeof object).metadata).toBe(false);
  });

  test.each([
    [{ spec: { containers: [{ name: 'a' }, { name: 'a' }] } }, '.spec.containers: duplicate entries for key [name="a"]'],
    [
      { spec: { containers: [{ image: 'x' }] } },
      `.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn't have default values for any key fields)`,
    ],
    [
      { spec: { containers: [{ name: 'a', env: [{ value: 'x' }] }] } },
      `.spec.containers[name="a"].env: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn't have default values for any key fields)`,
    ],
    [
      { spec: { topologySpreadConstraints: [{ maxSkew: 1 }] } },
      `.spec.topologySpreadConstraints: element 0: associative list with keys has an element that omits all key fields ["topologyKey" "whenUnsatisfiable"] (and doesn't have default values for any key fields)`,
    ],
    [{ spec: { bogus: 1 } }, '.spec.bogus: field not declared in schema'],
    [{ spec: { replicas: '3' } }, '.spec.replicas: expected numeric (int or float), got string'],
    [{ spec: { paused: 'yes' } }, '.spec.paused: expected boolean, got &{yes}'],
    [{ metadata: { name: 5 } }, '.metadata.name: expected string, got &value.valueUnstructured{Value:5}'],
    [{ metadata: { finalizers: [{ a: 1 }] } }, ".metadata.finalizers: element 0: associative list without keys has an element that's a map type"],
    [{ spec: { template: { spec: { containers: 'x' } } } }, '.spec.template.spec.containers: expected list, got &{x}'],
    [{ metadata: { labels: ['a'] } }, '.metadata.labels: expected map, got &{[a]}'],
  ])("validate refuses %j as upstream's typed conversion does", (value, message) => {
    const type =
      'replicas' in ((value as { spec?: object }).spec ?? {}) || 'paused' in ((value as { spec?: object }).spec ?? {}) || 'template' in ((value as { spec?: object }).spec ?? {}) ? deployment : pod;
    expect(formatTypedErrors(validate(value, type, { allowDuplicates: false, unknownFields: 'refuse' }))).toBe(message);
  });

  test('validate: several errors are listed under "errors:"; duplicates and unknown fields are allowed where asked', () => {
    const value = { spec: { containers: [{ name: 'a' }, { name: 'a' }], bogus: 1 } };
    expect(formatTypedErrors(validate(value, pod, { allowDuplicates: false, unknownFields: 'refuse' }))).toBe(
      'errors:\n  .spec.containers: duplicate entries for key [name="a"]\n  .spec.bogus: field not declared in schema',
    );
    expect(validate(value, pod, { allowDuplicates: true, unknownFields: 'allow' })).toEqual([]);
  });

  test('untyped values (deduced): every key of a map is owned, lists are atomic', () => {
    const untyped = mapType({}, { elements: UNTYPED });
    expect(
      toFieldSet({ a: { b: 1, c: [1, 2] }, d: {} }, untyped)
        .paths()
        .map(pathToString),
    ).toEqual(['.a', '.d', '.a.b', '.a.c']);
  });
});
