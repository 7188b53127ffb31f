/**
 * The resources the engine's API server serves: one entry per resource, as the real apiserver's
 * discovery documents describe them (group, version, plural, kind, scope, verbs, short names,
 * categories, subresources), plus what the engine needs to store them (the etcd key prefix) and to
 * treat them (status subresource, spec generation, field selectors).
 *
 * Invariants:
 * - `resource` is the lowercase plural, unique within its group; `kind` is unique within its group;
 * - objects live in the store under `<prefix>/<namespace>/<name>` (namespaced) or `<prefix>/<name>`
 *   (cluster-scoped), with the prefixes the real apiserver uses (`/registry/services/specs`,
 *   `/registry/minions` for nodes);
 * - `virtual` resources (access reviews) accept `create` only and are never stored.
 *
 * Everything here is data: discovery, OpenAPI, routing and the client are derived from it.
 */

export interface SubresourceInfo {
  /** `status`, `scale`, `binding`, `log`, `exec`. */
  name: string;
  /** The kind the subresource speaks (`Scale` for scale). */
  kind: string;
  /** Set when the kind is from another group/version (`autoscaling/v1` for Scale). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceInfo {
  /** API group; '' for the core ("legacy") group served under /api. */
  group: string;
  version: string;
  /** Lowercase plural: `pods`, `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  /** Store key prefix, no trailing slash: `/registry/pods`. */
  prefix: string;
  /** Accepts create only; never stored (SelfSubjectAccessReview). */
  virtual?: boolean;
  /** Has a `spec` whose changes bump metadata.generation. */
  generation: boolean;
  /** The status a create starts from: the client's status is dropped (strategy PrepareForCreate). */
  resetStatusOnCreate: boolean;
  /**
   * Field selector labels this resource supports beyond metadata.name and metadata.namespace,
   * each with the path to read (`spec.nodeName`).
   */
  selectableFields: string[];
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CRUD_NO_COLLECTION = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

function status(kind: string): SubresourceInfo {
  return { name: 'status', kind, verbs: STATUS_VERBS };
}
function scale(): SubresourceInfo {
  return { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: STATUS_VERBS };
}

type Entry = Partial<ResourceInfo> & Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'>;

function entry(e: Entry): ResourceInfo {
  const singular = e.singular ?? e.kind.toLowerCase();
  return {
    verbs: CRUD,
    shortNames: [],
    categories: [],
    subresources: [],
    prefix: `/registry/${e.resource}`,
    generation: false,
    resetStatusOnCreate: false,
    selectableFields: [],
    ...e,
    singular,
  };
}

const core = (e: Omit<Entry, 'group' | 'version'>) => entry({ group: '', version: 'v1', ...e });
const apps = (e: Omit<Entry, 'group' | 'version'>) => entry({ group: 'apps', version: 'v1', ...e });

const TEMPLATE_SUBRESOURCES = (kind: string) => [scale(), status(kind)];

/** Every resource the engine serves, in discovery order. */
export const RESOURCES: readonly ResourceInfo[] = [
  core({ resource: 'bindings', kind: 'Binding', namespaced: true, verbs: ['create'], prefix: '/registry/bindings', virtual: true }),
  core({ resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] }),
  core({ resource: 'endpoints', kind: 'Endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'], prefix: '/registry/services/endpoints' }),
  core({
    resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'],
    selectableFields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  }),
  core({
    resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], verbs: CRUD_NO_COLLECTION,
    subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, status('Namespace')], selectableFields: ['status.phase'],
  }),
  core({
    resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], prefix: '/registry/minions',
    subresources: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, status('Node')],
    selectableFields: ['spec.unschedulable'],
  }),
  core({
    resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'],
    subresources: [status('PersistentVolumeClaim')], generation: false, resetStatusOnCreate: true,
  }),
  core({
    resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'],
    subresources: [status('PersistentVolume')], resetStatusOnCreate: true,
  }),
  core({
    resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: [
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      status('Pod'),
    ],
    resetStatusOnCreate: true, generation: false,
    selectableFields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  }),
  core({ resource: 'secrets', kind: 'Secret', namespaced: true, selectableFields: ['type'] }),
  core({ resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'] }),
  core({
    resource: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], prefix: '/registry/services/specs',
    subresources: [status('Service')], resetStatusOnCreate: true,
  }),
  apps({ resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: [status('DaemonSet')], generation: true, resetStatusOnCreate: true }),
  apps({ resource: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: TEMPLATE_SUBRESOURCES('Deployment'), generation: true, resetStatusOnCreate: true }),
  apps({ resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: TEMPLATE_SUBRESOURCES('ReplicaSet'), generation: true, resetStatusOnCreate: true, selectableFields: ['status.replicas'] }),
  apps({ resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: TEMPLATE_SUBRESOURCES('StatefulSet'), generation: true, resetStatusOnCreate: true }),
  entry({ group: 'authorization.k8s.io', version: 'v1', resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', namespaced: true, verbs: ['create'], virtual: true }),
  entry({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'], virtual: true }),
  entry({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'], virtual: true }),
  entry({ group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'], virtual: true }),
  entry({ group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true, shortNames: ['cj'], categories: ['all'], subresources: [status('CronJob')], generation: true, resetStatusOnCreate: true }),
  entry({ group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true, categories: ['all'], subresources: [status('Job')], generation: true, resetStatusOnCreate: true, selectableFields: ['status.successful'] }),
  entry({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true }),
  entry({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true }),
  entry({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true }),
  entry({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'] }),
  entry({ group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'] }),
];

/** `group/version`, or `version` for the core group (`v1`, `apps/v1`). */
export function groupVersion(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The resource as error messages name it: `pods`, `deployments.apps`. */
export function qualifiedResource(info: { group: string; resource: string }): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** The kind as error messages name it: `Pod`, `Deployment.apps`. */
export function qualifiedKind(info: { group: string; kind: string }): string {
  return info.group ? `${info.kind}.${info.group}` : info.kind;
}

const byPath = new Map<string, ResourceInfo>();
const byKind = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  byPath.set(`${r.group}/${r.version}/${r.resource}`, r);
  byKind.set(`${groupVersion(r)}/${r.kind}`, r);
}

/** The resource served at group/version/plural, or undefined. */
export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** The resource of an apiVersion + kind (`apps/v1`, `Deployment`), or undefined. */
export function findResourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/**
 * The resource a short name, plural, singular or kind names (`po`, `pods`, `pod`, `Pod`,
 * `deployments.apps`), as kubectl resolves a type argument. Undefined when none does.
 */
export function resolveResource(name: string): ResourceInfo | undefined {
  const [base, ...groupParts] = name.split('.');
  const group = groupParts.join('.');
  const lower = base!.toLowerCase();
  return RESOURCES.find(
    (r) =>
      (groupParts.length === 0 || r.group === group) &&
      (r.resource === lower || r.singular === lower || r.kind.toLowerCase() === lower || r.shortNames.includes(lower)),
  );
}

/** Every group/version served, core first, in a stable order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** True when the resource has the named subresource. */
export function hasSubresource(info: ResourceInfo, name: string): boolean {
  return info.subresources.some((s) => s.name === name);
}

/** The store key of one object: `/registry/pods/default/nginx`, `/registry/minions/node-1`. */
export function objectKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${info.prefix}/${namespace}/${name}` : `${info.prefix}/${name}`;
}

/** The store key prefix (with a trailing slash) of a collection: every namespace, or one. */
export function collectionPrefix(info: ResourceInfo, namespace?: string): string {
  return info.namespaced && namespace ? `${info.prefix}/${namespace}/` : `${info.prefix}/`;
}
