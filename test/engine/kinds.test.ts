/**
 * The kind definitions (engine/kube/kinds/): the list holds each resource and kind once, in
 * discovery order; every definition is consistent with itself (its printer's rows fit its
 * columns, its field selectors read); and a kind added as the README shows (PodTemplate, one file
 * and one line) is served everywhere the list reaches: discovery, routing, defaults, validation,
 * the tables, the client's resolution and the real kubectl.
 *
 * PodTemplate upstream: pkg/registry/core/podtemplate/strategy.go; pkg/apis/core/validation
 * ValidatePodTemplate (the template's pod spec at template.spec); pkg/printers/internalversion
 * printPodTemplate (NAME CONTAINERS IMAGES POD LABELS).
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { DEFAULT_PRINTER } from '#engine/kube/printers.ts';
import { KINDS, resolveResource } from '#engine/kube/resources.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, rows, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

// Tests run real kubectl processes: seconds each on a loaded machine (the 20 s default is too tight there).
vi.setConfig({ testTimeout: 120_000 });

describe('the kinds list', () => {
  test('each group/version/resource and each group/version/kind is defined once', () => {
    const paths = KINDS.map((k) => `${k.group}/${k.version}/${k.resource}`);
    const kinds = KINDS.map((k) => `${k.group}/${k.version}/${k.kind}`);
    expect(new Set(paths).size).toBe(paths.length);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  test('in discovery order: the core group first, then groups and resources alphabetically', () => {
    const key = (k: (typeof KINDS)[number]) => `${k.group === '' ? '0' : '1'}|${k.group}|${k.version}|${k.resource}`;
    const keys = KINDS.map(key);
    expect(keys).toEqual([...keys].sort());
    expect(KINDS[0]!.resource).toBe('bindings');
  });

  test('every printer gives a row with one cell per column, even for an almost empty object', () => {
    for (const kind of KINDS) {
      if (kind.virtual) continue;
      const printer = kind.printer ?? DEFAULT_PRINTER;
      const object: KubeObject = { apiVersion: kind.version, kind: kind.kind, metadata: { name: 'x', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' } };
      expect(printer.row(object, Date.parse('2024-01-02T00:00:00Z')), `${kind.resource}: cells for columns ${printer.columns.map((c) => c[0]).join(', ')}`).toHaveLength(printer.columns.length);
    }
  });

  test('every selectable field reads as a string, and is listed for discovery of field selectors', () => {
    for (const kind of KINDS) {
      if (kind.virtual) continue;
      expect(kind.selectableFields, kind.resource).toEqual(Object.keys(kind.fields));
      for (const [field, read] of Object.entries(kind.fields)) {
        expect(typeof read({ apiVersion: 'v1', kind: kind.kind, metadata: { name: 'x' } }), `${kind.resource} ${field}`).toBe('string');
      }
    }
  });

  test("the OpenAPI definition name follows upstream's: io.k8s.api.<group>.<version>.<Kind>", () => {
    const name = (resource: string) => KINDS.find((k) => k.resource === resource)!.openApiName;
    expect([name('pods'), name('deployments'), name('clusterroles'), name('selfsubjectaccessreviews'), name('leases')]).toEqual([
      'io.k8s.api.core.v1.Pod',
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.rbac.v1.ClusterRole',
      'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
      'io.k8s.api.coordination.v1.Lease',
    ]);
  });
});

describe('subresource bodies in protobuf', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  // Protobuf fields as k8s.io/api's generated.proto numbers them; the envelope is runtime.Unknown.
  const field = (no: number, payload: number[] | string): number[] => {
    const data = typeof payload === 'string' ? [...Buffer.from(payload)] : payload;
    return [(no << 3) | 2, data.length, ...data];
  };
  const envelope = (apiVersion: string, kind: string, raw: number[]) => Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...field(1, [...field(1, apiVersion), ...field(2, kind)]), ...field(2, raw)]);

  test("pods/binding reads a v1 Binding in protobuf, as kube-scheduler sends it, from the subresource's definition", async () => {
    await server.client.create<KubeObject>('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pb', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });
    // Binding{metadata{name: pb}, target{kind: Node, name: node-9}}
    const binding = envelope('v1', 'Binding', [...field(1, field(1, 'pb')), ...field(2, [...field(1, 'Node'), ...field(3, 'node-9')])]);
    const r = await server.fetch(`/api/v1/namespaces/default/pods/pb/binding`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: binding });
    expect(r.status, await r.clone().text()).toBe(201);
    const pod = await server.client.get<KubeObject>('pods', 'pb', { namespace: 'default' });
    expect((pod.spec as { nodeName?: string }).nodeName).toBe('node-9');
  });
});

describe('a kind added with one file and one line: PodTemplate', () => {
  let server: TestServer;
  let kubectl: Kubectl | undefined;
  const template = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'PodTemplate',
    metadata: { name, namespace: 'default' },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
    ...extra,
  });

  beforeAll(async () => {
    server = await startTestServer();
    if (HAS_KUBECTL) kubectl = kubectlFor(server.access);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await server?.close();
  });

  test('discovery lists podtemplates in v1, and the client resolves its names', async () => {
    const list = (await (await server.fetch(`/api/v1`)).json()) as { resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] };
    expect(list.resources.find((r) => r.name === 'podtemplates')).toEqual({
      name: 'podtemplates',
      singularName: 'podtemplate',
      namespaced: true,
      kind: 'PodTemplate',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
    expect(resolveResource('podtemplate')?.resource).toBe('podtemplates');
    expect(resolveResource('PodTemplate')?.resource).toBe('podtemplates');
  });

  test('a create gets the pod spec defaults in its template', async () => {
    const created = await server.client.create<KubeObject>('podtemplates', template('web'));
    const spec = (created.template as { spec: Record<string, unknown> }).spec;
    expect([spec.restartPolicy, spec.dnsPolicy, spec.terminationGracePeriodSeconds]).toEqual(['Always', 'ClusterFirst', 30]);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a template without containers is a 422 at template.spec.containers', async () => {
    const r = await server.fetch(`/api/v1/namespaces/default/podtemplates`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(template('empty', { template: { spec: { containers: [] } } })),
    });
    const status = (await r.json()) as { code: number; message: string; details: { causes: { field: string }[] } };
    expect([r.status, status.details.causes.map((c) => c.field)]).toEqual([422, ['template.spec.containers']]);
    expect(status.message).toBe('PodTemplate "empty" is invalid: template.spec.containers: Required value');
  });

  test('fieldValidation=Strict names an unknown field inside the template', async () => {
    const bad = template('typo');
    (bad.template.spec.containers[0] as Record<string, unknown>).imagee = 'x';
    const r = await server.fetch(`/api/v1/namespaces/default/podtemplates?fieldValidation=Strict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bad) });
    expect([r.status, ((await r.json()) as { message: string }).message]).toEqual([
      400,
      'PodTemplate in version "v1" cannot be handled as a PodTemplate: strict decoding error: unknown field "template.spec.containers[0].imagee"',
    ]);
  });

  test.skipIf(!HAS_KUBECTL)('kubectl applies one, and kubectl get podtemplates prints NAME CONTAINERS IMAGES POD LABELS', async () => {
    const file = kubectl!.file('podtemplate.yaml', JSON.stringify(template('from-kubectl')));
    const applied = await kubectl!.run(['apply', '-f', file]);
    expect(applied.output).toContain('podtemplate/from-kubectl created');
    const r = await kubectl!.run(['get', 'podtemplates']);
    expect(r.code, r.output).toBe(0);
    expect(rows(r.stdout)).toContainEqual(['from-kubectl', 'web', 'nginx:1.25', 'app=from-kubectl']);
    expect(rows(r.stdout)[0]).toEqual(['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS']);
  });
});
