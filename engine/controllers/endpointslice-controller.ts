/**
 * The EndpointSlice controller's wiring (given): Service keys queued for the learner's syncService
 * when a Service changes, when a pod its selector matches (before or after the change) comes, goes
 * or changes, and when one of its slices changes; each slice seen created lowers the Service's
 * expectations first. After kubernetes pkg/controller/endpointslice/endpointslice_controller.go
 * (onServiceUpdate, addPod, updatePod, deletePod, onEndpointSliceAdd/Update/Delete).
 */
import type { EndpointSlice, Pod, Service } from '../kube/types.ts';
import { CONTROLLER_WORKERS, ENDPOINTSLICE_MAX_ENDPOINTS } from '../params.ts';
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './endpointslice-util.ts';
import type { EndpointSliceSyncContext } from './exercises.ts';
import { ControllerExpectations } from './expectations.ts';
import { NAMESPACE_INDEX } from './indexer.ts';
import { objectKeyOf } from './pods.ts';
import type { ControllerDeps } from './replicaset-controller.ts';
import { QueueWorkers } from './workers.ts';

export function newEndpointSliceController(deps: ControllerDeps): { workers: QueueWorkers; expectations: ControllerExpectations } {
  const { controllers, objects, informers, clock } = deps;
  const services = informers.forResource<Service>('services');
  const pods = informers.forResource<Pod>('pods');
  const slices = informers.forResource<EndpointSlice>('endpointslices');
  const expectations = new ControllerExpectations(() => clock.now());
  const ctx: EndpointSliceSyncContext = {
    now: () => clock.now(),
    services: services.lister,
    pods: pods.lister,
    endpointSlices: slices.lister,
    expectations,
    client: deps.client,
    maxEndpointsPerSlice: ENDPOINTSLICE_MAX_ENDPOINTS,
  };
  const workers = new QueueWorkers(controllers.newWorkQueue({ now: () => clock.now() }), (key) => controllers.syncService(key, ctx), {
    name: 'endpointslice',
    workers: deps.workers ?? CONTROLLER_WORKERS,
    clock,
    logger: deps.logger,
  });

  /** getPodServiceMemberships: the Services of the pod's namespace whose selector matches it. */
  const servicesOf = (pod: Pod): string[] =>
    services.lister
      .byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')
      .filter((s) => s.spec?.selector && objects.matchLabels(s.spec.selector, pod.metadata.labels))
      .map(objectKeyOf);
  const forPod = (...ps: Pod[]) => new Set(ps.flatMap(servicesOf)).forEach((k) => workers.enqueue(k));
  const serviceKeyOf = (slice: EndpointSlice): string | undefined => {
    const name = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    return name && slice.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME ? `${slice.metadata.namespace}/${name}` : undefined;
  };

  services.on('add', (s) => workers.enqueue(objectKeyOf(s)));
  services.on('update', (_old, s) => workers.enqueue(objectKeyOf(s)));
  services.on('delete', (s) => workers.enqueue(objectKeyOf(s)));
  pods.on('add', (p) => forPod(p));
  pods.on('update', (old, p) => {
    if (old.metadata.resourceVersion !== p.metadata.resourceVersion) forPod(old, p);
  });
  pods.on('delete', (p) => forPod(p));
  slices.on('add', (s) => {
    const key = serviceKeyOf(s);
    if (!key) return;
    expectations.creationObserved(key);
    workers.enqueue(key);
  });
  slices.on('update', (_old, s) => {
    const key = serviceKeyOf(s);
    if (key) workers.enqueue(key);
  });
  slices.on('delete', (s) => {
    const key = serviceKeyOf(s);
    if (key) workers.enqueue(key);
  });
  return { workers, expectations };
}
