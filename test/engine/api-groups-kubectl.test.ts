/**
 * The kinds served for the coming lessons, as a person uses them with the real kubectl (1.32):
 * `kubectl apply` of the Kubernetes documentation's examples (test/engine/kubectl-manifests/),
 * `kubectl get` with upstream's columns (pkg/printers/internalversion/printers.go), the typed
 * `kubectl create` commands that send protobuf (create ingress|poddisruptionbudget|priorityclass|
 * quota, autoscale: autoscaling/v1), `kubectl describe quota`, `kubectl explain`, `kubectl apply
 * --prune` with kubectl's default allowlist (k8s.io/kubectl pkg/util/prune/prune.go), and `kubectl
 * top` with and without a metrics provider (pkg/cmd/top: "Metrics API not available" when
 * discovery has no metrics.k8s.io).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject } from '#engine/kube/types.ts';
import { HAS_KUBECTL, kubectlFor, rows, startTestServer, type Kubectl, type TestServer } from './apiserver-harness.ts';

const MANIFESTS = join(import.meta.dirname, 'kubectl-manifests');
let server: TestServer;
let kubectl: Kubectl;

beforeAll(async () => {
  server = await startTestServer();
  if (HAS_KUBECTL) kubectl = kubectlFor(server.access);
});
afterAll(async () => {
  kubectl?.cleanup();
  await server?.close();
});

const header = (text: string) => rows(text)[0];

describe.skipIf(!HAS_KUBECTL)(`the new API groups with kubectl ${HAS_KUBECTL ? '' : '(skipped: kubectl is not installed)'}`, () => {
  test.each([
    [
      'minimal-ingress.yaml',
      'ingress.networking.k8s.io/minimal-ingress created',
      ['ingress', 'minimal-ingress'],
      ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
      ['minimal-ingress', 'nginx-example', '*', '80'],
    ],
    [
      'external-lb-ingressclass.yaml',
      'ingressclass.networking.k8s.io/external-lb created',
      ['ingressclass', 'external-lb'],
      ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
      ['external-lb', 'example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb'],
    ],
    [
      'networkpolicy.yaml',
      'networkpolicy.networking.k8s.io/test-network-policy created',
      ['networkpolicy', 'test-network-policy'],
      ['NAME', 'POD-SELECTOR', 'AGE'],
      ['test-network-policy', 'role=db'],
    ],
    [
      'hpa-php-apache.yaml',
      'horizontalpodautoscaler.autoscaling/php-apache created',
      ['hpa', 'php-apache'],
      ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
      ['php-apache', 'Deployment/php-apache', 'cpu: <unknown>/50%', '1', '10', '0'],
    ],
    ['zookeeper-pdb.yaml', 'poddisruptionbudget.policy/zk-pdb created', ['pdb', 'zk-pdb'], ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], ['zk-pdb', '2', 'N/A', '0']],
    [
      'quota-mem-cpu.yaml',
      'resourcequota/mem-cpu-demo created',
      ['quota', 'mem-cpu-demo'],
      ['NAME', 'REQUEST', 'LIMIT', 'AGE'],
      ['mem-cpu-demo', 'requests.cpu: 0/1, requests.memory: 0/1Gi', 'limits.cpu: 0/2, limits.memory: 0/2Gi'],
    ],
    ['memory-defaults-limitrange.yaml', 'limitrange/mem-limit-range created', ['limits', 'mem-limit-range'], ['NAME', 'CREATED AT'], ['mem-limit-range']],
    ['replication-controller.yaml', 'replicationcontroller/nginx created', ['rc', 'nginx'], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['nginx', '3', '0', '0']],
    [
      'controllerrevision.yaml',
      'controllerrevision.apps/web-6b8f9c7d4f created',
      ['controllerrevision', 'web-6b8f9c7d4f'],
      ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
      ['web-6b8f9c7d4f', 'statefulset.apps/web', '1'],
    ],
    [
      'endpointslice.yaml',
      'endpointslice.discovery.k8s.io/example-abc created',
      ['endpointslice', 'example-abc'],
      ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
      ['example-abc', 'IPv4', '80', '10.1.2.3'],
    ],
  ])("kubectl apply -f %s, then kubectl get prints upstream's columns", async (file, createdLine, getArgs, columns, cells) => {
    const applied = await kubectl.run(['apply', '-f', join(MANIFESTS, file)]);
    expect(applied.code, applied.output).toBe(0);
    expect(applied.stdout).toBe(`${createdLine}\n`);
    const got = await kubectl.run(['get', ...getArgs]);
    expect(got.code, got.output).toBe(0);
    expect(header(got.stdout)).toEqual(columns);
    expect(rows(got.stdout)[1]!.slice(0, cells.length)).toEqual(cells);
  });

  test('the typed create commands (protobuf bodies) work: ingress, poddisruptionbudget, priorityclass, quota', async () => {
    const runs = await Promise.all([
      kubectl.run(['create', 'ingress', 'simple', '--rule=foo.com/bar=svc1:8080,tls=my-cert']),
      kubectl.run(['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--max-unavailable=25%']),
      kubectl.run(['create', 'priorityclass', 'high', '--value=1000', '--description=high priority']),
      kubectl.run(['create', 'quota', 'counts', '--hard=pods=10,count/configmaps=5']),
    ]);
    expect(runs.map((r) => r.output)).toEqual([
      'ingress.networking.k8s.io/simple created\n',
      'poddisruptionbudget.policy/web created\n',
      'priorityclass.scheduling.k8s.io/high created\n',
      'resourcequota/counts created\n',
    ]);
    const ing = await server.client.get<KubeObject>('ingresses', 'simple', { namespace: 'default' });
    expect(ing.spec).toEqual({
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }],
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
    });
    expect(rows((await kubectl.run(['get', 'ing', 'simple'])).stdout)[1]!.slice(0, 4)).toEqual(['simple', '<none>', 'foo.com', '80, 443']);
    expect((await server.client.get<KubeObject>('poddisruptionbudgets', 'web', { namespace: 'default' })).spec).toEqual({ maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } });
  });

  test('kubectl autoscale writes autoscaling/v1; the object reads back as v2 with its CPU target, and as v1', async () => {
    expect((await kubectl.run(['create', 'deployment', 'web', '--image=nginx'])).code).toBe(0);
    const r = await kubectl.run(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=70']);
    expect(r.output).toBe('horizontalpodautoscaler.autoscaling/web autoscaled\n');
    const v2 = (await (await server.fetch('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web')).json()) as KubeObject;
    expect(v2.spec).toEqual({
      scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    const v1 = (await (await server.fetch('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web')).json()) as KubeObject;
    expect([v1.apiVersion, v1.spec]).toEqual([
      'autoscaling/v1',
      { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    ]);
    expect(rows((await kubectl.run(['get', 'hpa', 'web'])).stdout)[1]!.slice(0, 6)).toEqual(['web', 'Deployment/web', 'cpu: <unknown>/70%', '2', '5', '0']);
  });

  test("kubectl describe quota shows each resource's used and hard, charged as pods are created", async () => {
    await kubectl.run(['create', 'namespace', 'quota-demo']);
    await kubectl.run(['-n', 'quota-demo', 'create', 'quota', 'pods', '--hard=pods=2,requests.cpu=1']);
    const pod = (name: string, cpu: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] } });
    expect((await kubectl.run(['-n', 'quota-demo', 'apply', '-f', '-'], pod('a', '400m'))).code).toBe(0);
    const refused = await kubectl.run(['-n', 'quota-demo', 'apply', '-f', '-'], pod('b', '700m'));
    expect(refused.stderr).toContain(
      'Error from server (Forbidden): error when creating "STDIN": pods "b" is forbidden: exceeded quota: pods, requested: requests.cpu=700m, used: requests.cpu=400m, limited: requests.cpu=1',
    );
    const described = await kubectl.run(['-n', 'quota-demo', 'describe', 'quota', 'pods']);
    expect(described.stdout).toMatch(/^Name:\s+pods\nNamespace:\s+quota-demo\nResource\s+Used\s+Hard\n-+\s+-+\s+-+\npods\s+1\s+2\nrequests\.cpu\s+400m\s+1\n$/);
  });

  test.each([
    // [what to explain, KIND, VERSION, the FIELD line: name and type from upstream's OpenAPI v3]
    ['ingress.spec.rules', 'Ingress', 'v1', 'rules <[]IngressRule>'],
    ['ingressclass.spec.controller', 'IngressClass', 'v1', 'controller <string>'],
    ['networkpolicy.spec.podSelector', 'NetworkPolicy', 'v1', 'podSelector <LabelSelector>'],
    ['hpa.spec.metrics', 'HorizontalPodAutoscaler', 'v2', 'metrics <[]MetricSpec>'],
    ['pdb.spec.minAvailable', 'PodDisruptionBudget', 'v1', 'minAvailable <string>'],
    ['quota.spec.hard', 'ResourceQuota', 'v1', 'hard <map[string]string>'],
    ['limitrange.spec.limits', 'LimitRange', 'v1', 'limits <[]LimitRangeItem>'],
    ['rc.spec.selector', 'ReplicationController', 'v1', 'selector <map[string]string>'],
    ['controllerrevision.data', 'ControllerRevision', 'v1', 'data <RawExtension>'],
    ['endpointslice.endpoints.addresses', 'EndpointSlice', 'v1', 'addresses <[]string>'],
  ])('kubectl explain %s finds the kind and the field in the served OpenAPI', async (what, kind, version, field) => {
    const r = await kubectl.run(['explain', what]);
    expect(r.code, `explain ${what}: ${r.output}`).toBe(0);
    expect(r.stdout).toContain(`KIND:       ${kind}\nVERSION:    ${version}\n\nFIELD: ${field}\n`);
  });

  test('kubectl apply --prune -l with the default allowlist prunes what left the manifests (it needs every allowlisted kind served)', async () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n  labels:\n    app: x\ndata:\n  k: v\n`;
    const both = kubectl.file('prune-both.yaml', `${cm('keep')}---\n${cm('drop')}`);
    const first = await kubectl.run(['apply', '--prune', '-l', 'app=x', '-f', both]);
    expect(first.code, first.output).toBe(0);
    const one = kubectl.file('prune-one.yaml', cm('keep'));
    const second = await kubectl.run(['apply', '--prune', '-l', 'app=x', '-f', one]);
    expect(second.code, second.output).toBe(0);
    expect(second.stdout).toBe('configmap/keep unchanged\nconfigmap/drop pruned\n');
  });

  test('kubectl top without a metrics provider says what it says on a cluster without metrics-server', async () => {
    for (const what of ['pod', 'node']) {
      const r = await kubectl.run(['top', what]);
      expect([r.code, r.stderr]).toEqual([1, 'error: Metrics API not available\n']);
    }
  });

  test('with a metrics provider registered, metrics.k8s.io/v1beta1 is discovered and kubectl top pod prints its numbers', async () => {
    const stop = server.api.registerMetricsProvider(async (path) => {
      if (path !== '/namespaces/default/pods') throw new Error(`unexpected ${path}`);
      return {
        kind: 'PodMetricsList',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {},
        items: [
          {
            metadata: { name: 'busy', namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z' },
            timestamp: '2025-01-01T00:00:00Z',
            window: '30s',
            containers: [{ name: 'c', usage: { cpu: '250m', memory: '64Mi' } }],
          },
        ],
      };
    });
    try {
      const fresh = kubectlFor(server.access); // a new discovery cache
      try {
        const r = await fresh.run(['top', 'pod']);
        expect(r.code, r.output).toBe(0);
        expect(rows(r.stdout)).toEqual([
          ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
          ['busy', '250m', '64Mi'],
        ]);
      } finally {
        fresh.cleanup();
      }
    } finally {
      stop();
    }
    expect(((await (await server.fetch('/apis')).json()) as { groups: { name: string }[] }).groups.map((g) => g.name)).not.toContain('metrics.k8s.io');
  });
});
