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
import type { ObjectMetaRules } from '#engine/apiserver/exercises.ts';
import { duplicate, forbiddenField, invalidValue, notSupported, required } from '#engine/kube/field-errors.ts';
import { NotImplemented } from '#engine/errors.ts';
import type { SchemaNode } from '#engine/kube/schema.ts';
import type { ObjectMeta, PodSpec, StatusCause } from '#engine/kube/types.ts';
import { dns1123LabelProblems, dns1123SubdomainProblems, labelKeyProblems, labelValueProblems } from '#engine/objects/names.ts';

// Given for you to use: the cause builders of field-errors.ts (required, invalidValue,
// notSupported, duplicate, forbiddenField) and the naming rules of names.ts, each returning the
// list of problems with a value (empty when it is fine).
void [duplicate, forbiddenField, invalidValue, notSupported, required, dns1123LabelProblems, dns1123SubdomainProblems, labelKeyProblems, labelValueProblems];

/** The problem of a name that breaks the DNS-1035 rule (apimachinery's DNS1035LabelErrMsg, with its examples). */
export const DNS1035_LABEL_PROBLEM =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

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
export function defaultPodSpec(spec: PodSpec): PodSpec {
  // TODO: copy the spec (and each container), then fill in every default that is missing.
  throw new NotImplemented('02-apiserver/03-validation', 'lessons/core/02-apiserver/04-validation.md', 'defaultPodSpec()');
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
  // TODO: collect one StatusCause per problem, in the order the rules above are listed.
  throw new NotImplemented('02-apiserver/03-validation', 'lessons/core/02-apiserver/04-validation.md', 'validateObjectMeta()');
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
  // TODO: walk the containers (init containers first), then the pod-level fields.
  throw new NotImplemented('02-apiserver/03-validation', 'lessons/core/02-apiserver/04-validation.md', 'validatePodSpec()');
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
  // TODO: walk value and schema together, collecting the path of each key the schema does not know.
  throw new NotImplemented('02-apiserver/03-validation', 'lessons/core/02-apiserver/04-validation.md', 'findUnknownFields()');
}
