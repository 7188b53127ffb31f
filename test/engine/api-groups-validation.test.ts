/**
 * Validation and defaults of the kinds served for the coming lessons, as 422 Status causes
 * (`field: message`), row by row against upstream's validation, with the upstream source each
 * row's wording comes from:
 * - policy: pkg/apis/policy/validation/validation.go (ValidatePodDisruptionBudgetSpec,
 *   ValidatePodDisruptionBudgetStatusUpdate) with apps/validation ValidatePositiveIntOrPercent and
 *   IsNotMoreThan100Percent, apimachinery meta/v1/validation ValidateLabelSelector;
 * - networking: pkg/apis/networking/validation/validation.go (ValidateIngressCreate,
 *   ValidateIngressClass, ValidateNetworkPolicySpec, ValidateIPBlock) and v1/defaults.go;
 * - autoscaling: pkg/apis/autoscaling/validation/validation.go and v2/defaults.go;
 * - core: pkg/apis/core/validation (ValidateResourceQuota, ValidateLimitRange,
 *   ValidateReplicationControllerSpec) and v1/defaults.go (SetDefaults_LimitRangeItem,
 *   SetDefaults_ReplicationController);
 * - apps: ValidateControllerRevision; discovery: pkg/apis/discovery/validation and v1/defaults.go;
 * - apimachinery util/validation (RegexError, IsValidPortNum, IsValidCIDR...) and
 *   util/validation/field (how a value is printed: %q for strings, %#v for structs).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

type Any = Record<string, any>;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const PATHS: Record<string, string> = {
  PodDisruptionBudget: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
  Ingress: '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
  IngressClass: '/apis/networking.k8s.io/v1/ingressclasses',
  NetworkPolicy: '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies',
  HorizontalPodAutoscaler: '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers',
  ResourceQuota: '/api/v1/namespaces/default/resourcequotas',
  LimitRange: '/api/v1/namespaces/default/limitranges',
  ReplicationController: '/api/v1/namespaces/default/replicationcontrollers',
  ControllerRevision: '/apis/apps/v1/namespaces/default/controllerrevisions',
  EndpointSlice: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
};
const API_VERSIONS: Record<string, string> = {
  PodDisruptionBudget: 'policy/v1',
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  ResourceQuota: 'v1',
  LimitRange: 'v1',
  ReplicationController: 'v1',
  ControllerRevision: 'apps/v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};

let seq = 0;
async function post(kind: string, body: Any): Promise<{ status: number; json: Any }> {
  const object = { apiVersion: API_VERSIONS[kind], kind, metadata: { name: `${kind.toLowerCase()}-${++seq}` }, ...body };
  const r = await server.fetch(PATHS[kind], { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(object) });
  return { status: r.status, json: (await r.json()) as Any };
}

/** The causes of a 422, as kubectl prints them: `field: message`. */
async function causes(kind: string, body: Any): Promise<string[]> {
  const r = await post(kind, body);
  expect(r.status, `${kind} ${JSON.stringify(body)} should be refused; got ${JSON.stringify(r.json)}`).toBe(422);
  return (r.json.details?.causes ?? []).map((c: Any) => `${c.field}: ${c.message}`);
}

async function created(kind: string, body: Any): Promise<Any> {
  const r = await post(kind, body);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json;
}

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const PERCENT = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

describe('PodDisruptionBudget (policy/v1)', () => {
  const pdb = (spec: Any) => ({ spec: { selector: { matchLabels: { app: 'x' } }, ...spec } });
  test.each([
    ['a negative minAvailable', { minAvailable: -1 }, ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']],
    ['a minAvailable that is no percentage', { minAvailable: 'abc' }, [`spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}: ${PERCENT}`]],
    ['a maxUnavailable over 100%', { maxUnavailable: '101%' }, ['spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"101%"}: must not be greater than 100%']],
    [
      'an unknown unhealthyPodEvictionPolicy',
      { minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' },
      ['spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"'],
    ],
    [
      'an In requirement without values',
      { minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } },
      ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    ],
  ])('%s', async (_what, spec, expected) => {
    expect(await causes('PodDisruptionBudget', pdb(spec))).toEqual(expected);
  });

  test('minAvailable and maxUnavailable both set: the spec, printed as Go prints the internal struct', async () => {
    const [cause] = await causes('PodDisruptionBudget', pdb({ minAvailable: 1, maxUnavailable: 1 }));
    expect(cause).toMatch(
      /^spec: Invalid value: policy\.PodDisruptionBudgetSpec\{MinAvailable:\(\*intstr\.IntOrString\)\(0xc[0-9a-f]+\), Selector:\(\*v1\.LabelSelector\)\(0xc[0-9a-f]+\), MaxUnavailable:\(\*intstr\.IntOrString\)\(0xc[0-9a-f]+\), UnhealthyPodEvictionPolicy:\(\*policy\.UnhealthyPodEvictionPolicyType\)\(nil\)\}: minAvailable and maxUnavailable cannot be both set$/,
    );
  });

  test("a create drops the client's status and starts at generation 1; a status write with a negative count is a 422", async () => {
    const pdbObject = await created('PodDisruptionBudget', { ...pdb({ minAvailable: '50%' }), status: { disruptionsAllowed: 9 } });
    expect([pdbObject.metadata.generation, pdbObject.status]).toEqual([1, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }]);
    const r = await server.fetch(`${PATHS.PodDisruptionBudget}/${pdbObject.metadata.name}/status`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...pdbObject, status: { currentHealthy: -1 } }),
    });
    const status = (await r.json()) as Any;
    expect([r.status, status.details.causes.map((c: Any) => `${c.field}: ${c.message}`)]).toEqual([422, ['status.currentHealthy: Invalid value: -1: must be greater than or equal to 0']]);
  });
});

describe('Ingress, IngressClass, NetworkPolicy (networking.k8s.io/v1)', () => {
  const path = (p: Any) => ({ spec: { rules: [{ host: 'foo.example.com', http: { paths: [p] } }] } });
  const backend = { service: { name: 'web', port: { number: 80 } } };
  test.each([
    ['no rules and no default backend', { spec: {} }, ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']],
    ['a path without pathType', path({ path: '/a', backend }), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']],
    ['a relative Prefix path', path({ path: 'a', pathType: 'Prefix', backend }), ['spec.rules[0].http.paths[0].path: Invalid value: "a": must be an absolute path']],
    ['an Exact path with //', path({ path: '/a//b', pathType: 'Exact', backend }), ['spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain \'//\'']],
    [
      'an unknown pathType',
      path({ path: '/', pathType: 'Glob', backend }),
      ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Glob": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
    ],
    ['a backend of neither kind', path({ path: '/', pathType: 'Prefix', backend: {} }), ['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']],
    [
      'a service port by name and number',
      path({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }),
      ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'],
    ],
    [
      'a service without a port',
      path({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web' } } }),
      ['spec.rules[0].http.paths[0].backend: Required value: port name or number is required'],
    ],
    [
      'an IP as host',
      { spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] } },
      ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
    ],
    ['a bad ingressClassName', { spec: { ingressClassName: 'Bad_Class', defaultBackend: backend } }, [`spec.ingressClassName: Invalid value: "Bad_Class": ${SUBDOMAIN}`]],
    [
      'a class annotation that disagrees with ingressClassName',
      { metadata: { name: 'annotated', annotations: { 'kubernetes.io/ingress.class': 'nginx' } }, spec: { ingressClassName: 'haproxy', defaultBackend: backend } },
      ['annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified'],
    ],
  ])('Ingress: %s', async (_what, body, expected) => {
    expect(await causes('Ingress', body)).toEqual(expected);
  });

  test('an Ingress without a class gets the newest default IngressClass (DefaultIngressClass admission)', async () => {
    await created('IngressClass', { metadata: { name: 'default-one', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'example.com/ingress' } });
    const ing = await created('Ingress', { spec: { defaultBackend: backend } });
    expect(ing.spec.ingressClassName).toBe('default-one');
    expect(ing.status).toEqual({ loadBalancer: {} });
    const annotated = await created('Ingress', { metadata: { name: 'legacy', annotations: { 'kubernetes.io/ingress.class': 'nginx' } }, spec: { defaultBackend: backend } });
    expect(annotated.spec.ingressClassName).toBeUndefined();
  });

  test.each([
    ['a controller that is no domain-prefixed path', { controller: 'nope' }, ['spec.controller: Invalid value: "nope": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['no controller', {}, ['spec.controller: Required value']],
    [
      'Namespace-scoped parameters without a namespace',
      { controller: 'a.io/c', parameters: { kind: 'P', name: 'p', scope: 'Namespace' } },
      ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
    ],
    ['parameters without a kind', { controller: 'a.io/c', parameters: { name: 'p' } }, ['spec.parameters.kind: Required value: kind is required']],
  ])('IngressClass: %s', async (_what, spec, expected) => {
    expect(await causes('IngressClass', { spec })).toEqual(expected);
  });

  test('IngressClass: parameters default to scope Cluster; the controller is immutable', async () => {
    const ic = await created('IngressClass', { spec: { controller: 'a.io/c', parameters: { kind: 'P', name: 'p' } } });
    expect(ic.spec.parameters.scope).toBe('Cluster');
    const r = await server.fetch(`${PATHS.IngressClass}/${ic.metadata.name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...ic, spec: { ...ic.spec, controller: 'b.io/c' } }),
    });
    const status = (await r.json()) as Any;
    expect([r.status, status.details.causes.map((c: Any) => `${c.field}: ${c.message}`)]).toEqual([422, ['spec.controller: Invalid value: "b.io/c": field is immutable']]);
  });

  const policy = (spec: Any) => ({ spec: { podSelector: {}, ...spec } });
  test.each([
    ['port 0', { ingress: [{ ports: [{ port: 0 }] }] }, ['spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['an unknown protocol', { ingress: [{ ports: [{ protocol: 'ICMP', port: 80 }] }] }, ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']],
    ['an endPort below the port', { egress: [{ ports: [{ port: 100, endPort: 50 }] }] }, ['spec.egress[0].ports[0].endPort: Invalid value: 100: must be greater than or equal to `port`']],
    ['a peer of no kind', { ingress: [{ from: [{}] }] }, ['spec.ingress[0].from[0]: Required value: must specify a peer']],
    [
      'an ipBlock with another peer',
      { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer'],
    ],
    [
      'a cidr without a prefix',
      { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0' } }] }] },
      ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
    ],
    [
      'an except outside the cidr',
      { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] },
      ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'],
    ],
    [
      'three policyTypes',
      { policyTypes: ['Ingress', 'Egress', 'Ingress'] },
      ['spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes'],
    ],
    ['an unknown policyType', { policyTypes: ['Sideways'] }, ['spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"']],
  ])('NetworkPolicy: %s', async (_what, spec, expected) => {
    expect(await causes('NetworkPolicy', policy(spec))).toEqual(expected);
  });

  test('NetworkPolicy defaults: policyTypes Ingress (and Egress with egress rules), port protocol TCP', async () => {
    const np = await created('NetworkPolicy', policy({ egress: [{ ports: [{ port: 53 }] }] }));
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress[0].ports[0]).toEqual({ port: 53, protocol: 'TCP' });
    expect((await created('NetworkPolicy', policy({}))).spec.policyTypes).toEqual(['Ingress']);
  });
});

describe('HorizontalPodAutoscaler (autoscaling/v2)', () => {
  const hpa = (spec: Any) => ({ spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec } });
  test.each([
    [
      'maxReplicas 0',
      { maxReplicas: 0, minReplicas: 1 },
      ['spec.maxReplicas: Invalid value: 0: must be greater than 0', 'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`'],
    ],
    [
      'minReplicas 0 (HPAScaleToZero is off)',
      { minReplicas: 0, metrics: [{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: '1' } } }] },
      ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1'],
    ],
    ['minReplicas above maxReplicas', { minReplicas: 6 }, ['spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`']],
    ['a target without kind', { scaleTargetRef: { name: 'web' } }, ['spec.scaleTargetRef.kind: Required value']],
    [
      'a utilization of 0',
      { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] },
      ['spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0'],
    ],
    [
      'a Pods metric without averageValue',
      { metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'Value', value: '10' } } }] },
      ['spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue'],
    ],
    [
      'a metric with two sources',
      {
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
            pods: { metric: { name: 'x' }, target: { type: 'AverageValue', averageValue: '1' } },
          },
        ],
      },
      ['spec.metrics[0].pods: Forbidden: must populate the given metric source only'],
    ],
    ['scale-up rules with no policy', { behavior: { scaleUp: { policies: [] } } }, ['spec.behavior.scaleUp.policies: Required value: must specify at least one Policy']],
    [
      'a period over 1800 s',
      { behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } },
      ['spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800'],
    ],
  ])('%s', async (_what, spec, expected) => {
    expect(await causes('HorizontalPodAutoscaler', hpa(spec))).toEqual(expected);
  });

  test('defaults: minReplicas 1, 80% average CPU when no metric is given, a behavior filled in', async () => {
    const h = await created('HorizontalPodAutoscaler', hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }));
    expect(h.spec.minReplicas).toBe(1);
    expect(h.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(h.spec.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    expect(h.status).toEqual({ currentMetrics: null, desiredReplicas: 0 });
  });
});

describe('ResourceQuota and LimitRange (core/v1)', () => {
  test.each([
    [
      'an unknown resource name',
      { foo: '1' },
      ['spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified', 'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota'],
    ],
    ['a negative count', { pods: '-1' }, ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']],
    [
      'a fractional count',
      { pods: '1500m' },
      [
        'spec.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer',
      ],
    ],
  ])('ResourceQuota: %s', async (_what, hard, expected) => {
    expect(await causes('ResourceQuota', { spec: { hard } })).toEqual(expected);
  });

  test('ResourceQuota: scopes that conflict, or that the resources cannot take', async () => {
    expect(await causes('ResourceQuota', { spec: { hard: { pods: '5' }, scopes: ['BestEffort', 'NotBestEffort'] } })).toEqual([
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes',
    ]);
    expect(await causes('ResourceQuota', { spec: { hard: { cpu: '1' }, scopes: ['BestEffort'] } })).toEqual([
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
    ]);
  });

  test("ResourceQuota: a quantity that does not parse is the decoder's 400", async () => {
    const r = await post('ResourceQuota', { spec: { hard: { cpu: 'abc' } } });
    expect([r.status, r.json.message]).toEqual([
      400,
      'ResourceQuota in version "v1" cannot be handled as a ResourceQuota: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ]);
  });

  test.each([
    ['an unknown limit type', [{ type: 'Bogus', max: { cpu: '1' } }], ['spec.limits[0].type: Invalid value: "Bogus": must be a standard limit type or fully qualified']],
    [
      'a min above the max',
      [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }],
      [
        'spec.limits[0].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than max value 1',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: min value 2 is greater than default request value 1',
        'spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than default value 1',
      ],
    ],
    ['defaults on a Pod item', [{ type: 'Pod', default: { cpu: '1' } }], ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]],
    [
      'a resource containers cannot ask for',
      [{ type: 'Container', max: { pods: '1' } }],
      [
        'spec.limits[0].max[pods]: Invalid value: "pods": must be a standard resource for containers',
        'spec.limits[0].default[pods]: Invalid value: "pods": must be a standard resource for containers',
        'spec.limits[0].defaultRequest[pods]: Invalid value: "pods": must be a standard resource for containers',
      ],
    ],
  ])('LimitRange: %s', async (_what, limits, expected) => {
    expect(await causes('LimitRange', { spec: { limits } })).toEqual(expected);
  });

  test("LimitRange defaults: a Container item's default comes from max, its defaultRequest from default or min", async () => {
    const lr = await created('LimitRange', { spec: { limits: [{ type: 'Container', max: { memory: '1Gi' }, min: { cpu: '100m' } }] } });
    expect(lr.spec.limits[0]).toEqual({ type: 'Container', max: { memory: '1Gi' }, min: { cpu: '100m' }, default: { memory: '1Gi' }, defaultRequest: { memory: '1Gi', cpu: '100m' } });
  });
});

describe('ReplicationController, ControllerRevision, EndpointSlice', () => {
  const template = (labels: Any, spec: Any = {}) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
  test.each([
    ['no selector and no template', {}, ['spec.selector: Required value', 'spec.template: Required value']],
    [
      'a selector the template does not match',
      { selector: { app: 'a' }, template: template({ app: 'b' }) },
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: selector does not match labels in spec.template'],
    ],
    ['restartPolicy Never', { template: template({ app: 'a' }, { restartPolicy: 'Never' }) }, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ['negative replicas', { replicas: -1, template: template({ app: 'a' }) }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [
      'an activeDeadlineSeconds',
      { template: template({ app: 'a' }, { activeDeadlineSeconds: 10 }) },
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported'],
    ],
  ])('ReplicationController: %s', async (_what, spec, expected) => {
    expect(await causes('ReplicationController', { spec })).toEqual(expected);
  });

  test('ReplicationController defaults: the selector and the labels from the template, one replica', async () => {
    const rc = await created('ReplicationController', { spec: { template: template({ app: 'x' }) } });
    expect([rc.spec.selector, rc.metadata.labels, rc.spec.replicas]).toEqual([{ app: 'x' }, { app: 'x' }, 1]);
  });

  test('ControllerRevision: data is mandatory, revision not negative, data immutable', async () => {
    expect(await causes('ControllerRevision', { revision: -1 })).toEqual(['data: Required value: data is mandatory', 'revision: Invalid value: -1: must be greater than or equal to 0']);
    const cr = await created('ControllerRevision', { data: { spec: { template: {} } }, revision: 1 });
    const r = await server.fetch(`${PATHS.ControllerRevision}/${cr.metadata.name}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...cr, data: { other: true } }),
    });
    const status = (await r.json()) as Any;
    expect([r.status, status.details.causes.map((c: Any) => c.field)]).toEqual([422, ['data']]);
  });

  test.each([
    ['no addressType', { endpoints: [] }, ['addressType: Required value']],
    [
      'an address that is not IPv4',
      { addressType: 'IPv4', endpoints: [{ addresses: ['fe80::1'] }] },
      [
        'endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address',
        'endpoints[0].addresses[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
    ],
    ['the unspecified address', { addressType: 'IPv4', endpoints: [{ addresses: ['0.0.0.0'] }] }, ['endpoints[0].addresses[0]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)']],
    ['an endpoint without addresses', { addressType: 'IPv4', endpoints: [{ addresses: [] }] }, ['endpoints[0].addresses: Required value: must contain at least 1 address']],
    [
      'two ports of one name',
      {
        addressType: 'IPv4',
        endpoints: [],
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 81 },
        ],
      },
      ['ports[1].name: Duplicate value: "http"'],
    ],
    [
      'an unknown protocol',
      { addressType: 'IPv4', endpoints: [], ports: [{ name: 'a', port: 80, protocol: 'ICMP' }] },
      ['ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    ],
  ])('EndpointSlice: %s', async (_what, body, expected) => {
    expect(await causes('EndpointSlice', body)).toEqual(expected);
  });

  test('EndpointSlice defaults a port\'s name to "" and protocol to TCP; loopback addresses are accepted (the loopback network mode)', async () => {
    const slice = await created('EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: ['127.128.0.5'] }], ports: [{ port: 80 }] });
    expect(slice.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
  });
});
