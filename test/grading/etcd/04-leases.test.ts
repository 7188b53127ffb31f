/**
 * Hidden suite for 01-etcd/04-leases: leases on an injected clock, as etcd 3.4 behaves (the tables
 * are cross-checked against a real etcd, where the clock is real and the waits are too).
 */
import { describe, expect, test } from 'vitest';
import type { WatchEvent } from '#engine/etcd/kv.ts';
import type { LeaseTable } from '#engine/etcd/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { LEASE_MIN_TTL_SECONDS } from '#engine/params.ts';
import { hint } from '#grading';
import { freshStore, record, scenarioTests, settle } from './support/harness.ts';

const etcd = await loadComponent('etcd');

function table(): LeaseTable {
  return { leases: new Map() };
}

function kv(key: string, lease: number) {
  return { key, value: 'v', createRevision: 2, modRevision: 2, version: 1, lease };
}

describe("leases, through the store (etcd's own answers)", () => {
  scenarioTests('04-leases');

  test('many leases expire on their own schedule, each deleting only its own keys', hint("Does expiredLeases compare each lease's expiresAt with now, and only those?"), async () => {
    const { store, clock } = await freshStore();
    for (const [id, ttl] of [
      [1, 10],
      [2, 20],
      [3, 30],
    ] as const) {
      await store.leaseGrant(ttl, id);
      await store.put(`/registry/leases/${id}`, 'held', { lease: id });
    }
    const alive = async () => (await store.range('/registry/leases/', { end: '/registry/leases0' })).kvs.map((x) => x.key);
    clock.advance(15_000);
    await settle();
    expect(await alive(), 'keys left 15 s after granting leases of 10, 20 and 30 s').toEqual(['/registry/leases/2', '/registry/leases/3']);
    clock.advance(10_000);
    await settle();
    expect(await alive(), 'keys left after 25 s').toEqual(['/registry/leases/3']);
    await store.close();
  });

  test('a lease revoked by expiry shows in a watch as deletes with the lease in prevKv', async () => {
    const { store, clock } = await freshStore();
    await store.leaseGrant(5, 42);
    await store.put('/registry/events/default/e1', 'evt', { lease: 42 });
    const w = await record(store, '/registry/events/', { end: '/registry/events0', prevKv: true });
    clock.advance(6_000);
    await settle();
    expect(
      w.events().map((e) => [e.type, e.kv.key, e.prevKv?.lease]),
      'watch with prevKv while lease 42 (5 s) expires',
    ).toEqual([['DELETE', '/registry/events/default/e1', 42]]);
    w.cancel();
    await store.close();
  });
});

describe('the lease table', () => {
  test('grantLease stores the lease with its expiry in milliseconds, and refuses an id in use', hint("expiresAt is in milliseconds on the store's clock: now + ttl * 1000."), () => {
    const t = table();
    expect(etcd.grantLease(t, 7, 10, 5_000), 'grantLease(7, ttl 10, now 5000)').toEqual({ id: 7, ttl: 10, expiresAt: 15_000, keys: new Set() });
    expect(etcd.grantLease(t, 8, 0, 5_000).ttl, 'ttl granted for a request of 0 s').toBe(LEASE_MIN_TTL_SECONDS);
    expect(() => etcd.grantLease(t, 7, 10, 6_000), 'grantLease(7) again').toThrow('etcdserver: lease already exists');
  });

  test('expiredLeases lists leases whose time is up, soonest first', hint('Is a lease expired when now equals expiresAt? Do you sort by expiresAt, then id?'), () => {
    const t = table();
    etcd.grantLease(t, 3, 10, 0); // expires at 10000
    etcd.grantLease(t, 1, 20, 0); // 20000
    etcd.grantLease(t, 2, 10, 0); // 10000
    expect(etcd.expiredLeases(t, 9_999), 'expired at 9999').toEqual([]);
    expect(etcd.expiredLeases(t, 10_000), 'expired at 10000').toEqual([2, 3]);
    expect(etcd.expiredLeases(t, 25_000), 'expired at 25000').toEqual([2, 3, 1]);
  });

  test('a keep-alive moves the expiry from now, and cannot bring back an expired lease', hint('What should keepAlive do when expiresAt <= now?'), () => {
    const t = table();
    etcd.grantLease(t, 1, 10, 0);
    expect(etcd.keepAlive(t, 1, 8_000).expiresAt, 'keepAlive at 8000 of a 10 s lease: expiresAt').toBe(18_000);
    expect(() => etcd.keepAlive(t, 1, 18_000), 'keepAlive at 18000 (the moment it expires)').toThrow('etcdserver: requested lease not found');
    expect(() => etcd.keepAlive(t, 99, 0), 'keepAlive of an unknown lease').toThrow('etcdserver: requested lease not found');
  });

  test('trackLeaseKeys moves a key from its old lease to its new one, and drops it on delete', hint('Look at both prevKv.lease (where the key was) and kv.lease (where it goes).'), () => {
    const t = table();
    etcd.grantLease(t, 1, 60, 0);
    etcd.grantLease(t, 2, 60, 0);
    const events: WatchEvent[] = [
      { type: 'PUT', kv: kv('a', 1) },
      { type: 'PUT', kv: kv('b', 1) },
      { type: 'PUT', kv: kv('a', 2), prevKv: kv('a', 1) },
      { type: 'PUT', kv: kv('c', 0) },
      { type: 'DELETE', kv: { ...kv('b', 0), value: '' }, prevKv: kv('b', 1) },
      { type: 'PUT', kv: kv('d', 99) },
    ];
    etcd.trackLeaseKeys(t, events);
    expect([[...t.leases.get(1)!.keys], [...t.leases.get(2)!.keys]], 'keys of leases 1 and 2 after: put a(1), put b(1), put a(2), put c, delete b, put d(99, unknown)').toEqual([[], ['a']]);
    expect(etcd.revokeLease(t, 2), 'revokeLease(2)').toEqual(['a']);
    expect(t.leases.has(2), 'lease 2 still in the table after revoke').toBe(false);
  });

  test("revokeLease returns the lease's keys sorted, whatever order they were attached in", hint('The store deletes them in the order you return: is [...keys] sorted?'), () => {
    const t = table();
    etcd.grantLease(t, 1, 60, 0);
    etcd.trackLeaseKeys(
      t,
      ['c', 'a', 'b/2', 'b'].map((key) => ({ type: 'PUT' as const, kv: kv(key, 1) })),
    );
    expect(etcd.revokeLease(t, 1), 'revokeLease(1), its keys attached as c, a, b/2, b').toEqual(['a', 'b', 'b/2', 'c']);
  });

  test(
    'trackLeaseKeys passes over a lease that is no longer in the table',
    hint(
      'When a lease is revoked, the engine deletes its keys after the lease has left the table: their DELETE events name a lease you cannot find. Do you check before using it (?.), or assume it is there (!)?',
    ),
    () => {
      const t = table();
      etcd.grantLease(t, 1, 60, 0);
      etcd.grantLease(t, 2, 60, 0);
      etcd.trackLeaseKeys(t, [
        { type: 'PUT', kv: kv('a', 1) },
        { type: 'PUT', kv: kv('b', 2) },
      ]);
      etcd.revokeLease(t, 1);
      etcd.trackLeaseKeys(t, [{ type: 'DELETE', kv: { ...kv('a', 0), value: '' }, prevKv: kv('a', 1) }]);
      expect([...t.leases.get(2)!.keys], 'keys of lease 2 after lease 1 was revoked and its key a deleted').toEqual(['b']);
    },
  );
});
