/**
 * A tiny kubelet stand-in for the streaming tests: a ProcessRuntime in a temporary root runs each
 * pod's containers, an HTTPS server (certificate from the cluster CA) serves engine/kubelet/stream
 * behind a check of the apiserver's kubelet-client token, and a Node in the apiserver names it.
 * Pod statuses are computed here from the runtime, as the real kubelet's status manager would: the
 * newest instance of each container is its state, the one before is its lastState.
 */
import { createServer, type Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServingCert, type CertAndKey } from '#engine/apiserver/pki.ts';
import type { ApiServer } from '#engine/apiserver/server.ts';
import type { KubeClient } from '#engine/client/client.ts';
import type { ContainerStatus as CriStatus } from '#engine/cri/api.ts';
import { ProcessRuntime } from '#engine/cri/runtime.ts';
import { createStreamHandlers, type StreamHandlers, type StreamOptions } from '#engine/kubelet/stream/server.ts';
import type { StreamContainerStatus, StreamPod } from '#engine/kubelet/stream/host.ts';

export interface PodSpecLite {
  name: string;
  containers: { name: string; image: string; command?: string[]; ports?: { containerPort: number }[] }[];
}

interface RunningPod {
  pod: StreamPod;
  sandboxId: string;
  spec: PodSpecLite;
  /** Container name → runtime ids, oldest first. */
  instances: Map<string, string[]>;
}

export interface FakeKubelet {
  runtime: ProcessRuntime;
  streams: StreamHandlers;
  port: number;
  /**
   * Creates the pod in the apiserver (bound to this node, Running) and runs its containers; returns
   * once each port the spec declares accepts connections (a started process may not listen yet, and
   * a port-forward to it then fails, as it would for a real pod not yet Ready).
   */
  runPod(spec: PodSpecLite): Promise<void>;
  /** Starts a new instance of a container whose last one has exited (a restart). */
  restart(podName: string, container: string, command?: string[]): Promise<void>;
  /** The runtime status of the newest instance. */
  current(podName: string, container: string): Promise<CriStatus>;
  close(): Promise<void>;
}

export async function startFakeKubelet(api: ApiServer, client: KubeClient, ca: CertAndKey, options: StreamOptions & { nodeName?: string } = {}): Promise<FakeKubelet> {
  const root = mkdtempSync(join(tmpdir(), 'kubelings-kubelet-stream-'));
  const runtime = await ProcessRuntime.open({ root, lowPorts: 'remap', cgroups: 'off' });
  const pods = new Map<string, RunningPod>();
  const nodeName = options.nodeName ?? 'stream-node';

  const statusOf = async (running: RunningPod, name: string): Promise<StreamContainerStatus> => {
    const ids = running.instances.get(name) ?? [];
    const toState = (s: CriStatus) =>
      s.state === 'CONTAINER_RUNNING'
        ? { running: { startedAt: new Date().toISOString() } }
        : s.state === 'CONTAINER_EXITED'
          ? { terminated: { exitCode: s.exitCode, reason: s.reason, containerID: `kubelings://${s.id}` } }
          : { waiting: { reason: 'ContainerCreating' } };
    const current = ids.length ? (await runtime.containerStatus({ containerId: ids[ids.length - 1]! })).status : undefined;
    const previous = ids.length > 1 ? (await runtime.containerStatus({ containerId: ids[ids.length - 2]! })).status : undefined;
    return {
      name,
      ...(current ? { containerID: `kubelings://${current.id}`, state: toState(current) } : { state: { waiting: { reason: 'ContainerCreating' } } }),
      ...(previous ? { lastState: toState(previous) } : {}),
    };
  };

  const streams = createStreamHandlers(
    {
      runtime,
      async findContainer(namespace, podName, containerName) {
        const running = pods.get(`${namespace}/${podName}`);
        if (!running) return undefined;
        const name = containerName ?? running.spec.containers[0]!.name;
        return { pod: running.pod, containerName: name, status: running.instances.has(name) ? await statusOf(running, name) : undefined };
      },
    },
    options,
  );
  const serving = createServingCert(ca, ['127.0.0.1']);
  const authorized = (header: string | undefined) => header === `Bearer ${api.kubeletClient.token}`;
  const server: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    if (!authorized(req.headers.authorization)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Unauthorized\n');
      return;
    }
    if (!streams.handleRequest(req, res)) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!authorized(req.headers.authorization)) return void socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 13\r\nConnection: close\r\n\r\nUnauthorized\n');
    if (!streams.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await client.create('nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  } as never);

  const startContainer = async (running: RunningPod, name: string, command?: string[]) => {
    const spec = running.spec.containers.find((c) => c.name === name)!;
    const ids = running.instances.get(name) ?? [];
    const { containerId } = await runtime.createContainer({
      podSandboxId: running.sandboxId,
      config: {
        metadata: { name, attempt: ids.length },
        image: { image: spec.image },
        ...((command ?? spec.command) ? { command: command ?? spec.command } : {}),
        annotations: spec.ports ? { 'io.kubernetes.container.ports': JSON.stringify(spec.ports) } : {},
      },
      sandboxConfig: { metadata: running.pod.metadata as never },
    });
    await runtime.startContainer({ containerId });
    running.instances.set(name, [...ids, containerId]);
  };

  /** Waits (up to 60 s: a loaded machine) until the container's port accepts a connection, at the port it really binds (engine/cri/ports.ts). */
  const untilListening = async (running: RunningPod, name: string, containerPort: number) => {
    const ids = running.instances.get(name)!;
    const listen = (await runtime.containerStatus({ containerId: ids[ids.length - 1]! })).status.kubelings.listen;
    const host = running.pod.status!.podIP!;
    const port = listen?.containerPort === containerPort ? listen.port : containerPort;
    const accepts = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host, port }, () => (socket.destroy(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
    for (const deadline = Date.now() + 60_000; !(await accepts()); await new Promise((r) => setTimeout(r, 50))) {
      if (Date.now() > deadline) throw new Error(`waited 60 s for ${running.pod.metadata.name}/${name} to listen on ${host}:${port} (container port ${containerPort})`);
    }
  };

  return {
    runtime,
    streams,
    port,
    async runPod(spec) {
      const created = (await client.create('pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: spec.name, namespace: 'default' },
        spec: { nodeName, containers: spec.containers.map((c) => ({ name: c.name, image: c.image, ...(c.command ? { command: c.command } : {}), ...(c.ports ? { ports: c.ports } : {}) })) },
      } as never)) as { metadata: { uid: string; resourceVersion: string } };
      const uid = created.metadata.uid;
      const { podSandboxId } = await runtime.runPodSandbox({ config: { metadata: { name: spec.name, namespace: 'default', uid, attempt: 0 } } });
      const sandbox = await runtime.podSandboxStatus({ podSandboxId });
      const pod: StreamPod = {
        metadata: { name: spec.name, namespace: 'default', uid },
        spec: { containers: spec.containers.map((c) => ({ name: c.name, ...(c.ports ? { ports: c.ports } : {}) })) },
        status: { podIP: sandbox.status.network?.ip ?? '', phase: 'Running' },
      };
      const running: RunningPod = { pod, sandboxId: podSandboxId, spec, instances: new Map() };
      pods.set(`default/${spec.name}`, running);
      for (const c of spec.containers) await startContainer(running, c.name);
      for (const c of spec.containers) for (const { containerPort } of c.ports ?? []) await untilListening(running, c.name, containerPort);
      const fresh = (await client.get('pods', spec.name, { namespace: 'default' })) as never as Record<string, unknown>;
      await client.updateStatus('pods', { ...fresh, status: { phase: 'Running', podIP: pod.status!.podIP } } as never);
    },
    async restart(podName, container, command) {
      await startContainer(pods.get(`default/${podName}`)!, container, command);
    },
    async current(podName, container) {
      const ids = pods.get(`default/${podName}`)!.instances.get(container)!;
      return (await runtime.containerStatus({ containerId: ids[ids.length - 1]! })).status;
    },
    async close() {
      await streams.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.shutdown();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
