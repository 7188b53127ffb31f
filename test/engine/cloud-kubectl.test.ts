/**
 * End to end with the real kubectl and curl, as a person would: a cluster with one real node
 * (pods are processes), the scheduler, kube-controller-manager, cloud-controller-manager (the
 * simulated cloud) and, for node-0, the engine's kube-proxy (loopback mode, reference services
 * component; `cluster up` starts it once kube-proxy is wired in there).
 *   kubectl create deployment web --image=nginx
 *   kubectl expose deployment web --type=LoadBalancer --port 80
 *   kubectl get svc web             -> EXTERNAL-IP goes from <pending> to an address of the pool
 *   curl http://EXTERNAL-IP/        -> nginx's welcome page, through the load balancer, the
 *                                      NodePort and the Service
 *   kubectl delete svc web          -> returns once the load balancer is deleted (the cleanup
 *                                      finalizer); the address answers no more
 * Upstream: kubectl's service printer (k8s.io/kubernetes pkg/printers/internalversion/printers.go
 * printService: EXTERNAL-IP <pending> until status.loadBalancer.ingress has an address;
 * PORT(S) port:nodePort/protocol) and k8s.io/cloud-provider controllers/service/controller.go.
 * Needs root (the load balancer listens on port 80, as a cloud's does) and kubectl.
 */
import { execFile, spawnSync } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtinComponents } from '#engine/cluster/builtin.ts';
import { startCluster, type Cluster } from '#engine/cluster/cluster.ts';
import { NGINX_INDEX_HTML } from '#engine/images/programs/welcome.ts';
import { kubeletComponents } from '#engine/kubelet/component.ts';
import type { Node } from '#engine/kube/types.ts';
import { LOAD_BALANCER_ADDRESS_POOL } from '#engine/params.ts';
import { runKubeProxy, type RunningKubeProxy } from '#engine/proxy/kube-proxy.ts';
import { HAS_KUBECTL, kubectlFor, rows, type Kubectl } from './apiserver-harness.ts';

const IS_ROOT = process.getuid?.() === 0;
const HAS_CURL = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !HAS_KUBECTL || !IS_ROOT || !HAS_CURL;
const why = !HAS_KUBECTL ? 'kubectl is not installed' : !IS_ROOT ? 'not root: a load balancer on port 80 needs root' : 'curl is not installed';

/** Generous: a real pod starts, informers and kube-proxy sync, on a loaded machine. */
const WAIT_MS = 90_000;

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS / 1000} s for ${what}; last seen: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await get();
  }
  return last;
}

async function curl(url: string): Promise<{ code: number; body: string }> {
  try {
    const { stdout } = await promisify(execFile)('curl', ['-sS', '--max-time', '5', url], { encoding: 'utf8' });
    return { code: 0, body: stdout };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, body: e.stderr ?? '' };
  }
}

function refused(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe.skipIf(skip)(`a LoadBalancer Service with kubectl and curl ${skip ? `(skipped: ${why})` : ''}`, () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let kp: RunningKubeProxy | undefined;

  beforeAll(async () => {
    const flags = { 'real-nodes': 1 };
    const wanted = ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager'];
    cluster = await startCluster({ components: [...builtinComponents({ 'leader-elect': 'false' }).filter((c) => wanted.includes(c.name)), ...kubeletComponents(flags)], flags });
    kubectl = kubectlFor({ server: cluster.url, ca: cluster.ca, token: cluster.token });
    const node = await until(
      'node-0 to be Ready',
      () => cluster.client.get<Node>('nodes', 'node-0').catch(() => undefined),
      (n) => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    );
    const nodeIP = node!.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
    kp = await runKubeProxy(cluster.client, { nodeName: 'node-0', nodeIP });
  }, 180_000);

  afterAll(async () => {
    await kp?.stop();
    kubectl?.cleanup();
    await cluster?.stop();
  }, 60_000);

  test('expose --type=LoadBalancer: EXTERNAL-IP assigned, curl answers through it; delete frees the address', { timeout: 240_000 }, async () => {
    expect((await kubectl.run(['create', 'deployment', 'web', '--image=nginx'])).output).toBe('deployment.apps/web created\n');
    expect((await kubectl.run(['expose', 'deployment', 'web', '--type=LoadBalancer', '--port', '80'])).output).toBe('service/web exposed\n');

    const table = await until(
      'EXTERNAL-IP in kubectl get svc web',
      async () => rows((await kubectl.run(['get', 'svc', 'web'])).stdout),
      (r) => r.length === 2 && r[1]![3] !== '<pending>',
    );
    expect(table[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const [name, type, clusterIP, externalIP, ports] = table[1]!;
    expect([name, type]).toEqual(['web', 'LoadBalancer']);
    expect(clusterIP).toMatch(/^127\.96\.\d+\.\d+$/);
    expect(externalIP!.startsWith(LOAD_BALANCER_ADDRESS_POOL.split('.').slice(0, 2).join('.') + '.'), `${externalIP} is in ${LOAD_BALANCER_ADDRESS_POOL}`).toBe(true);
    expect(ports).toMatch(/^80:3\d{4}\/TCP$/);

    const events = (
      await kubectl.run(['get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=Service', '-o', 'custom-columns=REASON:.reason,FROM:.source.component', '--no-headers'])
    ).stdout;
    expect(events).toContain('EnsuringLoadBalancer   service-controller');
    expect(events).toContain('EnsuredLoadBalancer    service-controller');

    // The pod starts, its slice is written, kube-proxy serves the NodePort: then curl answers.
    const answer = await until(
      `curl http://${externalIP}/ to answer`,
      () => curl(`http://${externalIP}/`),
      (a) => a.code === 0,
    );
    expect(answer.body).toBe(NGINX_INDEX_HTML);

    const deleted = await kubectl.run(['delete', 'svc', 'web']);
    expect(deleted.output).toBe('service "web" deleted\n');
    expect((await kubectl.run(['get', 'svc', 'web'])).stderr).toContain('services "web" not found');
    expect(await refused(externalIP!, 80)).toBe('ECONNREFUSED');
    expect((await curl(`http://${externalIP}/`)).code, 'curl: connection refused (exit code 7)').toBe(7);
  });
});
