/**
 * The two TypeResolvers (engine/apiserver/fieldmanager/openapi-resolver.ts, the default, and
 * schema-resolver.ts, over engine/kube/schema.ts) give the types upstream's server-side apply
 * uses, as kube-openapi pkg/schemaconv derives them (smd_test.go, testdata/*): list types and
 * keys, key defaults, atomic maps and structs, scalars that take numbers, structs versus maps.
 * Upstream's own output for the same objects is the reference: the managedFields kubectl shows
 * after `kubectl create deployment` and after an apply of a pod with a probe.
 */
import { describe, expect, test } from 'vitest';
import { openapiResolver } from '#engine/apiserver/fieldmanager/openapi-resolver.ts';
import { pathToString } from '#engine/apiserver/fieldmanager/path.ts';
import { schemaResolver } from '#engine/apiserver/fieldmanager/schema-resolver.ts';
import { formatTypedErrors, toFieldSet, validate } from '#engine/apiserver/fieldmanager/typed.ts';
import type { ListType, MapType, TypeNode, TypeResolver } from '#engine/apiserver/fieldmanager/types.ts';

/** The type at a path of field names (`[]` steps into a list's items). */
function typeAt(resolver: TypeResolver, apiVersion: string, kind: string, ...path: string[]): TypeNode {
  let type = resolver.typeOf(apiVersion, kind)!;
  for (const step of path) {
    if (step === '[]') type = (type as ListType).items;
    else type = (type as MapType).field(step) ?? (type as MapType).elements!;
    expect(type, `${path.join('.')} at ${step}`).toBeDefined();
  }
  return type;
}

const RESOLVERS: [string, TypeResolver][] = [
  ['openapi', openapiResolver],
  ['schema.ts', schemaResolver],
];

describe.each(RESOLVERS)('%s resolver', (_name, resolver) => {
  const at = (...path: string[]) => typeAt(resolver, 'v1', 'Pod', ...path);

  test('containers are keyed by name; ports by containerPort and protocol, TCP by default', () => {
    const containers = at('spec', 'containers') as ListType;
    expect([containers.listType, containers.keys]).toEqual(['map', ['name']]);
    const ports = at('spec', 'containers', '[]', 'ports') as ListType;
    expect([ports.listType, ports.keys, ports.keyDefault('protocol')]).toEqual(['map', ['containerPort', 'protocol'], 'TCP']);
    const servicePorts = typeAt(resolver, 'v1', 'Service', 'spec', 'ports') as ListType;
    expect([servicePorts.keys, servicePorts.keyDefault('protocol')]).toEqual([['port', 'protocol'], 'TCP']);
  });

  test('finalizers are a set; tolerations and args are atomic', () => {
    expect((at('metadata', 'finalizers') as ListType).listType).toBe('set');
    expect((at('spec', 'tolerations') as ListType).listType).toBe('atomic');
    expect((at('spec', 'containers', '[]', 'args') as ListType).listType).toBe('atomic');
  });

  test('nodeSelector, a LabelSelector and owner references are owned whole', () => {
    expect((at('spec', 'nodeSelector') as MapType).atomic).toBe(true);
    expect((typeAt(resolver, 'apps/v1', 'Deployment', 'spec', 'selector') as MapType).atomic).toBe(true);
    expect((at('metadata', 'ownerReferences', '[]') as MapType).atomic).toBe(true);
    expect((at('metadata', 'labels') as MapType).atomic).toBe(false);
  });

  test('a quantity and an int-or-string take numbers and strings', () => {
    const pod = { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' } } }] } };
    expect(validate(pod, resolver.typeOf('v1', 'Pod')!, { allowDuplicates: false, unknownFields: 'refuse' })).toEqual([]);
    const deployment = { spec: { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } } };
    expect(validate(deployment, resolver.typeOf('apps/v1', 'Deployment')!, { allowDuplicates: false, unknownFields: 'refuse' })).toEqual([]);
  });

  test('fields a kind does not declare are refused in an applied configuration', () => {
    expect(formatTypedErrors(validate({ spec: { bogus: true } }, resolver.typeOf('v1', 'Pod')!, { allowDuplicates: false, unknownFields: 'refuse' }))).toBe(
      '.spec.bogus: field not declared in schema',
    );
  });

  test('kinds neither knows are untyped beyond apiVersion, kind and metadata', () => {
    const type = resolver.typeOf('example.com/v1', 'Widget')!;
    expect(validate({ spec: { anything: [{ goes: 1 }] } }, type, { allowDuplicates: false, unknownFields: 'refuse' })).toEqual([]);
  });
});

describe('the OpenAPI resolver types what schema.ts leaves open', () => {
  test('a probe is a struct: its fields are owned without "." (as upstream records them)', () => {
    const pod = { spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 } }] } };
    const paths = (r: TypeResolver) =>
      toFieldSet(pod, r.typeOf('v1', 'Pod')!)
        .paths()
        .map(pathToString)
        .filter((p) => p.includes('livenessProbe'));
    expect(paths(openapiResolver)).toEqual([
      '.spec.containers[name="c"].livenessProbe.periodSeconds',
      '.spec.containers[name="c"].livenessProbe.httpGet.path',
      '.spec.containers[name="c"].livenessProbe.httpGet.port',
    ]);
    // schema.ts models probes as `any`: each key is owned as a map key.
    expect(paths(schemaResolver)).toContain('.spec.containers[name="c"].livenessProbe.httpGet');
  });

  test('both resolvers agree on everything schema.ts models, for a typical Deployment', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['x.io/y'] },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            nodeSelector: { disk: 'ssd' },
            containers: [
              {
                name: 'web',
                image: 'nginx',
                ports: [{ containerPort: 80 }],
                env: [{ name: 'A', value: '1' }],
                resources: { requests: { cpu: '100m' } },
                volumeMounts: [{ name: 'v', mountPath: '/v' }],
              },
            ],
            volumes: [{ name: 'v' }],
            tolerations: [{ key: 'k', operator: 'Exists' }],
          },
        },
      },
    };
    const set = (r: TypeResolver) => toFieldSet(deployment, r.typeOf('apps/v1', 'Deployment')!).paths().map(pathToString).sort();
    expect(set(openapiResolver)).toEqual(set(schemaResolver));
  });
});
