/**
 * Hidden suite for 02-apiserver/05-patch: JSON merge patch (the examples of RFC 7386, appendix A),
 * JSON patch (RFC 6902, with the apiserver's errors), strategic merge patch with the directives
 * kubectl sends (k8s.io/apimachinery strategicpatch), and server-side apply as create-or-merge.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isApiError } from '#engine/kube/errors.ts';
import { loadComponent } from '#engine/impl.ts';
import { schemaFor } from '#engine/kube/schema.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { hint, show, useSeed } from '#grading';

const { applyMergePatch, applyJsonPatch, applyStrategicMergePatch, applyServerSide } = await loadComponent('apiserver');

const DEPLOYMENT = schemaFor('apps/v1', 'Deployment');
const POD = schemaFor('v1', 'Pod');

function refused(fn: () => unknown): { reason?: string; code?: number; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (isApiError(error)) return { reason: error.reason, code: error.code, message: error.message };
    throw error;
  }
}

describe('JSON merge patch (RFC 7386)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  test('every example of RFC 7386, appendix A', hint('A null member deletes; an object member merges; anything else replaces. What if the target is not an object?'), () => {
    for (const [target, patch, result] of cases) {
      expect(applyMergePatch(target, patch), `applyMergePatch(${show(target)}, ${show(patch)})`).toEqual(result);
    }
  });

  test('neither input is modified', () => {
    const target = { metadata: { labels: { a: '1' } } };
    const patch = { metadata: { labels: { b: '2' } } };
    applyMergePatch(target, patch);
    expect([target, patch], 'target and patch after applyMergePatch').toEqual([{ metadata: { labels: { a: '1' } } }, { metadata: { labels: { b: '2' } } }]);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { ports: [80, 443] } };

  test('add, remove, replace, move, copy and test, in order', () => {
    const result = applyJsonPatch(doc, [
      { op: 'test', path: '/metadata/name', value: 'web' },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'replace', path: '/spec/ports/0', value: 8080 },
      { op: 'add', path: '/spec/ports/-', value: 9090 },
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'copy', from: '/metadata/labels/tier', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
    ]);
    expect(result, 'seven operations').toEqual({ metadata: { name: 'web', labels: { tier: 'fe', moved: 'fe' } }, spec: { ports: [8080, 443, 9090] } });
    expect(doc.spec.ports, 'the target afterwards').toEqual([80, 443]);
  });

  test('a body that is not a list is refused as the real apiserver refuses it', hint('client-node sends JSON patch by default: what should an object body get?'), () => {
    expect(
      refused(() => applyJsonPatch(doc, { metadata: { labels: { a: 'b' } } })),
      'applyJsonPatch(doc, an object)',
    ).toEqual({
      reason: 'BadRequest',
      code: 400,
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    });
    expect(refused(() => applyJsonPatch(doc, 'x'))?.message, 'applyJsonPatch(doc, "x")').toBe('json: cannot unmarshal string into Go value of type jsonpatch.Patch');
  });

  test('a malformed operation is a BadRequest', () => {
    for (const op of [
      { op: 'frobnicate', path: '/a' },
      { op: 'add', path: 'no-slash', value: 1 },
      { op: 'add', path: '/a' },
    ]) {
      expect(refused(() => applyJsonPatch(doc, [op]))?.reason, `applyJsonPatch(doc, [${show(op)}])`).toBe('BadRequest');
    }
  });

  test('an operation that does not apply is a 422, and nothing is changed', hint('fast-json-patch throws for these: which of its error names mean "the document does not fit"?'), () => {
    expect(
      refused(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/name', value: 'db' }])),
      'a failed test',
    ).toEqual({ reason: 'Invalid', code: 422, message: 'testing value /metadata/name failed: test failed' });
    expect(
      refused(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }])),
      'replace at a missing path',
    ).toEqual({
      reason: 'Invalid',
      code: 422,
      message: 'replace operation does not apply: doc is missing path: /spec/missing',
    });
    expect(
      refused(() =>
        applyJsonPatch(doc, [
          { op: 'add', path: '/metadata/labels/x', value: '1' },
          { op: 'remove', path: '/nope' },
        ]),
      )?.code,
      'a good add, then a bad remove',
    ).toBe(422);
    expect(doc.metadata.labels, 'the target after the failed patches').toEqual({ app: 'web' });
  });
});

describe('strategic merge patch', () => {
  const deployment = {
    spec: {
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.14', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] },
            { name: 'log', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
  };
  const containers = (r: unknown) => (r as typeof deployment).spec.template.spec.containers;

  test('containers merge by name: the patched one changes, the others stay', hint('Which field is the merge key of containers? Find it in the schema node of the list.'), () => {
    const result = applyStrategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.16' }] } } } }, DEPLOYMENT);
    expect(containers(result), 'patch the image of container web').toEqual([
      { ...deployment.spec.template.spec.containers[0], image: 'nginx:1.16' },
      { name: 'log', image: 'busybox' },
    ]);
  });

  test('lists nested inside merged elements merge by their own keys: ports by containerPort, env by name', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                ports: [{ containerPort: 443 }],
                env: [
                  { name: 'A', value: '2' },
                  { name: 'B', value: '3' },
                ],
              },
            ],
          },
        },
      },
    };
    const web = containers(applyStrategicMergePatch(deployment, patch, DEPLOYMENT))[0]!;
    expect({ ports: web.ports, env: web.env }, 'add port 443 and env B, change env A').toEqual({
      ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
      env: [
        { name: 'A', value: '2' },
        { name: 'B', value: '3' },
      ],
    });
  });

  test(
    'a new element is appended; $patch: delete removes one; a list without a merge key is replaced',
    hint('tolerations have no merge key in the schema: what does a patch do to such a list?'),
    () => {
      const patch = {
        spec: {
          template: {
            spec: {
              containers: [
                { name: 'sidecar', image: 'envoy' },
                { name: 'log', $patch: 'delete' },
              ],
              tolerations: [{ key: 'b', operator: 'Exists' }],
            },
          },
        },
      };
      const result = applyStrategicMergePatch(deployment, patch, DEPLOYMENT) as typeof deployment;
      expect(
        containers(result).map((c) => c.name),
        'add sidecar, delete log',
      ).toEqual(['web', 'sidecar']);
      expect(result.spec.template.spec.tolerations, 'patch tolerations').toEqual([{ key: 'b', operator: 'Exists' }]);
    },
  );

  test('$setElementOrder orders the merged list', hint('Elements the order names first, in its order; then the rest as they were.'), () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'log' }, { name: 'web' }], containers: [{ name: 'web', image: 'nginx:1.16' }] } } } };
    expect(
      containers(applyStrategicMergePatch(deployment, patch, DEPLOYMENT)).map((c) => `${c.name}=${c.image}`),
      'reorder to log, web and patch web',
    ).toEqual(['log=busybox', 'web=nginx:1.16']);
  });

  test('the patch kubectl apply sends after an image change, unchanged', () => {
    const fromKubectl = JSON.parse(
      '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"log"}],"containers":[{"image":"nginx:1.16.1","name":"web"}]}}}}',
    ) as unknown;
    const result = applyStrategicMergePatch({ metadata: { name: 'd' }, ...deployment }, fromKubectl, DEPLOYMENT) as typeof deployment & { metadata: { annotations: object } };
    expect({ images: containers(result).map((c) => c.image), annotations: result.metadata.annotations }, 'apply the patch kubectl computed').toEqual({
      images: ['nginx:1.16.1', 'busybox'],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    });
    expect(JSON.stringify(result).includes('$'), 'a directive left in the result').toBe(false);
  });

  test('$retainKeys drops what it does not list (switching a Deployment to Recreate)', hint('Merge first, then keep only the listed keys of that object.'), () => {
    const result = applyStrategicMergePatch(deployment, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOYMENT) as typeof deployment;
    expect(result.spec.strategy, 'strategy after the patch').toEqual({ type: 'Recreate' });
  });

  test('$patch: replace replaces an object whole; null deletes a member', () => {
    const result = applyStrategicMergePatch(deployment, { spec: { strategy: { $patch: 'replace', type: 'Recreate' }, replicas: null } }, DEPLOYMENT) as { spec: Record<string, unknown> };
    expect([result.spec.strategy, 'replicas' in result.spec], 'replace strategy, delete replicas').toEqual([{ type: 'Recreate' }, false]);
  });

  test('finalizers merge as a set; $deleteFromPrimitiveList removes values', hint('finalizers are strings, not objects: which schema flag says to merge them?'), () => {
    const pod = { metadata: { finalizers: ['a', 'b'] } };
    expect((applyStrategicMergePatch(pod, { metadata: { finalizers: ['b', 'c'] } }, POD) as typeof pod).metadata.finalizers, 'add b and c to [a, b]').toEqual(['a', 'b', 'c']);
    expect((applyStrategicMergePatch(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, POD) as typeof pod).metadata.finalizers, 'delete a from [a, b]').toEqual(['b']);
  });

  test('an element without its merge key is refused with a 422', () => {
    const error = refused(() => applyStrategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, DEPLOYMENT));
    expect([error?.code, error?.message.includes('does not contain declared merge key: name')], 'a container without a name').toEqual([422, true]);
  });

  test('without directives and keyed lists it is a JSON merge patch', ({ task }) => {
    const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(null, 1, 'x', true), fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 })),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c'), json, { maxKeys: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), json, { maxKeys: 3 }), (target, patch) => {
        expect(applyStrategicMergePatch(target, patch, { type: 'any' }), `strategic vs merge patch of ${show(target)} with ${show(patch)}`).toEqual(applyMergePatch(target, patch));
      }),
      { seed: useSeed(task), numRuns: 150 },
    );
  });
});

describe('server-side apply, as create-or-merge', () => {
  const applied: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };

  test('with nothing stored, the applied object is the result', () => {
    expect(applyServerSide(undefined, applied, DEPLOYMENT), 'apply to nothing').toEqual(applied);
  });

  test('with an object stored, the applied fields merge into it', hint('Which fields does the stored object have that the applied one does not? They stay.'), () => {
    const existing: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', uid: 'u1', labels: { team: 'a' } },
      spec: {
        replicas: 1,
        paused: false,
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] },
              { name: 'log', image: 'busybox' },
            ],
          },
        },
      },
    };
    const result = applyServerSide(existing, applied, DEPLOYMENT);
    expect(result, 'apply over a stored Deployment').toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', uid: 'u1', labels: { team: 'a', app: 'web' } },
      spec: {
        replicas: 3,
        paused: false,
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
              { name: 'log', image: 'busybox' },
            ],
          },
        },
      },
    });
    expect(existing.spec, 'the stored object afterwards').toMatchObject({ replicas: 1 });
  });

  test('patch directives mean nothing in an applied configuration: refused', () => {
    const error = refused(() => applyServerSide(applied, { ...applied, spec: { $patch: 'replace' } }, DEPLOYMENT));
    expect(error?.reason, 'apply with $patch in the spec').toBe('BadRequest');
  });
});

// Edges the first suites left open (issue 10, the mutation run of solutions/apiserver): each test
// below catches a wrong answer that passed every test above.
describe('JSON patch (RFC 6902): more edges', () => {
  test(
    'a move or copy from a path that is not there names that path, as the apiserver says it',
    hint('fast-json-patch names this failure OPERATION_FROM_UNRESOLVABLE: which path does the message name, path or from?'),
    () => {
      // evanphx/json-patch (patch.go, move and copy): "<op> operation does not apply: doc is missing from path: <from>".
      const doc = { metadata: { labels: { app: 'web' } } };
      expect(
        refused(() => applyJsonPatch(doc, [{ op: 'move', from: '/metadata/labels/nope', path: '/metadata/labels/x' }])),
        'move from /metadata/labels/nope',
      ).toEqual({
        reason: 'Invalid',
        code: 422,
        message: 'move operation does not apply: doc is missing from path: /metadata/labels/nope',
      });
      expect(refused(() => applyJsonPatch(doc, [{ op: 'copy', from: '/spec', path: '/metadata/x' }]))?.message, 'copy from /spec').toBe(
        'copy operation does not apply: doc is missing from path: /spec',
      );
    },
  );

  test('a path through __proto__ changes no prototype: it is refused and Object.prototype is untouched', hint('fast-json-patch can ban prototype changes: is that switched on?'), () => {
    // evanphx/json-patch knows no prototypes: __proto__ is a key like any other, missing here (422).
    const patch = [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }];
    let error: ReturnType<typeof refused>;
    try {
      error = refused(() => applyJsonPatch({ a: 1 }, patch));
    } finally {
      const polluted = 'polluted' in Object.prototype;
      delete (Object.prototype as Record<string, unknown>).polluted;
      expect(polluted, `Object.prototype has "polluted" after applyJsonPatch({a: 1}, ${show(patch)})`).toBe(false);
    }
    expect({ reason: error?.reason, code: error?.code }, `applyJsonPatch({a: 1}, ${show(patch)})`).toEqual({ reason: 'Invalid', code: 422 });
  });
});

describe('strategic merge patch: more edges', () => {
  const pod = {
    metadata: { name: 'p', finalizers: ['a', 'b'] },
    spec: {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
        { name: 'c', image: 'c:1' },
      ],
    },
  };
  const names = (r: unknown) => (r as typeof pod).spec.containers.map((c) => c.name);

  test('an element {"$patch": "replace"} makes the list exactly the other elements of the patch', hint('Look for the replace directive among the elements before merging any of them.'), () => {
    // k8s.io/apimachinery/pkg/util/strategicpatch (mergeSlice: the "replace" directive in a list).
    const patch = { spec: { containers: [{ $patch: 'replace' }, { name: 'd', image: 'd:1' }, { name: 'a', image: 'a:2' }] } };
    expect((applyStrategicMergePatch(pod, patch, POD) as typeof pod).spec.containers, `containers after ${show(patch.spec.containers)}`).toEqual([
      { name: 'd', image: 'd:1' },
      { name: 'a', image: 'a:2' },
    ]);
  });

  test("a keyed list or a set the target does not have yet becomes the patch's elements", hint('What is the target list when the object has none?'), () => {
    const patch = { spec: { initContainers: [{ name: 'init', image: 'busybox' }] }, metadata: { finalizers: ['x'] } };
    const result = applyStrategicMergePatch({ metadata: { name: 'p' }, spec: {} }, patch, POD) as { metadata: { finalizers: string[] }; spec: { initContainers: unknown[] } };
    expect({ initContainers: result.spec.initContainers, finalizers: result.metadata.finalizers }, `patch ${show(patch)} into a pod that has neither list`).toEqual({
      initContainers: [{ name: 'init', image: 'busybox' }],
      finalizers: ['x'],
    });
  });

  test("a list the schema does not know is replaced whole by the patch's list", () => {
    const result = applyStrategicMergePatch({ spec: { notModelled: [1, 2] } }, { spec: { notModelled: [3, { $keep: 1, b: 2 }] } }, POD) as { spec: { notModelled: unknown[] } };
    expect(result.spec.notModelled, 'a list under a field the schema does not model').toEqual([3, { b: 2 }]);
  });

  test(
    '$setElementOrder alone reorders a list the patch does not change (kubectl apply after reordering a manifest)',
    hint('The order can come without the list: is $setElementOrder/<field> applied when <field> itself is not in the patch?'),
    () => {
      const patch = { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } };
      expect(names(applyStrategicMergePatch(pod, patch, POD)), `containers after ${show(patch)}`).toEqual(['c', 'a', 'b']);
      const partial = { spec: { '$setElementOrder/containers': [{ name: 'c' }] } };
      expect(names(applyStrategicMergePatch(pod, partial, POD)), `containers after ${show(partial)}: the others keep their order, after c`).toEqual(['c', 'a', 'b']);
      const finalizers = { metadata: { '$setElementOrder/finalizers': ['b', 'a'] } };
      expect((applyStrategicMergePatch(pod, finalizers, POD) as typeof pod).metadata.finalizers, `finalizers after ${show(finalizers)}`).toEqual(['b', 'a']);
      const absent = { metadata: { '$setElementOrder/ownerReferences': [{ uid: 'u' }] } };
      expect((applyStrategicMergePatch(pod, absent, POD) as { metadata: object }).metadata, `metadata after ${show(absent)}, a list neither side has`).toEqual(pod.metadata);
    },
  );

  test('$setElementOrder puts the elements it names first and keeps the others in their order after them', () => {
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ name: 'b', image: 'b:2' }] } };
    expect(names(applyStrategicMergePatch(pod, patch, POD)), `containers after ${show(patch)}`).toEqual(['c', 'a', 'b']);
    const set = { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } };
    expect((applyStrategicMergePatch(pod, set, POD) as typeof pod).metadata.finalizers, `finalizers after ${show(set)}`).toEqual(['c', 'b', 'a']);
  });

  test('$deleteFromPrimitiveList of a list the object does not have changes nothing', () => {
    const patch = { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } };
    expect(applyStrategicMergePatch({ metadata: { name: 'p' } }, patch, POD), `patch ${show(patch)} into a pod without finalizers`).toEqual({ metadata: { name: 'p' } });
  });

  test('{"$patch": "delete"} in an object member removes that member', hint('Which directives can an object carry besides replace?'), () => {
    // k8s.io/apimachinery/pkg/util/strategicpatch: a map carrying "$patch": "delete" is deleted.
    const result = applyStrategicMergePatch({ spec: { replicas: 1, strategy: { type: 'Recreate' } } }, { spec: { strategy: { $patch: 'delete' } } }, DEPLOYMENT) as { spec: Record<string, unknown> };
    expect(Object.keys(result.spec), 'the members of spec after deleting strategy').toEqual(['replicas']);
  });
});

describe('server-side apply: more edges', () => {
  test('a directive inside a list element is refused too', hint('Do you look for keys starting with "$" inside lists as well as objects?'), () => {
    const applied: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', image: 'a' },
          { name: 'b', $patch: 'delete' },
        ],
      },
    };
    expect(refused(() => applyServerSide(undefined, applied, POD))?.reason, 'apply a pod whose second container carries $patch').toBe('BadRequest');
  });
});
