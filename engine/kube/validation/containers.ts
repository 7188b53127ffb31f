/**
 * What upstream checks in a container beyond the learner's 03-validation (name, image,
 * imagePullPolicy, container port numbers and protocols): pkg/apis/core/validation
 * validateContainerCommon (terminationMessagePolicy, port names and host ports, env, envFrom,
 * volume mounts, resources), validateContainers / validateInitContainers (probes, lifecycle
 * handlers, a container's own restartPolicy) and checkHostPortConflicts. Field paths and messages
 * are upstream's, including its quirks (a mount's subPath problem is reported at
 * `volumeMounts.subPath`, without the mount's index).
 *
 * Values the engine does not default are read as upstream's defaults would leave them: a probe's
 * missing successThreshold is 1, an httpGet's missing scheme is HTTP, a fieldRef's missing
 * apiVersion is v1.
 */
import { duplicate, forbiddenField, invalidValue, notFound, notSupported, required } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { configKeyProblems, envVarNameProblems, httpHeaderNameProblems, nameProblems, portNameProblems, portNumberProblems, qualifiedNameProblems } from './formats.ts';
import type { QuantityFunctions } from './quantity.ts';
import { resourceRequirementsCauses } from './resources.ts';

type Any = Record<string, unknown>;

export function obj(value: unknown): Any {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Any) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const DOWNWARD_CONVERTIBLE = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
  'spec.host',
]);
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const HTTP_SCHEMES = ['HTTP', 'HTTPS'];

/** validateContainerPorts, without what the learner checks (numbers and protocols). */
function portCauses(ports: unknown[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = obj(raw);
    const pat = `${at}[${i}]`;
    if (typeof p.name === 'string' && p.name.length > 0) {
      const problems = portNameProblems(p.name);
      if (problems.length) causes.push(...problems.map((m) => invalidValue(`${pat}.name`, p.name, m)));
      else if (names.has(p.name)) causes.push(duplicate(`${pat}.name`, p.name));
      else names.add(p.name);
    }
    if (typeof p.hostPort === 'number' && p.hostPort !== 0) causes.push(...portNumberProblems(p.hostPort).map((m) => invalidValue(`${pat}.hostPort`, p.hostPort, m)));
  });
  return causes;
}

/** validateObjectFieldSelector for an env var's fieldRef. */
function fieldRefCauses(ref: Any, at: string): StatusCause[] {
  const fieldPath = text(ref.fieldPath);
  if (!fieldPath) return [required(`${at}.fieldPath`)];
  const subscript = /^(.*)\['(.*)'\]$/.exec(fieldPath);
  // SetDefaults_ObjectFieldSelector: an empty apiVersion is v1.
  const apiVersion = text(ref.apiVersion) || 'v1';
  if (apiVersion !== 'v1') return [invalidValue(`${at}.fieldPath`, fieldPath, `error converting fieldPath: unsupported pod version: ${apiVersion}`)];
  if (subscript) {
    const [, path, key] = subscript;
    if (path === 'metadata.annotations') return qualifiedNameProblems(key!.toLowerCase()).map((m) => invalidValue(at, key!.toLowerCase(), m));
    if (path === 'metadata.labels') return qualifiedNameProblems(key!).map((m) => invalidValue(at, key, m));
    return [invalidValue(`${at}.fieldPath`, fieldPath, `error converting fieldPath: field label does not support subscript: ${fieldPath}`)];
  }
  if (!DOWNWARD_CONVERTIBLE.has(fieldPath)) return [invalidValue(`${at}.fieldPath`, fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  return ENV_FIELD_PATHS.includes(internal) ? [] : [notSupported(`${at}.fieldPath`, internal, ENV_FIELD_PATHS)];
}

/** validateConfigMapKeySelector / validateSecretKeySelector. */
function keySelectorCauses(ref: Any, at: string): StatusCause[] {
  const causes = nameProblems('dns1123-subdomain', text(ref.name)).map((m) => invalidValue(`${at}.name`, text(ref.name), m));
  const key = text(ref.key);
  if (!key) causes.push(required(`${at}.key`));
  else causes.push(...configKeyProblems(key).map((m) => invalidValue(`${at}.key`, key, m)));
  return causes;
}

/** ValidateEnv. */
function envCauses(env: unknown[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  env.forEach((raw, i) => {
    const e = obj(raw);
    const eat = `${at}[${i}]`;
    const name = text(e.name);
    if (!name) causes.push(required(`${eat}.name`));
    else causes.push(...envVarNameProblems(name).map((m) => invalidValue(`${eat}.name`, name, m)));
    if (e.valueFrom === undefined || e.valueFrom === null) return;
    const from = obj(e.valueFrom);
    const vat = `${eat}.valueFrom`;
    let sources = 0;
    if (from.fieldRef !== undefined) {
      sources++;
      causes.push(...fieldRefCauses(obj(from.fieldRef), `${vat}.fieldRef`));
    }
    if (from.resourceFieldRef !== undefined) {
      sources++;
      const resource = text(obj(from.resourceFieldRef).resource);
      if (!resource) causes.push(required(`${vat}.resourceFieldRef.resource`));
      else if (!RESOURCE_FIELD_PATHS.includes(resource) && !/^(requests|limits)\.hugepages-/.test(resource)) {
        causes.push(notSupported(`${vat}.resourceFieldRef.resource`, resource, RESOURCE_FIELD_PATHS));
      }
    }
    if (from.configMapKeyRef !== undefined) {
      sources++;
      causes.push(...keySelectorCauses(obj(from.configMapKeyRef), `${vat}.configMapKeyRef`));
    }
    if (from.secretKeyRef !== undefined) {
      sources++;
      causes.push(...keySelectorCauses(obj(from.secretKeyRef), `${vat}.secretKeyRef`));
    }
    if (sources === 0) causes.push(invalidValue(vat, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (text(e.value) !== '') causes.push(invalidValue(vat, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) causes.push(invalidValue(vat, '', 'may not have more than one field specified at a time'));
  });
  return causes;
}

/** ValidateEnvFrom. */
function envFromCauses(list: unknown[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  list.forEach((raw, i) => {
    const e = obj(raw);
    const eat = `${at}[${i}]`;
    const prefix = text(e.prefix);
    if (prefix) causes.push(...envVarNameProblems(prefix).map((m) => invalidValue(`${eat}.prefix`, prefix, m)));
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      if (e[kind] === undefined) continue;
      sources++;
      const name = text(obj(e[kind]).name);
      if (!name) causes.push(required(`${eat}.${kind}.name`));
      else causes.push(...nameProblems('dns1123-subdomain', name, true).map((m) => invalidValue(`${eat}.${kind}.name`, name, m)));
    }
    if (sources === 0) causes.push(invalidValue(at, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) causes.push(invalidValue(at, '', 'may not have more than one field specified at a time'));
  });
  return causes;
}

/** validateLocalDescendingPath (subPath, subPathExpr, a gitRepo's directory). */
export function localDescendingPathCauses(path: string, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (path.startsWith('/')) causes.push(invalidValue(at, path, 'must be a relative path'));
  if (path.split('/').includes('..')) causes.push(invalidValue(at, path, "must not contain '..'"));
  return causes;
}

/** ValidateVolumeMounts: each names a volume of the pod (one that passed validation). */
function mountCauses(mounts: unknown[], volumes: ReadonlySet<string>, container: Any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const paths = new Set<string>();
  mounts.forEach((raw, i) => {
    const m = obj(raw);
    const mat = `${at}[${i}]`;
    const name = text(m.name);
    if (!name) causes.push(required(`${mat}.name`));
    if (!volumes.has(name)) causes.push(notFound(`${mat}.name`, name));
    const mountPath = text(m.mountPath);
    if (!mountPath) causes.push(required(`${mat}.mountPath`));
    if (paths.has(mountPath)) causes.push(invalidValue(`${mat}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
    const subPath = text(m.subPath);
    const subPathExpr = text(m.subPathExpr);
    if (subPath) causes.push(...localDescendingPathCauses(subPath, `${at}.subPath`));
    if (subPathExpr) {
      if (subPath) causes.push(invalidValue(`${mat}.subPathExpr`, subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      causes.push(...localDescendingPathCauses(subPathExpr, `${at}.subPathExpr`));
    }
    if (m.mountPropagation !== undefined) {
      const mode = m.mountPropagation;
      if (!MOUNT_PROPAGATIONS.includes(mode as string)) causes.push(notSupported(`${at}.mountPropagation`, mode, MOUNT_PROPAGATIONS));
      else if (mode === 'Bidirectional' && obj(container.securityContext).privileged !== true) {
        causes.push(forbiddenField(`${at}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return causes;
}

/** ValidatePortNumOrName. */
function portNumOrNameCauses(port: unknown, at: string): StatusCause[] {
  if (typeof port === 'string') return portNameProblems(port).map((m) => invalidValue(at, port, m));
  const n = typeof port === 'number' ? port : 0;
  return portNumberProblems(n).map((m) => invalidValue(at, n, m));
}

/** validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (probes) or sleep (lifecycle). */
function handlerCauses(handler: Any, kinds: readonly string[], grace: number | undefined, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let count = 0;
  for (const kind of kinds) {
    if (handler[kind] === undefined || handler[kind] === null) continue;
    if (count > 0) {
      causes.push(forbiddenField(`${at}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const h = obj(handler[kind]);
    const hat = `${at}.${kind}`;
    if (kind === 'exec' && arr(h.command).length === 0) causes.push(required(`${hat}.command`));
    if (kind === 'httpGet') {
      causes.push(...portNumOrNameCauses(h.port, `${hat}.port`));
      if (h.scheme !== undefined && !HTTP_SCHEMES.includes(h.scheme as string)) causes.push(notSupported(`${hat}.scheme`, h.scheme, HTTP_SCHEMES));
      for (const header of arr(h.httpHeaders)) {
        const name = text(obj(header).name);
        causes.push(...httpHeaderNameProblems(name).map((m) => invalidValue(`${hat}.httpHeaders`, name, m)));
      }
    }
    if (kind === 'tcpSocket') causes.push(...portNumOrNameCauses(h.port, `${hat}.port`));
    if (kind === 'grpc') causes.push(...portNumOrNameCauses(typeof h.port === 'number' ? h.port : 0, `${hat}.port`));
    if (kind === 'sleep' && grace !== undefined) {
      const seconds = typeof h.seconds === 'number' ? h.seconds : 0;
      if (seconds <= 0 || seconds > grace) {
        causes.push(
          invalidValue(hat, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`),
        );
      }
    }
  }
  if (count === 0) causes.push(required(at, 'must specify a handler type'));
  return causes;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/** validateProbe and the liveness/readiness/startup rules on top of it. */
function probeCauses(probe: Any, kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe', grace: number | undefined, at: string): StatusCause[] {
  const causes = handlerCauses(probe, PROBE_HANDLERS, grace, at);
  for (const field of PROBE_COUNTS) {
    const value = probe[field];
    if (typeof value === 'number' && value < 0) causes.push(invalidValue(`${at}.${field}`, value, 'must be greater than or equal to 0'));
  }
  const ownGrace = probe.terminationGracePeriodSeconds;
  if (typeof ownGrace === 'number' && ownGrace <= 0) causes.push(invalidValue(`${at}.terminationGracePeriodSeconds`, ownGrace, 'must be greater than 0'));
  // SetDefaults_Probe makes a missing (or 0) successThreshold 1.
  const success = typeof probe.successThreshold === 'number' && probe.successThreshold !== 0 ? probe.successThreshold : 1;
  if (kind !== 'readinessProbe' && success !== 1) causes.push(invalidValue(`${at}.successThreshold`, success, 'must be 1'));
  if (kind === 'readinessProbe' && ownGrace !== undefined && ownGrace !== null) causes.push(invalidValue(`${at}.terminationGracePeriodSeconds`, ownGrace, 'must not be set for readinessProbes'));
  return causes;
}

function lifecycleCauses(lifecycle: Any, grace: number | undefined, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (lifecycle[hook] !== undefined && lifecycle[hook] !== null) causes.push(...handlerCauses(obj(lifecycle[hook]), LIFECYCLE_HANDLERS, grace, `${at}.${hook}`));
  }
  return causes;
}

function hostPortDuplicates(containers: unknown[], at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  containers.forEach((raw, ci) => {
    arr(obj(raw).ports).forEach((rp, pi) => {
      const p = obj(rp);
      if (typeof p.hostPort !== 'number' || p.hostPort === 0) return;
      const key = `${text(p.protocol)}/${text(p.hostIP)}/${p.hostPort}`;
      if (seen.has(key)) causes.push(duplicate(`${at}[${ci}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
  return causes;
}

export interface ContainerContext {
  quantities: QuantityFunctions;
  /** Names of the pod's volumes that passed validation. */
  volumes: ReadonlySet<string>;
  /** The pod's terminationGracePeriodSeconds. */
  grace: number | undefined;
}

/** validateContainerCommon, less the learner's part. */
function commonCauses(c: Any, ctx: ContainerContext, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const policy = c.terminationMessagePolicy;
  if (policy !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(policy as string)) {
    causes.push(policy === '' ? required(`${at}.terminationMessagePolicy`) : notSupported(`${at}.terminationMessagePolicy`, policy, TERMINATION_MESSAGE_POLICIES));
  }
  causes.push(...portCauses(arr(c.ports), `${at}.ports`));
  causes.push(...envCauses(arr(c.env), `${at}.env`));
  causes.push(...envFromCauses(arr(c.envFrom), `${at}.envFrom`));
  causes.push(...mountCauses(arr(c.volumeMounts), ctx.volumes, c, `${at}.volumeMounts`));
  if (c.resources !== undefined) causes.push(...resourceRequirementsCauses(ctx.quantities, c.resources, `${at}.resources`));
  return causes;
}

/** validateContainers, less the learner's part. */
export function containersCauses(containers: unknown[], ctx: ContainerContext, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  containers.forEach((raw, i) => {
    const c = obj(raw);
    const cat = `${at}[${i}]`;
    causes.push(...commonCauses(c, ctx, cat));
    if (c.lifecycle !== undefined && c.lifecycle !== null) causes.push(...lifecycleCauses(obj(c.lifecycle), ctx.grace, `${cat}.lifecycle`));
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[kind] !== undefined && c[kind] !== null) causes.push(...probeCauses(obj(c[kind]), kind, ctx.grace, `${cat}.${kind}`));
    }
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) causes.push(forbiddenField(`${cat}.restartPolicy`, 'may not be set for non-init containers'));
  });
  causes.push(...hostPortDuplicates(containers, at));
  return causes;
}

/** validateInitContainers, less the learner's part: probes and lifecycle only for sidecars (restartPolicy Always). */
export function initContainersCauses(containers: unknown[], ctx: ContainerContext, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  containers.forEach((raw, i) => {
    const c = obj(raw);
    const cat = `${at}[${i}]`;
    causes.push(...commonCauses(c, ctx, cat));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && c.restartPolicy !== null && !sidecar) causes.push(notSupported(`${cat}.restartPolicy`, c.restartPolicy, ['Always']));
    causes.push(...hostPortDuplicates([c], at).map((cause) => ({ ...cause, field: cause.field?.replace(`${at}[0]`, cat) })));
    for (const kind of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[kind] === undefined || c[kind] === null) continue;
      if (!sidecar) causes.push(forbiddenField(`${cat}.${kind}`, 'may not be set for init containers without restartPolicy=Always'));
      else if (kind === 'lifecycle') causes.push(...lifecycleCauses(obj(c.lifecycle), ctx.grace, `${cat}.lifecycle`));
      else causes.push(...probeCauses(obj(c[kind]), kind, ctx.grace, `${cat}.${kind}`));
    }
  });
  return causes;
}
