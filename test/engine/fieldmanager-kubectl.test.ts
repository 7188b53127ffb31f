/**
 * The real kubectl against the field manager module alone: a minimal Deployment endpoint built in
 * this file from the module (create, apply, JSON patch, get) and the discovery and OpenAPI
 * documents kubectl needs (as /work/shared/reference/kubectl-wire.md lists them), so a failure
 * here points at the module, not the apiserver (test/engine/kubectl-writes.test.ts runs the same
 * commands against the apiserver's write path). It checks what a user reads:
 * - `kubectl apply --server-side` after a client-side apply migrates as kubectl 1.32 and upstream do
 *   (kubectl pkg/cmd/apply/apply.go migrateToSSAIfNecessary; apiserver lastAppliedManager): no
 *   conflict, then kubectl-client-side-apply is gone and a dropped field is removed;
 * - a conflict prints upstream's message followed by kubectl's advice, exit code 1;
 * - `--force-conflicts` takes the fields;
 * - an apply without a field manager gets upstream's 422.
 * Skipped, with the reason in the title, where kubectl is not installed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsonpatch from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ApiError } from '#engine/kube/errors.ts';
import { applyManagedFields, managerOrUserAgent, type ManagedFieldsEntry, updateManagedFields, validateWriteOptions } from '#engine/apiserver/fieldmanager/index.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, type Kubectl } from './apiserver-harness.ts';

// Tests run real kubectl processes: seconds each on a loaded machine (the 20 s default is too tight there).
vi.setConfig({ testTimeout: 120_000 });

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] },
  '/api/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [] },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'apps/v1',
    resources: [{ name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['create', 'get', 'list', 'patch', 'update'], shortNames: ['deploy'] }],
  },
  '/openapi/v3': { paths: { 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=1' } } },
  '/openapi/v3/apis/apps/v1': {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    components: { schemas: {} },
    paths: {
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}': {
        patch: {
          'x-kubernetes-group-version-kind': { group: 'apps', version: 'v1', kind: 'Deployment' },
          parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
          responses: { '200': { description: 'OK' } },
        },
      },
    },
  },
};

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

let stored: KubeObject | undefined;
let revision = 1;
const requests: string[] = [];

function save(object: KubeObject): KubeObject {
  stored = { ...object, metadata: { ...object.metadata, namespace: 'default', uid: 'uid-1', resourceVersion: String(++revision) } };
  return stored;
}

/** One Deployment, default/web, through the field manager as the apiserver will call it. */
function handle(method: string, url: URL, type: string, userAgent: string | undefined, body: unknown): [number, unknown] {
  const options = (manager: string) => ({ manager, apiVersion: 'apps/v1', kind: 'Deployment', now: new Date(), resetFields: [['status']] });
  const fieldManager = url.searchParams.get('fieldManager') ?? '';
  if (method === 'GET') return stored ? [200, stored] : [404, status(404, 'NotFound', 'deployments.apps "web" not found')];
  if (method === 'POST') {
    validateWriteOptions({ verb: 'create', fieldManager });
    return [201, save(updateManagedFields(undefined, body as KubeObject, options(managerOrUserAgent(fieldManager, userAgent))))];
  }
  validateWriteOptions({ verb: 'patch', fieldManager, patchType: type, force: url.searchParams.get('force') ?? undefined });
  if (type === 'application/apply-patch+yaml') {
    const created = !stored;
    return [created ? 201 : 200, save(applyManagedFields(stored, body, { ...options(fieldManager), force: url.searchParams.get('force') === 'true' }))];
  }
  if (!stored) return [404, status(404, 'NotFound', 'deployments.apps "web" not found')];
  if (type !== 'application/json-patch+json') return [415, status(415, 'UnsupportedMediaType', type)];
  const patched = jsonpatch.applyPatch(structuredClone(stored), body as jsonpatch.Operation[]).newDocument;
  if (patched.metadata.resourceVersion !== stored.metadata.resourceVersion) return [409, status(409, 'Conflict', 'the object has been modified')];
  return [200, save(updateManagedFields(stored, patched, options(managerOrUserAgent(fieldManager, userAgent))))];
}

let server: Server;
let kubectl: Kubectl;
const k = (...args: string[]) => kubectl.run(args);

describe.skipIf(!HAS_KUBECTL)(`kubectl apply --server-side ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}against the field manager`, () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const type = (req.headers['content-type'] ?? '').split(';')[0];
        let answer: [number, unknown];
        if (url.pathname in DISCOVERY) answer = [200, DISCOVERY[url.pathname]];
        else if (!/^\/apis\/apps\/v1\/namespaces\/default\/deployments(\/web)?$/.test(url.pathname)) answer = [404, status(404, 'NotFound', 'the server could not find the requested resource')];
        else {
          requests.push(`${req.method} ${type} ${url.searchParams.get('fieldManager') ?? ''}`);
          try {
            answer = handle(req.method ?? 'GET', url, type, req.headers['user-agent'], text ? JSON.parse(text) : undefined);
          } catch (error) {
            answer = error instanceof ApiError ? [error.code, error.status] : [500, status(500, 'InternalError', String(error))];
          }
        }
        res.writeHead(answer[0], { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer[1]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kubectl = kubectlFor({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await new Promise((resolve) => server?.close(resolve));
  });

  const manifest = (replicas: number, env: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        env: [${env}]
`;
  const managers = () => ((stored?.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => `${e.manager}/${e.operation}`);

  test('client-side apply, then --server-side: no conflict, kubectl migrates, the dropped field goes', async () => {
    const first = await k('apply', '-f', kubectl.file('v1.yaml', manifest(3, '{name: A, value: "1"}, {name: B, value: "2"}')));
    expect(first.output).toContain('deployment.apps/web created');
    expect(managers()).toEqual(['kubectl-client-side-apply/Update']);

    requests.length = 0;
    const second = await k('apply', '--server-side', '-f', kubectl.file('v2.yaml', manifest(4, '{name: A, value: "1"}')));
    expect(second.code, second.output).toBe(0);
    expect(second.stdout).toBe('deployment.apps/web serverside-applied\n');
    // The apply, kubectl's annotation apply, the managedFields migration, the apply again.
    expect(requests).toEqual([
      'PATCH application/apply-patch+yaml kubectl',
      'PATCH application/apply-patch+yaml kubectl-last-applied',
      'PATCH application/json-patch+json kubectl',
      'PATCH application/apply-patch+yaml kubectl',
    ]);
    expect(managers()).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply']);
    const spec = stored!.spec as { replicas: number; template: { spec: { containers: { env: unknown[] }[] } } };
    expect(spec.replicas).toBe(4);
    expect(spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
  });

  test("a field another manager changed: upstream's conflict message, then kubectl's advice, exit 1", async () => {
    const patched = await k('patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":7}]');
    expect(patched.code, patched.output).toBe(0);
    const result = await k('apply', '--server-side', '-f', kubectl.file('v2.yaml', manifest(4, '{name: A, value: "1"}')));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      [
        'error: Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas',
        'Please review the fields above--they currently have other managers. Here',
        'are the ways you can resolve this warning:',
        '* If you intend to manage all of these fields, please re-run the apply',
        '  command with the `--force-conflicts` flag.',
      ].join('\n'),
    );
  });

  test("--force-conflicts takes the field, and the other manager's entry goes with it", async () => {
    const result = await k('apply', '--server-side', '--force-conflicts', '-f', kubectl.file('v2.yaml', manifest(4, '{name: A, value: "1"}')));
    expect(result.code, result.output).toBe(0);
    expect((stored!.spec as { replicas: number }).replicas).toBe(4);
    expect(managers()).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply']);
  });

  test("an apply without a field manager: upstream's 422, as kubectl prints it", async () => {
    const result = await k('apply', '--server-side', '--field-manager=', '-f', kubectl.file('v2.yaml', manifest(4, '')));
    expect(result.code).toBe(1);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.includes('memcache'))
        .join('\n'),
    ).toBe('The PatchOptions "" is invalid: fieldManager: Required value: is required for apply patch');
  });
});
