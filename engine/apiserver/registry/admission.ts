/**
 * Admission: the step between decoding and storage where the apiserver itself changes or refuses
 * objects, with state the object alone does not carry.
 *
 * - NamespaceLifecycle (for every namespaced kind): nothing is created in a namespace that does
 *   not exist (404 for the namespace), nor in one being deleted (403, with the cause
 *   NamespaceTerminating);
 * - then the kind's own hooks (engine/kube/kinds: Priority and LimitRanger for pods, the Service IP
 *   and NodePort allocators, the namespaces that may not be deleted, DefaultIngressClass), created
 *   once per apiserver so an allocator keeps its reservations;
 * - after the object's validation, validating admission: the kind's own (LimitRanger's checks),
 *   then ResourceQuota (quota.ts) for every namespaced create.
 *
 * A webhook or a new plugin for every kind slots in here, beside NamespaceLifecycle.
 */
import { NAMESPACES } from '../../kube/kinds/core/namespace.ts';
import type { AdmissionEnvironment, AdmissionHooks, StoredKind, StrategyFunctions } from '../../kube/kinds/types.ts';
import { forbidden, isApiError, notFound } from '../../kube/errors.ts';
import { KINDS } from '../../kube/resources.ts';
import type { KubeObject } from '../../kube/types.ts';
import { SERVICE_CLUSTER_IP_RANGE } from '../../params.ts';
import type { Storage } from '../storage/interface.ts';
import { QuotaAdmission } from './quota.ts';

export class Admission {
  private readonly hooks = new Map<StoredKind, AdmissionHooks>();
  private readonly env: AdmissionEnvironment;
  private readonly quota: QuotaAdmission;

  constructor(
    private readonly storage: Storage,
    now: () => number,
    fns: StrategyFunctions,
    serviceClusterIPRange: string = SERVICE_CLUSTER_IP_RANGE,
  ) {
    this.env = {
      cached: (kind) => storage.cached(kind),
      list: async (kind, namespace) => (await storage.list(kind, { namespace, matches: () => true, resourceVersion: '' })).items,
      updateStatus: (kind, object) => storage.update(kind, object, { subresource: 'status' }),
      fns,
      resolve: (group, resource) => KINDS.find((k) => k.group === group && k.resource === resource && !k.virtual && !k.storedAs),
      now,
      serviceClusterIPRange,
    };
    this.quota = new QuotaAdmission(this.env);
  }

  private hooksFor(kind: StoredKind): AdmissionHooks {
    let hooks = this.hooks.get(kind);
    if (!hooks) {
      hooks = kind.admission?.(this.env) ?? {};
      this.hooks.set(kind, hooks);
    }
    return hooks;
  }

  /** Admits a new object; may change it in place. */
  async create(kind: StoredKind, object: KubeObject): Promise<void> {
    await this.requireNamespace(kind, object.metadata.namespace, object.metadata.name ?? object.metadata.generateName ?? '');
    await this.hooksFor(kind).create?.(object);
  }

  /**
   * Validating admission of a new object, after its validation: the kind's checks, then quota.
   * Resolves with the function to call once the object is stored or its create failed.
   */
  async validateCreate(kind: StoredKind, object: KubeObject, dryRun: boolean): Promise<() => void> {
    await this.hooksFor(kind).validateCreate?.(object, dryRun);
    return this.quota.admit(kind, object, dryRun);
  }

  /** Admits a changed object; may change it in place. */
  async update(kind: StoredKind, object: KubeObject, old: KubeObject): Promise<void> {
    await this.hooksFor(kind).update?.(object, old);
  }

  async delete(kind: StoredKind, namespace: string | undefined, name: string): Promise<void> {
    await this.hooksFor(kind).delete?.(namespace, name);
  }

  /** NamespaceLifecycle: 404 when the namespace does not exist, 403 when it is being deleted. */
  private async requireNamespace(kind: StoredKind, namespace: string | undefined, name: string): Promise<void> {
    if (!kind.namespaced || !namespace) return;
    // The watch cache answers almost always; only a miss (a namespace created a moment ago) reads the store.
    if (this.storage.cached(NAMESPACES).some((ns) => ns.metadata.name === namespace && !ns.metadata.deletionTimestamp)) return;
    let found;
    try {
      found = await this.storage.get(NAMESPACES, undefined, namespace);
    } catch (error) {
      if (isApiError(error, 'NotFound')) throw notFound(NAMESPACES, namespace);
      throw error;
    }
    if (found.metadata.deletionTimestamp) {
      const error = forbidden(kind, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
      error.status.details = { ...error.status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] };
      throw error;
    }
  }
}
