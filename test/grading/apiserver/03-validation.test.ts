/**
 * Hidden suite for 02-apiserver/03-validation: defaultPodSpec, validateObjectMeta, validatePodSpec
 * and findUnknownFields, with the defaults and messages of a real apiserver (k8s.io/kubernetes
 * pkg/apis/core/v1/defaults.go and validation.go; apimachinery's field errors).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { schemaFor, type SchemaNode } from '#engine/kube/schema.ts';
import type { PodSpec } from '#engine/kube/types.ts';
import { dns1123LabelProblems, dns1123SubdomainProblems } from '#engine/objects/names.ts';
import { hint, show, useSeed } from '#grading';

const { defaultPodSpec, validateObjectMeta, validatePodSpec, findUnknownFields } = await loadComponent('apiserver');

// The wording of the naming rules is given (engine/objects/names.ts); the suite checks that it is used.
const SUBDOMAIN = dns1123SubdomainProblems('Web_1')[0]!;
const LABEL = dns1123LabelProblems('My_Web')[0]!;

const spec = (containers: Record<string, unknown>[] = [{ name: 'web', image: 'nginx:1.25' }], extra: Record<string, unknown> = {}): PodSpec => ({ containers, ...extra }) as PodSpec;

describe('defaultPodSpec', () => {
  test(
    'fills in the pod-level defaults, and nothing more',
    hint("Which five pod-level fields does SetDefaults_PodSpec fill in? Compare with a Deployment's template in kubectl get deployment -o yaml on a real cluster."),
    () => {
      const out = defaultPodSpec(spec());
      const { containers: _c, ...podLevel } = out;
      expect(podLevel, 'defaultPodSpec({containers: [web]}) without its containers').toEqual({
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        securityContext: {},
      });
    },
  );

  test("fills in each container's defaults, init containers too", () => {
    const out = defaultPodSpec(
      spec([{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }], { initContainers: [{ name: 'init', image: 'busybox:1.36' }] }),
    );
    expect(out.containers[0], 'the container after defaulting').toEqual({
      name: 'web',
      image: 'nginx:1.25',
      ports: [
        { containerPort: 80, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP' },
      ],
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    });
    expect(out.initContainers?.[0]?.terminationMessagePolicy, 'the init container after defaulting').toBe('File');
  });

  test('imagePullPolicy is Always for :latest or no tag, IfNotPresent otherwise', hint('Where does the tag start in localhost:5000/app? And in nginx@sha256:abc?'), () => {
    const cases: [string, string][] = [
      ['nginx', 'Always'],
      ['nginx:latest', 'Always'],
      ['nginx:1.25', 'IfNotPresent'],
      ['registry.k8s.io/pause:3.9', 'IfNotPresent'],
      ['localhost:5000/app', 'Always'],
      ['localhost:5000/app:v2', 'IfNotPresent'],
      ['nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31', 'IfNotPresent'],
    ];
    for (const [image, policy] of cases) {
      expect(defaultPodSpec(spec([{ name: 'c', image }])).containers[0]!.imagePullPolicy, `imagePullPolicy for image ${image}`).toBe(policy);
    }
  });

  test('never changes a value the user gave, and never modifies its input', hint('Do you assign only where the field is missing? Did you copy the spec and each container?'), () => {
    const input = spec([{ name: 'c', image: 'x:latest', imagePullPolicy: 'Never', terminationMessagePolicy: 'FallbackToLogsOnError' }], {
      restartPolicy: 'OnFailure',
      terminationGracePeriodSeconds: 0,
      dnsPolicy: 'Default',
      schedulerName: 'mine',
      securityContext: { runAsUser: 1000 },
    });
    const before = JSON.stringify(input);
    const out = defaultPodSpec(input);
    expect(
      [out.restartPolicy, out.terminationGracePeriodSeconds, out.dnsPolicy, out.schedulerName, out.securityContext, out.containers[0]!.imagePullPolicy, out.containers[0]!.terminationMessagePolicy],
      'defaults over a spec that sets every one of them',
    ).toEqual(['OnFailure', 0, 'Default', 'mine', { runAsUser: 1000 }, 'Never', 'FallbackToLogsOnError']);
    expect(JSON.stringify(input), 'the input after defaulting').toBe(before);
  });

  test('defaulting twice gives what defaulting once gives', ({ task }) => {
    const container = fc.record(
      { name: fc.constantFrom('a', 'b', 'c'), image: fc.constantFrom('nginx', 'nginx:1.2', 'x:latest'), imagePullPolicy: fc.option(fc.constantFrom('Always', 'Never'), { nil: undefined }) },
      { requiredKeys: ['name', 'image'] },
    );
    fc.assert(
      fc.property(fc.array(container, { minLength: 1, maxLength: 3 }), fc.option(fc.constantFrom('Never', 'OnFailure'), { nil: undefined }), (containers, restartPolicy) => {
        const input = spec(containers, restartPolicy ? { restartPolicy } : {});
        const once = defaultPodSpec(input);
        expect(defaultPodSpec(once), `defaultPodSpec twice on ${show(input)}`).toEqual(once);
      }),
      { seed: useSeed(task), numRuns: 100 },
    );
  });
});

describe('validateObjectMeta', () => {
  const rules = { namespaced: true, nameRule: 'dns1123-subdomain' as const };

  test('a name (or generateName) is required', () => {
    expect(validateObjectMeta({ namespace: 'default' }, rules), 'metadata without a name').toEqual([
      { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
    ]);
    expect(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, rules), 'metadata with only generateName').toEqual([]);
  });

  test(
    'a name made from generateName is checked like any other',
    hint('The registry fills in the name from generateName before validation: is there a case in which you skip checking metadata.name?'),
    () => {
      expect(validateObjectMeta({ name: 'Bad_x7k2p', generateName: 'Bad_', namespace: 'default' }, rules), 'name Bad_x7k2p made from generateName Bad_').toEqual([
        { reason: 'FieldValueInvalid', message: `Invalid value: "Bad_x7k2p": ${SUBDOMAIN}`, field: 'metadata.name' },
      ]);
      expect(validateObjectMeta({ name: 'web-x7k2p', generateName: 'web-', namespace: 'default' }, rules), 'name web-x7k2p made from generateName web-').toEqual([]);
    },
  );

  test('most names are DNS-1123 subdomains: one Invalid cause per problem', hint('Which function of names.ts lists the problems of a subdomain? One cause for each.'), () => {
    expect(validateObjectMeta({ name: 'web.v2', namespace: 'default' }, rules), 'name web.v2').toEqual([]);
    expect(validateObjectMeta({ name: 'Web_1', namespace: 'default' }, rules), 'name Web_1').toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "Web_1": ${SUBDOMAIN}`, field: 'metadata.name' },
    ]);
    const long = 'a'.repeat(254);
    expect(validateObjectMeta({ name: long, namespace: 'default' }, rules), 'a name of 254 characters').toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "${long}": must be no more than 253 characters`, field: 'metadata.name' },
    ]);
  });

  test("each kind's rule: labels for namespaces, DNS-1035 for Services, path segments for RBAC", hint('Which rule does each nameRule stand for? A DNS-1035 label must start with a letter.'), () => {
    expect(validateObjectMeta({ name: 'team.a' }, { namespaced: false, nameRule: 'dns1123-label' }), 'namespace named team.a').toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "team.a": must not contain dots', field: 'metadata.name' },
    ]);
    expect(validateObjectMeta({ name: '1web', namespace: 'default' }, { namespaced: true, nameRule: 'dns1035-label' }), 'Service named 1web').toEqual([
      {
        reason: 'FieldValueInvalid',
        message:
          "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        field: 'metadata.name',
      },
    ]);
    expect(validateObjectMeta({ name: 'system:controller:x' }, { namespaced: false, nameRule: 'path-segment' }), 'ClusterRole system:controller:x').toEqual([]);
    expect(validateObjectMeta({ name: 'a/b' }, { namespaced: false, nameRule: 'path-segment' }), 'ClusterRole a/b').toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "a/b": may not contain \'/\'', field: 'metadata.name' },
    ]);
    expect(
      validateObjectMeta({ name: '..' }, { namespaced: false, nameRule: 'path-segment' }).map((c) => c.message),
      'ClusterRole ..',
    ).toEqual(['Invalid value: "..": may not be \'..\'']);
  });

  test('namespaced kinds need a namespace that is a DNS-1123 label; cluster-scoped kinds must not have one', () => {
    expect(validateObjectMeta({ name: 'a' }, rules), 'namespaced object without a namespace').toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' }]);
    expect(validateObjectMeta({ name: 'a', namespace: 'Team_A' }, rules), 'namespace Team_A').toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "Team_A": ${LABEL}`, field: 'metadata.namespace' },
    ]);
    expect(validateObjectMeta({ name: 'n1', namespace: 'default' }, { namespaced: false, nameRule: 'dns1123-subdomain' }), 'a Node with a namespace').toEqual([
      { reason: 'FieldValueForbidden', message: 'Forbidden: not allowed on this type', field: 'metadata.namespace' },
    ]);
  });

  test('label keys and values, and annotation keys, must be valid', hint('For labels, is the Invalid value the key or the value? Check both, in that order.'), () => {
    expect(
      validateObjectMeta({ name: 'a', namespace: 'default', labels: { 'app.kubernetes.io/name': 'web', tier: '' }, annotations: { 'Example.com/Note': 'anything at all!' } }, rules),
      'valid labels and annotations',
    ).toEqual([]);
    const causes = validateObjectMeta({ name: 'a', namespace: 'default', labels: { 'bad key': 'ok', good: 'bad value!' }, annotations: { '/x': 'y' } }, rules);
    expect(
      causes.map((c) => [c.field, c.message.split(':')[0] + ':' + c.message.split(':')[1]]),
      'labels {"bad key": ok, good: "bad value!"}, annotations {"/x": y}',
    ).toEqual([
      ['metadata.labels', 'Invalid value: "bad key"'],
      ['metadata.labels', 'Invalid value: "bad value!"'],
      ['metadata.annotations', 'Invalid value: "/x"'],
    ]);
  });
});

describe('validatePodSpec', () => {
  test('a valid spec has no problems', () => {
    expect(
      validatePodSpec(spec([{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080, protocol: 'TCP' }] }], { restartPolicy: 'Never', terminationGracePeriodSeconds: 0 }), 'spec'),
      'a valid spec',
    ).toEqual([]);
  });

  test('at least one container, each with a name and an image', hint("What is the field path of the first container's image?"), () => {
    expect(validatePodSpec(spec([]), 'spec'), 'no containers').toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
    expect(validatePodSpec(spec([{ name: 'web' }, { image: 'x' }]), 'spec'), 'one without an image, one without a name').toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[1].name' },
    ]);
  });

  test('container names are DNS-1123 labels, unique across init and ordinary containers', hint('Do init containers and containers share one set of names?'), () => {
    expect(validatePodSpec(spec([{ name: 'setup', image: 'x' }], { initContainers: [{ name: 'setup', image: 'y' }] }), 'spec'), 'an init container and a container both named setup').toEqual([
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "setup"', field: 'spec.containers[0].name' },
    ]);
    expect(validatePodSpec(spec([{ name: 'My_Web', image: 'x' }]), 'spec'), 'a container named My_Web').toEqual([
      { reason: 'FieldValueInvalid', message: `Invalid value: "My_Web": ${LABEL}`, field: 'spec.containers[0].name' },
    ]);
  });

  test('restartPolicy, imagePullPolicy and port protocols take only their listed values', () => {
    expect(validatePodSpec(spec(undefined, { restartPolicy: 'Sometimes' }), 'spec'), 'restartPolicy Sometimes').toEqual([
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', field: 'spec.restartPolicy' },
    ]);
    expect(validatePodSpec(spec([{ name: 'c', image: 'x', imagePullPolicy: 'Maybe', ports: [{ containerPort: 80, protocol: 'HTTP' }] }]), 'spec'), 'imagePullPolicy Maybe, protocol HTTP').toEqual([
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"', field: 'spec.containers[0].imagePullPolicy' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"', field: 'spec.containers[0].ports[0].protocol' },
    ]);
  });

  test('a port 0 is missing (Required), others are between 1 and 65535; the grace period is not negative', () => {
    expect(
      validatePodSpec(spec([{ name: 'c', image: 'x', ports: [{ containerPort: 0 }, { containerPort: 65536 }] }], { terminationGracePeriodSeconds: -1 }), 'spec'),
      'ports 0 and 65536, grace -1',
    ).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].ports[0].containerPort' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 65536: must be between 1 and 65535, inclusive', field: 'spec.containers[0].ports[1].containerPort' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.terminationGracePeriodSeconds' },
    ]);
  });

  // k8s.io/kubernetes pkg/apis/core/validation/validation.go, validateContainerPorts: a port left
  // out reads as 0 in Go and is Required; any other goes through IsValidPortNum (1 to 65535), so a
  // negative port is Invalid with the same message as 65536.
  test('a port left out is missing (Required); a negative port is out of range', hint('Is a port with no containerPort at all the same as containerPort 0? Is 65535 the only bound you check?'), () => {
    expect(validatePodSpec(spec([{ name: 'c', image: 'x', ports: [{ protocol: 'TCP' }, { containerPort: -1 }] }]), 'spec'), 'a port without containerPort, and port -1').toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].ports[0].containerPort' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be between 1 and 65535, inclusive', field: 'spec.containers[0].ports[1].containerPort' },
    ]);
  });

  test("field paths start where the spec sits: a Deployment's pod spec is spec.template.spec", hint('Do you build every field path from the `path` argument?'), () => {
    expect(
      validatePodSpec(spec([{ name: 'web' }]), 'spec.template.spec').map((c) => c.field),
      'a template spec without an image',
    ).toEqual(['spec.template.spec.containers[0].image']);
  });
});

describe('findUnknownFields', () => {
  const schema: SchemaNode = {
    type: 'object',
    fields: {
      spec: { type: 'object', fields: { containers: { type: 'list', items: { type: 'object', fields: { name: { type: 'scalar' }, image: { type: 'scalar' } } } }, extra: { type: 'any' } } },
      labels: { type: 'map', values: { type: 'scalar' } },
      status: { type: 'object', fields: { phase: { type: 'scalar' } }, open: true },
    },
  };

  test('a field an object node does not list is unknown, with its full path', hint('How do you build the path of a list element: with a dot, or with [i]?'), () => {
    expect(
      findUnknownFields(
        {
          spec: {
            containers: [
              { name: 'a', image: 'x' },
              { name: 'b', imagee: 'y' },
            ],
          },
          spek: {},
        },
        schema,
      ),
      'containers[1].imagee and a top-level spek',
    ).toEqual(['spec.containers[1].imagee', 'spek']);
  });

  test('maps take any key, open objects and `any` take any field', hint('Which node types have no list of fields to check?'), () => {
    expect(
      findUnknownFields({ labels: { 'app.kubernetes.io/name': 'x' }, status: { phase: 'Running', podIP: '1.2.3.4' }, spec: { extra: { whatever: { deep: 1 } } } }, schema),
      'labels, an open status, an any',
    ).toEqual([]);
  });

  test('a value of the wrong shape is not an unknown field', () => {
    expect(findUnknownFields({ spec: 'not an object', labels: ['a'] }, schema), 'spec as a string, labels as a list').toEqual([]);
  });

  test("the real schemas: a typo deep in a Deployment's template", () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', lables: { app: 'web' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', port: 80 }] } } },
    };
    expect(findUnknownFields(deployment, schemaFor('apps/v1', 'Deployment')), 'a Deployment with metadata.lables and a container port').toEqual([
      'metadata.lables',
      'spec.template.spec.containers[0].port',
    ]);
  });
});

// Edges the first tests left open (issue 10, the mutation run of solutions/apiserver): each test
// below catches a wrong answer that passed every test above.
describe('more edges', () => {
  test(
    'a container without an image still gets a pull policy (IfNotPresent), and a spec without containers gets none',
    hint('What does your pull-policy default do when there is no image to read a tag from?'),
    () => {
      // k8s.io/kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Container): no tag to read, so IfNotPresent.
      expect(defaultPodSpec(spec([{ name: 'web' }])).containers[0]?.imagePullPolicy, 'defaultPodSpec of a container with no image').toBe('IfNotPresent');
      expect(defaultPodSpec({} as PodSpec).containers ?? [], 'the containers of defaultPodSpec({})').toEqual([]);
    },
  );

  test('DNS-1035 names (Services): up to 63 characters, a letter first, a letter or digit last', hint('Is your regular expression anchored at both ends? Is 63 characters still allowed?'), () => {
    // k8s.io/apimachinery/pkg/util/validation (IsDNS1035Label).
    const service = (name: string) =>
      validateObjectMeta({ name, namespace: 'default' }, { namespaced: true, nameRule: 'dns1035-label' }).map((c) => c.message.replace(/^Invalid value: "[^"]*": /, ''));
    for (const name of ['web', 'w', 'web-1', 'a'.repeat(63)]) expect(service(name), `Service named ${name}`).toEqual([]);
    expect(service('a'.repeat(64)), 'Service named a×64').toEqual(['must be no more than 63 characters']);
    for (const name of ['web-', 'web_1', 'Web', '-web']) expect(service(name).length, `problems of a Service named ${name}`).toBe(1);
  });

  test('a path-segment name may not be "." either', () => {
    expect(
      validateObjectMeta({ name: '.' }, { namespaced: false, nameRule: 'path-segment' }).map((c) => c.message),
      'ClusterRole .',
    ).toEqual(['Invalid value: ".": may not be \'.\'']);
  });

  test("ports 1 and 65535 are allowed; an init container's problems name spec.initContainers", () => {
    expect(validatePodSpec(spec([{ name: 'c', image: 'x', ports: [{ containerPort: 1 }, { containerPort: 65535 }] }]), 'spec'), 'ports 1 and 65535').toEqual([]);
    expect(
      validatePodSpec(spec(undefined, { initContainers: [{ name: 'init' }] }), 'spec').map((c) => c.field),
      'an init container with no image',
    ).toEqual(['spec.initContainers[0].image']);
  });

  test(
    "a null where an object or map is expected is not an unknown field, and map values are checked against the map's schema",
    hint('typeof null is "object": do you check for null? Do you walk into each value of a map?'),
    () => {
      const schema: SchemaNode = {
        type: 'object',
        fields: { labels: { type: 'map', values: { type: 'scalar' } }, ports: { type: 'map', values: { type: 'object', fields: { port: { type: 'scalar' } } } } },
      };
      expect(findUnknownFields({ labels: null, ports: { http: null } }, schema), 'labels: null (what YAML gives for an empty "labels:")').toEqual([]);
      expect(findUnknownFields({ ports: { http: { port: 80, prot: 'TCP' } } }, schema), 'a map of objects with a typo in one value').toEqual(['ports.http.prot']);
    },
  );
});
