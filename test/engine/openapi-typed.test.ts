/**
 * The decoder's type check (engine/kube/openapi/typed.ts) names a refused value as Go's
 * encoding/json UnmarshalTypeError does (Go src/encoding/json/decode.go: "json: cannot unmarshal
 * " + Value + " into Go struct field " + Struct + "." + Field + " of type " + Type, Field being
 * the struct fields from the root joined with dots: no map keys, no list indexes), and the pruner
 * (prune.ts) names each unknown field by its full path with list indexes. Both build these names
 * only when a value is refused or dropped; these cases hold the names to upstream's.
 */
import { describe, expect, test } from 'vitest';
import { pruneUnknownFields } from '#engine/kube/openapi/prune.ts';
import { decodeTyped } from '#engine/kube/openapi/typed.ts';
import { fieldTree } from '#engine/kube/openapi/walker.ts';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const pod = (spec: object, meta: object = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...meta }, spec });

describe("a value of the wrong type is named as Go's UnmarshalTypeError names it", () => {
  test.each([
    [POD, pod({ containers: [{ name: 'a', ports: [{ containerPort: 'x' }] }] }), 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    [POD, pod({ containers: 'x' }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container'],
    [
      POD,
      pod({ containers: [{ name: 'a', resources: { limits: { cpu: true } } }] }),
      'json: cannot unmarshal bool into Go struct field ResourceRequirements.spec.containers.resources.limits of type resource.Quantity',
    ],
    [POD, pod({ containers: [] }, { labels: { a: 1 } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    [
      DEPLOYMENT,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a', image: 5 }] } } } },
      'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string',
    ],
    [
      DEPLOYMENT,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1.5 } },
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
  ])('%#', (gvk, object, message) => {
    expect(() => decodeTyped(gvk, object)).toThrow(message);
  });

  test('a second body after a refused one is named from its own root (no path left over)', () => {
    expect(() => decodeTyped(POD, pod({ containers: 'x' }))).toThrow('Go struct field PodSpec.spec.containers of');
    expect(() => decodeTyped(POD, pod({ containers: [{ name: 1 }] }))).toThrow('Go struct field Container.spec.containers.name of type string');
  });
});

test('unknown fields are dropped and named by their full paths, list indexes included', () => {
  const body = pod({ containers: [{ name: 'a' }, { name: 'b', bogus: 1, ports: [{ containerPort: 80 }, { hostPrt: 1 }] }] }, { bogusMeta: 2 });
  const result = pruneUnknownFields(fieldTree(POD)!, { ...body, extra: true });
  expect(result.unknown).toEqual(['metadata.bogusMeta', 'spec.containers[1].bogus', 'spec.containers[1].ports[1].hostPrt', 'extra']);
  expect(result.object).toEqual(pod({ containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 80 }, {}] }] }));
});
