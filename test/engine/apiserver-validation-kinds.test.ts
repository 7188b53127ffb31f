/**
 * Validation of the kinds the upstream table's one-request shape does not fit (issue 8,
 * deliverable 4): updates whose message carries a diff (PersistentVolumeClaim and
 * PersistentVolume specs), the docker config Secret's JSON errors (Go's encoding/json wording),
 * and a few answers seen through the real kubectl.
 *
 * Upstream sources: kubernetes pkg/apis/core/validation/validation.go
 * (ValidatePersistentVolumeClaimUpdate, ValidatePersistentVolumeUpdate, ValidateSecret,
 * ValidateNodeUpdate), pkg/apis/storage/validation/validation.go (ValidateStorageClassUpdate);
 * Go src/encoding/json/scanner.go and decode.go for the JSON errors (golang/go
 * src/encoding/json/decode_test.go and scanner_test.go hold the same messages).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unmarshalMapError } from '#engine/kube/validation/go-json.ts';
import { HAS_KUBECTL, kubectlFor, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

type Any = Record<string, any>;

const CLAIMS = '/api/v1/namespaces/default/persistentvolumeclaims';
const VOLUMES = '/api/v1/persistentvolumes';
const PVC_FROZEN = 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function send(method: string, path: string, body: unknown): Promise<{ code: number; json: Any }> {
  const response = await server.fetch(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { code: response.status, json: (await response.json()) as Any };
}

async function create(path: string, body: Any): Promise<Any> {
  const answer = await send('POST', path, body);
  expect(answer.code, JSON.stringify(answer.json)).toBe(201);
  return answer.json;
}

function causes(json: Any): [string, string][] {
  return (json.details?.causes ?? []).map((c: Any) => [c.field, c.message]);
}

function claim(name: string, spec: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}

describe('a PersistentVolumeClaim spec is frozen after creation, as upstream', () => {
  test('changing the access modes of a claim is refused with upstream message, and the diff names the field', async () => {
    const stored = await create(CLAIMS, claim('frozen-modes'));
    const answer = await send('PUT', `${CLAIMS}/frozen-modes`, { ...stored, spec: { ...stored.spec, accessModes: ['ReadWriteMany'] } });
    expect(answer.code).toBe(422);
    const found = causes(answer.json);
    expect(found.map(([field]) => field)).toEqual(['spec']);
    expect(found[0]![1].startsWith(PVC_FROZEN), found[0]![1]).toBe(true);
    expect(found[0]![1]).toContain('- \tAccessModes: ["ReadWriteOnce"]');
    expect(found[0]![1]).toContain('+ \tAccessModes: ["ReadWriteMany"]');
    expect(found[0]![1]).not.toContain('Resources');
  });

  test('an unbound claim may not change its request; volumeName and storageClassName may be set once from unset', async () => {
    const stored = await create(CLAIMS, claim('frozen-request'));
    const bigger = await send('PUT', `${CLAIMS}/frozen-request`, { ...stored, spec: { ...stored.spec, resources: { requests: { storage: '2Gi' } } } });
    expect(bigger.code).toBe(422);
    expect(causes(bigger.json)[0]![1].startsWith(PVC_FROZEN)).toBe(true);
    const named = await send('PUT', `${CLAIMS}/frozen-request`, { ...stored, spec: { ...stored.spec, volumeName: 'pv-1', storageClassName: 'fast' } });
    expect(named.code, JSON.stringify(named.json)).toBe(200);
    const renamed = await send('PUT', `${CLAIMS}/frozen-request`, { ...named.json, spec: { ...named.json.spec, volumeName: 'pv-2' } });
    expect(renamed.code).toBe(422);
    expect(causes(renamed.json)[0]![1]).toContain('+ \tVolumeName: "pv-2"');
  });

  test('a bound claim may grow its request, but not below its status.capacity; volumeMode never changes', async () => {
    const stored = await create(CLAIMS, claim('bound-claim', { volumeName: 'pv-1' }));
    const status = await send('PUT', `${CLAIMS}/bound-claim/status`, { ...stored, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } });
    expect(status.code, JSON.stringify(status.json)).toBe(200);
    const grown = await send('PUT', `${CLAIMS}/bound-claim`, { ...status.json, spec: { ...status.json.spec, resources: { requests: { storage: '2Gi' } } } });
    expect(grown.code, JSON.stringify(grown.json)).toBe(200);
    const shrunk = await send('PUT', `${CLAIMS}/bound-claim`, { ...grown.json, spec: { ...grown.json.spec, resources: { requests: { storage: '1Gi' } } } });
    expect(shrunk.code).toBe(422);
    expect(causes(shrunk.json)).toEqual([['spec.resources.requests.storage', 'Forbidden: field can not be less than status.capacity']]);
    const block = await send('PUT', `${CLAIMS}/bound-claim`, { ...grown.json, spec: { ...grown.json.spec, volumeMode: 'Block' } });
    expect(block.code).toBe(422);
    const fields = causes(block.json);
    expect(fields.map(([f]) => f)).toEqual(['spec', 'volumeMode']);
    expect(fields[1]).toEqual(['volumeMode', 'Invalid value: "Block": field is immutable']);
  });
});

describe('a PersistentVolume keeps its volume source, as upstream', () => {
  test('a new hostPath path is refused at spec.persistentvolumesource; a new capacity is accepted', async () => {
    const body = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-source' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } };
    const stored = await create(VOLUMES, body);
    const moved = await send('PUT', `${VOLUMES}/pv-source`, { ...stored, spec: { ...stored.spec, hostPath: { path: '/elsewhere' } } });
    expect(moved.code).toBe(422);
    const [cause] = causes(moved.json);
    expect(cause![0]).toBe('spec.persistentvolumesource');
    expect(cause![1].startsWith('Forbidden: spec.persistentvolumesource is immutable after creation\n'), cause![1]).toBe(true);
    expect(cause![1]).toContain('+ \tHostPath: {"path":"/elsewhere"}');
    const resized = await send('PUT', `${VOLUMES}/pv-source`, { ...stored, spec: { ...stored.spec, capacity: { storage: '2Gi' } } });
    expect(resized.code, JSON.stringify(resized.json)).toBe(200);
  });

  test('an invalid PersistentVolume update reports each cause twice, as upstream strategy validates the new object twice', async () => {
    const body = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-twice' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } };
    const stored = await create(VOLUMES, body);
    const answer = await send('PUT', `${VOLUMES}/pv-twice`, { ...stored, spec: { ...stored.spec, persistentVolumeReclaimPolicy: 'Keep' } });
    expect(answer.code).toBe(422);
    const cause = ['spec.persistentVolumeReclaimPolicy', 'Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"'];
    expect(causes(answer.json)).toEqual([cause, cause]);
  });
});

describe("Go's json.Unmarshal errors for a docker config that is not a JSON object", () => {
  // Each message as Go's encoding/json gives it (scanner.go's contexts; decode_test.go has
  // `invalid character '}' after object key`, `invalid character '+' after array element`,
  // `invalid character 'x' after object key:value pair`).
  test.each([
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{"auths":', 'unexpected end of JSON input'],
    // eof steps one space through the scanner first, so a cut literal or number names that space.
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['{"X": "foo", "Y"}', "invalid character '}' after object key"],
    ['[1, 2, 3+]', "invalid character '+' after array element"],
    ['{"X":12x}', "invalid character 'x' after object key:value pair"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['{} x', "invalid character 'x' after top-level value"],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['falsy', "invalid character 'y' in literal false (expecting 'e')"],
    ['"a\\qb"', "invalid character 'q' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.', "invalid character ' ' after decimal point in numeric literal"],
    ['1e+', "invalid character ' ' in exponent of numeric literal"],
    ['01', "invalid character '1' after top-level value"],
    ['[]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['"x"', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['-1.5e3', 'json: cannot unmarshal number into Go value of type map[string]interface {}'],
    ['true', 'json: cannot unmarshal bool into Go value of type map[string]interface {}'],
  ])('%j', (input, message) => {
    expect(unmarshalMapError(Buffer.from(input))).toBe(message);
  });

  test('objects and null decode without error; deep nesting is refused without exhausting the stack', () => {
    for (const ok of ['{}', ' {"auths": {"r": {"auth": "eA=="}}, "n": [1, -0.5e-3, true, null, "\\u00e9"]} ', 'null']) expect(unmarshalMapError(Buffer.from(ok)), ok).toBeNull();
    expect(unmarshalMapError(Buffer.from(`{"a":${'['.repeat(20_000)}`))).toBe('exceeded max depth');
  });
});

describe.skipIf(!HAS_KUBECTL)(`validation seen through kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, () => {
  let kubectl: Kubectl;
  beforeAll(() => {
    kubectl = kubectlFor(server.access);
  });
  afterAll(() => kubectl?.cleanup());

  test('kubectl create secret docker-registry is accepted; a tls Secret without its key gets upstream answer', async () => {
    const docker = await kubectl.run(['create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p']);
    expect(docker.code, docker.output).toBe(0);
    expect(docker.stdout).toContain('secret/regcred created');
    const tls = await kubectl.run(['create', 'secret', 'generic', 'half-tls', '--type=kubernetes.io/tls', '--from-literal=tls.crt=cert']);
    expect(tls.code).not.toBe(0);
    // kubectl create secret words the Status message its own way: `error: failed to create secret <message>`.
    expect(tls.stderr).toContain('error: failed to create secret Secret "half-tls" is invalid: data[tls.key]: Required value');
  });

  test('kubectl patch of a claim access modes prints upstream immutable-spec message', async () => {
    await create(CLAIMS, claim('kubectl-claim'));
    const r = await kubectl.run(['patch', 'pvc', 'kubectl-claim', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'The PersistentVolumeClaim "kubectl-claim" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
  });

  test('kubectl apply of a Node with a bad taint effect, and kubectl patch of a StorageClass parameters', async () => {
    const node = ['apiVersion: v1', 'kind: Node', 'metadata:', '  name: tainted', 'spec:', '  taints:', '  - key: dedicated', '    effect: NoWhere', ''].join('\n');
    const applied = await kubectl.run(['apply', '-f', '-'], node);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('The Node "tainted" is invalid: metadata.taints[0].effect: Unsupported value: "NoWhere": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"');
    const sc = ['apiVersion: storage.k8s.io/v1', 'kind: StorageClass', 'metadata:', '  name: slow', 'provisioner: kubelings.io/hostpath', 'parameters:', '  path: /a', ''].join('\n');
    const created = await kubectl.run(['apply', '-f', '-'], sc);
    expect(created.code, created.output).toBe(0);
    const patched = await kubectl.run(['patch', 'storageclass', 'slow', '-p', '{"parameters":{"path":"/b"}}']);
    expect(patched.code).not.toBe(0);
    expect(patched.stderr).toContain('The StorageClass "slow" is invalid: parameters: Forbidden: updates to parameters are forbidden.');
  });
});
