/**
 * core/v1 Namespace: a scope for names, and what a cluster's tenants are separated by.
 * Upstream: pkg/registry/core/namespace (strategy.go, storage/storage.go, whose Delete is its
 * own), and the NamespaceLifecycle admission plugin's immortal namespaces.
 *
 * Deleting a namespace marks it (deletionTimestamp, phase Terminating) and keeps it while its
 * spec.finalizers holds anything: the namespace controller (kube-controller-manager) empties it,
 * then removes the `kubernetes` finalizer through namespaces/<name>/finalize, and that write ends
 * it (deleteOnUpdate, upstream's ShouldDeleteNamespaceDuringUpdate). A second DELETE meanwhile is
 * a Conflict, with upstream's message. Without a controller-manager a deleted namespace stays
 * Terminating, as it would upstream.
 */
import { conflict, forbidden } from '../../errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { f, rep, withMeta } from '../../protobuf.ts';
import { any, list, obj, str, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { CRUD_NO_COLLECTION, defineKind, fieldsAt, statusSubresource } from '../define.ts';
import type { StoredKind } from '../types.ts';
import { finalizerNameCauses } from '../../validation/metadata.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Conflict a DELETE of a namespace still being emptied gets (namespace storage's Delete). */
export const TERMINATING_MESSAGE = 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.';

/** metav1.Time: RFC 3339, whole seconds. */
const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The namespaces every cluster has, which may not be deleted. */
export const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The label every namespace carries, equal to its name (v1.LabelMetadataName). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function withNameLabel(namespace: KubeObject): KubeObject {
  const name = namespace.metadata.name ?? '';
  if (namespace.metadata.labels?.[NAMESPACE_NAME_LABEL] === name) return namespace;
  return { ...namespace, metadata: { ...namespace.metadata, labels: { ...(namespace.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name } } };
}

export const NAMESPACES: StoredKind = defineKind<KubeObject>({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: CRUD_NO_COLLECTION,
  subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, statusSubresource('Namespace')],
  fields: fieldsAt('status.phase'),
  schema: top({ spec: obj({ finalizers: list(str) }), status: any }),
  protobuf: withMeta({ 2: f('spec', { 1: rep('finalizers', 'string') }) }),
  bootstrap: PROTECTED_NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
  returnDeletedObject: true,
  strategy: {
    nameRule: 'dns1123-label',
    // ValidateNamespace (create and update): each spec.finalizers entry, reported at
    // spec.finalizers (no index), as upstream.
    validate: (namespace) => {
      const finalizers = (namespace as Any).spec?.finalizers;
      return Array.isArray(finalizers) ? finalizers.flatMap((f: unknown) => finalizerNameCauses(typeof f === 'string' ? f : String(f), 'spec.finalizers')) : [];
    },
    defaults(input) {
      const object: Any = { ...input };
      const spec = object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? object.spec : undefined;
      object.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      object.status = { phase: 'Active', ...(object.status ?? {}) };
      // SetDefaults_Namespace: a named namespace carries its name as a label.
      return object.metadata?.name ? withNameLabel(object as KubeObject) : (object as KubeObject);
    },
    // Canonicalize: the label follows the name, also for a name generated after defaulting, and
    // whatever a write asked for (the label cannot be changed or removed).
    canonicalize: withNameLabel,
  },
  admission: () => ({
    delete(_namespace, name) {
      if (PROTECTED_NAMESPACES.includes(name)) throw forbidden(NAMESPACES, name, 'this namespace may not be deleted');
    },
  }),
  async delete(ctx, name) {
    const current = await ctx.get(NAMESPACES, undefined, name);
    if (!current.metadata.deletionTimestamp) {
      // The first DELETE starts the termination.
      const marked = { ...current, metadata: { ...current.metadata, deletionTimestamp: timestamp(ctx.now()) }, status: { ...((current.status as object) ?? {}), phase: 'Terminating' } };
      return { object: await ctx.writeThrough(NAMESPACES, marked), deleted: false };
    }
    if (((current as Any).spec?.finalizers ?? []).length > 0) throw conflict(NAMESPACES, name, TERMINATING_MESSAGE);
    await ctx.removeAt(NAMESPACES, undefined, name, current.metadata.resourceVersion ?? '');
    return { object: current, deleted: true };
  },
  // ShouldDeleteNamespaceDuringUpdate: marked deleted, and neither spec.finalizers nor metadata.finalizers left.
  deleteOnUpdate: (o) => Boolean(o.metadata.deletionTimestamp) && ((o as Any).spec?.finalizers ?? []).length === 0 && (o.metadata.finalizers ?? []).length === 0,
  printer: {
    columns: [NAME, ['Status', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).status?.phase ?? 'Active', age(o, now)],
  },
});
