/**
 * The real kubectl against the engine's write path (no proxy, no stand-in endpoint): what the
 * OpenAPI schemas and the field manager do to every create, update, patch and apply, as a user
 * reads it back.
 * - `--validate=false`: unknown fields are dropped before storage (upstream prunes on decode:
 *   staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go, test/integration/apiserver/
 *   field_validation_test.go "ignore" cases), `--validate=strict` is refused with the decoder's
 *   `strict decoding error` (same test file, the Strict cases);
 * - managedFields on every write (`kubectl create` → kubectl-create/Update, `kubectl label` →
 *   kubectl-label/Update: test/integration/apiserver/apply/apply_test.go TestCreateOnApplyFailsWithUID
 *   and TestApplyManagedFields show the entries);
 * - server-side apply with two managers on one field: upstream's 409 (managedfields/internal/
 *   conflict.go: `Apply failed with 1 conflict: conflict with "alice": .data.key`) as kubectl
 *   prints it, then `--force-conflicts` moves the field and drops the emptied entry;
 * - an apply patch without fieldManager: 422 on PatchOptions (apiserver pkg/apis/meta/v1/validation
 *   ValidatePatchOptions: `fieldManager: Required value: is required for apply patch`);
 * - client-side apply, then `--server-side`: no conflict, and the field last applied client-side
 *   but no longer in the manifest is removed (kubectl pkg/cmd/apply/apply.go migrateToSSAIfNecessary
 *   with client-go util/csaupgrade);
 * - `kubectl create --dry-run=server -o yaml`: uid, creationTimestamp and the generated name, and
 *   nothing stored (apiserver endpoints/handlers/create.go with dryrun; test/integration/dryrun);
 * - creation defaults: Job's generated selector and labels (pkg/registry/batch/job/strategy.go
 *   generateSelectorIfNeeded), `status: {}` for Deployments and Jobs (their PrepareForCreate), the
 *   Namespace name label (pkg/apis/core/v1/defaults.go SetDefaults_Namespace).
 * Skipped, with the reason in the title, where kubectl is not installed.
 */
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HAS_KUBECTL, kubectlFor, type Kubectl, type TestServer, startTestServer } from './apiserver-harness.ts';

type Any = Record<string, any>;

let server: TestServer;
let kubectl: Kubectl;
const k = (...args: string[]) => kubectl.run(args);

/** An object as kubectl prints it with its managedFields. */
async function getWithManagedFields(resource: string, name: string, namespace?: string): Promise<Any> {
  const r = await k('get', resource, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json', '--show-managed-fields');
  expect(r.code, r.output).toBe(0);
  return JSON.parse(r.stdout) as Any;
}

/** manager → operation/fieldsV1, from an object's managedFields. */
function managers(object: Any): Record<string, { operation: string; fieldsV1: unknown; subresource?: string }> {
  const out: Record<string, { operation: string; fieldsV1: unknown; subresource?: string }> = {};
  for (const e of object.metadata.managedFields ?? []) out[e.manager] = { operation: e.operation, fieldsV1: e.fieldsV1, ...(e.subresource ? { subresource: e.subresource } : {}) };
  return out;
}

const configMap = (name: string, data: Record<string, string>, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n${Object.entries(data)
    .map(([key, v]) => `  ${key}: "${v}"\n`)
    .join('')}`;

describe.skipIf(!HAS_KUBECTL)(`kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}writes through the schemas and the field manager`, () => {
  beforeAll(async () => {
    server = await startTestServer();
    kubectl = kubectlFor(server.access);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await server?.close();
  });

  test('apply --validate=false: the unknown fields are not stored; GET shows the object without them', async () => {
    const manifest =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: loose\n  bogusMeta: x\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 80\n      hostPrt: 8080\nextra: 1\n';
    const r = await kubectl.run(['apply', '--validate=false', '-f', '-'], manifest);
    expect(r.output).toBe('pod/loose created\n');
    const got = await k('get', 'pod', 'loose', '-o', 'json');
    const pod = JSON.parse(got.stdout) as Any;
    expect(pod).not.toHaveProperty('extra');
    expect(pod.metadata).not.toHaveProperty('bogusMeta');
    expect(pod.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    // The known fields are all there.
    expect(pod.spec.containers[0]).toMatchObject({ name: 'web', image: 'nginx' });
  });

  test("apply --validate=strict: upstream's 400, each unknown field named by its path; nothing stored", async () => {
    const file = kubectl.file('strict.yaml', configMap('strict', { a: '1' }, '  bogusMeta: x\n') + 'extra: 1\n');
    const r = await k('apply', '--validate=strict', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Error from server (BadRequest): error when creating "${file}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra", unknown field "metadata.bogusMeta"`,
    );
    expect((await k('get', 'configmap', 'strict')).stderr).toContain('configmaps "strict" not found');
  });

  test('a duplicate field in a raw body with fieldValidation=Strict is named; without it, the last value is kept', async () => {
    const file = kubectl.file('dup.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1","a":"2"}}');
    const strict = await k('create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '-f', file);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.a"');
    const ignored = await k('create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', '-f', file);
    expect(ignored.code, ignored.output).toBe(0);
    expect((await k('get', 'configmap', 'dup', '-o', 'jsonpath={.data.a}')).stdout).toBe('2');
  });

  test('every write records its manager: create and label are Updates by kubectl-create and kubectl-label', async () => {
    expect((await k('create', 'configmap', 'tracked', '--from-literal=a=1')).code).toBe(0);
    expect((await k('label', 'configmap', 'tracked', 'team=blue')).code).toBe(0);
    const cm = await getWithManagedFields('configmap', 'tracked');
    expect(managers(cm)).toEqual({
      'kubectl-create': { operation: 'Update', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } },
      'kubectl-label': { operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } } } },
    });
    for (const entry of cm.metadata.managedFields) {
      expect(entry).toMatchObject({ apiVersion: 'v1', fieldsType: 'FieldsV1' });
      expect(entry.time, 'each entry has the time of its write, in whole seconds').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // kubectl hides them unless asked, as upstream's kubectl does.
    expect((await k('get', 'configmap', 'tracked', '-o', 'yaml')).stdout).not.toContain('managedFields');
  });

  test("apply --server-side by two managers on one field: upstream's conflict, kubectl's advice, exit 1; the value stays", async () => {
    const alice = kubectl.file('alice.yaml', configMap('shared', { key: 'one' }));
    const bob = kubectl.file('bob.yaml', configMap('shared', { key: 'two' }));
    expect((await k('apply', '--server-side', '--field-manager=alice', '-f', alice)).output).toBe('configmap/shared serverside-applied\n');
    const r = await k('apply', '--server-side', '--field-manager=bob', '-f', bob);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('error: Apply failed with 1 conflict: conflict with "alice": .data.key');
    expect(r.stderr).toContain('--force-conflicts');
    expect((await k('get', 'configmap', 'shared', '-o', 'jsonpath={.data.key}')).stdout).toBe('one');
    // The same as the Status a client reads: 409 Conflict with one FieldManagerConflict cause.
    const raw = await server.fetch('/api/v1/namespaces/default/configmaps/shared?fieldManager=bob', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: configMap('shared', { key: 'two' }),
    });
    expect(raw.status).toBe(409);
    expect(await raw.json()).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "alice": .data.key',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.key' }] },
    });
  });

  test("--force-conflicts takes the field: the new value, bob owns it, alice's emptied entry is gone", async () => {
    const bob = kubectl.file('bob-force.yaml', configMap('shared', { key: 'two' }));
    const r = await k('apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', bob);
    expect(r.output).toBe('configmap/shared serverside-applied\n');
    const cm = await getWithManagedFields('configmap', 'shared');
    expect(cm.data).toEqual({ key: 'two' });
    expect(managers(cm)).toEqual({ bob: { operation: 'Apply', fieldsV1: { 'f:data': { 'f:key': {} } } } });
    // alice, applying the old value again, now conflicts with bob.
    const alice = await k('apply', '--server-side', '--field-manager=alice', '-f', kubectl.file('alice-again.yaml', configMap('shared', { key: 'one' })));
    expect(alice.stderr.split('\n')[0]).toBe('error: Apply failed with 1 conflict: conflict with "bob": .data.key');
  });

  test('an apply patch without fieldManager: 422 on PatchOptions, nothing created', async () => {
    const raw = await server.fetch('/api/v1/namespaces/default/configmaps/nomanager', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
      body: configMap('nomanager', { a: '1' }),
    });
    expect(raw.status).toBe(422);
    expect(await raw.json()).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', field: 'fieldManager' }] },
    });
    expect((await k('get', 'configmap', 'nomanager')).code).toBe(1);
  });

  test('client-side apply, then --server-side: no conflict, kubectl takes over, the field dropped from the manifest goes', async () => {
    const before = configMap('migrated', { x: '1', y: '2' }, '  labels:\n    a: "1"\n    b: "2"\n');
    const after = configMap('migrated', { x: '3' }, '  labels:\n    a: "1"\n');
    expect((await kubectl.run(['apply', '-f', '-'], before)).output).toBe('configmap/migrated created\n');
    expect(Object.keys(managers(await getWithManagedFields('configmap', 'migrated')))).toEqual(['kubectl-client-side-apply']);
    const r = await kubectl.run(['apply', '--server-side', '-f', '-'], after);
    expect(r.output).toBe('configmap/migrated serverside-applied\n');
    const cm = await getWithManagedFields('configmap', 'migrated');
    expect(cm.data).toEqual({ x: '3' });
    expect(cm.metadata.labels).toEqual({ a: '1' });
    const owners = managers(cm);
    expect(owners).not.toHaveProperty('kubectl-client-side-apply');
    expect(owners.kubectl).toEqual({ operation: 'Apply', fieldsV1: { 'f:data': { 'f:x': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } } });
  });

  test('create --dry-run=server -o yaml: the object as it would be stored (uid, creationTimestamp, generated name), and nothing stored', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: preview-\ndata:\n  a: "1"\n';
    const r = await kubectl.run(['create', '--dry-run=server', '-o', 'yaml', '-f', '-'], manifest);
    expect(r.code, r.output).toBe(0);
    const shown = parseYaml(r.stdout) as Any;
    expect(shown.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(shown.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.now() - Date.parse(shown.metadata.creationTimestamp), 'creationTimestamp is now').toBeLessThan(10 * 60_000);
    expect(shown.metadata.name).toMatch(/^preview-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(shown.metadata.generateName).toBe('preview-');
    expect(shown.metadata.namespace).toBe('default');
    // Not stored: no resourceVersion, and the list has no such ConfigMap.
    expect(shown.metadata).not.toHaveProperty('resourceVersion');
    expect((await k('get', 'configmaps', '-o', 'name')).stdout).not.toContain('preview-');
    expect((await k('get', 'configmap', shown.metadata.name)).code).toBe(1);
  });

  test('create --dry-run=server of a Job: the generated selector and labels carry the uid it shows, and status {}', async () => {
    const r = await k('create', 'job', 'preview-job', '--image=busybox', '--dry-run=server', '-o', 'yaml');
    expect(r.code, r.output).toBe(0);
    const job = parseYaml(r.stdout) as Any;
    const uid = job.metadata.uid as string;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'preview-job', 'controller-uid': uid, 'job-name': 'preview-job' };
    expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(job.spec.template.metadata.labels).toEqual(labels);
    expect(job.metadata.labels).toEqual(labels);
    expect(job.status).toEqual({});
    expect((await k('get', 'jobs', '-o', 'name')).stdout).toBe('');
  });

  test('creation defaults as stored: Job selector and status {}, Deployment status {}, Namespace name label', async () => {
    expect((await k('create', 'job', 'real-job', '--image=busybox')).code).toBe(0);
    const job = JSON.parse((await k('get', 'job', 'real-job', '-o', 'json')).stdout) as Any;
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    expect(job.spec.template.metadata.labels['controller-uid']).toBe(job.metadata.uid);
    expect(job.status).toEqual({});
    expect((await k('create', 'deployment', 'web', '--image=nginx')).code).toBe(0);
    expect(JSON.parse((await k('get', 'deployment', 'web', '-o', 'json')).stdout).status).toEqual({});
    expect((await k('create', 'namespace', 'team-a')).code).toBe(0);
    expect((await k('get', 'namespace', 'team-a', '-o', 'jsonpath={.metadata.labels}')).stdout).toBe('{"kubernetes.io/metadata.name":"team-a"}');
  });
});
