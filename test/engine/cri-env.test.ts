/**
 * What the kubelet computes from a Pod before calling the runtime: the environment
 * (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables and its test kubelet_pods_test.go:
 * envFrom then env, $(VAR) expansion from third_party/forked/golang/expansion, the downward API,
 * the error messages a pod shows as CreateContainerConfigError) and the CRI configs
 * (pkg/kubelet/kuberuntime: labels, log paths, the ports annotation, cpu shares and quota).
 */
import { describe, expect, test } from 'vitest';
import type { Container, Pod } from '#engine/kube/types.ts';
import { milliCpuToQuota, milliCpuToShares, sharesToWeight } from '#engine/cri/cgroups/values.ts';
import { containerConfig, linuxContainerResources, podSandboxConfig } from '#engine/cri/pod/configs.ts';
import { expandEnvReferences, resolveEnv, type EnvLookups } from '#engine/cri/pod/env.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function pod(container: Partial<Container>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', labels: { app: 'web' }, annotations: { team: 'blue' } },
    spec: { nodeName: 'node-a', serviceAccountName: 'builder', containers: [{ name: 'main', image: 'nginx', ...container }] },
  };
}

const lookups: EnvLookups = {
  configMap: (ns, name) => (ns === 'shop' && name === 'settings' ? { data: { MODE: 'fast', COLOR: 'blue' } } : undefined),
  secret: (ns, name) => (ns === 'shop' && name === 'creds' ? { data: { PASSWORD: b64('s3cret'), USER: b64('admin') } } : undefined),
  podIPs: ['127.64.0.7'],
  hostIPs: ['127.0.0.1'],
  nodeAllocatable: { cpu: '4', memory: '16Gi' },
  serviceEnv: { KUBERNETES_SERVICE_HOST: '127.96.0.1', MODE: 'from-service' },
};

function env(container: Partial<Container>, l: EnvLookups = lookups): Record<string, string> {
  const p = pod(container);
  return Object.fromEntries(resolveEnv(p, p.spec.containers[0]!, l).envs.map((e) => [e.key, e.value]));
}

describe('resolveEnv', () => {
  test('envFrom first (with its prefix; Secret values decoded), then env replaces, then the service variables not yet set', () => {
    expect(
      env({
        envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }],
        env: [{ name: 'COLOR', value: 'red' }],
      }),
    ).toEqual({ COLOR: 'red', MODE: 'fast', DB_PASSWORD: 's3cret', DB_USER: 'admin', KUBERNETES_SERVICE_HOST: '127.96.0.1' });
  });

  test('$(VAR) expands what is defined so far and the service variables; $$ is a literal $; unknown references stay', () => {
    const out = env({
      env: [
        { name: 'A', value: 'x' },
        { name: 'B', value: '$(A)-$(LATER)-$(KUBERNETES_SERVICE_HOST)-$$(A)-$(' },
        { name: 'LATER', value: 'y' },
      ],
    });
    expect(out.B).toBe('x-$(LATER)-127.96.0.1-$(A)-$(');
    expect(expandEnvReferences('$x $', () => 'no')).toBe('$x $');
  });

  test('the downward API: metadata, labels and annotations by key, node, service account, pod and host addresses', () => {
    const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
    expect(
      env({
        env: [
          { name: 'NAME', ...field('metadata.name') },
          { name: 'NS', ...field('metadata.namespace') },
          { name: 'UID', ...field('metadata.uid') },
          { name: 'APP', ...field("metadata.labels['app']") },
          { name: 'TEAM', ...field("metadata.annotations['team']") },
          { name: 'NONE', ...field("metadata.labels['nope']") },
          { name: 'NODE', ...field('spec.nodeName') },
          { name: 'SA', ...field('spec.serviceAccountName') },
          { name: 'IP', ...field('status.podIP') },
          { name: 'IPS', ...field('status.podIPs') },
          { name: 'HOST', ...field('status.hostIP') },
        ],
      }),
    ).toMatchObject({ NAME: 'web-1', NS: 'shop', UID: 'uid-1', APP: 'web', TEAM: 'blue', NONE: '', NODE: 'node-a', SA: 'builder', IP: '127.64.0.7', IPS: '127.64.0.7', HOST: '127.0.0.1' });
    expect(() => env({ env: [{ name: 'X', ...field('spec.containers') }] })).toThrow('field label not supported: spec.containers');
  });

  test("resourceFieldRef rounds up to the divisor, and a limit not set is the node's allocatable", () => {
    const ref = (resource: string, divisor?: string) => ({ valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } });
    expect(
      env({
        resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } },
        env: [
          { name: 'CPU', ...ref('limits.cpu') },
          { name: 'CPU_M', ...ref('limits.cpu', '1m') },
          { name: 'MEM_MI', ...ref('limits.memory', '1Mi') },
          { name: 'REQ', ...ref('requests.cpu', '100m') },
        ],
      }),
    ).toMatchObject({ CPU: '1', CPU_M: '500', MEM_MI: '64', REQ: '3' });
    expect(env({ env: [{ name: 'MEM', ...ref('limits.memory', '1Gi') }] }).MEM).toBe('16');
    expect(() => env({ env: [{ name: 'X', ...ref('limits.gpu') }] })).toThrow('unsupported container resource : limits.gpu');
  });

  test("a missing ConfigMap, Secret or key fails with the kubelet's message, unless optional", () => {
    expect(() => env({ envFrom: [{ configMapRef: { name: 'absent' } }] })).toThrow('configmap "absent" not found');
    expect(() => env({ env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }] })).toThrow('secret "absent" not found');
    expect(() => env({ env: [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'settings', key: 'NOPE' } } }] })).toThrow("couldn't find key NOPE in ConfigMap shop/settings");
    expect(() => env({ env: [{ name: 'M', valueFrom: { secretKeyRef: { name: 'creds', key: 'NOPE' } } }] })).toThrow("couldn't find key NOPE in Secret shop/creds");
    expect(
      env({
        envFrom: [{ configMapRef: { name: 'absent', optional: true } }],
        env: [
          { name: 'M', valueFrom: { configMapKeyRef: { name: 'settings', key: 'NOPE', optional: true } } },
          { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        ],
      }),
    ).toEqual({ P: 's3cret', KUBERNETES_SERVICE_HOST: '127.96.0.1', MODE: 'from-service' });
  });

  test("envFrom keys that are not valid names are skipped and reported as the kubelet's event says", () => {
    const p = pod({ envFrom: [{ prefix: 'BAD=', configMapRef: { name: 'settings' } }] });
    const result = resolveEnv(p, p.spec.containers[0]!, { ...lookups, serviceEnv: {} });
    expect(result.envs).toEqual([]);
    expect(result.warnings).toEqual(['Keys [BAD=COLOR, BAD=MODE] from the EnvFrom configMap shop/settings were skipped since they are considered invalid environment variable names.']);
  });
});

describe('CRI configs from a Pod', () => {
  test('the sandbox: metadata, hostname, log directory <ns>_<name>_<uid>, the pod labels plus io.kubernetes.*, port mappings', () => {
    const config = podSandboxConfig(pod({ ports: [{ containerPort: 80 }] }), { logRoot: '/var/log/pods' });
    expect(config).toMatchObject({
      metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', attempt: 0 },
      hostname: 'web-1',
      logDirectory: '/var/log/pods/shop_web-1_uid-1',
      labels: { app: 'web', 'io.kubernetes.pod.name': 'web-1', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': 'uid-1' },
      annotations: { team: 'blue' },
      portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 0, hostIp: '' }],
    });
  });

  test('the container: log path <name>/<restartCount>.log, labels, the ports and restart count annotations', () => {
    const p = pod({ command: ['nginx'], args: ['-g', 'daemon off;'], ports: [{ containerPort: 80, name: 'http' }] });
    const config = containerConfig(p, p.spec.containers[0]!, { restartCount: 2, envs: [{ key: 'A', value: '1' }] });
    expect(config).toMatchObject({
      metadata: { name: 'main', attempt: 2 },
      image: { image: 'nginx' },
      command: ['nginx'],
      args: ['-g', 'daemon off;'],
      envs: [{ key: 'A', value: '1' }],
      logPath: 'main/2.log',
      labels: { 'io.kubernetes.container.name': 'main', 'io.kubernetes.pod.name': 'web-1' },
    });
    expect(config.annotations).toMatchObject({ 'io.kubernetes.container.restartCount': '2', 'io.kubernetes.container.ports': '[{"containerPort":80,"name":"http"}]' });
    expect(config.annotations!['io.kubernetes.container.hash']).toMatch(/^[0-9a-f]{8}$/);
  });

  test('cpu shares from the request (the limit when only a limit is set), CFS quota from the limit, the memory limit', () => {
    expect(linuxContainerResources({ name: 'c', resources: { requests: { cpu: '500m' }, limits: { cpu: '250m', memory: '64Mi' } } })).toEqual({
      cpuShares: 512,
      cpuPeriod: 100_000,
      cpuQuota: 25_000,
      memoryLimitInBytes: 64 * 1024 * 1024,
    });
    expect(linuxContainerResources({ name: 'c', resources: { limits: { cpu: '2' } } })).toEqual({ cpuShares: 2048, cpuPeriod: 100_000, cpuQuota: 200_000 });
    expect(linuxContainerResources({ name: 'c' })).toEqual({ cpuShares: 2 });
    // The kubelet's and runc's edge cases: at least 2 shares and 1 ms of quota; weight 1..10000.
    expect([milliCpuToShares(1), milliCpuToShares(0), milliCpuToShares(1_000_000)]).toEqual([2, 2, 262_144]);
    expect([milliCpuToQuota(1, 100_000), milliCpuToQuota(0, 100_000)]).toEqual([1000, 0]);
    expect([sharesToWeight(2), sharesToWeight(1024), sharesToWeight(262_144)]).toEqual([1, 39, 10_000]);
  });
});
