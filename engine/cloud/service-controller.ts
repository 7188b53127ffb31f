/**
 * The service controller of the cloud-controller-manager, after upstream's
 * k8s.io/cloud-provider controllers/service/controller.go: it keeps one cloud load balancer per
 * Service of type LoadBalancer and writes its address to status.loadBalancer.ingress.
 *
 * - Which Services: type LoadBalancer without spec.loadBalancerClass (a class names another
 *   implementation, which this controller leaves alone: wantsLoadBalancer). Queued on add when
 *   they want one or need cleanup, on update when a field the load balancer depends on changed
 *   (needsUpdate: type, ports, affinity, loadBalancerIP, externalIPs, annotations, UID, traffic
 *   policy, health-check port, IP families) or when they need cleanup.
 * - A sync that ensures: event EnsuringLoadBalancer, the finalizer
 *   service.kubernetes.io/load-balancer-cleanup added first (so the Service cannot go before its
 *   load balancer), cloud.ensureLoadBalancer with the nodes (not being deleted, not labelled
 *   node.kubernetes.io/exclude-from-external-load-balancers, not tainted
 *   ToBeDeletedByClusterAutoscaler), event EnsuredLoadBalancer, then the status written if it changed.
 * - A sync that deletes (type changed away, or the Service is being deleted with the finalizer):
 *   DeletingLoadBalancer if the cloud has one, ensureLoadBalancerDeleted, the finalizer removed,
 *   DeletedLoadBalancer, the status emptied.
 * - A failed sync: event Warning SyncLoadBalancerFailed "Error syncing load balancer: <why>",
 *   and the key retried with per-key exponential backoff (5 s doubling to 300 s upstream).
 * - Nodes: a node added or deleted, or one whose exclusion label or providerID changed, makes
 *   every load balancer whose node set changed be re-pointed (updateLoadBalancer; events
 *   UpdatedLoadBalancer, UnAvailableLoadBalancer with no node, UpdateLoadBalancerFailed and a retry
 *   through the Service queue on failure).
 *
 * Invariants: objects from the informers are never modified (copied first); one sync per key at a
 * time (the workqueue); a Service deleted without the finalizer (created before this controller ran)
 * still has its load balancer deleted, from the copy kept of it (upstream's serviceCache).
 */
import type { KubeClient } from '../client/client.ts';
import type { Clock } from '../etcd/clock.ts';
import type { Logger } from '../cluster/logger.ts';
import type { ControllersExercises } from '../controllers/exercises.ts';
import type { SharedInformerFactory } from '../controllers/informers.ts';
import { objectKeyOf } from '../controllers/pods.ts';
import { QueueWorkers } from '../controllers/workers.ts';
import { isApiError } from '../kube/errors.ts';
import type { Node, Service } from '../kube/types.ts';
import { SERVICE_LB_RETRY_MAX_MS, SERVICE_LB_RETRY_MIN_MS, SERVICE_LB_WORKERS } from '../params.ts';
import type { LoadBalancerCloud, LoadBalancerStatus } from './cloud.ts';

export const LOAD_BALANCER_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
/** A node with this label (any value but "false") is kept out of load balancers (v1.LabelNodeExcludeBalancers). */
export const EXCLUDE_BALANCERS_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** The cluster autoscaler's taint on a node it is about to delete (upstream ToBeDeletedTaint). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export interface EventSink {
  record(object: Service, type: 'Normal' | 'Warning', reason: string, message: string, action: string): void;
}

export interface ServiceControllerDeps {
  /** Workqueue and rate limiter (the controllers component through the door). */
  controllers: ControllersExercises;
  informers: SharedInformerFactory;
  /** Finalizer and status writes. */
  client: KubeClient;
  cloud: LoadBalancerCloud;
  /** Events under the source `service-controller`. */
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
  clusterName?: string;
  /** Backoff of a failed Service (default SERVICE_LB_RETRY_MIN_MS .. SERVICE_LB_RETRY_MAX_MS). */
  retryMinMs?: number;
  retryMaxMs?: number;
  workers?: number;
}

export interface ServiceController {
  /** The Service queue's workers (start, stop, counts). */
  readonly services: QueueWorkers;
  /** The node-sync queue's worker (one key). */
  readonly nodes: QueueWorkers;
  start(): void;
  stop(): Promise<void>;
}

const NODE_SYNC_KEY = 'node-sync';

export function wantsLoadBalancer(service: Service): boolean {
  return service.spec?.type === 'LoadBalancer' && (service.spec.loadBalancerClass ?? undefined) === undefined;
}

export function hasCleanupFinalizer(service: Service): boolean {
  return (service.metadata.finalizers ?? []).includes(LOAD_BALANCER_CLEANUP_FINALIZER);
}

/** The load balancer must go: the finalizer is there and the Service is being deleted or no longer of type LoadBalancer. */
export function needsCleanup(service: Service): boolean {
  if (!hasCleanupFinalizer(service)) return false;
  return service.metadata.deletionTimestamp !== undefined || service.spec?.type !== 'LoadBalancer';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A change the load balancer depends on (upstream needsUpdate). */
export function needsUpdate(old: Service, cur: Service): boolean {
  const wantsOld = wantsLoadBalancer(old);
  const wantsCur = wantsLoadBalancer(cur);
  if (!wantsOld && !wantsCur) return false;
  if (wantsOld !== wantsCur) return true;
  const o = old.spec ?? {};
  const c = cur.spec ?? {};
  const portsOf = (s: Service) =>
    (s.spec?.ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port, p.nodePort ?? 0, p.targetPort ?? null, (p as { appProtocol?: string }).appProtocol ?? null]);
  return (
    !same(o.loadBalancerSourceRanges, c.loadBalancerSourceRanges) ||
    !same(portsOf(old), portsOf(cur)) ||
    (o.sessionAffinity ?? '') !== (c.sessionAffinity ?? '') ||
    !same(o.sessionAffinityConfig, c.sessionAffinityConfig) ||
    (o.loadBalancerIP ?? '') !== (c.loadBalancerIP ?? '') ||
    !same(o.externalIPs ?? [], c.externalIPs ?? []) ||
    !same(old.metadata.annotations ?? {}, cur.metadata.annotations ?? {}) ||
    old.metadata.uid !== cur.metadata.uid ||
    (o.externalTrafficPolicy ?? '') !== (c.externalTrafficPolicy ?? '') ||
    (o.healthCheckNodePort ?? 0) !== (c.healthCheckNodePort ?? 0) ||
    ((o.ipFamilies as unknown[] | undefined)?.length ?? 0) !== ((c.ipFamilies as unknown[] | undefined)?.length ?? 0)
  );
}

/** A node load balancers may send traffic to (upstream stableNodeSetPredicates). */
export function nodeInLoadBalancers(node: Node): boolean {
  if (node.metadata.deletionTimestamp !== undefined) return false;
  const exclude = node.metadata.labels?.[EXCLUDE_BALANCERS_LABEL];
  // Upstream: the label excludes the node unless its value parses as false (strconv.ParseBool).
  if (exclude !== undefined && !['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(exclude)) return false;
  return !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}

function shouldSyncUpdatedNode(old: Node, cur: Node): boolean {
  const included = (n: Node) => nodeInLoadBalancers({ ...n, metadata: { ...n.metadata, deletionTimestamp: undefined }, spec: { ...n.spec, taints: [] } });
  return included(old) !== included(cur) || (old.spec?.providerID ?? '') !== (cur.spec?.providerID ?? '');
}

/** Same node names with the same providerIDs (upstream nodesSufficientlyEqual). */
function nodesSufficientlyEqual(a: Node[], b: Node[]): boolean {
  const distil = (nodes: Node[]) => nodes.map((n) => `${n.metadata.name}\u0000${n.spec?.providerID ?? ''}`).sort();
  return a.length === b.length && same(distil(a), distil(b));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const withKind = (s: Service): Service => ({ ...s, apiVersion: 'v1', kind: 'Service' });

export function newServiceController(deps: ServiceControllerDeps): ServiceController {
  const { controllers, informers, client, cloud, recorder, clock, logger } = deps;
  const clusterName = deps.clusterName ?? 'kubernetes';
  const services = informers.forResource<Service>('services');
  const nodes = informers.forResource<Node>('nodes');
  /** The last Service each key was synced with (upstream serviceCache), for deletions without the finalizer. */
  const cache = new Map<string, Service>();
  /** The nodes each load balancer was last pointed at. */
  const lastSyncedNodes = new Map<string, Node[]>();
  const event = (s: Service, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.record(withKind(s), type, reason, message, reason);
  const stableNodes = () => nodes.lister.list().filter(nodeInLoadBalancers);

  const rateLimiter = controllers.newItemExponentialFailureRateLimiter(deps.retryMinMs ?? SERVICE_LB_RETRY_MIN_MS, deps.retryMaxMs ?? SERVICE_LB_RETRY_MAX_MS);
  const serviceWorkers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now(), rateLimiter }), (key) => syncService(key), {
    name: 'service',
    workers: deps.workers ?? SERVICE_LB_WORKERS,
    clock,
    logger,
  });
  const nodeWorkers = new QueueWorkers(
    controllers.newWorkQueue({
      now: () => clock.now(),
      rateLimiter: controllers.newItemExponentialFailureRateLimiter(deps.retryMinMs ?? SERVICE_LB_RETRY_MIN_MS, deps.retryMaxMs ?? SERVICE_LB_RETRY_MAX_MS),
    }),
    () => syncNodes(),
    {
      name: 'service-node-sync',
      workers: 1,
      clock,
      logger,
    },
  );

  services.on('add', (s) => {
    // needsCleanup too: a Service whose load balancer outlived a crash of this controller.
    if (wantsLoadBalancer(s) || needsCleanup(s)) serviceWorkers.enqueue(objectKeyOf(s));
  });
  services.on('update', (old, cur) => {
    if (needsUpdate(old, cur) || needsCleanup(cur)) serviceWorkers.enqueue(objectKeyOf(cur));
  });
  // A deletion arrives as an update (the deletionTimestamp) while the finalizer holds it; a Service
  // without the finalizer is looked up, found gone, and cleaned up from the cache.
  services.on('delete', (s) => {
    if (cache.has(objectKeyOf(s))) serviceWorkers.enqueue(objectKeyOf(s));
  });
  nodes.on('add', () => nodeWorkers.enqueue(NODE_SYNC_KEY));
  nodes.on('update', (old, cur) => {
    if (shouldSyncUpdatedNode(old, cur)) nodeWorkers.enqueue(NODE_SYNC_KEY);
  });
  nodes.on('delete', () => nodeWorkers.enqueue(NODE_SYNC_KEY));

  async function syncService(key: string): Promise<void> {
    const service = services.lister.get(key);
    if (!service) return processServiceDeletion(key);
    return processServiceCreateOrUpdate(structuredClone(service), key);
  }

  async function processServiceCreateOrUpdate(service: Service, key: string): Promise<void> {
    const cached = cache.get(key);
    // Deleted and created again under the same name before this controller saw the deletion.
    if (cached && cached.metadata.uid !== service.metadata.uid) await processLoadBalancerDelete(cached);
    cache.set(key, service);
    let op: 'ensure' | 'delete';
    try {
      op = await syncLoadBalancerIfNeeded(service, key);
    } catch (error) {
      event(service, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: ${messageOf(error)}`);
      throw error;
    }
    if (op === 'delete') {
      cache.delete(key);
      lastSyncedNodes.delete(key);
    }
  }

  async function syncLoadBalancerIfNeeded(service: Service, key: string): Promise<'ensure' | 'delete'> {
    const previous: LoadBalancerStatus = service.status?.loadBalancer ?? {};
    let next: LoadBalancerStatus;
    let op: 'ensure' | 'delete';
    if (!wantsLoadBalancer(service) || needsCleanup(service)) {
      op = 'delete';
      next = {};
      let exists: boolean;
      try {
        exists = (await cloud.getLoadBalancer(clusterName, service)).exists;
      } catch (error) {
        throw new Error(`failed to check if load balancer exists before cleanup: ${messageOf(error)}`);
      }
      if (exists) {
        logger.info('deleting load balancer', { service: key });
        event(service, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
        try {
          await cloud.ensureLoadBalancerDeleted(clusterName, service);
        } catch (error) {
          throw new Error(`failed to delete load balancer: ${messageOf(error)}`);
        }
      }
      try {
        await setFinalizer(service, false);
      } catch (error) {
        throw new Error(`failed to remove load balancer cleanup finalizer: ${messageOf(error)}`);
      }
      event(service, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    } else {
      op = 'ensure';
      logger.info('ensuring load balancer', { service: key });
      event(service, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      try {
        await setFinalizer(service, true);
      } catch (error) {
        throw new Error(`failed to add load balancer cleanup finalizer: ${messageOf(error)}`);
      }
      const hosts = stableNodes();
      if (hosts.length === 0) event(service, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
      lastSyncedNodes.set(key, hosts);
      try {
        next = await cloud.ensureLoadBalancer(clusterName, service, hosts);
      } catch (error) {
        throw new Error(`failed to ensure load balancer: ${messageOf(error)}`);
      }
      event(service, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    }
    try {
      await patchStatus(service, previous, next);
    } catch (error) {
      // Gone right after the finalizer came off: nothing left to write to.
      if (!isApiError(error, 'NotFound')) throw new Error(`failed to update load balancer status: ${messageOf(error)}`);
    }
    return op;
  }

  async function processServiceDeletion(key: string): Promise<void> {
    const cached = cache.get(key);
    if (!cached) return;
    await processLoadBalancerDelete(cached);
    cache.delete(key);
    lastSyncedNodes.delete(key);
  }

  async function processLoadBalancerDelete(service: Service): Promise<void> {
    if (!wantsLoadBalancer(service)) return;
    event(service, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    try {
      await cloud.ensureLoadBalancerDeleted(clusterName, service);
    } catch (error) {
      event(service, 'Warning', 'DeleteLoadBalancerFailed', `Error deleting load balancer: ${messageOf(error)}`);
      throw error;
    }
    event(service, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }

  /** Adds or removes the cleanup finalizer on the newest copy of the Service (a conflict is read again). */
  async function setFinalizer(service: Service, present: boolean): Promise<void> {
    if (hasCleanupFinalizer(service) === present) return;
    const namespace = service.metadata.namespace;
    for (let attempt = 0; ; attempt++) {
      let fresh: Service;
      try {
        fresh = await client.get<Service>('services', service.metadata.name!, { namespace });
      } catch (error) {
        if (!present && isApiError(error, 'NotFound')) return;
        throw error;
      }
      if (fresh.metadata.uid !== service.metadata.uid) return;
      const finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== LOAD_BALANCER_CLEANUP_FINALIZER);
      if (present) finalizers.push(LOAD_BALANCER_CLEANUP_FINALIZER);
      if (same(finalizers, fresh.metadata.finalizers ?? [])) return;
      try {
        // No finalizer left: the field goes, as upstream's removeString leaves a nil list.
        const written = await client.update<Service>('services', { ...fresh, metadata: { ...fresh.metadata, finalizers: finalizers.length ? finalizers : undefined } }, { namespace });
        service.metadata = written.metadata;
        return;
      } catch (error) {
        if (!isApiError(error, 'Conflict') || attempt >= 2) throw error;
      }
    }
  }

  async function patchStatus(service: Service, previous: LoadBalancerStatus, next: LoadBalancerStatus): Promise<void> {
    if (same(previous.ingress ?? [], next.ingress ?? [])) return;
    await client.patch(
      'services',
      service.metadata.name!,
      { status: { loadBalancer: { ingress: next.ingress?.length ? next.ingress : null } } },
      { namespace: service.metadata.namespace, type: 'merge', subresource: 'status' },
    );
  }

  async function syncNodes(): Promise<void> {
    const all = stableNodes();
    for (const [key, service] of cache) {
      if (!wantsLoadBalancer(service)) continue;
      const old = (lastSyncedNodes.get(key) ?? []).filter(nodeInLoadBalancers);
      lastSyncedNodes.set(key, all);
      if (nodesSufficientlyEqual(old, all)) continue;
      try {
        await cloud.updateLoadBalancer(clusterName, service, all);
        if (all.length === 0) event(service, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
        else event(service, 'Normal', 'UpdatedLoadBalancer', 'Updated load balancer with new hosts');
      } catch (error) {
        // Only a failure if the load balancer still exists.
        const exists = await cloud.getLoadBalancer(clusterName, service).then(
          (r) => r.exists,
          () => true,
        );
        if (!exists) continue;
        const names = all.map((n) => n.metadata.name ?? '').sort();
        event(
          service,
          'Warning',
          'UpdateLoadBalancerFailed',
          `Error updating load balancer with new hosts [${names.join(' ')}] [node names limited, total number of nodes: ${all.length}], error: ${messageOf(error)}`,
        );
        logger.warn('updating load balancer hosts failed', { service: key, error: messageOf(error) });
        serviceWorkers.enqueue(key);
      }
    }
  }

  return {
    services: serviceWorkers,
    nodes: nodeWorkers,
    start() {
      serviceWorkers.start();
      nodeWorkers.start();
    },
    async stop() {
      await Promise.all([serviceWorkers.stop(), nodeWorkers.stop()]);
    },
  };
}
