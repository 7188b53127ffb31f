/**
 * Builders for kind definitions: defineKind() and defineVirtualKind() fill in what most kinds
 * share (every verb, no short names, the store prefix `/registry/<resource>`, the singular from
 * the kind, the OpenAPI definition name from the group), so a kind file states only what is its
 * own. Also the common subresources (status, scale) and field readers.
 *
 * Typed hooks: defineKind<Pod>({...}) gives every hook a Pod; the result is an ordinary
 * KindDefinition (hooks are called only with objects of the kind).
 */
import type { Printer } from '../printers.ts';
import type { KubeObject } from '../types.ts';
import type { AdmissionEnvironment, AdmissionHooks, DeleteContext, FieldPath, FieldReader, KindDefinition, ResetFields, StoredKind, Strategy, SubresourceDefinition, VirtualKind } from './types.ts';
import type { RegistryDeleteResult } from '../../apiserver/exercises.ts';

/** Every verb of a stored resource. */
export const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Every verb but deletecollection (namespaces). */
export const CRUD_NO_COLLECTION = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

/** The status subresource of `kind`: status writes change the status only, main writes never do. */
export function statusSubresource(kind: string): SubresourceDefinition {
  return { name: 'status', kind, verbs: STATUS_VERBS, serve: { type: 'status' } };
}

/** The scale subresource: spec.replicas as an autoscaling/v1 Scale. */
export function scaleSubresource(): SubresourceDefinition {
  return { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: STATUS_VERBS, serve: { type: 'scale' } };
}

/** Reads a dotted path as a field selector sees it: a missing field or an object reads as `missing` (default ''), others as text. */
export function readPath<T extends KubeObject = KubeObject>(path: string, missing = ''): FieldReader<T> {
  const parts = path.split('.');
  const read = (object: T): string => {
    let value: unknown = object;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return '';
      value = (value as Record<string, unknown>)[part];
    }
    if (value === undefined || value === null || typeof value === 'object') return '';
    return String(value);
  };
  return missing ? (object) => read(object) || missing : read;
}

/** Field selectors read straight from their own path: `fieldsAt('reason', 'type')`. */
export function fieldsAt<T extends KubeObject = KubeObject>(...paths: string[]): Record<string, FieldReader<T>> {
  return Object.fromEntries(paths.map((p) => [p, readPath<T>(p)]));
}

/** `io.k8s.api.<group>.<version>.<Kind>`: core for the legacy group, the group's first label otherwise. */
function openApiName(group: string, version: string, kind: string): string {
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}.${kind}`;
}

interface Identity {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  singular?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceDefinition[];
  prefix?: string;
  openApiName?: string;
  schema?: StoredKind['schema'];
  protobuf?: StoredKind['protobuf'];
}

/** What a stored kind's file writes; defineKind() fills in the rest. */
export interface KindSpec<T extends KubeObject> extends Identity {
  generation?: boolean;
  resetStatusOnCreate?: boolean;
  strategy?: Strategy<T>;
  fields?: Record<string, FieldReader<T>>;
  printer?: Printer<T>;
  admission?(env: AdmissionEnvironment): AdmissionHooks<T>;
  returnDeletedObject?: boolean;
  delete?(ctx: DeleteContext, name: string): Promise<RegistryDeleteResult>;
  deleteOnUpdate?(object: T): boolean;
  orphanDependentsByDefault?: boolean;
  bootstrap?: T[];
  /**
   * What the status subresource resets besides `spec` (GetResetFields of the status strategy):
   * `[['metadata', 'labels']]` for Deployments. The object's own endpoint resets `status`.
   */
  statusResets?: readonly FieldPath[];
  storedAs?: StoredKind['storedAs'];
}

/**
 * GetResetFields of both endpoints: with a status subresource, writes to the object reset
 * `status` and writes to the status reset `spec` (and `extra`); without one, nothing is reset.
 */
function resetFieldsOf(subresources: readonly SubresourceDefinition[], extra: readonly FieldPath[] = []): ResetFields {
  if (!subresources.some((s) => s.name === 'status')) return { object: [], status: [] };
  return { object: [['status']], status: [['spec'], ...extra] };
}

function identity(spec: Identity) {
  return {
    singular: spec.singular ?? spec.kind.toLowerCase(),
    verbs: spec.verbs ?? CRUD,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    subresources: spec.subresources ?? [],
    prefix: spec.prefix ?? `/registry/${spec.resource}`,
    openApiName: spec.openApiName ?? openApiName(spec.group, spec.version, spec.kind),
  };
}

/** A stored kind. */
export function defineKind<T extends KubeObject = KubeObject>(spec: KindSpec<T>): StoredKind {
  const fields = (spec.fields ?? {}) as Record<string, FieldReader>;
  return {
    ...spec,
    ...identity(spec),
    generation: spec.generation ?? false,
    resetStatusOnCreate: spec.resetStatusOnCreate ?? false,
    strategy: (spec.strategy ?? {}) as Strategy,
    fields,
    selectableFields: Object.keys(fields),
    resetFields: resetFieldsOf(spec.subresources ?? [], spec.statusResets),
    printer: spec.printer as Printer | undefined,
    admission: spec.admission as StoredKind['admission'],
    deleteOnUpdate: spec.deleteOnUpdate as StoredKind['deleteOnUpdate'],
    bootstrap: spec.bootstrap as KubeObject[] | undefined,
    virtual: false,
  };
}

/** What a virtual kind's file writes. */
export interface VirtualKindSpec extends Identity {
  create: VirtualKind['create'];
}

/** A kind that accepts create only and is never stored. */
export function defineVirtualKind(spec: VirtualKindSpec): VirtualKind {
  return {
    ...spec,
    ...identity({ ...spec, verbs: spec.verbs ?? ['create'] }),
    generation: false,
    resetStatusOnCreate: false,
    selectableFields: [],
    virtual: true,
  };
}

/** True for a kind kept in the store. */
export function isStored(kind: KindDefinition): kind is StoredKind {
  return kind.virtual !== true;
}
