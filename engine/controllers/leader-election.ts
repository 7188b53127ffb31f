/**
 * Leader election on a coordination.k8s.io Lease, as client-go's tools/leaderelection does it
 * (leaderelection.go tryAcquireOrRenew, resourcelock/leaselock.go): several controller-managers
 * run, one leads (runs the controllers), the others wait to take over.
 *
 * - A candidate tries every retryPeriod: it creates the Lease if there is none, takes it if it is
 *   free (no holder) or expired, and otherwise waits. "Expired" is judged by the candidate's own
 *   clock: the record must not have changed for leaseDuration since this candidate last saw it
 *   change (observedTime), never by comparing renewTime with a clock on another machine.
 * - The leader renews every retryPeriod (an optimistic update with the Lease's resourceVersion). If
 *   it cannot renew for renewDeadline it stops leading (onStoppedLeading) and campaigns again.
 *   renewDeadline < leaseDuration, so it has stopped before anyone else may take over.
 * - stop({ release: true }) gives the Lease up (holder "", leaseDurationSeconds 1) so that the
 *   next candidate need not wait out the duration; a crashed leader (no release) is replaced once
 *   leaseDuration has passed without renewal.
 * Writes through a LeaseStore: the apiserver (leaseStoreFor), or an in-memory fake in tests; the
 * clock is injected (ManualClock in tests).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { isApiError } from '../kube/errors.ts';
import type { KubeClient } from '../client/client.ts';
import type { Clock } from '../etcd/clock.ts';
import { silentLogger, type Logger } from '../cluster/logger.ts';
import type { Lease } from '../kube/types.ts';
import { LEADER_ELECTION_LEASE_DURATION_MS, LEADER_ELECTION_LEASE_NAME, LEADER_ELECTION_RENEW_DEADLINE_MS, LEADER_ELECTION_RETRY_PERIOD_MS } from '../params.ts';

/** Reads and writes the one Lease; rejects with an ApiError (NotFound on get, Conflict on a stale update). */
export interface LeaseStore {
  get(): Promise<Lease>;
  create(lease: Lease): Promise<Lease>;
  /** Optimistic: fails with Conflict if the stored Lease's resourceVersion is not the given one. */
  update(lease: Lease): Promise<Lease>;
}

export function leaseStoreFor(client: KubeClient, namespace: string, name: string): LeaseStore {
  return {
    get: () => client.get<Lease>('leases', name, { namespace }),
    create: (lease) => client.create<Lease>('leases', lease, { namespace }),
    update: (lease) => client.update<Lease>('leases', lease, { namespace }),
  };
}

export interface LeaderElectionOptions {
  store: LeaseStore;
  /** Unique per candidate; kube-controller-manager uses `<hostname>_<uuid>`. */
  identity?: string;
  namespace?: string;
  name?: string;
  clock: Clock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading(): void | Promise<void>;
  onStoppedLeading(): void | Promise<void>;
  onNewLeader?(identity: string): void;
  logger?: Logger;
}

/** MicroTime as Leases carry it. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  /** The Lease as last read or written, and when (our clock) its record last changed. */
  private observed?: Lease;
  private observedTime = 0;
  private leading = false;
  private running = false;
  private cancelTimer?: () => void;
  private lastRenew = 0;
  private busy?: Promise<void>;
  private lastReportedLeader?: string;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.leaseDurationMs = options.leaseDurationMs ?? LEADER_ELECTION_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? LEADER_ELECTION_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? LEADER_ELECTION_RETRY_PERIOD_MS;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs && this.retryPeriodMs > 0)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod > 0');
    }
    this.log = options.logger ?? silentLogger;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder of the Lease as this candidate last saw it. */
  leader(): string | undefined {
    return this.observed?.spec?.holderIdentity || undefined;
  }

  /** Starts campaigning (and, once leading, renewing) until stop(). */
  run(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Stops campaigning; a leader stops leading, and gives the Lease up if `release`. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    await this.busy;
    if (!this.leading) return;
    this.leading = false;
    if (options.release && this.observed) {
      const now = this.options.clock.now();
      const lease = structuredClone(this.observed);
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) };
      try {
        await this.options.store.update(lease);
      } catch (error) {
        this.log.warn('releasing the lease failed', { error: (error as Error).message });
      }
    }
    await this.options.onStoppedLeading();
  }

  private tick(): void {
    if (!this.running) return;
    this.busy = this.step().finally(() => {
      if (this.running) this.cancelTimer = this.options.clock.setTimer(this.retryPeriodMs, () => this.tick());
    });
  }

  private async step(): Promise<void> {
    const ok = await this.tryAcquireOrRenew();
    if (!this.running) return;
    const now = this.options.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.log.info('successfully acquired lease', { lease: `${this.options.namespace ?? 'kube-system'}/${this.options.name ?? LEADER_ELECTION_LEASE_NAME}`, identity: this.identity });
        await this.options.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew >= this.renewDeadlineMs) {
      this.leading = false;
      this.log.warn('failed to renew lease: leaderelection lost', { identity: this.identity });
      await this.options.onStoppedLeading();
    }
    const holder = this.leader();
    if (holder && holder !== this.lastReportedLeader) {
      this.lastReportedLeader = holder;
      this.options.onNewLeader?.(holder);
    }
  }

  private leaseValid(now: number): boolean {
    return this.observedTime + this.leaseDurationMs > now;
  }

  private setObserved(lease: Lease, now: number): void {
    const changed = JSON.stringify(this.observed?.spec) !== JSON.stringify(lease.spec);
    this.observed = lease;
    if (changed) this.observedTime = now;
  }

  private record(now: number, previous?: Lease['spec']): NonNullable<Lease['spec']> {
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      acquireTime: previous?.acquireTime ?? microTime(now),
      renewTime: microTime(now),
      leaseTransitions: previous?.leaseTransitions ?? 0,
    };
  }

  /** client-go's tryAcquireOrRenew. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { store, clock } = this.options;
    const now = clock.now();
    // 1. The leader's fast path: update the Lease it last saw.
    if (this.leading && this.observed && this.leaseValid(now)) {
      const lease = { ...structuredClone(this.observed), spec: this.record(now, this.observed.spec) };
      try {
        this.setObserved(await store.update(lease), now);
        return true;
      } catch (error) {
        this.log.info('failed to update lock optimistically, falling back to slow path', { error: (error as Error).message });
      }
    }
    // 2. Read the Lease, or create it.
    let current: Lease;
    try {
      current = await store.get();
    } catch (error) {
      if (!isApiError(error, 'NotFound')) return false;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name ?? LEADER_ELECTION_LEASE_NAME, namespace: this.options.namespace ?? 'kube-system' },
        spec: this.record(now),
      };
      try {
        this.setObserved(await store.create(lease), now);
        return true;
      } catch {
        return false;
      }
    }
    this.setObserved(current, now);
    // 3. Held by someone else, and not expired by our clock: wait.
    if (current.spec?.holderIdentity && current.spec.holderIdentity !== this.identity && this.leaseValid(now)) return false;
    // 4. Take it (or renew it through the slow path).
    const mine = current.spec?.holderIdentity === this.identity;
    const spec = mine ? this.record(now, current.spec) : { ...this.record(now), leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 };
    try {
      this.setObserved(await store.update({ ...structuredClone(current), spec }), now);
      return true;
    } catch {
      return false;
    }
  }
}
