/**
 * The apiserver's OpenAPI documents, read as kubectl reads them, and the real kubectl using them:
 * - /openapi/v3: the root lists one document per served group/version, each URL's `hash` is the
 *   SHA-512 of the document it points at (kube-openapi's handler3 hashes this way), every `$ref`
 *   resolves inside its document, every served kind is there with its
 *   `x-kubernetes-group-version-kind` (what kubectl explain searches, kubectl pkg/explain/v2), and
 *   its PATCH operation takes `fieldValidation` (cli-runtime query_param_verifier_v3.go);
 * - /openapi/v2: Swagger 2.0 as JSON to a JSON client; 404 to kubectl's protobuf-only request;
 * - `kubectl explain` for several kinds and nested fields, and `kubectl apply --validate=strict`
 *   against the apiserver's write path, printing upstream's `strict decoding error` and storing
 *   pruned objects (test/engine/kubectl-writes.test.ts has the rest of the write path).
 * The kubectl part is skipped, with the reason in its title, where kubectl is not installed.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { warningHeader } from '#engine/kube/openapi/field-validation.ts';
import { RESOURCES } from '#engine/kube/resources.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

// Tests run real kubectl processes one after the other (explain for each of the 26 served kinds): a second
// or more each on a loaded machine (load average ~27 took one past the 20 s default).
vi.setConfig({ testTimeout: 180_000 });

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function get(path: string, accept = 'application/json'): Promise<{ status: number; text: string; type: string | null }> {
  const res = await server.fetch(path, { headers: { Accept: accept } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** Every `$ref` in a value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('/openapi/v3 and /openapi/v2, as kubectl parses them', () => {
  test('the v3 root lists every served group/version; each hash is the SHA-512 of the document it names', async () => {
    const root = JSON.parse((await get('/openapi/v3')).text) as { paths: Record<string, { serverRelativeURL: string }> };
    const expected = [...new Set(RESOURCES.map((r) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`)))].sort();
    expect(Object.keys(root.paths).sort()).toEqual(expected);
    for (const [key, { serverRelativeURL }] of Object.entries(root.paths)) {
      expect(serverRelativeURL.startsWith(`/openapi/v3/${key}?hash=`)).toBe(true);
      const doc = await get(serverRelativeURL);
      expect(doc.status, serverRelativeURL).toBe(200);
      expect(serverRelativeURL.split('hash=')[1]).toBe(createHash('sha512').update(doc.text).digest('hex').toUpperCase());
    }
  });

  test('each v3 document is self-contained and carries each of its kinds with its group/version/kind and a PATCH taking fieldValidation', async () => {
    const root = JSON.parse((await get('/openapi/v3')).text) as { paths: Record<string, { serverRelativeURL: string }> };
    for (const { serverRelativeURL } of Object.values(root.paths)) {
      const doc = JSON.parse((await get(serverRelativeURL)).text);
      expect(doc.openapi).toBe('3.0.0');
      const schemas = doc.components.schemas as Record<string, Record<string, unknown>>;
      for (const ref of refs(doc)) {
        expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
        expect(schemas, `${serverRelativeURL}: ${ref} resolves`).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
      }
      for (const op of Object.values(doc.paths as Record<string, { patch: { 'x-kubernetes-group-version-kind': { group: string; version: string; kind: string }; parameters: { name: string }[] } }>)) {
        const gvk = op.patch['x-kubernetes-group-version-kind'];
        expect(op.patch.parameters.map((p) => p.name)).toContain('fieldValidation');
        const withKind = Object.values(schemas).filter((s) => {
          const listed = (s['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
          return listed.length === 1 && listed[0]!.group === gvk.group && listed[0]!.version === gvk.version && listed[0]!.kind === gvk.kind;
        });
        expect(withKind, `${gvk.group}/${gvk.version} ${gvk.kind} has its schema`).toHaveLength(1);
      }
    }
  });

  test('the v3 Pod schema has the list-map and merge extensions strategic merge patch and server-side apply read', async () => {
    const doc = JSON.parse((await get('/openapi/v3/api/v1')).text);
    const s = doc.components.schemas;
    expect(s['io.k8s.api.core.v1.PodSpec'].properties.containers).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
    expect(s['io.k8s.api.core.v1.Container'].properties.ports).toMatchObject({
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'containerPort',
    });
    expect(s['io.k8s.api.core.v1.PodSpec'].required).toEqual(['containers']);
    expect(s['io.k8s.api.core.v1.Container'].properties.restartPolicy.type).toBe('string');
  });

  test("/openapi/v2 is Swagger 2.0 JSON for a JSON client, with #/definitions refs that resolve; kubectl's protobuf-only request gets 404", async () => {
    const r = await get('/openapi/v2');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    const doc = JSON.parse(r.text);
    expect(doc.swagger).toBe('2.0');
    for (const ref of refs(doc)) expect(doc.definitions, ref).toHaveProperty([ref.slice('#/definitions/'.length)]);
    expect(doc.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(doc.definitions['io.k8s.api.apps.v1.DeploymentStrategy'].properties.rollingUpdate.$ref).toBe('#/definitions/io.k8s.api.apps.v1.RollingUpdateDeployment');
    expect((await get('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).status).toBe(404);
  });
});

describe.skipIf(!HAS_KUBECTL)(`kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}explain and strict apply with the real schemas`, () => {
  let kubectl: Kubectl;
  beforeAll(() => {
    kubectl = kubectlFor(server.access);
  });
  afterAll(() => kubectl?.cleanup());

  test("kubectl explain pod.spec.containers prints the field, its type and upstream's description", async () => {
    const r = await kubectl.run(['explain', 'pod.spec.containers']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('KIND:       Pod');
    expect(r.stdout).toContain('FIELD: containers <[]Container>');
    expect(r.stdout).toMatch(/List of containers belonging to the pod\.\s+Containers cannot currently be\s+added or removed/);
    expect(r.stdout).toMatch(/^ {2}restartPolicy\t<string>$/m);
    expect(r.stdout).toMatch(/^ {2}ports\t<\[\]ContainerPort>$/m);
  });

  test('kubectl explain deployment.spec.strategy names the group and describes rollingUpdate; a bad field path says so', async () => {
    const r = await kubectl.run(['explain', 'deployment.spec.strategy']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('GROUP:      apps');
    expect(r.stdout).toContain('FIELD: strategy <DeploymentStrategy>');
    expect(r.stdout).toMatch(/rollingUpdate\t<RollingUpdateDeployment>\n\s+Rolling update config params/);
    const bad = await kubectl.run(['explain', 'pod.spec.nope']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('field "nope" does not exist');
  });

  test('kubectl explain --recursive walks nested types; every served kind can be explained', async () => {
    const r = await kubectl.run(['explain', 'job.spec.template.spec', '--recursive']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^ {2}containers\t<\[\]Container> -required-$/m);
    expect(r.stdout).toMatch(/^ {4}livenessProbe\t<Probe>$/m);
    for (const res of RESOURCES.filter((x) => !x.virtual)) {
      const one = await kubectl.run(['explain', res.group ? `${res.resource}.${res.group}` : res.resource]);
      expect(one.code, `explain ${res.resource}: ${one.output}`).toBe(0);
      expect(one.stdout).toContain(`KIND:       ${res.kind}`);
    }
    // One kubectl process per served kind (36 today), run one after another: ~0.3 s each on an
    // idle machine, several seconds each on a loaded one.
  }, 180_000);

  test("kubectl apply --validate=strict: unknown fields get upstream's 400 message naming each path", async () => {
    const file = kubectl.file(
      'strict-pod.yaml',
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: strict-pod',
        '  bogusMeta: x',
        'spec:',
        '  containers:',
        '  - name: web',
        '    image: nginx',
        '    ports:',
        '    - containerPort: 80',
        '      hostPrt: 8080',
        'extra: 1',
        '',
      ].join('\n'),
    );
    const r = await kubectl.run(['apply', '--validate=strict', '-f', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      `Error from server (BadRequest): error when creating "${file}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: ` +
        'unknown field "extra", unknown field "metadata.bogusMeta", unknown field "spec.containers[0].ports[0].hostPrt"',
    );
  });

  test('a duplicate field reaches the server only in a raw body (kubectl apply re-encodes manifests); create --raw gets the duplicate named', async () => {
    const file = kubectl.file('dup.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1","a":"2"}}');
    const r = await kubectl.run(['create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '-f', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.a"');
  });

  test("kubectl apply --validate=false stores the object without its unknown fields; --validate=warn prints upstream's warnings", async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n  bogusMeta: x\ndata:\n  a: "1"\nextra: 1\n';
    const quiet = await kubectl.run(['apply', '--validate=false', '-f', '-'], manifest.replace('NAME', 'pruned'));
    expect(quiet.code, quiet.output).toBe(0);
    const stored = await server.client.get<Record<string, any>>('configmaps', 'pruned', { namespace: 'default' });
    expect(stored).not.toHaveProperty('extra');
    expect(stored.metadata).not.toHaveProperty('bogusMeta');
    expect(stored.data).toEqual({ a: '1' });
    const warned = await kubectl.run(['apply', '--validate=warn', '-f', '-'], manifest.replace('NAME', 'warned'));
    expect(warned.code, warned.output).toBe(0);
    expect(warned.stderr).toContain('Warning: unknown field "extra"');
    expect(warned.stderr).toContain('Warning: unknown field "metadata.bogusMeta"');
    expect(warningHeader('unknown field "extra"')).toBe('299 - "unknown field \\"extra\\""');
  });
});
