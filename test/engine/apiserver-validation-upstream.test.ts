/**
 * The apiserver's validation answers against upstream's own (issue 8, deliverable 4): each row
 * sends one request to a real in-process apiserver (the reference implementation) and compares the
 * whole answer — status code, and for a 422 every cause's field and message, in order, and the
 * Status message built from them — with what Kubernetes 1.32 answers for the same request.
 *
 * Each row names where upstream's answer comes from: the upstream test that covers the case
 * (kubernetes/kubernetes pkg/apis/.../validation_test.go, apimachinery's validation tests) and the
 * function whose message it is. Messages are upstream's constants and format strings, as
 * field.Error.ErrorBody prints them (apimachinery pkg/util/validation/field/errors.go: strings
 * with %q, numbers bare, pointers dereferenced, other types with %#v; TooLong without the value).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KubeObject, Status } from '#engine/kube/types.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

type Any = Record<string, any>;

// Upstream's messages (apimachinery pkg/util/validation/validation.go), written out here once.
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_RULE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_EXAMPLES = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const NAME_PART = `name part ${QUALIFIED_NAME_RULE} ${QUALIFIED_NAME_EXAMPLES}`;
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const IMMUTABLE_WHEN_SET = 'Forbidden: field is immutable when `immutable` is set';
const MIB = 1024 * 1024;

interface Row {
  /** The upstream test (or doc) the answer comes from, and the function that words it. */
  source: string;
  title: string;
  /** The collection the object is POSTed to. */
  path: string;
  body: Any;
  /** For an update: the object is created as `body`, then PUT as `update(stored)` returns it. */
  update?(stored: Any): Any;
  code: 201 | 200 | 400 | 422;
  /** For 422: every cause as [field, message], in upstream's order (`{name}` is the object's name). */
  causes?: [string, string][];
  /** For 400: the Status message. */
  message?: string;
}

const PODS = '/api/v1/namespaces/default/pods';
const CONFIG_MAPS = '/api/v1/namespaces/default/configmaps';
const SECRETS = '/api/v1/namespaces/default/secrets';
const SERVICES = '/api/v1/namespaces/default/services';
const NAMESPACES = '/api/v1/namespaces';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const STATEFUL_SETS = '/apis/apps/v1/namespaces/default/statefulsets';
const DAEMON_SETS = '/apis/apps/v1/namespaces/default/daemonsets';
const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const CRON_JOBS = '/apis/batch/v1/namespaces/default/cronjobs';
const CLAIMS = '/api/v1/namespaces/default/persistentvolumeclaims';
const ROLES = '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles';
const ROLE_BINDINGS = '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings';
const CLUSTER_ROLE_BINDINGS = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
const RBAC_TEST = 'kubernetes pkg/apis/rbac/validation/validation_test.go';
const RBAC = 'rbac.authorization.k8s.io';

function pod(name: string, container: Any = {}, spec: Any = {}, meta: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...meta }, spec: { containers: [{ name: 'web', image: 'nginx', ...container }], ...spec } };
}

function resources(name: string, r: Any): Any {
  return pod(name, { resources: r });
}

function ports(name: string, list: Any[]): Any {
  return pod(name, { ports: list });
}

function configMap(name: string, extra: Any = {}, meta: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, ...extra };
}

function service(name: string, spec: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } };
}

const TEMPLATE = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

function deployment(name: string, spec: Any = {}): Any {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { selector: { matchLabels: { app: 'web' } }, template: TEMPLATE, ...spec } };
}

function statefulSet(name: string, spec: Any = {}): Any {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name }, spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: TEMPLATE, ...spec } };
}

function job(name: string, spec: Any = {}, restartPolicy = 'Never'): Any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'work', image: 'busybox' }] } }, ...spec },
  };
}

function claim(name: string, spec: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}

function role(name: string, rules: Any[]): Any {
  return { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name }, rules };
}

function roleBinding(name: string, roleRef: Any, subjects: Any[] = [{ kind: 'User', name: 'alice' }]): Any {
  return { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'reader', ...roleRef }, subjects };
}

function cronJob(name: string, spec: Any = {}): Any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'work', image: 'busybox' }] } } } }, ...spec },
  };
}

const CORE_TEST = 'kubernetes pkg/apis/core/validation/validation_test.go';
const APPS_TEST = 'kubernetes pkg/apis/apps/validation/validation_test.go';
const BATCH_TEST = 'kubernetes pkg/apis/batch/validation/validation_test.go';
const NAMES_TEST = 'apimachinery pkg/util/validation/validation_test.go';
const META_TEST = 'apimachinery pkg/api/validation/objectmeta_test.go';
const LABELS_TEST = 'apimachinery pkg/apis/meta/v1/validation/validation_test.go';

const NODES = '/api/v1/nodes';
const VOLUMES = '/api/v1/persistentvolumes';
const STORAGE_CLASSES = '/apis/storage.k8s.io/v1/storageclasses';
const ENDPOINTS = '/api/v1/namespaces/default/endpoints';
const EVENTS = '/api/v1/namespaces/default/events';
const SERVICE_ACCOUNTS = '/api/v1/namespaces/default/serviceaccounts';
const CORE_VALIDATION = 'kubernetes pkg/apis/core/validation/validation.go';
const EVENTS_VALIDATION = 'kubernetes pkg/apis/core/validation/events.go legacyValidateEvent';
const STORAGE_VALIDATION = 'kubernetes pkg/apis/storage/validation/validation.go';
const TAINT_EFFECTS = 'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"';
const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

function node(name: string, spec: Any = {}, status?: Any): Any {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec, ...(status ? { status } : {}) };
}

function volume(name: string, spec: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' }, ...spec } };
}

function storageClass(name: string, extra: Any = {}): Any {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'kubelings.io/hostpath', ...extra };
}

function endpoints(name: string, subsets: Any[]): Any {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name }, subsets };
}

/** A subset with one address and one port, each part replaceable. */
function subset(address: Any = {}, ports: Any[] = [{ port: 80 }]): Any {
  return { addresses: [{ ip: '10.1.2.3', ...address }], ports };
}

function event(name: string, extra: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started', message: 'started', ...extra };
}

/** An events.k8s.io-style event written through core/v1: eventTime set, so the reporting fields are required. */
function newEvent(name: string, extra: Any = {}): Any {
  return event(name, { eventTime: '2026-01-01T00:00:00.000000Z', reportingComponent: 'kubelings.io/test', reportingInstance: 'test-1', action: 'Start', ...extra });
}

function secret(name: string, type: string, data: Any = {}, meta: Any = {}): Any {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, ...meta }, type, data };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

const ROWS: Row[] = [
  // --- names and generated names ---
  {
    source: `${NAMES_TEST} TestIsDNS1123Subdomain ("A", "a_b" are bad); ValidateObjectMeta`,
    title: 'a Pod named Bad_Name',
    path: PODS,
    body: pod('Bad_Name'),
    code: 422,
    causes: [['metadata.name', `Invalid value: "Bad_Name": ${SUBDOMAIN}`]],
  },
  {
    source: `${NAMES_TEST} TestIsDNS1123Subdomain ("a..b" is bad)`,
    title: 'a Pod named a..b',
    path: PODS,
    body: pod('a..b'),
    code: 422,
    causes: [['metadata.name', `Invalid value: "a..b": ${SUBDOMAIN}`]],
  },
  {
    source: `${NAMES_TEST} TestIsDNS1123Subdomain (254 characters is bad); MaxLenError`,
    title: 'a Pod name of 254 characters',
    path: PODS,
    body: pod('a'.repeat(254)),
    code: 422,
    causes: [['metadata.name', `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`]],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "invalid name"`,
    title: 'a ConfigMap named NoUppercaseOrSpecialCharsLike=Equals',
    path: CONFIG_MAPS,
    body: configMap('NoUppercaseOrSpecialCharsLike=Equals'),
    code: 422,
    causes: [['metadata.name', `Invalid value: "NoUppercaseOrSpecialCharsLike=Equals": ${SUBDOMAIN}`]],
  },
  {
    source: `${CORE_TEST} TestValidateNamespace (names are DNS labels); IsDNS1123Label: a valid subdomain that is not a label "must not contain dots"`,
    title: 'a Namespace named a.b',
    path: NAMESPACES,
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } },
    code: 422,
    causes: [['metadata.name', 'Invalid value: "a.b": must not contain dots']],
  },
  {
    source: `${NAMES_TEST} TestIsDNS1123Label (64 characters is bad); SetDefaults_Namespace (pkg/apis/core/v1/defaults.go) copies the name into the kubernetes.io/metadata.name label, whose value is then too long too, as a real cluster answers \`kubectl create ns\` (clusternet/clusternet#439, comment of 2022-08-02)`,
    title: 'a Namespace name of 64 characters',
    path: NAMESPACES,
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n'.repeat(64) } },
    code: 422,
    causes: [
      ['metadata.name', `Invalid value: "${'n'.repeat(64)}": must be no more than 63 characters`],
      ['metadata.labels', `Invalid value: "${'n'.repeat(64)}": must be no more than 63 characters`],
    ],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate "invalid name" (ValidateServiceName is DNS-1035)`,
    title: 'a Service named 1web',
    path: SERVICES,
    body: service('1web'),
    code: 422,
    causes: [['metadata.name', `Invalid value: "1web": ${DNS1035}`]],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate (a dot is not allowed in a DNS-1035 label)`,
    title: 'a Service named web.svc',
    path: SERVICES,
    body: service('web.svc'),
    code: 422,
    causes: [['metadata.name', `Invalid value: "web.svc": ${DNS1035}`]],
  },
  {
    source: `${APPS_TEST} TestValidateStatefulSet "invalid name" (ValidateStatefulSetName is a DNS label)`,
    title: 'a StatefulSet named web.v1',
    path: STATEFUL_SETS,
    body: statefulSet('web.v1'),
    code: 422,
    causes: [['metadata.name', 'Invalid value: "web.v1": must not contain dots']],
  },
  {
    source: `${META_TEST} TestValidateObjectMetaNamespaces / ValidateObjectMetaAccessor (generateName checked as a prefix, then the generated name); issue 8 "generateName: Bad_"`,
    title: 'generateName Bad_ on a Pod',
    path: PODS,
    body: pod('', {}, {}, { name: undefined, generateName: 'Bad_' }),
    code: 422,
    causes: [
      ['metadata.generateName', `Invalid value: "Bad_": ${SUBDOMAIN}`],
      ['metadata.name', `Invalid value: "{name}": ${SUBDOMAIN}`],
    ],
  },
  {
    source: `${META_TEST} ValidateObjectMetaAccessor (the generated name is validated too)`,
    title: 'generateName web_ on a ConfigMap',
    path: CONFIG_MAPS,
    body: configMap('', {}, { name: undefined, generateName: 'web_' }),
    code: 422,
    causes: [
      ['metadata.generateName', `Invalid value: "web_": ${SUBDOMAIN}`],
      ['metadata.name', `Invalid value: "{name}": ${SUBDOMAIN}`],
    ],
  },
  {
    source: `${META_TEST} TestValidateObjectMetaTrimsTrailingSlash / "name or generateName is required"`,
    title: 'neither name nor generateName',
    path: CONFIG_MAPS,
    body: configMap('', {}, { name: undefined }),
    code: 422,
    causes: [['metadata.name', 'Required value: name or generateName is required']],
  },

  // --- labels, annotations, finalizers, owner references ---
  {
    source: `${LABELS_TEST} TestValidateLabels ("bad key" is not a qualified name)`,
    title: 'a label key with a space',
    path: CONFIG_MAPS,
    body: configMap('labels-space', {}, { labels: { 'bad key': 'v' } }),
    code: 422,
    causes: [['metadata.labels', `Invalid value: "bad key": ${NAME_PART}`]],
  },
  {
    source: `${NAMES_TEST} TestIsQualifiedName ("example.com/" is bad: name part empty, and so not matching the regex either)`,
    title: 'a label key with an empty name part',
    path: CONFIG_MAPS,
    body: configMap('labels-empty', {}, { labels: { 'example.com/': 'v' } }),
    code: 422,
    causes: [
      ['metadata.labels', 'Invalid value: "example.com/": name part must be non-empty'],
      ['metadata.labels', `Invalid value: "example.com/": ${NAME_PART}`],
    ],
  },
  {
    source: `${NAMES_TEST} TestIsQualifiedName (an upper-case prefix is bad)`,
    title: 'a label key whose prefix is not a subdomain',
    path: CONFIG_MAPS,
    body: configMap('labels-prefix', {}, { labels: { 'Example.com/app': 'v' } }),
    code: 422,
    causes: [['metadata.labels', `Invalid value: "Example.com/app": prefix part ${SUBDOMAIN}`]],
  },
  {
    source: `${NAMES_TEST} TestIsQualifiedName (a name part of 64 characters is bad)`,
    title: 'a label key name part of 64 characters',
    path: CONFIG_MAPS,
    body: configMap('labels-long-key', {}, { labels: { ['k'.repeat(64)]: 'v' } }),
    code: 422,
    causes: [['metadata.labels', `Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`]],
  },
  {
    source: `${NAMES_TEST} TestIsQualifiedName ("a/b/c" is bad: two slashes)`,
    title: 'a label key with two slashes',
    path: CONFIG_MAPS,
    body: configMap('labels-slashes', {}, { labels: { 'a/b/c': 'v' } }),
    code: 422,
    causes: [
      ['metadata.labels', `Invalid value: "a/b/c": a qualified name ${QUALIFIED_NAME_RULE} ${QUALIFIED_NAME_EXAMPLES} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ],
  },
  {
    source: `${NAMES_TEST} TestIsValidLabelValue (64 characters is bad)`,
    title: 'a label value of 64 characters',
    path: CONFIG_MAPS,
    body: configMap('labels-long-value', {}, { labels: { app: 'v'.repeat(64) } }),
    code: 422,
    causes: [['metadata.labels', `Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`]],
  },
  {
    source: `${NAMES_TEST} TestIsValidLabelValue ("-starts-with-dash" is bad)`,
    title: 'a label value starting with a dash',
    path: CONFIG_MAPS,
    body: configMap('labels-dash', {}, { labels: { app: '-web' } }),
    code: 422,
    causes: [['metadata.labels', `Invalid value: "-web": ${LABEL_VALUE}`]],
  },
  {
    source: `${META_TEST} TestValidateAnnotations ("bad key" is bad)`,
    title: 'an annotation key with a space',
    path: CONFIG_MAPS,
    body: configMap('annotations-space', {}, { annotations: { 'bad key': 'v' } }),
    code: 422,
    causes: [['metadata.annotations', `Invalid value: "bad key": ${NAME_PART}`]],
  },
  {
    source: `${META_TEST} TestValidateAnnotations (TotalAnnotationSizeLimitB = 256 KiB); field.TooLong`,
    title: 'annotations over 256 KiB',
    path: CONFIG_MAPS,
    body: configMap('annotations-big', {}, { annotations: { big: 'x'.repeat(256 * 1024) } }),
    code: 422,
    causes: [['metadata.annotations', 'Too long: may not be more than 262144 bytes']],
  },
  {
    source: `${META_TEST} TestValidateAnnotations (exactly 256 KiB is fine)`,
    title: 'annotations of exactly 256 KiB',
    path: CONFIG_MAPS,
    body: configMap('annotations-fit', {}, { annotations: { fit: 'x'.repeat(256 * 1024 - 3) } }),
    code: 201,
  },
  {
    source: `${CORE_TEST} TestValidateFinalizersUpdate / validateKubeFinalizerName`,
    title: 'a finalizer that is neither standard nor qualified',
    path: CONFIG_MAPS,
    body: configMap('finalizer-plain', {}, { finalizers: ['my-finalizer'] }),
    code: 422,
    causes: [['metadata.finalizers[0]', 'Invalid value: "my-finalizer": name is neither a standard finalizer name nor is it fully qualified']],
  },
  {
    source: `${META_TEST} TestValidateFinalizers / ValidateFinalizerName, then the core validateKubeFinalizerName at the index`,
    title: 'a finalizer with a space',
    path: CONFIG_MAPS,
    body: configMap('finalizer-space', {}, { finalizers: ['bad name'] }),
    code: 422,
    causes: [
      ['metadata.finalizers', `Invalid value: "bad name": ${NAME_PART}`],
      ['metadata.finalizers[0]', `Invalid value: "bad name": ${NAME_PART}`],
    ],
  },
  {
    source: `${META_TEST} TestValidateObjectMetaOwnerReferences ("uid must not be empty")`,
    title: 'an owner reference without a uid',
    path: CONFIG_MAPS,
    body: configMap('owner-no-uid', {}, { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '' }] }),
    code: 422,
    causes: [['metadata.ownerReferences.uid', 'Invalid value: "": uid must not be empty']],
  },

  // --- resource quantities ---
  {
    source: `apimachinery pkg/api/resource/quantity_test.go TestQuantityParseErrors ("abc"); the decoder's "cannot be handled as" (400)`,
    title: 'cpu: abc',
    path: PODS,
    body: resources('cpu-abc', { limits: { cpu: 'abc' } }),
    code: 400,
    message: `Pod in version "v1" cannot be handled as a Pod: ${QUANTITY_FORMAT}`,
  },
  {
    source: `apimachinery pkg/api/resource/quantity_test.go TestQuantityParseErrors ("1Gb" is not a suffix)`,
    title: 'memory: 1Gb',
    path: PODS,
    body: resources('mem-gb', { requests: { memory: '1Gb' } }),
    code: 400,
    message: `Pod in version "v1" cannot be handled as a Pod: ${QUANTITY_FORMAT}`,
  },
  {
    source: `apimachinery pkg/api/resource/quantity_test.go TestQuantityParseErrors (ErrSuffix)`,
    title: 'memory: 1MM',
    path: PODS,
    body: resources('mem-mm', { requests: { memory: '1MM' } }),
    code: 400,
    message: `Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix`,
  },
  {
    source: `apimachinery pkg/api/resource/quantity_test.go TestQuantityParseErrors; the decoder reads the template's resources too`,
    title: 'a Deployment template with cpu: lots',
    path: DEPLOYMENTS,
    body: deployment('cpu-lots', { template: { ...TEMPLATE, spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: 'lots' } } }] } } }),
    code: 400,
    message: `Deployment in version "v1" cannot be handled as a Deployment: ${QUANTITY_FORMAT}`,
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements "Resources with negative values" (ValidateResourceQuantityValue)`,
    title: 'memory: -1Gi',
    path: PODS,
    body: resources('mem-negative', { limits: { memory: '-1Gi' } }),
    code: 422,
    causes: [['spec.containers[0].resources.limits[memory]', 'Invalid value: "-1Gi": must be greater than or equal to 0']],
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements (negative requests)`,
    title: 'requests cpu: -100m',
    path: PODS,
    body: resources('cpu-negative', { requests: { cpu: '-100m' } }),
    code: 422,
    causes: [['spec.containers[0].resources.requests[cpu]', 'Invalid value: "-100m": must be greater than or equal to 0']],
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements "Resources with requests Larger Than Limits"`,
    title: 'cpu requests above limits',
    path: PODS,
    body: resources('cpu-over', { requests: { cpu: '600m' }, limits: { cpu: '500m' } }),
    code: 422,
    causes: [['spec.containers[0].resources.requests', 'Invalid value: "600m": must be less than or equal to cpu limit of 500m']],
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements (memory requests above limits)`,
    title: 'memory requests above limits',
    path: PODS,
    body: resources('mem-over', { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } }),
    code: 422,
    causes: [['spec.containers[0].resources.requests', 'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi']],
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements (requests equal to limits are fine)`,
    title: 'requests equal to limits',
    path: PODS,
    body: resources('cpu-equal', { requests: { cpu: '0.5' }, limits: { cpu: '500m' } }),
    code: 201,
  },
  {
    source: `${CORE_TEST} TestValidateContainers "Resource CPU invalid" / validateContainerResourceName (a ResourceName prints unquoted)`,
    title: 'a resource named cpuu',
    path: PODS,
    body: resources('cpuu', { limits: { cpuu: '1' } }),
    code: 422,
    causes: [
      ['spec.containers[0].resources.limits[cpuu]', 'Invalid value: cpuu: must be a standard resource type or fully qualified'],
      ['spec.containers[0].resources.limits[cpuu]', 'Invalid value: cpuu: must be a standard resource for containers'],
    ],
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements "extended resource without limit" (IsOvercommitAllowed)`,
    title: 'an extended resource requested without a limit',
    path: PODS,
    body: resources('gpu-no-limit', { requests: { 'example.com/gpu': '1' } }),
    code: 422,
    causes: [['spec.containers[0].resources.limits', 'Required value: Limit must be set for non overcommitable resources']],
  },
  {
    source: `${CORE_TEST} TestValidateResourceRequirements "extended resource requests not equal to limits"`,
    title: 'an extended resource with requests unlike limits',
    path: PODS,
    body: resources('gpu-unequal', { requests: { 'example.com/gpu': '2' }, limits: { 'example.com/gpu': '1' } }),
    code: 422,
    causes: [['spec.containers[0].resources.requests', 'Invalid value: "2": must be equal to example.com/gpu limit of 1']],
  },
  {
    source: `${APPS_TEST} TestValidateDeployment (the template's pod spec is ValidatePodSpec at spec.template.spec)`,
    title: 'a Deployment template with cpu: -1',
    path: DEPLOYMENTS,
    body: deployment('cpu-negative', { template: { ...TEMPLATE, spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '-1' } } }] } } }),
    code: 422,
    causes: [['spec.template.spec.containers[0].resources.limits[cpu]', 'Invalid value: "-1": must be greater than or equal to 0']],
  },

  // --- ports ---
  {
    source: `${CORE_TEST} TestValidatePorts "zero container port" (Required)`,
    title: 'containerPort 0',
    path: PODS,
    body: ports('port-zero', [{ containerPort: 0 }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].containerPort', 'Required value']],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "invalid container port" (IsValidPortNum)`,
    title: 'containerPort 70000',
    path: PODS,
    body: ports('port-big', [{ containerPort: 70000 }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].containerPort', `Invalid value: 70000: ${PORT_RANGE}`]],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "name > 15 characters" (IsValidPortName)`,
    title: 'a port name of 16 characters',
    path: PODS,
    body: ports('port-long-name', [{ name: 'abcdefghijklmnop', containerPort: 80 }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].name', 'Invalid value: "abcdefghijklmnop": must be no more than 15 characters']],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "name contains invalid characters" (IsValidPortName: no lower-case letter either)`,
    title: 'a port name with capitals',
    path: PODS,
    body: ports('port-caps', [{ name: 'HTTP', containerPort: 80 }]),
    code: 422,
    causes: [
      ['spec.containers[0].ports[0].name', 'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
      ['spec.containers[0].ports[0].name', 'Invalid value: "HTTP": must contain at least one letter (a-z)'],
    ],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "name is a number"`,
    title: 'a port name without a letter',
    path: PODS,
    body: ports('port-number-name', [{ name: '8080', containerPort: 80 }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].name', 'Invalid value: "8080": must contain at least one letter (a-z)']],
  },
  {
    source: `${NAMES_TEST} TestIsValidPortName ("a--b" is bad)`,
    title: 'a port name with two hyphens in a row',
    path: PODS,
    body: ports('port-hyphens', [{ name: 'a--b', containerPort: 80 }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].name', 'Invalid value: "a--b": must not contain consecutive hyphens']],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "name not unique"`,
    title: 'two ports named http',
    path: PODS,
    body: ports('port-dup', [
      { name: 'http', containerPort: 80 },
      { name: 'http', containerPort: 81 },
    ]),
    code: 422,
    causes: [['spec.containers[0].ports[1].name', 'Duplicate value: "http"']],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "invalid host port"`,
    title: 'hostPort 70000',
    path: PODS,
    body: ports('port-host-big', [{ containerPort: 80, hostPort: 70000 }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].hostPort', `Invalid value: 70000: ${PORT_RANGE}`]],
  },
  {
    source: `${CORE_TEST} TestValidatePorts "invalid protocol case"`,
    title: 'protocol HTTP',
    path: PODS,
    body: ports('port-proto', [{ containerPort: 80, protocol: 'HTTP' }]),
    code: 422,
    causes: [['spec.containers[0].ports[0].protocol', 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate "invalid port" (validateServicePort; SetDefaults_Service made targetPort the port, 0)`,
    title: 'a Service port 0',
    path: SERVICES,
    body: service('port-zero', { ports: [{ port: 0 }] }),
    code: 422,
    causes: [
      ['spec.ports[0].port', `Invalid value: 0: ${PORT_RANGE}`],
      ['spec.ports[0].targetPort', `Invalid value: 0: ${PORT_RANGE}`],
    ],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate "invalid targetport int"`,
    title: 'a Service targetPort 70000',
    path: SERVICES,
    body: service('target-big', { ports: [{ port: 80, targetPort: 70000 }] }),
    code: 422,
    causes: [['spec.ports[0].targetPort', `Invalid value: 70000: ${PORT_RANGE}`]],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate "missing port name" (required when there are several)`,
    title: 'a second Service port without a name',
    path: SERVICES,
    body: service('port-unnamed', { ports: [{ name: 'a', port: 80 }, { port: 81 }] }),
    code: 422,
    causes: [['spec.ports[1].name', 'Required value']],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate "invalid protocol"`,
    title: 'a Service port protocol ICMP',
    path: SERVICES,
    body: service('port-icmp', { ports: [{ port: 80, protocol: 'ICMP' }] }),
    code: 422,
    causes: [['spec.ports[0].protocol', 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
  },
  {
    source: `${CORE_TEST} TestValidateServiceCreate "invalid type" (sorted supportedServiceType)`,
    title: 'a Service of type Weird',
    path: SERVICES,
    body: service('type-weird', { type: 'Weird' }),
    code: 422,
    causes: [['spec.type', 'Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
  },

  // --- ConfigMap and Secret data ---
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "over max size" (core.MaxSecretSize; field.NewPath("") prints as [])`,
    title: 'a ConfigMap over 1 MiB',
    path: CONFIG_MAPS,
    body: configMap('big', { data: { key: 'a'.repeat(MIB + 1) } }),
    code: 422,
    causes: [['[]', 'Too long: may not be more than 1048576 bytes']],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "binary data max size" (data and binaryData count together)`,
    title: 'a ConfigMap whose data and binaryData together pass 1 MiB',
    path: CONFIG_MAPS,
    body: configMap('big-mixed', { data: { text: 'a'.repeat(MIB / 2) }, binaryData: { bin: Buffer.alloc(MIB / 2 + 1).toString('base64') } }),
    code: 422,
    causes: [['[]', 'Too long: may not be more than 1048576 bytes']],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap (1 MiB exactly is within MaxSecretSize)`,
    title: 'a ConfigMap of exactly 1 MiB',
    path: CONFIG_MAPS,
    body: configMap('one-mib', { data: { key: 'a'.repeat(MIB) } }),
    code: 201,
  },
  {
    source: `kubernetes pkg/apis/core/validation/secrets_test.go TestValidateSecret "over max size"`,
    title: 'a Secret over 1 MiB',
    path: SECRETS,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, data: { key: Buffer.alloc(MIB + 1).toString('base64') } },
    code: 422,
    causes: [['data', 'Too long: may not be more than 1048576 bytes']],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "invalid key" (IsConfigMapKey)`,
    title: 'a ConfigMap key a*b',
    path: CONFIG_MAPS,
    body: configMap('key-star', { data: { 'a*b': 'v' } }),
    code: 422,
    causes: [['data[a*b]', `Invalid value: "a*b": ${CONFIG_KEY}`]],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "dot key"`,
    title: 'a ConfigMap key .',
    path: CONFIG_MAPS,
    body: configMap('key-dot', { data: { '.': 'v' } }),
    code: 422,
    causes: [['data[.]', `Invalid value: ".": must not be '.'`]],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "double dot key"`,
    title: 'a ConfigMap key ..',
    path: CONFIG_MAPS,
    body: configMap('key-dots', { data: { '..': 'v' } }),
    code: 422,
    causes: [['data[..]', `Invalid value: "..": must not be '..'`]],
  },
  {
    source: `${NAMES_TEST} TestIsConfigMapKey ("..a" is bad: hasChDirPrefix)`,
    title: 'a ConfigMap key ..a',
    path: CONFIG_MAPS,
    body: configMap('key-dots-prefix', { data: { '..a': 'v' } }),
    code: 422,
    causes: [['data[..a]', `Invalid value: "..a": must not start with '..'`]],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "over max key length"`,
    title: 'a ConfigMap key of 254 characters',
    path: CONFIG_MAPS,
    body: configMap('key-long', { data: { ['k'.repeat(254)]: 'v' } }),
    code: 422,
    causes: [[`data[${'k'.repeat(254)}]`, `Invalid value: "${'k'.repeat(254)}": must be no more than 253 characters`]],
  },
  {
    source: `kubernetes pkg/apis/core/validation/config_maps_test.go TestValidateConfigMap "duplicated key"`,
    title: 'a key in both data and binaryData',
    path: CONFIG_MAPS,
    body: configMap('key-both', { data: { key: 'v' }, binaryData: { key: 'dmFsdWUy' } }),
    code: 422,
    causes: [['data[key]', 'Invalid value: "key": duplicate of key present in binaryData']],
  },
  {
    source: `apimachinery pkg/runtime/serializer/json (a []byte field is base64: encoding/base64 CorruptInputError) before validation: 400`,
    title: 'a Secret value that is not base64',
    path: SECRETS,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'not-base64' }, data: { password: 'hunter2' } },
    code: 400,
    message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
  },

  // --- immutable fields ---
  {
    source: `kubernetes pkg/registry/core/configmap/strategy_test.go (immutable ConfigMaps); ValidateConfigMapUpdate`,
    title: 'changing an immutable ConfigMap',
    path: CONFIG_MAPS,
    body: configMap('frozen', { data: { a: '1' }, immutable: true }),
    update: (cm) => ({ ...cm, data: { a: '2' } }),
    code: 422,
    causes: [['data', IMMUTABLE_WHEN_SET]],
  },
  {
    source: `kubernetes pkg/apis/core/validation/secrets_test.go TestValidateSecretUpdate (ValidateImmutableField on type)`,
    title: 'changing a Secret type',
    path: SECRETS,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'typed' }, type: 'Opaque', data: { a: 'MQ==' } },
    update: (s) => ({ ...s, type: 'example.com/custom' }),
    code: 422,
    causes: [['type', 'Invalid value: "example.com/custom": field is immutable']],
  },
  {
    source: `${APPS_TEST} TestValidateStatefulSetUpdate "update serviceName"`,
    title: 'changing a StatefulSet serviceName',
    path: STATEFUL_SETS,
    body: statefulSet('web'),
    update: (s) => ({ ...s, spec: { ...s.spec, serviceName: 'other' } }),
    code: 422,
    causes: [
      [
        'spec',
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ],
    ],
  },
  {
    source: `${CORE_TEST} TestValidateServiceUpdate "change primary ClusterIP" (validateUpgradeDowngradeClusterIPs)`,
    title: 'changing a Service clusterIP',
    path: SERVICES,
    body: service('fixed-ip'),
    update: (s) => {
      // Another free address of the same service range as the one allocated.
      const octets = String(s.spec.clusterIP).split('.');
      const ip = [...octets.slice(0, 3), octets[3] === '250' ? '251' : '250'].join('.');
      return { ...s, spec: { ...s.spec, clusterIP: ip, clusterIPs: [ip] } };
    },
    code: 422,
    causes: [['spec.clusterIPs[0]', 'Invalid value: []string{"{ip}"}: may not change once set']],
  },
  {
    source: `${APPS_TEST} TestValidateDeploymentUpdate (ValidateImmutableField on spec.selector; a *LabelSelector is dereferenced and printed with %#v)`,
    title: 'changing a Deployment selector',
    path: DEPLOYMENTS,
    body: deployment('selector-change'),
    update: (d) => ({ ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'other' } }, template: { ...d.spec.template, metadata: { labels: { app: 'other' } } } } }),
    code: 422,
    causes: [['spec.selector', 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable']],
  },
  {
    source: `${BATCH_TEST} TestValidateJobUpdate "immutable completions for non-indexed jobs" (a *int32 is dereferenced)`,
    title: 'changing a Job completions',
    path: JOBS,
    body: job('completions', { completions: 2 }),
    update: (j) => ({ ...j, spec: { ...j.spec, completions: 3 } }),
    code: 422,
    causes: [['spec.completions', 'Invalid value: 3: field is immutable']],
  },

  // --- workloads ---
  {
    source: `${APPS_TEST} TestValidateDeployment "negative replicas"`,
    title: 'a Deployment with replicas -1',
    path: DEPLOYMENTS,
    body: deployment('replicas-negative', { replicas: -1 }),
    code: 422,
    causes: [['spec.replicas', 'Invalid value: -1: must be greater than or equal to 0']],
  },
  {
    source: `${APPS_TEST} TestValidateDeployment "selector does not match labels" (ValidatePodTemplateSpecForReplicaSet)`,
    title: 'a Deployment whose selector misses its template',
    path: DEPLOYMENTS,
    body: deployment('selector-miss', { selector: { matchLabels: { app: 'db' } } }),
    code: 422,
    causes: [['spec.template.metadata.labels', 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
  },
  {
    source: `${APPS_TEST} TestValidateDeployment "empty selector"`,
    title: 'a Deployment with an empty selector',
    path: DEPLOYMENTS,
    body: deployment('selector-empty', { selector: {} }),
    code: 422,
    causes: [['spec.selector', 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment']],
  },
  {
    source: `${APPS_TEST} TestValidateDeployment "invalid restart policy"`,
    title: 'a Deployment template with restartPolicy Never',
    path: DEPLOYMENTS,
    body: deployment('restart-never', { template: { ...TEMPLATE, spec: { ...TEMPLATE.spec, restartPolicy: 'Never' } } }),
    code: 422,
    causes: [['spec.template.spec.restartPolicy', 'Unsupported value: "Never": supported values: "Always"']],
  },
  {
    source: `${APPS_TEST} TestValidateDeployment "maxUnavailable > 100%" (IsNotMoreThan100Percent)`,
    title: 'a Deployment with maxUnavailable 150%',
    path: DEPLOYMENTS,
    body: deployment('unavailable-150', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } } }),
    code: 422,
    causes: [['spec.strategy.rollingUpdate.maxUnavailable', 'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%']],
  },
  {
    source: `${APPS_TEST} TestValidateStatefulSet "invalid restart policy"`,
    title: 'a StatefulSet template with restartPolicy OnFailure',
    path: STATEFUL_SETS,
    body: statefulSet('restart-onfailure', { template: { ...TEMPLATE, spec: { ...TEMPLATE.spec, restartPolicy: 'OnFailure' } } }),
    code: 422,
    causes: [['spec.template.spec.restartPolicy', 'Unsupported value: "OnFailure": supported values: "Always"']],
  },
  {
    source: `${APPS_TEST} TestValidateDaemonSet "selector_doesnt_match"`,
    title: 'a DaemonSet whose selector misses its template',
    path: DAEMON_SETS,
    body: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds-miss' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: TEMPLATE } },
    code: 422,
    causes: [['spec.template.metadata.labels', 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
  },
  {
    source: `${BATCH_TEST} TestValidateJob "spec.template.spec.restartPolicy: Required value"`,
    title: 'a Job with restartPolicy Always',
    path: JOBS,
    body: job('restart-always', {}, 'Always'),
    code: 422,
    causes: [['spec.template.spec.restartPolicy', 'Required value: valid values: "OnFailure", "Never"']],
  },
  {
    source: `${BATCH_TEST} TestValidateJob "spec.parallelism:must be greater than or equal to 0"`,
    title: 'a Job with parallelism -1',
    path: JOBS,
    body: job('parallelism-negative', { parallelism: -1 }),
    code: 422,
    causes: [['spec.parallelism', 'Invalid value: -1: must be greater than or equal to 0']],
  },
  {
    source: `${BATCH_TEST} TestValidateCronJob "spec.concurrencyPolicy: Unsupported value"`,
    title: 'a CronJob with concurrencyPolicy Sometimes',
    path: CRON_JOBS,
    body: cronJob('policy-sometimes', { concurrencyPolicy: 'Sometimes' }),
    code: 422,
    causes: [['spec.concurrencyPolicy', 'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
  },
  {
    source: `${BATCH_TEST} TestValidateCronJob "spec.schedule: cannot use TZ"`,
    title: 'a CronJob schedule with TZ',
    path: CRON_JOBS,
    body: cronJob('schedule-tz', { schedule: 'TZ=UTC 0 * * * *' }),
    code: 422,
    causes: [['spec.schedule', 'Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
  },
  {
    source: `${BATCH_TEST} TestValidateCronJob "metadata.name: must be no more than 52 characters"`,
    title: 'a CronJob name of 53 characters',
    path: CRON_JOBS,
    body: cronJob('c'.repeat(53)),
    code: 422,
    causes: [['metadata.name', `Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`]],
  },

  // --- other kinds: claims, RBAC, leases ---
  {
    source: `${CORE_TEST} TestValidatePersistentVolumeClaim "missing-access-modes"`,
    title: 'a claim without access modes',
    path: CLAIMS,
    body: claim('no-modes', { accessModes: [] }),
    code: 422,
    causes: [['spec.accessModes', 'Required value: at least 1 access mode is required']],
  },
  {
    source: `${CORE_TEST} TestValidatePersistentVolumeClaim "invalid-accessmode" (sorted supportedAccessModes)`,
    title: 'a claim with access mode ReadWriteSometimes',
    path: CLAIMS,
    body: claim('bad-mode', { accessModes: ['ReadWriteSometimes'] }),
    code: 422,
    causes: [['spec.accessModes', 'Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"']],
  },
  {
    source: `${CORE_TEST} TestValidatePersistentVolumeClaim "missing-resources-storage"`,
    title: 'a claim without a storage request',
    path: CLAIMS,
    body: claim('no-storage', { resources: { requests: {} } }),
    code: 422,
    causes: [['spec.resources[storage]', 'Required value']],
  },
  {
    source: `${CORE_TEST} TestValidatePersistentVolumeClaim "negative-storage-request" (ValidatePositiveQuantityValue)`,
    title: 'a claim for -1Gi',
    path: CLAIMS,
    body: claim('negative-storage', { resources: { requests: { storage: '-1Gi' } } }),
    code: 422,
    causes: [['spec.resources[storage]', 'Invalid value: "-1Gi": must be greater than zero']],
  },
  {
    source: `${CORE_TEST} TestValidatePersistentVolumeClaim "zero-storage-request"`,
    title: 'a claim for 0',
    path: CLAIMS,
    body: claim('zero-storage', { resources: { requests: { storage: '0' } } }),
    code: 422,
    causes: [['spec.resources[storage]', 'Invalid value: "0": must be greater than zero']],
  },
  {
    source: `${CORE_TEST} TestValidatePersistentVolumeClaim "invalid-volume-mode"`,
    title: 'a claim with volumeMode Raw',
    path: CLAIMS,
    body: claim('raw-mode', { volumeMode: 'Raw' }),
    code: 422,
    causes: [['spec.volumeMode', 'Unsupported value: "Raw": supported values: "Block", "Filesystem"']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleNonResourceURL / ValidatePolicyRule "no verbs"`,
    title: 'a Role rule without verbs',
    path: ROLES,
    body: role('no-verbs', [{ apiGroups: [''], resources: ['pods'] }]),
    code: 422,
    causes: [['rules[0].verbs', 'Required value: verbs must contain at least one value']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleNonResourceURL "namespaced rules cannot apply to non-resource URLs"`,
    title: 'a Role rule with a non-resource URL',
    path: ROLES,
    body: role('url', [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]),
    code: 422,
    causes: [['rules[0].nonResourceURLs', 'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleValidResource "resource rules must supply at least one api group"`,
    title: 'a Role rule without apiGroups',
    path: ROLES,
    body: role('no-groups', [{ verbs: ['get'], resources: ['pods'] }]),
    code: 422,
    causes: [['rules[0].apiGroups', 'Required value: resource rules must supply at least one api group']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleBindingBadRoleRef (roleRef kind)`,
    title: 'a RoleBinding to a kind Pod',
    path: ROLE_BINDINGS,
    body: roleBinding('bad-kind', { kind: 'Pod' }),
    code: 422,
    causes: [['roleRef.kind', 'Unsupported value: "Pod": supported values: "Role", "ClusterRole"']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleBindingBadRoleRef (roleRef apiGroup)`,
    title: 'a RoleBinding whose roleRef has no apiGroup',
    path: ROLE_BINDINGS,
    body: roleBinding('no-group', { apiGroup: '' }),
    code: 422,
    causes: [['roleRef.apiGroup', `Unsupported value: "": supported values: "${RBAC}"`]],
  },
  {
    source: `${RBAC_TEST} TestValidateClusterRoleBinding (roleRef may only be a ClusterRole)`,
    title: 'a ClusterRoleBinding to a Role',
    path: CLUSTER_ROLE_BINDINGS,
    body: { ...roleBinding('to-role', {}), kind: 'ClusterRoleBinding', subjects: [{ kind: 'Group', name: 'devs' }] },
    code: 422,
    causes: [['roleRef.kind', 'Unsupported value: "Role": supported values: "ClusterRole"']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleBindingBadSubject "bad subject kind"`,
    title: 'a RoleBinding subject of kind Robot',
    path: ROLE_BINDINGS,
    body: roleBinding('robot', {}, [{ kind: 'Robot', name: 'r2' }]),
    code: 422,
    causes: [['subjects[0].kind', 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleBindingBadSubject "missing SA namespace" (a ClusterRoleBinding's ServiceAccount needs one)`,
    title: 'a ClusterRoleBinding ServiceAccount without a namespace',
    path: CLUSTER_ROLE_BINDINGS,
    body: { ...roleBinding('sa-no-ns', { kind: 'ClusterRole' }), kind: 'ClusterRoleBinding', subjects: [{ kind: 'ServiceAccount', name: 'builder' }] },
    code: 422,
    causes: [['subjects[0].namespace', 'Required value']],
  },
  {
    source: `${RBAC_TEST} TestValidateRoleBindingSubject (SetDefaults_Subject fills in a User's apiGroup)`,
    title: 'a RoleBinding to a User without apiGroup',
    path: ROLE_BINDINGS,
    body: roleBinding('user-defaulted', {}),
    code: 201,
  },
  {
    source: `${RBAC_TEST} TestValidateRoleBindingUpdate "cannot change roleRef"`,
    title: 'changing a RoleBinding roleRef',
    path: ROLE_BINDINGS,
    body: roleBinding('moving', {}),
    update: (b) => ({ ...b, roleRef: { ...b.roleRef, name: 'writer' } }),
    code: 422,
    causes: [['roleRef', `Invalid value: rbac.RoleRef{APIGroup:"${RBAC}", Kind:"Role", Name:"writer"}: cannot change roleRef`]],
  },
  {
    source: `kubernetes pkg/apis/coordination/validation/validation_test.go TestValidateLeaseSpec (leaseDurationSeconds 0)`,
    title: 'a Lease of 0 seconds',
    path: LEASES,
    body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'zero' }, spec: { holderIdentity: 'me', leaseDurationSeconds: 0 } },
    code: 422,
    causes: [['spec.leaseDurationSeconds', 'Invalid value: 0: must be greater than 0']],
  },
  {
    source: `kubernetes pkg/apis/coordination/validation/validation_test.go TestValidateLeaseSpec (negative leaseTransitions)`,
    title: 'a Lease with -1 transitions',
    path: LEASES,
    body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'negative' }, spec: { leaseTransitions: -1 } },
    code: 422,
    causes: [['spec.leaseTransitions', 'Invalid value: -1: must be greater than or equal to 0']],
  },

  // --- nodes (validateNodeTaints reports taints at metadata.taints: upstream passes the metadata path) ---
  {
    source: `${CORE_VALIDATION} validateNodeTaints / validateTaintEffect; ${CORE_TEST} TestValidateNode`,
    title: 'a Node taint with effect NoWhere',
    path: NODES,
    body: node('taint-effect', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoWhere' }] }),
    code: 422,
    causes: [['metadata.taints[0].effect', `Unsupported value: "NoWhere": ${TAINT_EFFECTS}`]],
  },
  {
    source: `${CORE_VALIDATION} validateTaintEffect (allowEmpty false)`,
    title: 'a Node taint without an effect',
    path: NODES,
    body: node('taint-no-effect', { taints: [{ key: 'dedicated' }] }),
    code: 422,
    causes: [['metadata.taints[0].effect', 'Required value']],
  },
  {
    source: `${CORE_VALIDATION} validateNodeTaints (ValidateLabelName on the key)`,
    title: 'a Node taint key with a space',
    path: NODES,
    body: node('taint-key', { taints: [{ key: 'bad key', effect: 'NoSchedule' }] }),
    code: 422,
    causes: [['metadata.taints[0].key', `Invalid value: "bad key": ${NAME_PART}`]],
  },
  {
    source: `${CORE_VALIDATION} validateNodeTaints (unique by key and effect; field.Duplicate of a core.Taint, printed with %#v)`,
    title: 'two Node taints with the same key and effect',
    path: NODES,
    body: node('taint-dup', {
      taints: [
        { key: 'a', effect: 'NoSchedule' },
        { key: 'a', value: 'x', effect: 'NoSchedule' },
      ],
    }),
    code: 422,
    causes: [['metadata.taints[1]', 'Duplicate value: core.Taint{Key:"a", Value:"x", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair']],
  },
  {
    source: `${CORE_VALIDATION} ValidateNode (IsValidCIDR on each podCIDRs entry; the v1 conversion makes podCIDRs from podCIDR)`,
    title: 'a Node podCIDR that is not a CIDR',
    path: NODES,
    body: node('cidr-bad', { podCIDR: '10.0.0.0' }),
    code: 422,
    causes: [['spec.podCIDRs[0]', 'Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  },
  {
    source: `${CORE_VALIDATION} ValidateNode (IsDualStackCIDRStrings: one CIDR per family)`,
    title: 'a Node with two IPv4 podCIDRs',
    path: NODES,
    body: node('cidr-two-v4', { podCIDRs: ['10.0.0.0/24', '10.0.1.0/24'] }),
    code: 422,
    causes: [['spec.podCIDRs', 'Invalid value: []string{"10.0.0.0/24", "10.0.1.0/24"}: may specify no more than one CIDR for each IP family']],
  },
  {
    source: `${CORE_VALIDATION} ValidateNodeResources (status.capacity.<name>: Child, not Key; ValidateResourceQuantityValue); kubernetes pkg/apis/core/v1/defaults.go SetDefaults_NodeStatus copies capacity into an unset allocatable, so both are reported`,
    title: 'a Node with a negative cpu capacity',
    path: NODES,
    body: node('capacity-negative', {}, { capacity: { cpu: '-1' } }),
    code: 422,
    causes: [
      ['status.capacity.cpu', 'Invalid value: "-1": must be greater than or equal to 0'],
      ['status.allocatable.cpu', 'Invalid value: "-1": must be greater than or equal to 0'],
    ],
  },
  {
    source: `${CORE_VALIDATION} ValidateNodeUpdate (providerID may change only from "")`,
    title: 'a Node update changing its providerID',
    path: NODES,
    body: node('provider-change', { providerID: 'kubelings://one' }),
    update: (stored) => ({ ...stored, spec: { ...stored.spec, providerID: 'kubelings://two' } }),
    code: 422,
    causes: [['spec.providerID', 'Forbidden: node updates may not change providerID except from "" to valid']],
  },
  {
    source: `${CORE_VALIDATION} ValidateNodeUpdate (providerID set from "")`,
    title: 'a Node update setting its providerID',
    path: NODES,
    body: node('provider-set'),
    update: (stored) => ({ ...stored, spec: { ...stored.spec, providerID: 'kubelings://one' } }),
    code: 200,
  },
  {
    source: `${CORE_VALIDATION} ValidateNodeUpdate (podCIDRs may change only from empty)`,
    title: 'a Node update changing its podCIDR',
    path: NODES,
    body: node('cidr-change', { podCIDR: '10.0.0.0/24' }),
    update: (stored) => ({ ...stored, spec: { ...stored.spec, podCIDR: '10.0.1.0/24', podCIDRs: ['10.0.1.0/24'] } }),
    code: 422,
    causes: [['spec.podCIDRs', 'Forbidden: node updates may not change podCIDR except from "" to valid']],
  },

  // --- persistent volumes and storage classes ---
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (capacity Required, then NotSupported of the whole core.ResourceList, %#v); ${CORE_TEST} TestValidatePersistentVolumes "missing-capacity"`,
    title: 'a PersistentVolume without capacity',
    path: VOLUMES,
    body: volume('no-capacity', { capacity: undefined }),
    code: 422,
    causes: [
      ['spec.capacity', 'Required value'],
      ['spec.capacity', 'Unsupported value: core.ResourceList(nil): supported values: "storage"'],
    ],
  },
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (ValidatePositiveQuantityValue)`,
    title: 'a PersistentVolume of capacity 0',
    path: VOLUMES,
    body: volume('zero-capacity', { capacity: { storage: '0' } }),
    code: 422,
    causes: [['spec.capacity[storage]', 'Invalid value: "0": must be greater than zero']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (accessModes Required, no detail); ${CORE_TEST} TestValidatePersistentVolumes "missing-accessmodes"`,
    title: 'a PersistentVolume without access modes',
    path: VOLUMES,
    body: volume('no-modes', { accessModes: undefined }),
    code: 422,
    causes: [['spec.accessModes', 'Required value']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (supportedReclaimPolicy, sorted)`,
    title: 'a PersistentVolume reclaim policy Keep',
    path: VOLUMES,
    body: volume('reclaim-keep', { persistentVolumeReclaimPolicy: 'Keep' }),
    code: 422,
    causes: [['spec.persistentVolumeReclaimPolicy', 'Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (numVolumes == 0); ${CORE_TEST} TestValidatePersistentVolumes "invalid-volume-type"`,
    title: 'a PersistentVolume without a volume source',
    path: VOLUMES,
    body: volume('no-source', { hostPath: undefined }),
    code: 422,
    causes: [['spec', 'Required value: must specify a volume type']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (a second source is Forbidden)`,
    title: 'a PersistentVolume with hostPath and nfs',
    path: VOLUMES,
    body: volume('two-sources', { nfs: { server: 'nfs.example.com', path: '/exports' } }),
    code: 422,
    causes: [['spec.nfs', 'Forbidden: may not specify more than 1 volume type']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePersistentVolumeSpec (local requires node affinity)`,
    title: 'a local PersistentVolume without node affinity',
    path: VOLUMES,
    body: volume('local-anywhere', { hostPath: undefined, local: { path: '/mnt/disk' } }),
    code: 422,
    causes: [['spec.nodeAffinity', 'Required value: Local volume requires node affinity']],
  },
  {
    source: `${CORE_VALIDATION} validateNFSVolumeSource (server Required; path must be absolute)`,
    title: 'an nfs PersistentVolume without a server and with a relative path',
    path: VOLUMES,
    body: volume('nfs-bad', { hostPath: undefined, nfs: { path: 'exports' } }),
    code: 422,
    causes: [
      ['spec.nfs.server', 'Required value'],
      ['spec.nfs.path', 'Invalid value: "exports": must be an absolute path'],
    ],
  },
  {
    source: `${STORAGE_VALIDATION} validateProvisioner (Required with the empty provisioner as detail)`,
    title: 'a StorageClass without a provisioner',
    path: STORAGE_CLASSES,
    body: storageClass('no-provisioner', { provisioner: undefined }),
    code: 422,
    causes: [['provisioner', 'Required value']],
  },
  {
    source: `${STORAGE_VALIDATION} validateProvisioner (IsQualifiedName of the lower-cased name)`,
    title: 'a StorageClass provisioner with a space',
    path: STORAGE_CLASSES,
    body: storageClass('provisioner-space', { provisioner: 'my provisioner' }),
    code: 422,
    causes: [['provisioner', `Invalid value: "my provisioner": ${NAME_PART}`]],
  },
  {
    source: `${STORAGE_VALIDATION} validateReclaimPolicy (Delete or Retain)`,
    title: 'a StorageClass reclaimPolicy Recycle',
    path: STORAGE_CLASSES,
    body: storageClass('reclaim-recycle', { reclaimPolicy: 'Recycle' }),
    code: 422,
    causes: [['reclaimPolicy', 'Unsupported value: "Recycle": supported values: "Delete", "Retain"']],
  },
  {
    source: `${STORAGE_VALIDATION} validateVolumeBindingMode`,
    title: 'a StorageClass volumeBindingMode Later',
    path: STORAGE_CLASSES,
    body: storageClass('binding-later', { volumeBindingMode: 'Later' }),
    code: 422,
    causes: [['volumeBindingMode', 'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"']],
  },
  {
    source: `${STORAGE_VALIDATION} ValidateStorageClassUpdate (parameters)`,
    title: 'a StorageClass update changing its parameters',
    path: STORAGE_CLASSES,
    body: storageClass('params-change', { parameters: { path: '/a' } }),
    update: (stored) => ({ ...stored, parameters: { path: '/b' } }),
    code: 422,
    causes: [['parameters', 'Forbidden: updates to parameters are forbidden.']],
  },
  {
    source: `${STORAGE_VALIDATION} ValidateStorageClassUpdate (provisioner)`,
    title: 'a StorageClass update changing its provisioner',
    path: STORAGE_CLASSES,
    body: storageClass('provisioner-change'),
    update: (stored) => ({ ...stored, provisioner: 'kubelings.io/other' }),
    code: 422,
    causes: [['provisioner', 'Forbidden: updates to provisioner are forbidden.']],
  },

  // --- endpoints ---
  {
    source: `${CORE_VALIDATION} validateEndpointSubsets`,
    title: 'an Endpoints subset without addresses',
    path: ENDPOINTS,
    body: endpoints('no-addresses', [{ ports: [{ port: 80 }] }]),
    code: 422,
    causes: [['subsets[0]', 'Required value: must specify `addresses` or `notReadyAddresses`']],
  },
  {
    source: `${CORE_VALIDATION} validateEndpointAddress (IsValidIP, then ValidateNonSpecialIP: two causes for one bad IP)`,
    title: 'an Endpoints address 1.2.3',
    path: ENDPOINTS,
    body: endpoints('bad-ip', [subset({ ip: '1.2.3' })]),
    code: 422,
    causes: [
      ['subsets[0].addresses[0].ip', `Invalid value: "1.2.3": ${INVALID_IP}`],
      ['subsets[0].addresses[0].ip', 'Invalid value: "1.2.3": must be a valid IP address'],
    ],
  },
  {
    source: `${CORE_VALIDATION} ValidateNonSpecialIP (IsLinkLocalUnicast)`,
    title: 'an Endpoints address 169.254.1.1',
    path: ENDPOINTS,
    body: endpoints('link-local', [subset({ ip: '169.254.1.1' })]),
    code: 422,
    causes: [['subsets[0].addresses[0].ip', 'Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)']],
  },
  {
    source: `${CORE_VALIDATION} ValidateNonSpecialIP (IsUnspecified)`,
    title: 'an Endpoints address 0.0.0.0',
    path: ENDPOINTS,
    body: endpoints('unspecified', [subset({ ip: '0.0.0.0' })]),
    code: 422,
    causes: [['subsets[0].addresses[0].ip', 'Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)']],
  },
  {
    source: `${CORE_VALIDATION} validateEndpointPort (IsValidPortNum)`,
    title: 'an Endpoints port 0',
    path: ENDPOINTS,
    body: endpoints('port-zero', [subset({}, [{ port: 0 }])]),
    code: 422,
    causes: [['subsets[0].ports[0].port', `Invalid value: 0: ${PORT_RANGE}`]],
  },
  {
    source: `${CORE_VALIDATION} validateEndpointPort (a name is required when a subset has several ports)`,
    title: 'an unnamed second Endpoints port',
    path: ENDPOINTS,
    body: endpoints('port-unnamed', [subset({}, [{ name: 'http', port: 80 }, { port: 81 }])]),
    code: 422,
    causes: [['subsets[0].ports[1].name', 'Required value']],
  },
  {
    source: `${CORE_VALIDATION} validateEndpointPort (supportedPortProtocols, sorted)`,
    title: 'an Endpoints port protocol HTTP',
    path: ENDPOINTS,
    body: endpoints('port-http', [subset({}, [{ port: 80, protocol: 'HTTP' }])]),
    code: 422,
    causes: [['subsets[0].ports[0].protocol', 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  },
  {
    source: `${CORE_VALIDATION} validateEndpointAddress (ValidateDNS1123Label on the hostname)`,
    title: 'an Endpoints address hostname Web',
    path: ENDPOINTS,
    body: endpoints('hostname-caps', [subset({ hostname: 'Web' })]),
    code: 422,
    causes: [['subsets[0].addresses[0].hostname', `Invalid value: "Web": ${LABEL}`]],
  },

  // --- events (core/v1: legacyValidateEvent only) ---
  {
    source: `${EVENTS_VALIDATION} (an old-style event's involvedObject.namespace must be its own)`,
    title: 'an Event about an object in another namespace',
    path: EVENTS,
    body: event('other-namespace', { involvedObject: { kind: 'Pod', name: 'web', namespace: 'kube-system' } }),
    code: 422,
    causes: [['involvedObject.namespace', 'Invalid value: "kube-system": does not match event.namespace']],
  },
  {
    source: `${EVENTS_VALIDATION} (ReasonLengthLimit 128, value shown as "")`,
    title: 'a new-style Event with a reason of 129 characters',
    path: EVENTS,
    body: newEvent('long-reason', { reason: 'r'.repeat(129) }),
    code: 422,
    causes: [['reason', 'Invalid value: "": can have at most 128 characters']],
  },
  {
    source: `${EVENTS_VALIDATION} (NoteLengthLimit 1024)`,
    title: 'a new-style Event with a message of 1025 characters',
    path: EVENTS,
    body: newEvent('long-message', { message: 'm'.repeat(1025) }),
    code: 422,
    causes: [['message', 'Invalid value: "": can have at most 1024 characters']],
  },
  {
    source: `${EVENTS_VALIDATION} (an old-style event's message has no limit)`,
    title: 'an old-style Event with a message of 1025 characters',
    path: EVENTS,
    body: event('old-long-message', { message: 'm'.repeat(1025) }),
    code: 201,
  },
  {
    source: `${EVENTS_VALIDATION} (reportingController Required, then IsQualifiedName(""): the field has its internal name)`,
    title: 'a new-style Event without reportingComponent',
    path: EVENTS,
    body: newEvent('no-controller', { reportingComponent: undefined }),
    code: 422,
    causes: [
      ['reportingController', 'Required value'],
      ['reportingController', 'Invalid value: "": name part must be non-empty'],
      ['reportingController', `Invalid value: "": ${NAME_PART}`],
    ],
  },
  {
    source: `kubernetes staging/src/k8s.io/apiserver/pkg/registry/rest/create.go BeforeCreate (an Event's name is only a path segment: legacyValidateEvent checks none)`,
    title: 'an Event named Web_Started',
    path: EVENTS,
    body: event('Web_Started'),
    code: 201,
  },

  // --- namespaces and service accounts ---
  {
    source: `${CORE_VALIDATION} ValidateNamespace / validateFinalizerName (at spec.finalizers, no index); ${CORE_TEST} TestValidateNamespace`,
    title: 'a Namespace finalizer with a space',
    path: NAMESPACES,
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'finalizer-space' }, spec: { finalizers: ['bad finalizer'] } },
    code: 422,
    causes: [
      ['spec.finalizers', `Invalid value: "bad finalizer": ${NAME_PART}`],
      ['spec.finalizers', 'Invalid value: "bad finalizer": name is neither a standard finalizer name nor is it fully qualified'],
    ],
  },
  {
    source: `${CORE_VALIDATION} validateKubeFinalizerName`,
    title: 'a Namespace finalizer custom',
    path: NAMESPACES,
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'finalizer-custom' }, spec: { finalizers: ['custom'] } },
    code: 422,
    causes: [['spec.finalizers', 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']],
  },
  {
    source: `${CORE_VALIDATION} ValidateServiceAccount (ValidateServiceAccountName is NameIsDNSSubdomain; nothing else is checked)`,
    title: 'a ServiceAccount named Bad_Name',
    path: SERVICE_ACCOUNTS,
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Bad_Name' } },
    code: 422,
    causes: [['metadata.name', `Invalid value: "Bad_Name": ${SUBDOMAIN}`]],
  },

  // --- Secret types (ValidateSecret's switch on the type) ---
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeServiceAccountToken needs ServiceAccountNameKey)`,
    title: 'a service-account-token Secret without its annotation',
    path: SECRETS,
    body: secret('sa-token', 'kubernetes.io/service-account-token'),
    code: 422,
    causes: [['metadata.annotations[kubernetes.io/service-account.name]', 'Required value']],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeDockerConfigJSON needs .dockerconfigjson)`,
    title: 'a dockerconfigjson Secret without its key',
    path: SECRETS,
    body: secret('docker-missing', 'kubernetes.io/dockerconfigjson', { other: b64('{}') }),
    code: 422,
    causes: [['data[.dockerconfigjson]', 'Required value']],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (json.Unmarshal's error: Go encoding/json scanner.go, stateN)`,
    title: 'a dockerconfigjson Secret holding "not json"',
    path: SECRETS,
    body: secret('docker-not-json', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('not json') }),
    code: 422,
    causes: [['data[.dockerconfigjson]', `Invalid value: "<secret contents redacted>": invalid character 'o' in literal null (expecting 'u')`]],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (json.Unmarshal into map[string]interface{}: Go encoding/json UnmarshalTypeError)`,
    title: 'a dockerconfigjson Secret holding a JSON array',
    path: SECRETS,
    body: secret('docker-array', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('[]') }),
    code: 422,
    causes: [['data[.dockerconfigjson]', 'Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}']],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeDockercfg, unexpected end of JSON input)`,
    title: 'a dockercfg Secret holding an unfinished object',
    path: SECRETS,
    body: secret('dockercfg-open', 'kubernetes.io/dockercfg', { '.dockercfg': b64('{"auths": ') }),
    code: 422,
    causes: [['data[.dockercfg]', 'Invalid value: "<secret contents redacted>": unexpected end of JSON input']],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeDockerConfigJSON holding an object)`,
    title: 'a dockerconfigjson Secret holding an object',
    path: SECRETS,
    body: secret('docker-ok', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }),
    code: 201,
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeBasicAuth: both keys Required when neither is there)`,
    title: 'a basic-auth Secret without username and password',
    path: SECRETS,
    body: secret('basic-empty', 'kubernetes.io/basic-auth'),
    code: 422,
    causes: [
      ['data[username]', 'Required value'],
      ['data[password]', 'Required value'],
    ],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeBasicAuth: one key is enough)`,
    title: 'a basic-auth Secret with only a username',
    path: SECRETS,
    body: secret('basic-user', 'kubernetes.io/basic-auth', { username: b64('admin') }),
    code: 201,
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeSSHAuth: a non-empty ssh-privatekey)`,
    title: 'an ssh-auth Secret with an empty key',
    path: SECRETS,
    body: secret('ssh-empty', 'kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }),
    code: 422,
    causes: [['data[ssh-privatekey]', 'Required value']],
  },
  {
    source: `${CORE_VALIDATION} ValidateSecret (SecretTypeTLS: tls.crt and tls.key)`,
    title: 'a tls Secret without tls.key',
    path: SECRETS,
    body: secret('tls-half', 'kubernetes.io/tls', { 'tls.crt': b64('cert') }),
    code: 422,
    causes: [['data[tls.key]', 'Required value']],
  },

  // --- the rest of a pod spec ---
  {
    source: `${CORE_TEST} TestValidateRestartPolicy (validateRestartPolicy)`,
    title: 'restartPolicy Sometimes',
    path: PODS,
    body: pod('restart-sometimes', {}, { restartPolicy: 'Sometimes' }),
    code: 422,
    causes: [['spec.restartPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
  },
  {
    source: `${CORE_TEST} TestValidateContainers "name not a DNS label"`,
    title: 'a container named Web',
    path: PODS,
    body: pod('container-caps', { name: 'Web' }),
    code: 422,
    causes: [['spec.containers[0].name', `Invalid value: "Web": ${LABEL}`]],
  },
  {
    source: `${CORE_TEST} TestValidateContainers "duplicate names"`,
    title: 'two containers named web',
    path: PODS,
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'container-dup' },
      spec: {
        containers: [
          { name: 'web', image: 'nginx' },
          { name: 'web', image: 'nginx' },
        ],
      },
    },
    code: 422,
    causes: [['spec.containers[1].name', 'Duplicate value: "web"']],
  },
  {
    source: `${CORE_TEST} TestValidateContainers "zero-length image"`,
    title: 'a container without an image',
    path: PODS,
    body: pod('no-image', { image: undefined }),
    code: 422,
    causes: [['spec.containers[0].image', 'Required value']],
  },
  {
    source: `${CORE_TEST} TestValidateVolumeMounts "name not found"`,
    title: 'a mount of a volume the pod lacks',
    path: PODS,
    body: pod('mount-missing', { volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
    code: 422,
    causes: [['spec.containers[0].volumeMounts[0].name', 'Not found: "data"']],
  },
  {
    source: `${CORE_TEST} TestValidateDNSPolicy "invalid" (validDNSPolicies, None appended with CustomPodDNS)`,
    title: 'dnsPolicy Weird',
    path: PODS,
    body: pod('dns-weird', {}, { dnsPolicy: 'Weird' }),
    code: 422,
    causes: [['spec.dnsPolicy', 'Unsupported value: "Weird": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
  },
  {
    source: `${CORE_TEST} TestValidateVolumes "name not a DNS label"`,
    title: 'a volume named Data',
    path: PODS,
    body: pod('volume-caps', {}, { volumes: [{ name: 'Data', emptyDir: {} }] }),
    code: 422,
    causes: [['spec.volumes[0].name', `Invalid value: "Data": ${LABEL}`]],
  },
  {
    source: `${CORE_TEST} TestValidateVolumes "no volume type"`,
    title: 'a volume without a type',
    path: PODS,
    body: pod('volume-untyped', {}, { volumes: [{ name: 'data' }] }),
    code: 422,
    causes: [['spec.volumes[0]', 'Required value: must specify a volume type']],
  },
  {
    source: `${CORE_TEST} TestValidatePodSpec "bad nodeSelector" (ValidateLabels at spec.nodeSelector)`,
    title: 'a nodeSelector key with a space',
    path: PODS,
    body: pod('node-selector', {}, { nodeSelector: { 'bad key': 'x' } }),
    code: 422,
    causes: [['spec.nodeSelector', `Invalid value: "bad key": ${NAME_PART}`]],
  },
  {
    source: `${CORE_TEST} TestValidatePodSpec "bad activeDeadlineSeconds"`,
    title: 'activeDeadlineSeconds 0',
    path: PODS,
    body: pod('deadline-zero', {}, { activeDeadlineSeconds: 0 }),
    code: 422,
    causes: [['spec.activeDeadlineSeconds', 'Invalid value: 0: must be between 1 and 2147483647, inclusive']],
  },
  // The pod-deletion-cost: ValidatePodSpecificAnnotations refuses what GetDeletionCostFromPodAnnotations
  // cannot read (pkg/apis/core/helper/helpers.go: validFirstDigit, then strconv.ParseInt(v, 10, 32)).
  {
    source: `${CORE_TEST} TestValidatePod "negative pod-deletion-cost"`,
    title: 'a pod-deletion-cost of -100',
    path: PODS,
    body: pod('cost-negative', {}, {}, { annotations: { [DELETION_COST]: '-100' } }),
    code: 201,
  },
  {
    source: `${CORE_VALIDATION} ValidatePodSpecificAnnotations (strconv.ParseInt refuses an exponent)`,
    title: 'a pod-deletion-cost of 1e3',
    path: PODS,
    body: pod('cost-exponent', {}, {}, { annotations: { [DELETION_COST]: '1e3' } }),
    code: 422,
    causes: [[`metadata.annotations[${DELETION_COST}]`, 'Invalid value: "1e3": must be a 32bit integer']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePodSpecificAnnotations (validFirstDigit refuses a '+')`,
    title: 'a pod-deletion-cost of +5',
    path: PODS,
    body: pod('cost-plus', {}, {}, { annotations: { [DELETION_COST]: '+5' } }),
    code: 422,
    causes: [[`metadata.annotations[${DELETION_COST}]`, 'Invalid value: "+5": must be a 32bit integer']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePodSpecificAnnotations (strconv.ParseInt(v, 10, 32): out of range)`,
    title: 'a pod-deletion-cost of 2147483648',
    path: PODS,
    body: pod('cost-too-big', {}, {}, { annotations: { [DELETION_COST]: '2147483648' } }),
    code: 422,
    causes: [[`metadata.annotations[${DELETION_COST}]`, 'Invalid value: "2147483648": must be a 32bit integer']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePodSpecificAnnotationUpdates (the old cost read, so the new one must)`,
    title: 'a pod-deletion-cost changed from 5 to 0x10',
    path: PODS,
    body: pod('cost-update', {}, {}, { annotations: { [DELETION_COST]: '5' } }),
    update: (p) => ({ ...p, metadata: { ...p.metadata, annotations: { [DELETION_COST]: '0x10' } } }),
    code: 422,
    causes: [[`metadata.annotations[${DELETION_COST}]`, 'Invalid value: "0x10": must be a 32bit integer']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePodTemplateSpec (ValidatePodSpecificAnnotations at the template's annotations; validFirstDigit refuses a leading zero)`,
    title: 'a Deployment template with pod-deletion-cost 007',
    path: DEPLOYMENTS,
    body: deployment('cost-template', { template: { ...TEMPLATE, metadata: { ...TEMPLATE.metadata, annotations: { [DELETION_COST]: '007' } } } }),
    code: 422,
    causes: [[`spec.template.annotations[${DELETION_COST}]`, 'Invalid value: "007": must be a 32bit integer']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePodTemplateSpecForRC (ValidatePodTemplateSpec at spec.template)`,
    title: 'a ReplicationController template with pod-deletion-cost 5.0',
    path: '/api/v1/namespaces/default/replicationcontrollers',
    body: {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'cost-rc' },
      spec: { selector: { app: 'web' }, template: { ...TEMPLATE, metadata: { ...TEMPLATE.metadata, annotations: { [DELETION_COST]: '5.0' } } } },
    },
    code: 422,
    causes: [[`spec.template.annotations[${DELETION_COST}]`, 'Invalid value: "5.0": must be a 32bit integer']],
  },
  {
    source: `${CORE_VALIDATION} ValidatePodTemplate (ValidatePodTemplateSpec at template)`,
    title: 'a PodTemplate with pod-deletion-cost " 5"',
    path: '/api/v1/namespaces/default/podtemplates',
    body: { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'cost-podtemplate' }, template: { ...TEMPLATE, metadata: { ...TEMPLATE.metadata, annotations: { [DELETION_COST]: ' 5' } } } },
    code: 422,
    causes: [[`template.annotations[${DELETION_COST}]`, 'Invalid value: " 5": must be a 32bit integer']],
  },
];

describe('the apiserver answers as Kubernetes 1.32 does (a table of upstream answers)', () => {
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

  test('the table holds at least 60 rows, each citing where its answer comes from', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    for (const row of ROWS) expect(row.source, row.title).toMatch(/(kubernetes|apimachinery) \S+/);
    expect(new Set(ROWS.map((r) => r.title)).size, 'titles are unique').toBe(ROWS.length);
  });

  test.each(ROWS.map((row) => [row.title, row] as const))('%s', async (_title, row) => {
    let answer = await send('POST', row.path, row.body);
    let ip = '';
    if (row.update) {
      expect(answer.code, `creating the object to update: ${JSON.stringify(answer.json).slice(0, 300)}`).toBe(201);
      const stored = answer.json as KubeObject & Any;
      const next = row.update(stored);
      ip = next.spec?.clusterIP ?? '';
      answer = await send('PUT', `${row.path}/${stored.metadata.name}`, next);
    }
    expect(answer.code, `${row.title} (${row.source}): ${JSON.stringify(answer.json).slice(0, 400)}`).toBe(row.code);
    if (row.code === 200 || row.code === 201) return;
    const status = answer.json as Status & Any;
    expect(status.kind).toBe('Status');
    if (row.code === 400) {
      expect(status.reason).toBe('BadRequest');
      expect(status.message).toBe(row.message);
      return;
    }
    expect(status.reason).toBe('Invalid');
    const name: string = status.details?.name ?? '';
    if (row.body.metadata?.generateName) expect(name, 'the name made from generateName').toMatch(new RegExp(`^${row.body.metadata.generateName}[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    const expected = row.causes!.map(([field, message]) => [field, message.replaceAll('{name}', name).replaceAll('{ip}', ip)]);
    const causes = (status.details?.causes ?? []).map((c: Any) => [c.field, c.message]);
    expect(causes).toEqual(expected);
    // errors.NewInvalid: `<Kind> "<name>" is invalid: ` and the causes, in brackets when there are several.
    const listed = expected.map(([field, message]) => `${field}: ${message}`);
    // qualifiedKind.String(): `Deployment.apps`, `Pod` for the core group.
    const group = String(row.body.apiVersion).includes('/') ? String(row.body.apiVersion).split('/')[0] : '';
    const kind = group ? `${row.body.kind}.${group}` : (row.body.kind as string);
    expect(status.message).toBe(`${kind} ${JSON.stringify(name)} is invalid: ${listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`}`);
  });
});
