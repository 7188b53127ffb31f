/**
 * The kubelet of one node: startKubelet() opens the container runtime (engine/cri) in its root,
 * registers the Node, keeps its Lease and status, watches the pods bound to it
 * (`spec.nodeName=<node>`), admits each new one, and runs a pod worker per pod that syncs it with
 * the runtime (./pod-sync.ts); its HTTPS API serves /healthz, /pods, /spec and /stats/summary, and
 * takes more handlers through `server.mount` (logs, exec, attach, port-forward).
 *
 *   const kubelet = await startKubelet({ nodeName: 'node-1', client, root, podCidr, ca, tokens });
 *   kubelet.node; kubelet.server.port;
 *   await kubelet.stop();           // stops every container: no process is left
 *
 * Every decision about pods and the node (status, actions, restarts, probes, conditions,
 * allocatable, admission) is the learner's, reached through loadComponent('kubelet') only; this
 * file and its neighbours do the I/O around them: the API, the runtime, timers, the network.
 *
 * Invariants: one pod worker per pod uid; a pod is admitted (or rejected) once, in the order the
 * kubelet first saw pods, against the pods admitted before it; stop() leaves no container process
 * and no timer.
 */
import { needToReconcilePodReadiness } from './readiness-reconcile.ts';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { TokenAuthenticator } from '../apiserver/auth.ts';
import { createServingCert, type CertAndKey } from '../apiserver/pki.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { formatIPv4, parseCidr } from '../cni/ipv4.ts';
import { ProcessRuntime, type ProcessRuntimeOptions } from '../cri/runtime.ts';
import { silentLogger, type Logger } from '../cluster/logger.ts';
import { loadComponent } from '../impl.ts';
import type { Node, Pod, Service } from '../kube/types.ts';
import { clusterDnsPort } from './pod-dns.ts';
import {
  KUBELET_CONTAINER_BACKOFF_INITIAL_MS,
  KUBELET_CONTAINER_BACKOFF_MAX_MS,
  KUBELET_LEASE_RENEW_FRACTION,
  KUBELET_MAX_PODS,
  KUBELET_NODE_LEASE_DURATION_SECONDS,
  KUBELET_NODE_STATUS_REPORT_MS,
  KUBELET_NODE_STATUS_UPDATE_MS,
  KUBELET_PLEG_RELIST_MS,
  KUBELET_PORT,
  KUBELET_BACKOFF_RECHECK_MS,
  KUBELET_SHUTDOWN_GRACE_SECONDS,
  KUBELET_SYNC_ERROR_BACKOFF_MS,
  KUBELET_SYNC_FREQUENCY_MS,
} from '../params.ts';
import { EventRecorder } from '../scheduler/component.ts';
import type { KubeletAuthorizer } from './auth.ts';
import type { KubeletExercises, NodeReservations, PodAdmitResult } from './exercises.ts';
import { machineCapacity, readMachineInfo, type MachineInfo } from './machine.ts';
import { NodeHeartbeats } from './node-heartbeat.ts';
import { initialNode, NodeLease, registerNode, type NodeIdentity } from './node-registration.ts';
import { PodLifecycleEventGenerator } from './pleg.ts';
import { ImagePullBackoff } from './image-backoff.ts';
import { PodSyncer } from './pod-sync.ts';
import { PodWorkers } from './pod-workers.ts';
import { ProbeManager } from './probe-manager.ts';
import { runtimePodUids } from './runtime-view.ts';
import { sendJson, startKubeletServer, type KubeletServer } from './server.ts';
import { StatusManager } from './status-manager.ts';
import { SummaryProvider } from './summary.ts';
import type { StreamContainerStatus, StreamPod } from './stream/host.ts';
import { createStreamHandlers, mountStreamHandlers } from './stream/server.ts';

/** Periods, all defaulting to upstream's (params.ts); tests and demos scale them down. */
export interface KubeletIntervals {
  leaseDurationSeconds: number;
  statusUpdateMs: number;
  statusReportMs: number;
  resyncMs: number;
  syncErrorBackoffMs: number;
  plegRelistMs: number;
  /** CrashLoopBackOff's first delay and its cap. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  backoffRecheckMs: number;
}

export interface KubeletOptions {
  nodeName: string;
  /** A client authenticated as this node's kubelet (system:node:<name>). */
  client: KubeClient;
  /** The runtime's state folder; container logs go under `<root>/pods`. */
  root: string;
  /** This node's pod addresses (a block of POD_NETWORK_CIDR). */
  podCidr: string;
  /** The node's address, where its API listens (default: the first address of podCidr, which IPAM never hands out). */
  address?: string;
  /** The API's port (default KUBELET_PORT; 0: any free one). */
  port?: number;
  /** The cluster CA, to sign the API's serving certificate; or the certificate itself in `tls`. */
  ca?: CertAndKey;
  tls?: { cert: string; key: string };
  /** The tokens the API accepts and their users (the apiserver's kubelet-client, the admin). */
  tokens: TokenAuthenticator;
  authorizer?: KubeletAuthorizer;
  /** The pod logic (default: loaded through the door, loadComponent('kubelet')). */
  impl?: KubeletExercises;
  runtimeOptions?: Partial<Omit<ProcessRuntimeOptions, 'root' | 'podCidr'>>;
  reservations?: NodeReservations;
  maxPods?: number;
  labels?: Record<string, string>;
  intervals?: Partial<KubeletIntervals>;
  logger?: Logger;
  /**
   * The Service network (kubelet --cluster-dns, --cluster-domain): with it the kubelet watches
   * Services and gives containers the service environment variables (./service-env.ts) and
   * ClusterFirst pods the cluster DNS server (./pod-dns.ts), whose port follows the runtime's
   * low-port rule. Without it (a kubelet alone, in tests), neither.
   */
  serviceNetwork?: { clusterDnsIP: string; clusterDomain: string };
  now?: () => number;
}

export interface Kubelet {
  readonly nodeName: string;
  readonly address: string;
  readonly runtime: ProcessRuntime;
  readonly server: KubeletServer;
  readonly machine: MachineInfo;
  /** The Node as last written. */
  readonly node: Node;
  /** Counters for tests and the benchmark. */
  readonly counters: { syncs: number; statusWrites: number; relists: number; leaseRenewals: number };
  /** Pods the kubelet manages now (its /pods). */
  pods(): Pod[];
  stop(): Promise<void>;
}

/** True when the pod's spec, labels, annotations and deletion are as before (its status or resourceVersion changed). */
function onlyStatusChanged(old: Pod, pod: Pod): boolean {
  const a = old.metadata;
  const b = pod.metadata;
  return (
    isDeepStrictEqual(old.spec, pod.spec) &&
    isDeepStrictEqual(a.labels, b.labels) &&
    isDeepStrictEqual(a.annotations, b.annotations) &&
    a.deletionTimestamp === b.deletionTimestamp &&
    a.deletionGracePeriodSeconds === b.deletionGracePeriodSeconds
  );
}

export function defaultIntervals(): KubeletIntervals {
  return {
    leaseDurationSeconds: KUBELET_NODE_LEASE_DURATION_SECONDS,
    statusUpdateMs: KUBELET_NODE_STATUS_UPDATE_MS,
    statusReportMs: KUBELET_NODE_STATUS_REPORT_MS,
    resyncMs: KUBELET_SYNC_FREQUENCY_MS,
    syncErrorBackoffMs: KUBELET_SYNC_ERROR_BACKOFF_MS,
    plegRelistMs: KUBELET_PLEG_RELIST_MS,
    backoffInitialMs: KUBELET_CONTAINER_BACKOFF_INITIAL_MS,
    backoffMaxMs: KUBELET_CONTAINER_BACKOFF_MAX_MS,
    backoffRecheckMs: KUBELET_BACKOFF_RECHECK_MS,
  };
}

export async function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  const logic = options.impl ?? (await loadComponent('kubelet'));
  const log = (options.logger ?? silentLogger).child(`kubelet/${options.nodeName}`);
  const now = options.now ?? Date.now;
  const intervals = { ...defaultIntervals(), ...options.intervals };
  const { client, nodeName } = options;
  const address = options.address ?? formatIPv4(parseCidr(options.podCidr, true).network + 1);
  const startedAt = now();

  const runtime = await ProcessRuntime.open({ ...options.runtimeOptions, root: options.root, podCidr: options.podCidr });
  for (const w of runtime.warnings) log.warn(w);
  const cleanups: (() => Promise<void> | void)[] = [() => runtime.shutdown({ timeoutSeconds: KUBELET_SHUTDOWN_GRACE_SECONDS })];
  const fail = async (error: unknown): Promise<never> => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw error;
  };

  try {
    const machine = readMachineInfo(options.root);
    const capacity = machineCapacity(machine, options.maxPods ?? KUBELET_MAX_PODS);
    const reservations = options.reservations ?? {};
    const tls = options.tls ?? (options.ca ? createServingCert(options.ca, [address, nodeName]) : undefined);
    if (!tls) throw new Error('the kubelet needs a serving certificate (tls) or the cluster CA to sign one (ca)');

    // Pods by uid, and the admission verdicts.
    const podsByUid = new Map<string, Pod>();
    const admitted = new Set<string>();
    const rejected = new Map<string, PodAdmitResult>();
    let node: Node | undefined;

    const server = await startKubeletServer({
      host: address,
      port: options.port ?? KUBELET_PORT,
      tls,
      nodeName,
      tokens: options.tokens,
      ...(options.authorizer ? { authorizer: options.authorizer } : {}),
    });
    cleanups.push(() => server.close());

    const identity: NodeIdentity = {
      name: nodeName,
      address,
      kubeletPort: server.port,
      podCidr: options.podCidr,
      runtimeVersion: `kubelings://${(await runtime.version()).runtimeVersion}`,
      ...(options.labels ? { labels: options.labels } : {}),
    };
    const lease = new NodeLease(client, nodeName, intervals.leaseDurationSeconds, () => node?.metadata.uid);
    const heartbeats = new NodeHeartbeats(
      {
        client,
        logic,
        runtime,
        lease,
        nodeName,
        capacity,
        reservations,
        leaseRenewMs: intervals.leaseDurationSeconds * 1000 * KUBELET_LEASE_RENEW_FRACTION,
        statusUpdateMs: intervals.statusUpdateMs,
        statusReportMs: intervals.statusReportMs,
        now,
        warn: (m) => log.warn(m),
        onNode: (n) => (node = n),
      },
      undefined,
    );
    node = await registerNode(client, initialNode(identity, machine, await heartbeats.computeStatus()));
    await heartbeats.renewLease();
    await heartbeats.syncStatus(true);
    heartbeats.start();
    cleanups.push(() => heartbeats.stop());

    const events = new EventRecorder(client, 'kubelet', (m) => log.warn(m));
    cleanups.push(() => events.stop());
    const status = new StatusManager(client);
    let workers: PodWorkers | undefined;
    const wake = (uid: string) => workers?.wake(uid);
    const probes = new ProbeManager(
      logic,
      runtime,
      {
        podIP: (uid) => podsByUid.get(uid)?.status?.podIP ?? '',
        pod: (uid) => {
          const pod = podsByUid.get(uid);
          return pod ? { pod, status: pod.status } : undefined;
        },
      },
      wake,
      now,
      (pod, type, reason, message) => events.record(pod, type, reason, message, reason),
    );
    cleanups.push(() => probes.stop());
    let services: (() => readonly Service[]) | undefined;
    if (options.serviceNetwork) {
      const serviceInformer = new Informer<Service>(client, 'services', { logger: log });
      await serviceInformer.start();
      cleanups.push(() => serviceInformer.stop());
      services = () => serviceInformer.list();
    }
    const clusterDns = options.serviceNetwork
      ? { ip: options.serviceNetwork.clusterDnsIP, port: clusterDnsPort(runtime.capabilities.lowPorts, options.runtimeOptions?.kernel !== undefined), domain: options.serviceNetwork.clusterDomain }
      : undefined;
    const syncer = new PodSyncer({
      logic,
      runtime,
      client,
      status,
      probes,
      events,
      backoff: logic.newBackoff(intervals.backoffInitialMs, intervals.backoffMaxMs, now),
      // Upstream's image back-off has the same 10 s doubling to 300 s as the container's (kubelet.go).
      imageBackoff: new ImagePullBackoff(logic.newBackoff(intervals.backoffInitialMs, intervals.backoffMaxMs, now), now),
      logRoot: join(options.root, 'pods'),
      hostIP: address,
      now,
      node: () => node,
      ...(services ? { services } : {}),
      ...(clusterDns ? { clusterDns } : {}),
      backoffRecheckMs: intervals.backoffRecheckMs,
    });
    workers = new PodWorkers((uid) => syncer.sync(uid, podsByUid.get(uid), rejected.get(uid)), {
      resyncMs: intervals.resyncMs,
      errorBackoffMs: intervals.syncErrorBackoffMs,
      onError: (uid, error) => log.warn(`syncing pod ${podsByUid.get(uid)?.metadata.name ?? uid}: ${error.message}`),
    });
    cleanups.push(() => workers!.stop());

    /** HandlePodAdditions: the kubelet's own fit check, against the pods admitted before. */
    const admit = (pod: Pod) => {
      const uid = pod.metadata.uid ?? '';
      if (admitted.has(uid) || rejected.has(uid)) return;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.metadata.deletionTimestamp) {
        admitted.add(uid);
        return;
      }
      const others = [...admitted].map((u) => podsByUid.get(u)).filter((p): p is Pod => !!p && p.metadata.uid !== uid && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      const verdict = node ? logic.admitPod(pod, node, others) : { admit: true };
      if (verdict.admit) admitted.add(uid);
      else rejected.set(uid, verdict);
    };
    const informer = new Informer<Pod>(client, 'pods', { fieldSelector: `spec.nodeName=${nodeName}`, logger: log });
    informer.on('add', (pod) => {
      const uid = pod.metadata.uid ?? '';
      podsByUid.set(uid, pod);
      admit(pod);
      wake(uid);
    });
    informer.on('update', (old, pod) => {
      if (old.metadata.uid !== pod.metadata.uid) {
        podsByUid.delete(old.metadata.uid ?? '');
        wake(old.metadata.uid ?? '');
        podsByUid.set(pod.metadata.uid ?? '', pod);
        admit(pod);
        wake(pod.metadata.uid ?? '');
        return;
      }
      podsByUid.set(pod.metadata.uid ?? '', pod);
      // As the kubelet's pod config does (checkAndUpdatePod): a change of the status alone, which
      // is mostly the kubelet's own write coming back, syncs nothing, unless a readiness gate's
      // condition now disagrees with Ready (HandlePodReconcile).
      if (!onlyStatusChanged(old, pod) || needToReconcilePodReadiness(pod)) wake(pod.metadata.uid ?? '');
    });
    informer.on('delete', (pod) => {
      const uid = pod.metadata.uid ?? '';
      podsByUid.delete(uid);
      admitted.delete(uid);
      rejected.delete(uid);
      wake(uid);
    });
    await informer.start();
    cleanups.push(() => informer.stop());
    // Whatever the runtime holds for pods the API no longer has (a kubelet restarted after deletions).
    for (const uid of await runtimePodUids(runtime)) if (!podsByUid.has(uid)) wake(uid);

    const pleg = new PodLifecycleEventGenerator(runtime, intervals.plegRelistMs, (uid) => {
      wake(uid);
    });
    pleg.start();
    cleanups.push(() => pleg.stop());

    const summaries = new SummaryProvider(runtime, nodeName, startedAt, (uid) => podsByUid.get(uid)?.status?.startTime);
    const pods = () => [...podsByUid.values()];
    server.mount('/healthz', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
    });
    server.mount('/pods', (_req, res) => sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods() }));
    server.mount('/spec', (_req, res) =>
      sendJson(res, 200, {
        num_cores: machine.cores,
        memory_capacity: machine.memoryBytes,
        machine_id: machine.machineID,
        system_uuid: machine.machineID,
        boot_id: machine.bootID,
        filesystems: [{ device: options.root, capacity: machine.diskBytes }],
      }),
    );
    server.mount('/stats/summary', async (_req, res) => sendJson(res, 200, await summaries.summary()));
    // containerLogs, exec, attach and portForward (./stream/): what `kubectl logs`, `exec`, `cp`,
    // `attach` and `port-forward` reach through the apiserver, for the pods this kubelet runs.
    const streams = createStreamHandlers({
      runtime,
      findContainer: (namespace, podName, containerName) => {
        const pod = pods().find((p) => (p.metadata.namespace ?? 'default') === namespace && p.metadata.name === podName);
        if (!pod) return undefined;
        const name = containerName ?? pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? pod.spec?.containers[0]?.name ?? '';
        const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])] as StreamContainerStatus[];
        return { pod: pod as unknown as StreamPod, containerName: name, status: statuses.find((c) => c.name === name) };
      },
    });
    mountStreamHandlers(server, streams);
    cleanups.push(() => streams.close());

    log.info('kubelet ready', { node: nodeName, address, port: server.port });
    let stopped = false;
    return {
      nodeName,
      address,
      runtime,
      server,
      machine,
      get node() {
        return node!;
      },
      get counters() {
        return { syncs: workers!.syncs, statusWrites: status.writes, relists: pleg.relists, leaseRenewals: heartbeats.renewals };
      },
      pods,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((error: Error) => log.warn(`stopping: ${error.message}`));
      },
    };
  } catch (error) {
    return fail(error);
  }
}
