/**
 * Exercise 01-etcd/04-leases: keys with a time to live.
 *
 * A lease is a countdown that a client keeps resetting ("keep-alive"). Keys attached to it live
 * while it lives. Kubernetes builds heartbeats on this idea (each kubelet renews a Lease object in
 * kube-node-lease) and the apiserver stores Events under an etcd lease so that they expire by
 * themselves. This file keeps the table of leases on an injected clock: `now` is milliseconds.
 *
 * The data (see engine/etcd/types.ts): table.leases maps an id to
 *   { id, ttl (seconds), expiresAt (ms on the store's clock), keys (a Set of attached keys) }.
 * The engine calls expiredLeases(now) on a timer and revokes what it returns; it deletes the keys
 * revokeLease() returns, all in one revision.
 *
 * Read: lessons/core/01-etcd/05-leases.md
 * Check: npx kubelings check 01-etcd/04-leases
 */
import { NotImplemented } from '#engine/errors.ts';
import { LeaseExistsError, LeaseNotFoundError, type WatchEvent } from '#engine/etcd/kv.ts';
import { LEASE_MIN_TTL_SECONDS } from '#engine/params.ts';
import type { Lease, LeaseTable } from '#engine/etcd/types.ts';

/**
 * Grants lease `id` for `ttl` seconds from `now` and returns it.
 *
 * Must hold:
 * - an id already in the table throws new LeaseExistsError(id);
 * - a ttl below LEASE_MIN_TTL_SECONDS is raised to it (etcd does the same);
 * - expiresAt = now + ttl * 1000 (the granted ttl); no keys yet.
 */
export function grantLease(table: LeaseTable, id: number, ttl: number, now: number): Lease {
  // TODO: add the lease to table.leases.
  throw new NotImplemented('01-etcd/04-leases', 'lessons/core/01-etcd/05-leases.md', 'grantLease()');
}

/**
 * Restarts the lease's countdown: expiresAt = now + ttl * 1000. Returns the lease.
 *
 * Must hold: an unknown lease, or one already expired at `now` (expiresAt <= now), throws
 * new LeaseNotFoundError(id): a keep-alive cannot bring a lease back.
 */
export function keepAlive(table: LeaseTable, id: number, now: number): Lease {
  // TODO: find the lease, check it is alive, move expiresAt.
  throw new NotImplemented('01-etcd/04-leases', 'lessons/core/01-etcd/05-leases.md', 'keepAlive()');
}

/**
 * Removes the lease from the table and returns its keys, sorted, for the caller to delete.
 *
 * Must hold: an unknown lease throws new LeaseNotFoundError(id).
 */
export function revokeLease(table: LeaseTable, id: number): string[] {
  // TODO: remove the lease; return its keys in sorted order.
  throw new NotImplemented('01-etcd/04-leases', 'lessons/core/01-etcd/05-leases.md', 'revokeLease()');
}

/**
 * The ids of the leases expired at `now` (expiresAt <= now), soonest expiry first; two leases
 * that expire at the same moment: smaller id first.
 */
export function expiredLeases(table: LeaseTable, now: number): number[] {
  // TODO: filter and sort.
  throw new NotImplemented('01-etcd/04-leases', 'lessons/core/01-etcd/05-leases.md', 'expiredLeases()');
}

/**
 * Keeps each lease's `keys` up to date after a write, from the write's events.
 *
 * Must hold:
 * - a PUT with kv.lease = L attaches kv.key to lease L;
 * - a PUT whose prevKv had another lease detaches the key from that one (a key belongs to at most
 *   one lease: the one of its latest put; a put without a lease detaches it);
 * - a DELETE detaches the key from prevKv's lease;
 * - a lease id that is not in the table (already revoked) is ignored.
 */
export function trackLeaseKeys(table: LeaseTable, events: readonly WatchEvent[]): void {
  // TODO: for each event, move the key from its old lease to its new one.
  throw new NotImplemented('01-etcd/04-leases', 'lessons/core/01-etcd/05-leases.md', 'trackLeaseKeys()');
}
