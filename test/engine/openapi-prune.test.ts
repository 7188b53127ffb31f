/**
 * Unknown-field pruning and strict field validation (engine/kube/openapi), checked against
 * upstream's own expectations:
 * - the strict-decoding messages, their order and the warning texts are those of
 *   kubernetes/kubernetes test/integration/apiserver/field_validation_test.go
 *   (testFieldValidationPost: "post-strict-validation", "post-warn-validation",
 *   "post-strict-validation-yaml"), whose bodies are reproduced here;
 * - the 400 message's prefix is handlers/create.go's transformDecodeError
 *   (`<Kind> in version "<v>" cannot be handled as a <Kind>: ...`);
 * - the Warning header value is `299 - "<text>"` (apiserver pkg/warning, RFC 7234).
 */
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseFieldValidation, pruneAndValidate, warningHeader } from '#engine/kube/openapi/field-validation.ts';
import { pruneUnknownFields } from '#engine/kube/openapi/prune.ts';
import { allSchemas, definitionOf } from '#engine/kube/openapi/spec.ts';
import { compileFieldTree, fieldTree } from '#engine/kube/openapi/walker.ts';
import { SCHEMAS, type SchemaNode } from '#engine/kube/schema.ts';
import { RESOURCES } from '#engine/kube/resources.ts';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const tree = (gvk: { group: string; version: string; kind: string }) => {
  const t = fieldTree(gvk);
  if (!t) throw new Error(`no schema for ${gvk.kind}`);
  return t;
};

// field_validation_test.go's invalidBodyJSON, with the name filled in.
const INVALID_DEPLOYMENT_JSON = `
{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "dupename",
    "name": "test-deployment",
    "labels": {"app": "nginx"},
    "unknownMeta": "metaVal"
  },
  "spec": {
    "unknown1": "val1",
    "unknownDupe": "valDupe",
    "unknownDupe": "valDupe2",
    "paused": true,
    "paused": false,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {
      "metadata": {"labels": {"app": "nginx"}},
      "spec": {
        "containers": [{
          "name":  "nginx",
          "image": "nginx:latest",
          "unknownNested": "val1",
          "imagePullPolicy": "Always",
          "imagePullPolicy": "Never"
        }]
      }
    }
  }
}`;

// field_validation_test.go's invalidBodyYAML (line numbers matter: the first line is "apiVersion").
const INVALID_DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: test-deployment
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never`;

const UPSTREAM_STRICT_JSON =
  'strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", ' +
  'unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", ' +
  'duplicate field "spec.template.spec.containers[0].imagePullPolicy"';

const UPSTREAM_STRICT_YAML =
  'strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map\n  line 12: key "unknownDupe" already set in map\n' +
  '  line 14: key "paused" already set in map\n  line 28: key "imagePullPolicy" already set in map, unknown field "metadata.unknownMeta", ' +
  'unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"';

describe('pruneUnknownFields: the paths upstream reports, and nothing else dropped', () => {
  test('top-level, metadata and nested list fields are dropped with their paths, in object order', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      extra: 1,
      metadata: { name: 'p', bogusMeta: 'x', labels: { app: 'web', 'any-key': 'v' } },
      spec: {
        containers: [
          { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'nginx', ports: [{ containerPort: 81 }, { containerPort: 82, hostPrt: 8080 }], env: [{ name: 'X', value: '1', valu: '2' }] },
        ],
      },
    };
    const r = pruneUnknownFields(tree(POD), pod);
    expect(r.unknown).toEqual(['extra', 'metadata.bogusMeta', 'spec.containers[1].ports[1].hostPrt', 'spec.containers[1].env[0].valu']);
    expect(r.object).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { app: 'web', 'any-key': 'v' } },
      spec: {
        containers: [
          { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'nginx', ports: [{ containerPort: 81 }, { containerPort: 82 }], env: [{ name: 'X', value: '1' }] },
        ],
      },
    });
  });

  test('the input is never changed, and an object without unknown fields comes back as the same reference', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'i', hostPrt: 1 }] } };
    const before = structuredClone(pod);
    const r = pruneUnknownFields(tree(POD), pod);
    expect(pod).toEqual(before);
    expect((r.object as typeof pod).metadata).toBe(pod.metadata);
    const clean = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'i' }] } };
    expect(pruneUnknownFields(tree(POD), clean).object).toBe(clean);
  });

  test('map values (additionalProperties) are checked, map keys are free: resources.limits, nodeSelector, ConfigMap data', () => {
    const pod = {
      spec: {
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        containers: [{ name: 'a', resources: { limits: { cpu: '1', 'example.com/gpu': '2' }, limitz: {} } }],
        overhead: { memory: '1Mi' },
      },
    };
    const r = pruneUnknownFields(tree(POD), pod);
    expect(r.unknown).toEqual(['spec.containers[0].resources.limitz']);
    const cm = { data: { anything: 'x', 'with.dots': 'y' }, binaryData: { b: 'eA==' } };
    expect(pruneUnknownFields(tree({ group: '', version: 'v1', kind: 'ConfigMap' }), cm).unknown).toEqual([]);
  });

  test('opaque values are kept whole: managedFields[].fieldsV1 (an object without properties)', () => {
    const cm = { metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:data': { 'f:a': {} } }, bogus: 1 }] } };
    const r = pruneUnknownFields(tree({ group: '', version: 'v1', kind: 'ConfigMap' }), cm);
    expect(r.unknown).toEqual(['metadata.managedFields[0].bogus']);
    expect((r.object as typeof cm).metadata.managedFields[0]!.fieldsV1).toEqual({ 'f:data': { 'f:a': {} } });
  });

  test('a value of the wrong shape is left for validation to refuse, not pruned', () => {
    const pod = { spec: { containers: 'not-a-list', nodeSelector: ['x'] } };
    const r = pruneUnknownFields(tree(POD), pod);
    expect(r.unknown).toEqual([]);
    expect(r.object).toBe(pod);
  });

  test('x-kubernetes-preserve-unknown-fields keeps unknown keys but still prunes inside known ones', () => {
    // No built-in kind of 1.32 uses the extension; a CRD's schema would, like this one.
    const node = compileFieldTree({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { known: { type: 'object', properties: { a: { type: 'integer' } } } },
    });
    const r = pruneUnknownFields(node, { anything: { deep: 1 }, known: { a: 1, b: 2 } });
    expect(r.unknown).toEqual(['known.b']);
    expect(r.object).toEqual({ anything: { deep: 1 }, known: { a: 1 } });
  });
});

describe('pruneAndValidate: fieldValidation as kube-apiserver applies it', () => {
  test("Strict, JSON body: upstream's exact message, duplicates and unknowns interleaved in document order", () => {
    const r = pruneAndValidate(DEPLOYMENT, { object: JSON.parse(INVALID_DEPLOYMENT_JSON), mode: 'Strict', body: { text: INVALID_DEPLOYMENT_JSON, format: 'json' } });
    expect(r.strictError).toBe(`Deployment in version "v1" cannot be handled as a Deployment: ${UPSTREAM_STRICT_JSON}`);
    expect(r.warnings).toEqual([]);
  });

  test('Warn, JSON body: one warning per problem, in the same order, and the pruned object goes on', () => {
    const r = pruneAndValidate(DEPLOYMENT, { object: JSON.parse(INVALID_DEPLOYMENT_JSON), mode: 'Warn', body: { text: INVALID_DEPLOYMENT_JSON, format: 'json' } });
    expect(r.strictError).toBeUndefined();
    expect(r.problems).toEqual([
      'duplicate field "metadata.name"',
      'unknown field "metadata.unknownMeta"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
      'duplicate field "spec.paused"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    ]);
    expect(r.warnings[0]).toBe('299 - "duplicate field \\"metadata.name\\""');
    const spec = (r.object as { spec: Record<string, unknown> }).spec;
    expect(Object.keys(spec).sort()).toEqual(['paused', 'selector', 'template']);
    expect(r.unknown).toEqual(['metadata.unknownMeta', 'spec.unknown1', 'spec.unknownDupe', 'spec.template.spec.containers[0].unknownNested']);
  });

  test("Strict, YAML body: yaml.v2's duplicate-key lines first, then unknown fields in sorted key order", () => {
    const object = parse(INVALID_DEPLOYMENT_YAML, { uniqueKeys: false });
    const r = pruneAndValidate(DEPLOYMENT, { object, mode: 'Strict', body: { text: INVALID_DEPLOYMENT_YAML, format: 'yaml' } });
    expect(r.strictError).toBe(`Deployment in version "v1" cannot be handled as a Deployment: ${UPSTREAM_STRICT_YAML}`);
  });

  test('Ignore: no problem reported, the object still pruned (unknown fields are never stored)', () => {
    const r = pruneAndValidate(DEPLOYMENT, { object: JSON.parse(INVALID_DEPLOYMENT_JSON), mode: 'Ignore', body: { text: INVALID_DEPLOYMENT_JSON, format: 'json' } });
    expect(r.problems).toEqual([]);
    expect(r.strictError).toBeUndefined();
    expect((r.object as { metadata: Record<string, unknown> }).metadata).not.toHaveProperty('unknownMeta');
  });

  test('an object without a body (a patch applied, a protobuf body) reports its unknown fields by path', () => {
    const r = pruneAndValidate(POD, { object: { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', hostPrt: 1 }] } }, mode: 'Strict' });
    expect(r.strictError).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].hostPrt"');
  });

  test('a field both unknown and repeated is reported once, as unknown; a repeated map key is a duplicate', () => {
    const body = '{"metadata":{"labels":{"a":"1","a":"2"}},"extra":1,"extra":2,"spec":{"containers":[]}}';
    const r = pruneAndValidate(POD, { object: JSON.parse(body), mode: 'Warn', body: { text: body, format: 'json' } });
    expect(r.problems).toEqual(['duplicate field "metadata.labels.a"', 'unknown field "extra"']);
  });

  test('escaped keys and strings with braces do not confuse the scan', () => {
    const body = '{"metadata":{"name":"a{[\\"}]","annotations":{"k\\u0041":"}"}},"ext\\u0072a":{"x":"}"},"spec":{"containers":[{"name":"]","name":"b"}]}}';
    const r = pruneAndValidate(POD, { object: JSON.parse(body), mode: 'Warn', body: { text: body, format: 'json' } });
    expect(r.problems).toEqual(['unknown field "extra"', 'duplicate field "spec.containers[0].name"']);
  });

  test('a kind upstream has no schema for passes through untouched', () => {
    const object = { spec: { anything: 1 } };
    const r = pruneAndValidate({ group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics' }, { object, mode: 'Strict' });
    expect(r).toEqual({ object, unknown: [], problems: [], warnings: [] });
  });

  test("fieldValidation values: absent means Warn; anything but Ignore/Warn/Strict is refused with upstream's message", () => {
    expect(parseFieldValidation(undefined)).toBe('Warn');
    expect(parseFieldValidation('Strict')).toBe('Strict');
    expect(() => parseFieldValidation('strict')).toThrow('fieldValidation: Invalid value: "strict": fieldValidation must be one of "Ignore", "Warn", or "Strict"');
    expect(warningHeader('unknown field "x"')).toBe('299 - "unknown field \\"x\\""');
  });
});

describe('the schemas cover what the engine serves, and agree with the hand-written structural schema', () => {
  test('every served kind (and every subresource kind) has an upstream schema', () => {
    const missing = RESOURCES.flatMap((r) => [r, ...r.subresources.filter((s) => s.group).map((s) => ({ group: s.group!, version: s.version!, kind: s.kind }))])
      .filter((k) => !definitionOf(k))
      .map((k) => `${k.group}/${k.version}/${k.kind}`);
    expect(missing).toEqual([]);
  });

  test('every list merge key of engine/kube/schema.ts is the x-kubernetes-patch-merge-key upstream publishes', () => {
    const schemas = allSchemas();
    const resolve = (s: Record<string, any>): Record<string, any> => {
      const ref: string | undefined = s.$ref ?? s.allOf?.[0]?.$ref;
      return ref ? schemas[ref.slice('#/components/schemas/'.length)]! : s;
    };
    const checked: string[] = [];
    const handOnly: string[] = [];
    const walk = (hand: SchemaNode, real: Record<string, any>, path: string): void => {
      if (hand.type === 'object') {
        const props = resolve(real).properties ?? {};
        for (const [name, child] of Object.entries(hand.fields)) {
          if (!(name in props)) handOnly.push(`${path}.${name}`);
          else walk(child, props[name], `${path}.${name}`);
        }
      } else if (hand.type === 'list') {
        if (hand.mergeKey) {
          expect(real['x-kubernetes-patch-merge-key'], `${path}'s merge key`).toBe(hand.mergeKey);
          checked.push(path);
        }
        if (hand.setMerge) expect(real['x-kubernetes-patch-strategy'], `${path}'s patch strategy`).toMatch(/^merge/);
        if (hand.items.type !== 'any') walk(hand.items, resolve(real.items ?? {}), `${path}[]`);
      }
    };
    for (const [key, hand] of Object.entries(SCHEMAS)) {
      const parts = key.split('/');
      const gvk = { group: parts.length === 3 ? parts[0]! : '', version: parts.at(-2)!, kind: parts.at(-1)! };
      const def = definitionOf(gvk);
      expect(def, `${key} has an upstream schema`).toBeDefined();
      walk(hand, schemas[def!]!, key);
    }
    expect(checked).toEqual(expect.arrayContaining(['v1/Pod.spec.containers', 'v1/Pod.spec.containers[].env', 'v1/Pod.spec.containers[].ports', 'v1/Service.spec.ports']));
    // The hand-written schema also lists fields Kubernetes added after 1.32 (restartPolicyRules and
    // hostnameOverride in 1.34); upstream 1.32 prunes them. Nothing else differs.
    expect([...new Set(handOnly.map((p) => p.split('.').pop()))].sort()).toEqual(['hostnameOverride', 'restartPolicyRules']);
  });
});
