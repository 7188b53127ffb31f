/**
 * Exercise 01-etcd/04-leases: keys with a time to live.
 *
 * A lease is a countdown that a client keeps resetting ("keep-alive"). Keys attached to it live
 * while it lives. Kubernetes builds heartbeats on this idea (each kubelet renews a Lease object in
 * kube-node-lease) and the apiserver stores Events under an etcd lease so that they expire by
 * themselves. This file keeps the table of leases on an injected clock: `now` is milliseconds.
 *
 * Read: lessons/core/01-etcd/05-leases.md
 * Check: npx kubelings check 01-etcd/04-leases
 */
import { LeaseExistsError, LeaseNotFoundError, type WatchEvent } from '#engine/etcd/kv.ts';
import { LEASE_MIN_TTL_SECONDS } from '#engine/params.ts';
import type { Lease, LeaseTable } from '#engine/etcd/types.ts';

/** Grants lease `id` for `ttl` seconds (at least the minimum) from `now`. */
export function grantLease(table: LeaseTable, id: number, ttl: number, now: number): Lease {
  if (table.leases.has(id)) throw new LeaseExistsError(id);
  const granted = Math.max(ttl, LEASE_MIN_TTL_SECONDS);
  const lease: Lease = { id, ttl: granted, expiresAt: now + granted * 1000, keys: new Set() };
  table.leases.set(id, lease);
  return lease;
}

/** Restarts the countdown of a live lease. */
export function keepAlive(table: LeaseTable, id: number, now: number): Lease {
  const lease = table.leases.get(id);
  if (!lease || lease.expiresAt <= now) throw new LeaseNotFoundError(id);
  lease.expiresAt = now + lease.ttl * 1000;
  return lease;
}

/** Forgets the lease; returns its keys, sorted, for the caller to delete. */
export function revokeLease(table: LeaseTable, id: number): string[] {
  const lease = table.leases.get(id);
  if (!lease) throw new LeaseNotFoundError(id);
  table.leases.delete(id);
  return [...lease.keys].sort();
}

/** The ids of the leases expired at `now`, soonest expiry first (ties: smaller id first). */
export function expiredLeases(table: LeaseTable, now: number): number[] {
  return [...table.leases.values()]
    .filter((l) => l.expiresAt <= now)
    .sort((a, b) => a.expiresAt - b.expiresAt || a.id - b.id)
    .map((l) => l.id);
}

/** Attaches and detaches keys as a write's events say. */
export function trackLeaseKeys(table: LeaseTable, events: readonly WatchEvent[]): void {
  for (const event of events) {
    const before = event.prevKv?.lease ?? 0;
    const after = event.type === 'PUT' ? event.kv.lease : 0;
    if (before === after) continue;
    if (before) table.leases.get(before)?.keys.delete(event.kv.key);
    if (after) table.leases.get(after)?.keys.add(event.kv.key);
  }
}
