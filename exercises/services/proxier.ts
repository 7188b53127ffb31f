/**
 * Exercise 07-services/02-proxier: kube-proxy's sync loop. Informer events tell the proxier which
 * Services changed; a sync recomputes the rules of those Services only (with your serviceRules
 * from exercise 01) and hands the backend only what differs from what it applied last, as
 * kube-proxy's partial syncs do. Syncs start at least minSyncPeriodMs apart, so a burst of
 * changes costs one sync (the BoundedFrequencyRunner).
 *
 * Shapes (engine/proxy/exercises.ts):
 *   ProxierOptions { nodeName, now(), minSyncPeriodMs, fullSyncPeriodMs, backend: { apply(changes) } }
 *   RuleChanges { full, upsert: ProxyRule[], remove: string[] }
 *   Proxier { onServiceUpdate(prev, cur), onEndpointSliceUpdate(prev, cur), nextSyncAt(), syncIfDue() }
 *
 * Read: lessons/core/07-services/03-proxier.md
 * Check: npx kubelings check 07-services/02-proxier
 * Upstream: pkg/proxy/nftables/proxier.go (syncProxyRules, needFullSync), pkg/proxy/servicechangetracker.go,
 * pkg/proxy/endpointschangetracker.go, pkg/util/async/bounded_frequency_runner.go.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Proxier, ProxierOptions } from '#engine/proxy/exercises.ts';
import { serviceKey, serviceKeyOfSlice } from '#engine/proxy/service-util.ts';
import { NotImplemented } from '#engine/errors.ts';
import { serviceRules } from './service-rules.ts';

const PAGE = 'lessons/core/07-services/03-proxier.md';
void [isDeepStrictEqual, serviceKey, serviceKeyOfSlice, serviceRules];

/**
 * A proxier over options.backend.
 *
 * - onServiceUpdate / onEndpointSliceUpdate keep your own copy of the Services (by ns/name) and
 *   slices (by the Service they name, kubernetes.io/service-name, and their own name), and mark
 *   that Service as changed. A slice moved from one Service to another changes both.
 * - nextSyncAt(): the first sync is due at once. After a sync that started at t, the next may
 *   start at t + minSyncPeriodMs, and is due then if anything changed or a full sync is needed;
 *   with nothing changed, at the later of that and the last full sync + fullSyncPeriodMs.
 * - syncIfDue(): nothing before nextSyncAt() (return false). A sync is full the first time, after
 *   an apply that threw, and once fullSyncPeriodMs has passed since the last full one: every
 *   rule goes in upsert, remove is empty. Otherwise it is partial: for each changed Service only,
 *   the rules that are new or differ (deep compare) go in upsert, and the servicePortNames it had
 *   and has no longer go in remove. Sort both by servicePortName. Call apply only when there is
 *   something to say (a full sync always). If apply throws, the next sync is full.
 */
export function newProxier(options: ProxierOptions): Proxier {
  // TODO
  throw new NotImplemented('07-services/02-proxier', PAGE, 'newProxier()');
}
