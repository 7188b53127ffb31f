/**
 * The Service environment variables the kubelet gives each container (upstream
 * pkg/kubelet/kubelet_pods.go getServiceEnvVarMap and pkg/kubelet/envvars/envvars.go FromServices),
 * a pure function of the pod and the Services the kubelet's informer holds:
 * - which Services: those of the pod's namespace when spec.enableServiceLinks is not false, and
 *   always the `kubernetes` Service of the default namespace (a Service of the pod's own
 *   namespace named `kubernetes` wins over it); only Services with a ClusterIP (not None, not
 *   ExternalName);
 * - for each, with NAME its name upper-cased and `-` made `_`: NAME_SERVICE_HOST (the ClusterIP),
 *   NAME_SERVICE_PORT (its first port), NAME_SERVICE_PORT_<PORTNAME> per named port, and Docker's
 *   link variables: NAME_PORT=tcp://IP:PORT (first port) and, per port,
 *   NAME_PORT_<PORT>_<PROTO>[, _PROTO, _PORT, _ADDR].
 * resolveEnv (engine/cri/pod/env.ts) adds them after the container's own and lets `$(NAME)`
 * references use them.
 */
import type { Pod, Service } from '../kube/types.ts';

const envName = (s: string) => s.toUpperCase().replaceAll('-', '_');

/** The variables of one Service (envvars.go FromServices for one Service). */
function variablesOf(service: Service, into: Record<string, string>): void {
  const ip = service.spec?.clusterIP ?? '';
  const ports = service.spec?.ports ?? [];
  const name = envName(service.metadata.name ?? '');
  into[`${name}_SERVICE_HOST`] = ip;
  const first = ports[0];
  if (first) into[`${name}_SERVICE_PORT`] = String(first.port);
  for (const port of ports) if (port.name) into[`${name}_SERVICE_PORT_${envName(port.name)}`] = String(port.port);
  if (first) into[`${name}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
  for (const port of ports) {
    const protocol = port.protocol ?? 'TCP';
    const prefix = `${name}_PORT_${port.port}_${protocol.toUpperCase()}`;
    into[prefix] = `${protocol.toLowerCase()}://${ip}:${port.port}`;
    into[`${prefix}_PROTO`] = protocol.toLowerCase();
    into[`${prefix}_PORT`] = String(port.port);
    into[`${prefix}_ADDR`] = ip;
  }
}

const hasClusterIP = (s: Service) => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None' && s.spec.type !== 'ExternalName';

/** The service variables for `pod`, given every Service the kubelet knows. */
export function serviceEnvVars(pod: Pod, services: readonly Service[]): Record<string, string> {
  const namespace = pod.metadata.namespace ?? 'default';
  const links = (pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks !== false;
  const chosen = new Map<string, Service>();
  for (const service of services) {
    if (!hasClusterIP(service)) continue;
    const name = service.metadata.name ?? '';
    const ns = service.metadata.namespace ?? 'default';
    if (ns === 'default' && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, service);
    } else if (ns === namespace && links) {
      chosen.set(name, service);
    }
  }
  const out: Record<string, string> = {};
  for (const name of [...chosen.keys()].sort()) variablesOf(chosen.get(name)!, out);
  return out;
}
