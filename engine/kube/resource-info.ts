/**
 * What a served resource is, as discovery describes it (group, version, plural, kind, scope,
 * verbs, short names, categories, subresources), plus what storage needs (the etcd key prefix,
 * whether a spec change bumps metadata.generation), and the names derived from it.
 *
 * Every kind definition (engine/kube/kinds/) is a ResourceInfo with behaviour added; the learner's
 * registry (02-apiserver/02-registry) sees only these facts. The list of what the engine serves,
 * and the lookups over it, are in resources.ts.
 *
 * Invariants:
 * - `resource` is the lowercase plural, unique within its group; `kind` is unique within its group;
 * - objects live in the store under `<prefix>/<namespace>/<name>` (namespaced) or `<prefix>/<name>`
 *   (cluster-scoped), with the prefixes the real apiserver uses (`/registry/services/specs`,
 *   `/registry/minions` for nodes);
 * - `virtual` resources (bindings, access reviews) accept `create` only and are never stored.
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
   * Field selector labels this resource supports beyond metadata.name and metadata.namespace
   * (`spec.nodeName`); how each is read is part of the kind's definition.
   */
  selectableFields: string[];
}

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

/** True when the resource has the named subresource. */
export function hasSubresource(info: Pick<ResourceInfo, 'subresources'>, name: string): boolean {
  return info.subresources.some((s) => s.name === name);
}

/** The store key of one object: `/registry/pods/default/nginx`, `/registry/minions/node-1`. */
export function objectKey(info: Pick<ResourceInfo, 'namespaced' | 'prefix'>, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${info.prefix}/${namespace}/${name}` : `${info.prefix}/${name}`;
}

/** The store key prefix (with a trailing slash) of a collection: every namespace, or one. */
export function collectionPrefix(info: Pick<ResourceInfo, 'namespaced' | 'prefix'>, namespace?: string): string {
  return info.namespaced && namespace ? `${info.prefix}/${namespace}/` : `${info.prefix}/`;
}
