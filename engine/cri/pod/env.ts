/**
 * A container's environment as the kubelet computes it before CreateContainer
 * (pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables), as a pure function of the pod, the
 * container and lookups the caller provides (ConfigMaps, Secrets, addresses, node allocatable):
 *   1. `envFrom`, in order: every key of the ConfigMap or Secret, with the prefix; keys that are not
 *      valid names are skipped and reported (Kubernetes 1.32's relaxed rule: printable ASCII but
 *      `=`); a missing source fails unless `optional`;
 *   2. `env`, in order, replacing earlier values: a `value` with `$(NAME)` references expanded
 *      against what is defined so far and the service variables (`$$` is a literal `$`, an unknown
 *      reference stays as written), or a `valueFrom`: the downward API's fieldRef (metadata.name,
 *      .namespace, .uid, .labels['k'], .annotations['k'], spec.nodeName, spec.serviceAccountName,
 *      status.podIP(s), status.hostIP(s)) and resourceFieldRef (limits/requests of cpu, memory,
 *      ephemeral-storage, rounded up to the divisor, limits defaulting to node allocatable), or one
 *      key of a ConfigMap or Secret;
 *   3. the service variables (FOO_SERVICE_HOST…) not already defined.
 * Failures throw an Error with the kubelet's message (the pod shows CreateContainerConfigError).
 * Where the kubelet walks a Go map (random order), keys are taken sorted, so the result is stable.
 */
import { loadComponent } from '../../impl.ts';
import type { Container, Pod } from '../../kube/types.ts';
import type { KeyValue } from '../api.ts';

const objects = await loadComponent('objects');

/** A ConfigMap or Secret as the lookups return it (Secret data base64-encoded, as the API serves it). */
export interface EnvSourceObject {
  data?: Record<string, string>;
}

export interface EnvLookups {
  /** undefined when the ConfigMap does not exist. */
  configMap(namespace: string, name: string): EnvSourceObject | undefined;
  /** undefined when the Secret does not exist. */
  secret(namespace: string, name: string): EnvSourceObject | undefined;
  podIPs?: string[];
  hostIPs?: string[];
  /** Node allocatable, the default of limits a container does not set. */
  nodeAllocatable?: Record<string, string>;
  /** Service environment variables (enableServiceLinks), computed by the caller. */
  serviceEnv?: Record<string, string>;
}

export interface ResolvedEnv {
  envs: KeyValue[];
  /** The InvalidEnvironmentVariableNames events the kubelet would record, one sentence each. */
  warnings: string[];
}

// The parts of core/v1 this needs that engine/kube/types.ts leaves as `unknown`.
interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

interface EnvVarSource {
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  configMapKeyRef?: KeyRef;
  secretKeyRef?: KeyRef;
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

/** Kubernetes 1.32's relaxed rule for environment variable names. */
export function isEnvVarName(name: string): boolean {
  return name.length > 0 && !name.includes('=') && /^[\x20-\x7e]+$/.test(name);
}

/** `$(NAME)` expansion (third_party/forked/golang/expansion). */
export function expandEnvReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i++;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close;
      }
    } else {
      out += `$${next}`;
      i++;
    }
  }
  return out;
}

function decodeSecret(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

function fieldValue(pod: Pod, fieldRef: NonNullable<EnvVarSource['fieldRef']>, lookups: EnvLookups): string {
  const version = fieldRef.apiVersion ?? 'v1';
  if (version !== 'v1') throw new Error(`unsupported pod version: ${version}`);
  const path = fieldRef.fieldPath;
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (subscript) return (subscript[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[subscript[2]!] ?? '';
  const podIPs = lookups.podIPs ?? [];
  const hostIPs = lookups.hostIPs ?? [];
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return String(pod.spec.serviceAccountName ?? '');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    case 'status.hostIP':
      if (hostIPs.length === 0) throw new Error("cannot get the node's address for status.hostIP");
      return hostIPs[0]!;
    case 'status.hostIPs':
      if (hostIPs.length === 0) throw new Error("cannot get the node's address for status.hostIPs");
      return hostIPs.join(',');
    default:
      throw new Error(`field label not supported: ${path}`);
  }
}

function resourceValue(pod: Pod, container: Container, ref: NonNullable<EnvVarSource['resourceFieldRef']>, lookups: EnvLookups): string {
  const target = ref.containerName ? [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new Error(`container ${ref.containerName} not found`);
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!match) throw new Error(`unsupported container resource : ${ref.resource}`);
  const [, kind, name] = match as unknown as [string, 'limits' | 'requests', string];
  let text = target.resources?.[kind]?.[name];
  if (text === undefined && kind === 'limits') text = lookups.nodeAllocatable?.[name];
  const quantity = objects.parseQuantity(String(text ?? '0'));
  const divisor = objects.parseQuantity(String(ref.divisor ?? '1'));
  if (name === 'cpu') {
    const per = objects.milliValue(divisor);
    if (per === 0) throw new Error('divisor must not be zero');
    return String(Math.ceil(objects.milliValue(quantity) / per));
  }
  const per = objects.value(divisor);
  if (per === 0) throw new Error('divisor must not be zero');
  return String(Math.ceil(objects.value(quantity) / per));
}

export function resolveEnv(pod: Pod, container: Container, lookups: EnvLookups): ResolvedEnv {
  const namespace = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  const warnings: string[] = [];
  const configMaps = new Map<string, EnvSourceObject | undefined>();
  const secrets = new Map<string, EnvSourceObject | undefined>();
  const configMap = (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, lookups.configMap(namespace, name));
    return configMaps.get(name);
  };
  const secret = (name: string) => {
    if (!secrets.has(name)) secrets.set(name, lookups.secret(namespace, name));
    return secrets.get(name);
  };

  for (const source of (container.envFrom ?? []) as EnvFromSource[]) {
    const ref = source.configMapRef ?? source.secretRef;
    if (!ref) continue;
    const kind = source.configMapRef ? 'configmap' : 'secret';
    const object = kind === 'configmap' ? configMap(ref.name) : secret(ref.name);
    if (!object) {
      if (ref.optional) continue;
      throw new Error(`${kind} "${ref.name}" not found`);
    }
    const invalid: string[] = [];
    for (const key of Object.keys(object.data ?? {}).sort()) {
      const name = `${source.prefix ?? ''}${key}`;
      if (!isEnvVarName(name)) {
        invalid.push(name);
        continue;
      }
      const raw = object.data![key]!;
      env.set(name, kind === 'secret' ? decodeSecret(raw) : raw);
    }
    if (invalid.length > 0) {
      warnings.push(
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind === 'configmap' ? 'configMap' : 'secret'} ${namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  const serviceEnv = lookups.serviceEnv ?? {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom as EnvVarSource | undefined;
    let value: string;
    if (variable.value) {
      value = expandEnvReferences(variable.value, (name) => env.get(name) ?? serviceEnv[name]);
    } else if (from?.fieldRef) {
      value = fieldValue(pod, from.fieldRef, lookups);
    } else if (from?.resourceFieldRef) {
      value = resourceValue(pod, container, from.resourceFieldRef, lookups);
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const isConfigMap = from.configMapKeyRef !== undefined;
      const object = isConfigMap ? configMap(ref.name) : secret(ref.name);
      if (!object) {
        if (ref.optional) continue;
        throw new Error(`${isConfigMap ? 'configmap' : 'secret'} "${ref.name}" not found`);
      }
      const raw = object.data?.[ref.key];
      if (raw === undefined) {
        if (ref.optional) continue;
        throw new Error(`couldn't find key ${ref.key} in ${isConfigMap ? 'ConfigMap' : 'Secret'} ${namespace}/${ref.name}`);
      }
      value = isConfigMap ? raw : decodeSecret(raw);
    } else {
      value = '';
    }
    env.set(variable.name, value);
  }

  for (const [name, value] of Object.entries(serviceEnv).sort(([a], [b]) => a.localeCompare(b))) if (!env.has(name)) env.set(name, value);
  return { envs: [...env].map(([key, value]) => ({ key, value })), warnings };
}
