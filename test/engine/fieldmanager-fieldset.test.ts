/**
 * Field sets and path elements in the FieldsV1 wire format (engine/apiserver/fieldmanager/
 * fieldset.ts, path.ts), against upstream's behaviour:
 * - sigs.k8s.io/structured-merge-diff fieldpath/serialize_test.go (TestSerializeV1: round trips;
 *   TestSerializeV1GoldenData: key order fields < keys < values < indices, "." for a member that
 *   also has children), fieldpath/serialize-pe_test.go (TestPathElementRoundTrip,
 *   TestPathElementErrors), fieldpath/set_test.go (TestSetUnion, TestSetIntersection,
 *   TestSetDifference, TestRecursiveDifference), fieldpath/element_test.go (TestPathElementLess),
 *   fieldpath/path_test.go (String: `.spec.containers[name="c"]`).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FieldSet, FieldsV1Error } from '#engine/apiserver/fieldmanager/fieldset.ts';
import {
  comparePathElements,
  fieldElement,
  indexElement,
  keyElement,
  makePath,
  type Path,
  type PathElement,
  parsePathElement,
  PathElementError,
  pathToString,
  valueElement,
} from '#engine/apiserver/fieldmanager/path.ts';
import { useSeed } from '#grading';

const f = fieldElement;
const k = (fields: Record<string, unknown>) => keyElement(Object.entries(fields));
const v = valueElement;
const i = indexElement;

describe('path elements', () => {
  test.each([
    ['f:', f('')],
    ['f:spec', f('spec')],
    ['f: string-with-spaces   ', f(' string-with-spaces   ')],
    ['f:spec-🚀', f('spec-🚀')],
    ['k:{"name":"my-container"}', k({ name: 'my-container' })],
    ['k:{"port":"8080","protocol":"TCP"}', k({ protocol: 'TCP', port: '8080' })],
    ['k:{"containerPort":80,"protocol":"TCP"}', k({ protocol: 'TCP', containerPort: 80 })],
    ['k:{"optionalField":null}', k({ optionalField: null })],
    ['k:{"name":"你好世界"}', k({ name: '你好世界' })],
    ['v:"some-string"', v('some-string')],
    ['v:{"some":"json"}', v({ some: 'json' })],
    ['v:true', v(true)],
    ['i:7', i(7)],
  ])('%s round-trips through its element (TestPathElementRoundTrip)', (text, element) => {
    const parsed = parsePathElement(text)!;
    expect(parsed.id).toBe(text);
    expect(comparePathElements(parsed, element)).toBe(0);
    expect(element.id).toBe(text);
  });

  test('keys are sorted by field name, whatever order they come in', () => {
    expect(parsePathElement('k:{"protocol":"TCP","containerPort":80}')!.id).toBe('k:{"containerPort":80,"protocol":"TCP"}');
    expect(parsePathElement('k: {"name":"x"} ')!.id).toBe('k:{"name":"x"}');
    expect(parsePathElement('k:{"name\\u002dcontainer":"c"}')!.id).toBe('k:{"name-container":"c"}');
  });

  test('an unknown element type is dropped, not an error (a future version may know it)', () => {
    expect(parsePathElement('r:Hello')).toBeUndefined();
  });

  test.each(['', 'f', 'fx', 'k:{"name":invalid}', 'v:{"a":"b"', 'k:{"a":"b"', 'v:{"some":"json"} garbage', 'k:{"name":"c"} {"other":"c"}', 'k:"text"', 'i:x', 'i:1.5'])(
    '%j is refused (TestPathElementErrors)',
    (text) => {
      expect(() => parsePathElement(text)).toThrow(PathElementError);
    },
  );

  test('order: field names, then keys, then values, then indices; within each by value (TestPathElementLess)', () => {
    const shuffled: PathElement[] = [i(2), v(true), v('b'), k({ name: 'b' }), f('b'), i(10), v(2), k({ name: 'a' }), v('a'), f('a'), v(10), k({ a: 1, b: 1 })];
    const sorted = [...shuffled].sort(comparePathElements).map((pe) => pe.id);
    expect(sorted).toEqual(['f:a', 'f:b', 'k:{"a":1,"b":1}', 'k:{"name":"a"}', 'k:{"name":"b"}', 'v:2', 'v:10', 'v:"a"', 'v:"b"', 'v:true', 'i:2', 'i:10']);
  });

  test('paths print as upstream prints them in conflict messages', () => {
    expect(pathToString(makePath('spec', 'replicas'))).toBe('.spec.replicas');
    expect(pathToString([f('spec'), f('containers'), k({ name: 'nginx' }), f('image')])).toBe('.spec.containers[name="nginx"].image');
    expect(pathToString([f('ports'), k({ protocol: 'TCP', containerPort: 80 })])).toBe('.ports[containerPort=80,protocol="TCP"]');
    expect(pathToString([f('metadata'), f('finalizers'), v('example.com/x')])).toBe('.metadata.finalizers[="example.com/x"]');
    expect(pathToString([f('args'), i(0)])).toBe('.args[0]');
  });
});

const set = (...paths: Path[]) => FieldSet.of(...paths);
const p = (...parts: (string | PathElement)[]): Path => parts.map((x) => (typeof x === 'string' ? f(x) : x));

describe('FieldsV1', () => {
  test('a set serializes with "." for a member that has children, keys in upstream order', () => {
    const s = set(
      p('spec'),
      p('spec', 'replicas'),
      p('metadata', 'labels', 'app'),
      p('spec', 'containers', k({ name: 'b' })),
      p('spec', 'containers', k({ name: 'a' }), 'image'),
      p('spec', 'containers', k({ name: 'a' })),
    );
    expect(JSON.stringify(s.toFieldsV1())).toBe(
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{".":{},"f:containers":{"k:{\\"name\\":\\"a\\"}":{".":{},"f:image":{}},"k:{\\"name\\":\\"b\\"}":{}},"f:replicas":{}}}',
    );
  });

  test('golden FieldsV1 documents read back to the same bytes (TestSerializeV1GoldenData)', () => {
    const golden = [
      '{"f:a":{},"f:b":{},"k:{\\"name\\":\\"first\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"tcp\\"}":{},"k:{\\"port\\":443,\\"protocol\\":\\"udp\\"}":{},"v:1":{},"v:2":{},"v:\\"aa\\"":{},"v:true":{},"i:1":{},"i:2":{}}',
      '{"f:spec":{".":{},"f:apps":{".":{},"k:{\\"name\\":\\" app-💻\\"}":{".":{},"f:ports":{"k:{\\"name\\":\\"port 🔑\\"}":{".":{},"f:name":{}}}}},"f:name":{}},"i:3":{"v:\\"x\\"":{"f:y":{}}}}',
    ];
    for (const text of golden) expect(JSON.stringify(FieldSet.fromFieldsV1(JSON.parse(text)).toFieldsV1())).toBe(text);
  });

  test('reading: "." marks a member; an empty object is a member; unknown element types are dropped', () => {
    const s = FieldSet.fromFieldsV1({ 'f:a': { '.': {}, 'f:b': {} }, 'f:c': {}, 'f:d': { 'x:future': {} }, 'x:future': {} });
    expect(s.paths().map(pathToString)).toEqual(['.a', '.c', '.d', '.a.b']);
  });

  test.each([
    [{ 'f:a': 'x' }, /expect \{/],
    [{ 'f:a': [] }, /expect \{/],
    [{ 'k:{bad': {} }, /parsing key as path element/],
    [{ fa: {} }, /parsing key as path element: missing colon: fa/],
    ['text', /expect \{/],
  ])('%j is not a field set', (fields, message) => {
    expect(() => FieldSet.fromFieldsV1(fields)).toThrow(FieldsV1Error);
    expect(() => FieldSet.fromFieldsV1(fields)).toThrow(message);
  });

  test('random sets survive a round trip through FieldsV1 (TestSerializeV1)', ({ task }) => {
    const element = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'spec', '').map(f),
      fc.record({ name: fc.constantFrom('x', 'y') }).map(k),
      fc.record({ port: fc.integer({ min: 1, max: 3 }), protocol: fc.constantFrom('TCP', 'UDP') }).map(k),
      fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('aa', 'ab'), fc.boolean()).map(v),
      fc.integer({ min: 0, max: 4 }).map(i),
    );
    fc.assert(
      fc.property(fc.array(fc.array(element, { minLength: 1, maxLength: 5 }), { maxLength: 30 }), (paths) => {
        const s = FieldSet.of(...paths);
        const back = FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(s.toFieldsV1())));
        expect(back.equals(s)).toBe(true);
        for (const path of paths) expect(back.has(path)).toBe(true);
        expect(back.size()).toBe(new Set(paths.map((x) => x.map((e) => e.id).join('/'))).size);
      }),
      { seed: useSeed(task) },
    );
  });
});

describe('set algebra (fieldpath/set_test.go)', () => {
  const a = set(p('a', 'b'), p('a', 'c'), p('a'), p('d'));
  const b = set(p('a', 'c'), p('a', 'e'), p('d', 'x'), p('f'));
  const str = (s: FieldSet) => s.paths().map(pathToString);

  test('union has every path of both', () => {
    expect(str(a.union(b))).toEqual(['.a', '.d', '.f', '.a.b', '.a.c', '.a.e', '.d.x']);
  });
  test('intersection has the paths in both, and no empty parents', () => {
    expect(str(a.intersection(b))).toEqual(['.a.c']);
    expect(
      set(p('a'))
        .intersection(set(p('a', 'b')))
        .isEmpty(),
    ).toBe(true);
  });
  test('difference removes exact paths only: removing .a leaves .a.b', () => {
    expect(str(a.difference(b))).toEqual(['.a', '.d', '.a.b']);
    expect(str(a.difference(set(p('a'))))).toEqual(['.d', '.a.b', '.a.c']);
  });
  test('recursive difference removes everything under a member: removing .a removes .a.b', () => {
    expect(str(a.recursiveDifference(set(p('a'))))).toEqual(['.d']);
    expect(str(a.recursiveDifference(set(p('a', 'b'))))).toEqual(['.a', '.d', '.a.c']);
  });
  test('operations leave their operands unchanged', () => {
    const before = JSON.stringify(a.toFieldsV1());
    a.union(b);
    a.difference(b);
    a.recursiveDifference(b);
    a.intersection(b);
    expect(JSON.stringify(a.toFieldsV1())).toBe(before);
  });
  test('has() needs the exact path as a member', () => {
    expect(a.has(p('a'))).toBe(true);
    expect(a.has(p('a', 'b'))).toBe(true);
    expect(b.has(p('d'))).toBe(false);
    expect(a.has([])).toBe(false);
  });
});
