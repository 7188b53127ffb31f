/**
 * Exercise 07-services/02-proxier: kube-proxy's sync loop. Informer events mark the Services they
 * touch as changed; a sync recomputes the rules of those Services only and hands the backend what
 * differs from what it applied last (kube-proxy's partial syncs), no more often than
 * minSyncPeriodMs (the BoundedFrequencyRunner), with a full sync first, after a failed apply, and
 * every fullSyncPeriodMs.
 *
 * Read: lessons/core/07-services/03-proxier.md
 * Check: npx kubelings check 07-services/02-proxier
 * Upstream: pkg/proxy/nftables/proxier.go (syncProxyRules, needFullSync), pkg/proxy/servicechangetracker.go,
 * pkg/proxy/endpointschangetracker.go, pkg/util/async/bounded_frequency_runner.go.
 */
import { isDeepStrictEqual } from 'node:util';
import type { EndpointSlice, Service } from '#engine/kube/types.ts';
import type { Proxier, ProxierOptions, ProxyRule } from '#engine/proxy/exercises.ts';
import { serviceKey, serviceKeyOfSlice } from '#engine/proxy/service-util.ts';
import { serviceRules } from './service-rules.ts';

export function newProxier(options: ProxierOptions): Proxier {
  const services = new Map<string, Service>();
  /** Slices by Service key, then by slice name. */
  const slices = new Map<string, Map<string, EndpointSlice>>();
  /** What the backend has: by Service key, its rules by servicePortName. */
  const applied = new Map<string, Map<string, ProxyRule>>();
  const changed = new Set<string>();
  let needFullSync = true;
  let lastSyncAt: number | undefined;
  let lastFullSyncAt = Number.NEGATIVE_INFINITY;

  const sliceName = (s: EndpointSlice) => s.metadata.name ?? '';
  const rulesOf = (key: string): ProxyRule[] => {
    const service = services.get(key);
    return service ? serviceRules([service], [...(slices.get(key)?.values() ?? [])], options.nodeName) : [];
  };

  function nextSyncAt(): number {
    if (lastSyncAt === undefined) return options.now();
    const earliest = lastSyncAt + options.minSyncPeriodMs;
    if (needFullSync || changed.size > 0) return earliest;
    return Math.max(earliest, lastFullSyncAt + options.fullSyncPeriodMs);
  }

  function sync(): void {
    const now = options.now();
    lastSyncAt = now;
    const full = needFullSync || now >= lastFullSyncAt + options.fullSyncPeriodMs;
    const keys = full ? new Set([...services.keys(), ...applied.keys()]) : new Set(changed);
    changed.clear();
    const next = new Map<string, Map<string, ProxyRule>>();
    const upsert: ProxyRule[] = [];
    const remove: string[] = [];
    for (const key of keys) {
      const before = applied.get(key) ?? new Map<string, ProxyRule>();
      const after = new Map(rulesOf(key).map((r) => [r.servicePortName, r]));
      next.set(key, after);
      for (const [name, rule] of after) if (full || !isDeepStrictEqual(before.get(name), rule)) upsert.push(rule);
      if (!full) for (const name of before.keys()) if (!after.has(name)) remove.push(name);
    }
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    upsert.sort((a, b) => byName(a.servicePortName, b.servicePortName));
    remove.sort(byName);
    try {
      if (full || upsert.length > 0 || remove.length > 0) options.backend.apply({ full, upsert, remove });
    } catch {
      // What the backend holds is unknown now: the next sync rebuilds everything.
      needFullSync = true;
      return;
    }
    if (full) {
      applied.clear();
      lastFullSyncAt = now;
      needFullSync = false;
    }
    for (const [key, rules] of next) {
      if (rules.size > 0) applied.set(key, rules);
      else applied.delete(key);
    }
  }

  return {
    onServiceUpdate(previous, current) {
      const service = current ?? previous;
      if (!service) return;
      const key = serviceKey(service);
      if (current) services.set(key, current);
      else services.delete(key);
      changed.add(key);
    },
    onEndpointSliceUpdate(previous, current) {
      for (const slice of [previous, current]) {
        if (!slice) continue;
        const key = serviceKeyOfSlice(slice);
        if (key) changed.add(key);
      }
      if (previous) {
        const key = serviceKeyOfSlice(previous);
        if (key) slices.get(key)?.delete(sliceName(previous));
      }
      if (current) {
        const key = serviceKeyOfSlice(current);
        if (key) {
          const forService = slices.get(key) ?? new Map<string, EndpointSlice>();
          forService.set(sliceName(current), current);
          slices.set(key, forService);
        }
      }
    },
    nextSyncAt,
    syncIfDue() {
      if (options.now() < nextSyncAt()) return false;
      sync();
      return true;
    },
  };
}
