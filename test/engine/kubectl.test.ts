/**
 * The real kubectl against the engine's apiserver: what a user types, and what they read back.
 * One in-process apiserver for the whole file; kubectl gets its own KUBECONFIG and --cache-dir in a
 * temporary folder (discovery is cached there after the first command). Skipped, with the reason in
 * the title, where kubectl is not installed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Node, Pod } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, rows, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

const MANIFESTS = join(import.meta.dirname, 'kubectl-manifests');
const manifest = (name: string) => join(MANIFESTS, name);

// Each test runs up to a dozen kubectl processes one after the other: a second or more each on a
// loaded machine (load average 10 took one test past the 20 s default).
vi.setConfig({ testTimeout: 120_000 });

let server: TestServer;
let kubectl: Kubectl;
const k = (...args: string[]) => kubectl.run(args);

/** A Ready node and a pod running on it, as a kubelet would report them. */
async function runningPod(name: string, node: string, ip: string): Promise<void> {
  await server.client
    .create<Node>('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node, labels: { 'node-role.kubernetes.io/worker': '' } },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '127.0.1.1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0-kubelings', osImage: 'kubelings', kernelVersion: '6.1', containerRuntimeVersion: 'kubelings://0.1' },
      },
    })
    .catch(() => undefined);
  await server.client.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
  });
  await server.client.bind({ namespace: 'default', name }, node);
  const pod = await server.client.get<Pod>('pods', name, { namespace: 'default' });
  pod.status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: '127.0.1.1',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.25', imageID: '', started: true, state: { running: { startedAt: new Date().toISOString() } } }],
  };
  await server.client.updateStatus('pods', pod);
}

describe.skipIf(!HAS_KUBECTL)(`kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed) '}against the engine`, () => {
  beforeAll(async () => {
    server = await startTestServer();
    kubectl = kubectlFor(server.access);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await server?.close();
  });

  test('the dispatcher runs kubectl 1.32, because /version says minor "32"', async () => {
    const r = await k('version', '-o', 'json');
    expect(r.code, r.output).toBe(0);
    const version = JSON.parse(r.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { minor: string } };
    expect(version.serverVersion.minor).toBe('32');
    expect(version.clientVersion.gitVersion).toMatch(/^v1\.32\./);
  });

  test('kubectl get namespaces lists the four a new cluster has', async () => {
    const r = await k('get', 'namespaces');
    expect(r.code, r.output).toBe(0);
    const table = rows(r.stdout);
    expect(table[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(table.slice(1).map((row) => row[0])).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(table.slice(1).every((row) => row[1] === 'Active')).toBe(true);
  });

  test('kubectl api-resources lists every resource with its short names', async () => {
    const r = await k('api-resources');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/);
    for (const line of [
      /pods\s+po\s+v1\s+true\s+Pod/,
      /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/,
      /nodes\s+no\s+v1\s+false\s+Node/,
      /leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/,
      /clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole/,
      /storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass/,
    ]) {
      expect(r.stdout).toMatch(line);
    }
  });

  test('kubectl get pods prints NAME READY STATUS RESTARTS AGE, and -o wide adds IP and NODE', async () => {
    await runningPod('web-1', 'node-1', '127.1.0.7');
    const plain = rows((await k('get', 'pods')).stdout);
    expect(plain[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(plain[1]!.slice(0, 4)).toEqual(['web-1', '1/1', 'Running', '0']);
    expect(plain[1]![4]).toMatch(/^\d+s$/);
    const wide = rows((await k('get', 'pods', '-o', 'wide')).stdout);
    expect(wide[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(wide[1]!.slice(5)).toEqual(['127.1.0.7', 'node-1', '<none>', '<none>']);
  });

  test('kubectl get nodes prints STATUS, ROLES and VERSION', async () => {
    const table = rows((await k('get', 'nodes')).stdout);
    expect(table[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(table[1]).toEqual(['node-1', 'Ready', 'worker', table[1]![3], 'v1.32.0-kubelings']);
  });

  test('kubectl describe pod shows the node, the IP and the containers', async () => {
    const r = await k('describe', 'pod', 'web-1');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+web-1$/m);
    expect(r.stdout).toMatch(/^Namespace:\s+default$/m);
    expect(r.stdout).toMatch(/^Node:\s+node-1\/127\.0\.1\.1$/m);
    expect(r.stdout).toMatch(/^Status:\s+Running$/m);
    expect(r.stdout).toMatch(/^IP:\s+127\.1\.0\.7$/m);
    expect(r.stdout).toMatch(/^\s+Image:\s+nginx:1\.25$/m);
    expect(r.stdout).toMatch(/^Events:\s+<none>$/m);
  });

  test('the nginx Deployment from the docs applies unchanged: created, unchanged, then configured', async () => {
    const first = await k('apply', '-f', manifest('nginx-deployment.yaml'));
    expect(first.output).toBe('deployment.apps/nginx-deployment created\n');
    const again = await k('apply', '-f', manifest('nginx-deployment.yaml'));
    expect(again.output).toBe('deployment.apps/nginx-deployment unchanged\n');
    const changed = kubectl.file('nginx-4.yaml', readFileSync(manifest('nginx-deployment.yaml'), 'utf8').replace('replicas: 3', 'replicas: 4').replace('nginx:1.14.2', 'nginx:1.16.1'));
    const third = await k('apply', '-f', changed);
    expect(third.output).toBe('deployment.apps/nginx-deployment configured\n');
    const table = rows((await k('get', 'deployments', '-o', 'wide')).stdout);
    expect(table[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(table[1]).toEqual(['nginx-deployment', '0/4', '0', '0', table[1]![4], 'nginx', 'nginx:1.16.1', 'app=nginx']);
    const generation = await k('get', 'deployment', 'nginx-deployment', '-o', 'jsonpath={.metadata.generation}');
    expect(generation.stdout, 'one create and one change of the spec').toBe('2');
  });

  test('kubectl apply --server-side creates, then merges a change', async () => {
    const first = await k('apply', '--server-side', '-f', manifest('configmap.yaml'));
    expect(first.output).toBe('configmap/game-demo serverside-applied\n');
    const changed = kubectl.file('game-demo.yaml', readFileSync(manifest('configmap.yaml'), 'utf8').replace('player_initial_lives: "3"', 'player_initial_lives: "5"'));
    const second = await k('apply', '--server-side', '-f', changed);
    expect(second.output).toBe('configmap/game-demo serverside-applied\n');
    const lives = await k('get', 'configmap', 'game-demo', '-o', 'jsonpath={.data.player_initial_lives}');
    expect(lives.stdout).toBe('5');
    const table = rows((await k('get', 'configmaps')).stdout);
    expect(table[0]).toEqual(['NAME', 'DATA', 'AGE']);
    expect(table.find((r) => r[0] === 'game-demo')?.[1]).toBe('4');
  });

  test('the Service and the Job from the docs apply unchanged; the Service gets a ClusterIP', async () => {
    expect((await k('apply', '-f', manifest('service.yaml'))).output).toBe('service/my-service created\n');
    expect((await k('apply', '-f', manifest('job.yaml'))).output).toBe('job.batch/pi created\n');
    const table = rows((await k('get', 'services')).stdout);
    expect(table[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const svc = table.find((r) => r[0] === 'my-service')!;
    expect(svc.slice(0, 5)).toEqual(['my-service', 'ClusterIP', svc[2], '<none>', '80/TCP']);
    expect(svc[2]).toMatch(/^127\.96\.\d+\.\d+$/);
    expect(table.find((r) => r[0] === 'kubernetes')?.slice(1, 5)).toEqual(['ClusterIP', '127.96.0.1', '<none>', '443/TCP']);
    const jobs = rows((await k('get', 'jobs')).stdout);
    expect(jobs[0]).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
  });

  test('kubectl create: a manifest, then configmap, secret, namespace and deployment (sent as protobuf)', async () => {
    expect((await k('create', '-f', manifest('simple-pod.yaml'))).output).toBe('pod/nginx created\n');
    expect((await k('create', 'configmap', 'settings', '--from-literal=mode=fast', '--from-literal=level=3')).output).toBe('configmap/settings created\n');
    expect((await k('create', 'secret', 'generic', 'token', '--from-literal=key=s3cr3t')).output).toBe('secret/token created\n');
    expect((await k('create', 'namespace', 'team-a')).output).toBe('namespace/team-a created\n');
    expect((await k('create', 'deployment', 'api', '--image=nginx:1.25', '--replicas=2', '-n', 'team-a')).output).toBe('deployment.apps/api created\n');
    const cm = await k('get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode},{.data.level}');
    expect(cm.stdout).toBe('fast,3');
    const secret = await k('get', 'secret', 'token', '-o', 'jsonpath={.data.key}');
    expect(Buffer.from(secret.stdout, 'base64').toString()).toBe('s3cr3t');
    const deploy = await k('get', 'deployment', 'api', '-n', 'team-a', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.selector.matchLabels.app}');
    expect(deploy.stdout).toBe('2 nginx:1.25 api');
    const again = await k('create', '-f', manifest('simple-pod.yaml'));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toBe(`Error from server (AlreadyExists): error when creating "${manifest('simple-pod.yaml')}": pods "nginx" already exists\n`);
  });

  test('kubectl label, annotate and the three kinds of patch', async () => {
    expect((await k('label', 'pod', 'nginx', 'tier=frontend')).output).toBe('pod/nginx labeled\n');
    expect((await k('annotate', 'pod', 'nginx', 'owner=team-a')).output).toBe('pod/nginx annotated\n');
    expect((await k('patch', 'deployment', 'nginx-deployment', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}')).output).toBe(
      'deployment.apps/nginx-deployment patched\n',
    );
    expect((await k('patch', 'pod', 'nginx', '--type=merge', '-p', '{"metadata":{"labels":{"track":"stable"}}}')).output).toBe('pod/nginx patched\n');
    expect((await k('patch', 'pod', 'nginx', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/release","value":"r1"}]')).output).toBe('pod/nginx patched\n');
    const labels = rows((await k('get', 'pod', 'nginx', '--show-labels')).stdout);
    expect(labels[1]!.at(-1)).toBe('release=r1,tier=frontend,track=stable');
    const images = await k('get', 'deployment', 'nginx-deployment', '-o', 'jsonpath={.spec.template.spec.containers[*].image}');
    expect(images.stdout, 'the strategic merge patch merged the container by name').toBe('nginx:1.27');
    const unchanged = await k('patch', 'pod', 'nginx', '--type=merge', '-p', '{"metadata":{"labels":{"track":"stable"}}}');
    expect(unchanged.output).toBe('pod/nginx patched (no change)\n');
    const bad = await k('patch', 'pod', 'nginx', '--type=json', '-p', '[{"op":"test","path":"/metadata/name","value":"other"}]');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('testing value /metadata/name failed');
  });

  test('kubectl scale, by replicas and with --current-replicas', async () => {
    expect((await k('scale', 'deployment', 'nginx-deployment', '--replicas=5')).output).toBe('deployment.apps/nginx-deployment scaled\n');
    expect((await k('scale', 'deployment', 'nginx-deployment', '--current-replicas=5', '--replicas=2')).output).toBe('deployment.apps/nginx-deployment scaled\n');
    const wrong = await k('scale', 'deployment', 'nginx-deployment', '--current-replicas=7', '--replicas=1');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Expected replicas to be 7, was 2');
    expect((await k('get', 'deployment', 'nginx-deployment', '-o', 'jsonpath={.spec.replicas}')).stdout).toBe('2');
  });

  test('kubectl replace: with the current resourceVersion it works, with a stale one it is a Conflict', async () => {
    const current = await k('get', 'configmap', 'settings', '-o', 'json');
    const object = JSON.parse(current.stdout) as { data: Record<string, string> };
    object.data.mode = 'slow';
    const path = kubectl.file('settings.json', JSON.stringify(object));
    expect((await k('replace', '-f', path)).output).toBe('configmap/settings replaced\n');
    const stale = await k('replace', '-f', path);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toBe(
      `Error from server (Conflict): error when replacing "${path}": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again\n`,
    );
  });

  test('kubectl get -w prints the list, then each change as it happens', async () => {
    const watch = kubectl.start(['get', 'configmaps', '-w']);
    try {
      await watch.waitFor(/NAME\s+DATA\s+AGE/);
      await watch.waitFor('settings');
      await k('create', 'configmap', 'live-1', '--from-literal=a=b');
      await watch.waitFor(/live-1\s+1\s+\d+s/);
      await k('label', 'configmap', 'live-1', 'seen=yes');
      await watch.waitFor(/live-1[\s\S]*live-1/);
      await k('delete', 'configmap', 'live-1');
      await watch.waitFor(/live-1[\s\S]*live-1[\s\S]*live-1/);
    } finally {
      watch.child.kill();
    }
  });

  test('kubectl delete: immediate for an unscheduled pod, graceful for a running one', async () => {
    expect((await k('delete', 'pod', 'nginx')).output).toBe('pod "nginx" deleted\n');
    const gone = await k('get', 'pod', 'nginx');
    expect(gone.stderr).toBe('Error from server (NotFound): pods "nginx" not found\n');
    expect((await k('delete', 'pod', 'web-1', '--wait=false')).output).toBe('pod "web-1" deleted\n');
    const terminating = rows((await k('get', 'pod', 'web-1')).stdout);
    expect(terminating[1]!.slice(0, 3)).toEqual(['web-1', '1/1', 'Terminating']);
    expect((await k('delete', 'pod', 'web-1', '--grace-period=0', '--force')).output).toContain('pod "web-1" force deleted');
    // Without a namespace controller the namespace stays Terminating (kubectl would wait for ever).
    expect((await k('delete', 'namespace', 'team-a', '--wait=false')).output).toBe('namespace "team-a" deleted\n');
    expect(rows((await k('get', 'namespace', 'team-a')).stdout)[1]!.slice(0, 2)).toEqual(['team-a', 'Terminating']);
    const protectedNs = await k('delete', 'namespace', 'default');
    expect(protectedNs.stderr).toBe('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n');
  });

  test('kubectl auth can-i says yes to everything until the RBAC lesson', async () => {
    const one = await k('auth', 'can-i', 'create', 'pods');
    expect(one.output).toBe('yes\n');
    const all = await k('auth', 'can-i', '--list');
    expect(rows(all.stdout)[0]).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    expect(all.stdout).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });

  test('mistakes read as they do on a real cluster', async () => {
    expect((await k('get', 'widgets')).stderr).toBe('error: the server doesn\'t have a resource type "widgets"\n');
    const invalid = kubectl.file('invalid.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  restartPolicy: Sometimes\n  containers:\n  - name: web\n');
    const r = await k('apply', '-f', invalid);
    expect(r.code).not.toBe(0);
    expect(r.stderr.split('\n').slice(0, 4)).toEqual([
      'The Pod "Bad_Name" is invalid: ',
      expect.stringMatching(/^\* metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/),
      '* spec.containers[0].image: Required value',
      '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    const typo = kubectl.file('typo.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n');
    const strict = await k('apply', '-f', typo);
    expect(strict.stderr).toBe(
      `Error from server (BadRequest): error when creating "${typo}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"\n`,
    );
    const long = await k('create', 'configmap', 'x'.repeat(254));
    expect(long.stderr).toMatch(/^error: failed to create configmap: ConfigMap "x{254}" is invalid: metadata\.name: Invalid value: "x{254}": must be no more than 253 characters\n$/);
  });

  // Issue 8's list of what a real cluster refuses: a quantity its decoder cannot read (400, before
  // validation), a negative one and requests above limits (422), a generated name that is not a
  // name, and a ConfigMap over 1 MiB. Upstream's words: apimachinery resource.ErrFormatWrong,
  // pkg/apis/core/validation validateResourceRequirements, ValidateObjectMetaAccessor,
  // ValidateConfigMap (test/engine/apiserver-validation-upstream.test.ts cites each).
  test('bad quantities, generated names and oversized ConfigMaps get upstream answers', async () => {
    const podWith = (name: string, resources: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: web\n    image: nginx\n    resources:\n${resources}`;
    const abc = kubectl.file('cpu-abc.yaml', podWith('cpu-abc', '      limits:\n        cpu: abc\n'));
    const r1 = await k('apply', '-f', abc);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toBe(
      `Error from server (BadRequest): error when creating "${abc}": Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n`,
    );
    const negative = kubectl.file('mem-negative.yaml', podWith('mem-negative', '      limits:\n        memory: -1Gi\n'));
    const r2 = await k('apply', '-f', negative);
    expect(r2.stderr).toBe('The Pod "mem-negative" is invalid: spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0\n');
    const over = kubectl.file('cpu-over.yaml', podWith('cpu-over', '      requests:\n        cpu: 600m\n      limits:\n        cpu: 500m\n'));
    const r3 = await k('apply', '-f', over);
    expect(r3.stderr).toBe('The Pod "cpu-over" is invalid: spec.containers[0].resources.requests: Invalid value: "600m": must be less than or equal to cpu limit of 500m\n');
    expect((await k('get', 'pods', 'cpu-abc', 'mem-negative', 'cpu-over', '--ignore-not-found', '-o', 'name')).stdout, 'none of them stored').toBe('');

    const generated = kubectl.file('generated.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: Bad_\nspec:\n  containers:\n  - name: web\n    image: nginx\n');
    const r4 = await k('create', '-f', generated);
    const lines = r4.stderr.split('\n');
    expect(lines[0]).toMatch(/^The Pod "Bad_[bcdfghjklmnpqrstvwxz2456789]{5}" is invalid: $/);
    const name = /"(Bad_\w{5})"/.exec(lines[0]!)![1]!;
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(/^\* metadata\.generateName: Invalid value: "Bad_": a lowercase RFC 1123 subdomain must consist of /),
      expect.stringMatching(new RegExp(`^\\* metadata\\.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of `)),
    ]);

    const big = kubectl.file('big.txt', 'a'.repeat(2 * 1024 * 1024));
    const r5 = await k('create', 'configmap', 'big', `--from-file=${big}`);
    expect(r5.stderr).toBe('error: failed to create configmap: ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes\n');
  });
});
