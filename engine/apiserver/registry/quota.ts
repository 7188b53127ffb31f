/**
 * The ResourceQuota admission plugin (upstream: plugin/pkg/admission/resourcequota), for every
 * create of a namespaced object, after the object's validation:
 *
 * - the quotas of the namespace (the watch cache; a live read when it has none, as upstream's
 *   quota accessor does) that select the object (scopes) and name a resource it is charged for;
 * - pods must state the cpu/memory requests and limits those quotas restrict (403 "failed quota:
 *   <quota>: must specify limits.cpu for: <containers>");
 * - used (what the namespace holds now, counted from the store) plus the object's usage must stay
 *   within spec.hard, else 403 "exceeded quota: <quota>, requested: <r>, used: <u>, limited: <h>"
 *   with only the exceeded resources, `name=quantity` sorted by name;
 * - then each charged quota's status is written (hard and the new used).
 *
 * Creates in one namespace are charged one at a time, and the next waits until the previous object
 * is stored (the registry calls the returned release), so two creates never both take the last unit.
 * Upstream serializes through optimistic updates of the quota's status instead, and its quota
 * controller keeps status.used current between writes (not written here; see
 * engine/kube/kinds/core/resourcequota.ts).
 */
import { forbidden, isApiError } from '../../kube/errors.ts';
import { RESOURCE_QUOTAS } from '../../kube/kinds/core/resourcequota.ts';
import { addLists, hardOf, mask, observedUsage, podConstraints, prettyPrint, quotaSelects, resourcesCharged, usageOf, usageStatus, type ResourceList } from '../../kube/kinds/core/quota-usage.ts';
import type { AdmissionEnvironment, StoredKind } from '../../kube/kinds/types.ts';
import type { KubeObject, Pod } from '../../kube/types.ts';
import { QUOTA_LIVE_LOOKUP_TTL_MS } from '../../params.ts';

/** True when objects of `kind` are charged under the quota resource name `name`. */
function chargesKind(name: string, kind: StoredKind): boolean {
  const charged = resourcesCharged(name);
  return charged !== undefined && charged.group === kind.group && charged.resource === kind.resource;
}

/** How many times a quota's status write is retried after a conflict. */
const STATUS_RETRIES = 5;

export class QuotaAdmission {
  /** Per namespace: the end of the last create charged there (creates are charged one at a time). */
  private readonly tails = new Map<string, Promise<void>>();
  /** Namespaces whose live quota lookup found none, and until when that answer is trusted. */
  private readonly noQuotaUntil = new Map<string, number>();

  constructor(private readonly env: AdmissionEnvironment) {}

  /** The namespace's quotas: the cache, or a live read when the cache has none (a quota created a moment ago). */
  private async quotasIn(namespace: string): Promise<KubeObject[]> {
    const cached = this.env.cached(RESOURCE_QUOTAS).filter((q) => q.metadata.namespace === namespace);
    if (cached.length) return cached;
    if ((this.noQuotaUntil.get(namespace) ?? 0) > this.env.now()) return [];
    const live = await this.env.list(RESOURCE_QUOTAS, namespace);
    if (live.length === 0) {
      if (this.noQuotaUntil.size > 10_000) this.noQuotaUntil.clear();
      this.noQuotaUntil.set(namespace, this.env.now() + QUOTA_LIVE_LOOKUP_TTL_MS);
    }
    return live;
  }

  /**
   * Charges a new object against its namespace's quotas, or throws the 403. Resolves with the
   * function to call once the object is stored (or its create failed): the next create in the
   * namespace waits for it.
   */
  async admit(kind: StoredKind, object: KubeObject, dryRun: boolean): Promise<() => void> {
    const namespace = object.metadata.namespace;
    if (!kind.namespaced || !namespace) return () => {};
    if ((await this.quotasIn(namespace)).length === 0) {
      // The namespace's first quota is on its way into the store: do not remember "no quota".
      if (kind === RESOURCE_QUOTAS) this.noQuotaUntil.delete(namespace);
      return () => {};
    }
    const previous = this.tails.get(namespace) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(namespace, tail);
    void tail.then(() => {
      if (this.tails.get(namespace) === tail) this.tails.delete(namespace);
    });
    await previous;
    try {
      await this.charge(kind, object, namespace, dryRun);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  private async charge(kind: StoredKind, object: KubeObject, namespace: string, dryRun: boolean): Promise<void> {
    const q = this.env.fns.quantities;
    const quotas = (await this.env.list(RESOURCE_QUOTAS, namespace)).sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
    const usage = usageOf(q, kind, object, this.env.now());
    const charged: { quota: KubeObject; used: ResourceList }[] = [];
    const name = object.metadata.name || object.metadata.generateName || 'Unknown';
    for (const quota of quotas) {
      const hard = hardOf(q, quota);
      const names = [...hard.keys()];
      // MatchingResources: the quota's names this kind is charged under, whatever this object uses.
      const restricted = names.filter((n) => chargesKind(n, kind));
      if (restricted.length === 0 || !quotaSelects(quota, kind, object)) continue;
      const requested = mask(usage, names);
      if (kind.group === '' && kind.resource === 'pods') {
        const missing = podConstraints(q, object as Pod, names);
        if (missing) throw forbidden(kind, name, `failed quota: ${quota.metadata.name}: ${missing}`);
      }
      const used = await observedUsage(this.env, quota);
      const after = addLists(q, used, requested);
      const exceeded = names.filter((n) => after.has(n) && q.compare(after.get(n)!, hard.get(n)!) > 0);
      if (exceeded.length) {
        const zero = q.parse('0');
        const usedShown: ResourceList = new Map(exceeded.map((n) => [n, used.get(n) ?? zero]));
        throw forbidden(
          kind,
          name,
          `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(q, mask(requested, exceeded))}, used: ${prettyPrint(q, usedShown)}, limited: ${prettyPrint(q, mask(hard, exceeded))}`,
        );
      }
      charged.push({ quota, used: mask(after, names) });
    }
    if (dryRun) return;
    for (const { quota, used } of charged) await this.writeStatus(quota, used);
  }

  /** The quota's status with the new usage; on a conflict, read it again and rewrite. */
  private async writeStatus(quota: KubeObject, used: ResourceList): Promise<void> {
    let current = quota;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.env.updateStatus(RESOURCE_QUOTAS, { ...current, status: usageStatus(this.env.fns.quantities, current, used) });
        return;
      } catch (error) {
        if (isApiError(error, 'NotFound')) return;
        if (!isApiError(error, 'Conflict') || attempt + 1 >= STATUS_RETRIES) throw error;
        const fresh = (await this.env.list(RESOURCE_QUOTAS, quota.metadata.namespace ?? '')).find((q) => q.metadata.name === quota.metadata.name);
        if (!fresh) return;
        current = fresh;
      }
    }
  }
}
