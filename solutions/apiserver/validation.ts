/**
 * Exercise 02-apiserver/03-validation: defaults, validation and unknown fields.
 *
 * Before anything is stored, the apiserver fills in what the user left out (a pod restarts
 * `Always` unless told otherwise) and refuses what no component could act on (a container without
 * an image), naming each wrong field so that kubectl can print one line per problem. With
 * `fieldValidation=Strict` (what kubectl sends) it also refuses fields it does not know: a typo such
 * as `imagee` is an error, not something silently dropped.
 *
 * Read: lessons/core/02-apiserver/04-validation.md
 * Check: npx kubelings check 02-apiserver/03-validation
 */
import type { NameRule, ObjectMetaRules } from '#engine/apiserver/exercises.ts';
import { duplicate, forbiddenField, invalidValue, notSupported, required } from '#engine/kube/field-errors.ts';
import type { SchemaNode } from '#engine/kube/schema.ts';
import type { Container, ObjectMeta, PodSpec, StatusCause } from '#engine/kube/types.ts';
import { dns1123LabelProblems, dns1123SubdomainProblems, labelKeyProblems, labelValueProblems } from '#engine/objects/names.ts';

/** The problem of a name that breaks the DNS-1035 rule (apimachinery's DNS1035LabelErrMsg, with its examples). */
export const DNS1035_LABEL_PROBLEM =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** `Always` when the image has no tag or the tag `latest` (a digest pins it), else `IfNotPresent`. */
function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastPart.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(container: Container): Container {
  const c: Container = { ...container };
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (c.ports) c.ports = c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  return c;
}

/**
 * The pod spec with the defaults a real apiserver fills in for every pod spec, in pods and in the
 * templates of Deployments, Jobs and the rest (k8s.io/kubernetes pkg/apis/core/v1/defaults.go:
 * SetDefaults_PodSpec and SetDefaults_Container). What only pods get (enableServiceLinks, the
 * service account, the not-ready/unreachable tolerations, the priority) comes from admission
 * plugins that the engine runs after you, on pods only.
 *
 * Must hold:
 * - restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst, schedulerName
 *   default-scheduler, securityContext {};
 * - each container and init container: imagePullPolicy Always for an image without a tag or with
 *   the tag `latest`, otherwise IfNotPresent (an image pinned by digest, `nginx@sha256:...`, is
 *   IfNotPresent); terminationMessagePath /dev/termination-log; terminationMessagePolicy File;
 *   resources {}; each port's protocol TCP;
 * - nothing else is added;
 * - a value the user gave is never changed, and the input is not modified;
 * - defaulting twice gives the same result as defaulting once.
 */
export function defaultPodSpec(input: PodSpec): PodSpec {
  const spec: PodSpec = { ...input };
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.containers = (spec.containers ?? []).map(defaultContainer);
  if (spec.initContainers) spec.initContainers = spec.initContainers.map(defaultContainer);
  return spec;
}

function nameProblems(rule: NameRule, name: string): string[] {
  if (rule === 'path-segment') {
    if (name === '.' || name === '..') return [`may not be '${name}'`];
    return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
  }
  if (rule === 'dns1123-label') return dns1123LabelProblems(name);
  if (rule === 'dns1035-label') {
    const problems = name.length > 63 ? ['must be no more than 63 characters'] : [];
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) problems.push(DNS1035_LABEL_PROBLEM);
    return problems;
  }
  return dns1123SubdomainProblems(name);
}

/**
 * Problems with an object's metadata (apimachinery ValidateObjectMeta).
 *
 * Must hold:
 * - `metadata.name: Required value: name or generateName is required` when both are missing;
 * - the name, when there is one (the registry makes it from generateName before validation, and
 *   that name is checked too), follows `rules.nameRule`: dns1123-subdomain and dns1123-label use the problem lists of
 *   names.ts; dns1035-label allows at most 63 characters (`must be no more than 63 characters`)
 *   matching [a-z]([-a-z0-9]*[a-z0-9])? (else DNS1035_LABEL_PROBLEM); path-segment refuses '.' and
 *   '..' (`may not be '..'`) and names containing '/' or '%' (`may not contain '/'`). One Invalid
 *   cause per problem: `metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 ...`;
 * - namespaced kinds need `metadata.namespace` (Required value), and it must be a DNS-1123 label;
 *   cluster-scoped kinds must not have one (`metadata.namespace: Forbidden: not allowed on this type`);
 * - every label key and value must be valid, causes at `metadata.labels` (the Invalid value is the
 *   key or the value); every annotation key too (lowercased first), causes at `metadata.annotations`.
 */
export function validateObjectMeta(meta: ObjectMeta, rules: ObjectMetaRules): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!meta.name && !meta.generateName) causes.push(required('metadata.name', 'name or generateName is required'));
  if (meta.name) for (const p of nameProblems(rules.nameRule, meta.name)) causes.push(invalidValue('metadata.name', meta.name, p));
  if (rules.namespaced && !meta.namespace) causes.push(required('metadata.namespace'));
  if (!rules.namespaced && meta.namespace) causes.push(forbiddenField('metadata.namespace', 'not allowed on this type'));
  if (rules.namespaced && meta.namespace) for (const p of dns1123LabelProblems(meta.namespace)) causes.push(invalidValue('metadata.namespace', meta.namespace, p));
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const p of labelKeyProblems(key)) causes.push(invalidValue('metadata.labels', key, p));
    for (const p of labelValueProblems(String(value))) causes.push(invalidValue('metadata.labels', value, p));
  }
  for (const key of Object.keys(meta.annotations ?? {})) {
    for (const p of labelKeyProblems(key.toLowerCase())) causes.push(invalidValue('metadata.annotations', key, p));
  }
  return causes;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

function validateContainers(list: Container[] | undefined, path: string, names: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  (list ?? []).forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!c.name) causes.push(required(`${at}.name`));
    else {
      for (const p of dns1123LabelProblems(c.name)) causes.push(invalidValue(`${at}.name`, c.name, p));
      if (names.has(c.name)) causes.push(duplicate(`${at}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image) causes.push(required(`${at}.image`));
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
      causes.push(notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    }
    (c.ports ?? []).forEach((port, j) => {
      const pat = `${at}.ports[${j}]`;
      if (port.containerPort === undefined || port.containerPort === 0) causes.push(required(`${pat}.containerPort`));
      else if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
        causes.push(invalidValue(`${pat}.containerPort`, port.containerPort, 'must be between 1 and 65535, inclusive'));
      }
      if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) causes.push(notSupported(`${pat}.protocol`, port.protocol, PROTOCOLS));
    });
  });
  return causes;
}

/**
 * Problems with a pod spec (k8s.io/kubernetes ValidatePodSpec, the part that matters here).
 *
 * Must hold, each cause's field starting at `path`:
 * - at least one container (`spec.containers: Required value`);
 * - each container (and init container) has a name that is a DNS-1123 label, unique across both
 *   lists (`spec.containers[1].name: Duplicate value: "web"`), and an image
 *   (`spec.containers[0].image: Required value`);
 * - imagePullPolicy, when set, is Always, IfNotPresent or Never; each container port is set
 *   (`containerPort: Required value` for 0 or none) and between 1 and 65535 (`must be between 1
 *   and 65535, inclusive`), and its protocol, when set, is TCP, UDP or SCTP (listed as "SCTP",
 *   "TCP", "UDP");
 * - restartPolicy, when set, is Always, OnFailure or Never (`Unsupported value`, listing the
 *   supported values in that order: "Always", "OnFailure", "Never");
 * - terminationGracePeriodSeconds, when set, is not negative (`must be greater than or equal to 0`);
 * - causes come in this order: init containers, then containers (for each: name, image,
 *   imagePullPolicy, ports), then restartPolicy, then terminationGracePeriodSeconds.
 */
export function validatePodSpec(spec: PodSpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  if (!spec.containers || spec.containers.length === 0) causes.push(required(`${path}.containers`));
  causes.push(...validateContainers(spec.initContainers, `${path}.initContainers`, names));
  causes.push(...validateContainers(spec.containers, `${path}.containers`, names));
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    causes.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || grace < 0)) {
    causes.push(invalidValue(`${path}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0'));
  }
  return causes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The paths of every field that `schema` does not know, in document order, written as the strict
 * decoder writes them: `spec.template.spec.containers[0].imagee`, `metadata.lables`.
 *
 * Must hold:
 * - an `object` node knows its `fields`; any other key is unknown, unless the node is `open`;
 * - a `map` node accepts any key and checks each value against `values`;
 * - a `list` node checks each element against `items`, its path ending in `[i]`;
 * - `scalar` and `any` nodes have no fields to check; a value whose shape differs from the node
 *   (an object where a scalar is expected) is not an unknown field: leave it to validation.
 */
export function findUnknownFields(value: unknown, schema: SchemaNode): string[] {
  const found: string[] = [];
  const walk = (v: unknown, node: SchemaNode, path: string) => {
    if (node.type === 'object' && isPlainObject(v)) {
      for (const [key, child] of Object.entries(v)) {
        const sub = path ? `${path}.${key}` : key;
        const fieldNode = node.fields[key];
        if (fieldNode) walk(child, fieldNode, sub);
        else if (!node.open) found.push(sub);
      }
    } else if (node.type === 'map' && isPlainObject(v)) {
      for (const [key, child] of Object.entries(v)) walk(child, node.values, path ? `${path}.${key}` : key);
    } else if (node.type === 'list' && Array.isArray(v)) {
      v.forEach((item, i) => walk(item, node.items, `${path}[${i}]`));
    }
  };
  walk(value, schema, '');
  return found;
}
