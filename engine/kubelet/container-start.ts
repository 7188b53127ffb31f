/**
 * Starting one container of a pod, as kuberuntime's startContainer does it, step by step, each
 * failure with the reason the pod's status then shows (upstream pkg/kubelet/images/types.go and
 * kuberuntime_container.go):
 *   1. the image (EnsureImageExists): present and imagePullPolicy not Always, or pulled; a failed
 *      pull is ErrImagePull and starts the image's back-off, a pull tried again during it is
 *      ImagePullBackOff `Back-off pulling image "x"` (./image-backoff.ts); an absent image with
 *      imagePullPolicy Never is ErrImageNeverPull; a malformed name is InvalidImageName;
 *   2. the config: environment (ConfigMaps and Secrets read now, as the kubelet's `Get` strategy
 *      does), labels, log path `<name>/<restartCount>.log`: CreateContainerConfigError;
 *   3. CreateContainer: CreateContainerError;
 *   4. StartContainer: RunContainerError.
 * The caller records the reason (its reasonCache) and the Event; a success clears it.
 */
import type { ImageService, PodSandboxConfig, RuntimeService } from '../cri/api.ts';
import { CriError } from '../cri/errors.ts';
import { containerConfig } from '../cri/pod/configs.ts';
import { resolveEnv, type EnvSourceObject } from '../cri/pod/env.ts';
import { podDnsEnv, type ClusterDns } from './pod-dns.ts';
import { serviceEnvVars } from './service-env.ts';
import type { KubeClient } from '../client/client.ts';
import { isApiError } from '../kube/errors.ts';
import type { Container, Pod, Service } from '../kube/types.ts';
import { ImagePullBackoff } from './image-backoff.ts';

export interface StartFailure {
  reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName' | 'CreateContainerConfigError' | 'CreateContainerError' | 'RunContainerError';
  message: string;
  /** ErrImagePull and ImagePullBackOff: when the image's back-off ends (ms from now), the earliest a pull is tried again. */
  retryInMs?: number;
}

export interface StartContext {
  runtime: RuntimeService & ImageService;
  client: KubeClient;
  imageBackoff: ImagePullBackoff;
  now: () => number;
  podIP: string;
  hostIP: string;
  nodeAllocatable?: Record<string, string>;
  /** The Services the kubelet knows (for the service environment variables); none when absent. */
  services?: () => readonly Service[];
  /** Cluster DNS, for pods of dnsPolicy ClusterFirst (./pod-dns.ts); none when absent. */
  clusterDns?: ClusterDns;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The names of the ConfigMaps and Secrets a container's environment reads. */
function envSources(container: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of (container.envFrom ?? []) as { configMapRef?: { name: string }; secretRef?: { name: string } }[]) {
    if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name) secrets.add(from.secretRef.name);
  }
  for (const variable of container.env ?? []) {
    const source = variable.valueFrom as { configMapKeyRef?: { name: string }; secretKeyRef?: { name: string } } | undefined;
    if (source?.configMapKeyRef?.name) configMaps.add(source.configMapKeyRef.name);
    if (source?.secretKeyRef?.name) secrets.add(source.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

async function fetchSources(client: KubeClient, namespace: string, resource: 'configmaps' | 'secrets', names: Set<string>): Promise<Map<string, EnvSourceObject | undefined>> {
  const found = new Map<string, EnvSourceObject | undefined>();
  for (const name of names) {
    try {
      found.set(name, await client.get<EnvSourceObject>(resource, name, { namespace }));
    } catch (error) {
      if (!isApiError(error, 'NotFound')) throw error;
      found.set(name, undefined);
    }
  }
  return found;
}

/** Makes sure the image is there (pulling it if need be); a failure with its reason, or undefined. */
async function ensureImage(ctx: StartContext, pod: Pod, container: Container): Promise<StartFailure | undefined> {
  const image = container.image ?? '';
  const key = ImagePullBackoff.key(pod.metadata.uid ?? '', image);
  const policy = container.imagePullPolicy ?? (/:latest$|^[^:@]*$/.test(image.split('/').pop() ?? '') ? 'Always' : 'IfNotPresent');
  let present = false;
  try {
    present = (await ctx.runtime.imageStatus({ image: { image } })).image !== null;
  } catch (error) {
    return { reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": ${(error as Error).message}` };
  }
  if (present && policy !== 'Always') return undefined;
  // images/types.go: ErrImageNeverPull, with no back-off (nothing was pulled).
  if (!present && policy === 'Never') return { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` };
  const left = ctx.imageBackoff.remainingMs(key);
  if (left > 0) {
    const message = `Back-off pulling image "${image}"`;
    ctx.event('Normal', 'BackOff', message);
    return { reason: 'ImagePullBackOff', message, retryInMs: left };
  }
  ctx.event('Normal', 'Pulling', `Pulling image "${image}"`);
  try {
    await ctx.runtime.pullImage({ image: { image } });
  } catch (error) {
    ctx.imageBackoff.failed(key);
    const message = error instanceof CriError && error.code === 'InvalidArgument' ? (error as Error).message : `Failed to pull image "${image}": ${(error as Error).message}`;
    ctx.event('Warning', 'Failed', message);
    if (error instanceof CriError && error.code === 'InvalidArgument') return { reason: 'InvalidImageName', message };
    return { reason: 'ErrImagePull', message, retryInMs: ctx.imageBackoff.remainingMs(key) };
  }
  ctx.imageBackoff.succeeded();
  ctx.event('Normal', 'Pulled', `Successfully pulled image "${image}"`);
  return undefined;
}

/** Starts `container` (restart number `restartCount`) in the sandbox; resolves with the failure, or undefined once it runs. */
export async function startContainer(
  ctx: StartContext,
  pod: Pod,
  container: Container,
  input: { sandboxId: string; sandboxConfig: PodSandboxConfig; restartCount: number },
): Promise<StartFailure | undefined> {
  const pulled = await ensureImage(ctx, pod, container);
  if (pulled) return pulled;
  const namespace = pod.metadata.namespace ?? 'default';
  let envs;
  try {
    const sources = envSources(container);
    const configMaps = await fetchSources(ctx.client, namespace, 'configmaps', sources.configMaps);
    const secrets = await fetchSources(ctx.client, namespace, 'secrets', sources.secrets);
    const resolved = resolveEnv(pod, container, {
      configMap: (_ns, name) => configMaps.get(name),
      secret: (_ns, name) => secrets.get(name),
      podIPs: ctx.podIP ? [ctx.podIP] : [],
      hostIPs: [ctx.hostIP],
      ...(ctx.nodeAllocatable ? { nodeAllocatable: ctx.nodeAllocatable } : {}),
      ...(ctx.services ? { serviceEnv: serviceEnvVars(pod, ctx.services()) } : {}),
    });
    envs = resolved.envs;
    // The pod's DNS settings (loopback mode has no per-pod resolv.conf): unless the container sets them itself.
    const own = new Set(envs.map((e) => e.key));
    for (const [key, value] of Object.entries(ctx.clusterDns ? podDnsEnv(pod, ctx.clusterDns) : {})) if (!own.has(key)) envs.push({ key, value });
    for (const warning of resolved.warnings) ctx.event('Warning', 'InvalidEnvironmentVariableNames', warning);
  } catch (error) {
    const message = (error as Error).message;
    ctx.event('Warning', 'Failed', `Error: ${message}`);
    return { reason: 'CreateContainerConfigError', message };
  }
  const config = containerConfig(pod, container, { restartCount: input.restartCount, envs });
  let containerId: string;
  try {
    ({ containerId } = await ctx.runtime.createContainer({ podSandboxId: input.sandboxId, config, sandboxConfig: input.sandboxConfig }));
  } catch (error) {
    const message = (error as Error).message;
    ctx.event('Warning', 'Failed', `Error: ${message}`);
    return { reason: 'CreateContainerError', message };
  }
  ctx.event('Normal', 'Created', `Created container: ${container.name}`);
  try {
    await ctx.runtime.startContainer({ containerId });
  } catch (error) {
    const message = (error as Error).message;
    ctx.event('Warning', 'Failed', `Error: ${message}`);
    return { reason: 'RunContainerError', message };
  }
  ctx.event('Normal', 'Started', `Started container ${container.name}`);
  return undefined;
}
