/**
 * core/v1 Namespace: a scope for names, and what a cluster's tenants are separated by.
 * Upstream: pkg/registry/core/namespace (strategy.go, storage/storage.go, whose Delete is its
 * own), and the NamespaceLifecycle admission plugin's immortal namespaces.
 *
 * Deleting a namespace deletes everything in it at once: upstream marks it Terminating and the
 * namespace controller empties it; here the apiserver does that inline (simplified), so `kubectl
 * delete namespace` finishes at once.
 */
import { forbidden } from '../../errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { f, rep, withMeta } from '../../protobuf.ts';
import { any, list, obj, str, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { CRUD_NO_COLLECTION, defineKind, fieldsAt, statusSubresource } from '../define.ts';
import type { StoredKind } from '../types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The namespaces every cluster has, which may not be deleted. */
export const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

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
    defaults(input) {
      const object: Any = { ...input };
      const spec = object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? object.spec : undefined;
      object.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      object.status = { phase: 'Active', ...(object.status ?? {}) };
      return object as KubeObject;
    },
  },
  admission: () => ({
    delete(_namespace, name) {
      if (PROTECTED_NAMESPACES.includes(name)) throw forbidden(NAMESPACES, name, 'this namespace may not be deleted');
    },
  }),
  async delete(ctx, name) {
    await ctx.get(NAMESPACES, undefined, name);
    await ctx.purgeNamespace(name);
    const result = await ctx.delete(NAMESPACES, undefined, name, { gracePeriodSeconds: 0 });
    return { ...result, object: { ...result.object, status: { ...((result.object.status as object) ?? {}), phase: 'Terminating' } } };
  },
  printer: {
    columns: [NAME, ['Status', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).status?.phase ?? 'Active', age(o, now)],
  },
});
