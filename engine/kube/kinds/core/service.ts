/**
 * core/v1 Service: a stable address (ClusterIP, NodePorts) for a set of pods.
 * Upstream: pkg/registry/core/service (strategy.go, storage/alloc.go), pkg/apis/core/v1/defaults.go.
 */
import { duplicate, forbiddenField, invalidShown, invalidValue, notSupported, required } from '../../field-errors.ts';
import { AGE, age, formatLabels, NAME, none } from '../../printers.ts';
import { f, kept, rep, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { any, bools, conditionsStatus, int, intOrString, ints, list, obj, str, stringMap, strs, top } from '../../schema-nodes.ts';
import type { Service, StatusCause } from '../../types.ts';
import { SERVICE_NODE_PORT_RANGE } from '../../../params.ts';
import { defineKind, statusSubresource } from '../define.ts';
import type { StoredKind } from '../types.ts';
import { ServiceAllocator } from './service-allocator.ts';
import { goStrings } from '../../validation/go-values.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ServicePort: ProtobufMessage = {
  1: f('name', 'string'),
  2: f('protocol', 'string'),
  3: kept('port', 'int32'),
  4: f('targetPort', 'intOrString'),
  5: f('nodePort', 'int32'),
  6: f('appProtocol', 'string'),
};
const ServiceSpec: ProtobufMessage = {
  1: rep('ports', ServicePort),
  2: f('selector', { map: 'string' }),
  3: f('clusterIP', 'string'),
  4: f('type', 'string'),
  5: rep('externalIPs', 'string'),
  7: f('sessionAffinity', 'string'),
  10: f('externalName', 'string'),
  11: f('externalTrafficPolicy', 'string'),
  18: rep('clusterIPs', 'string'),
};

const servicePort = obj({ ...strs('name', 'protocol', 'appProtocol'), ...ints('port', 'nodePort'), targetPort: intOrString });

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateService(object: Any, old: Any | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = object.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) causes.push(notSupported('spec.type', type, SERVICE_TYPES));
  const ports: Any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && type !== 'ExternalName' && !headless) causes.push(required('spec.ports'));
  if (type === 'ExternalName' && !spec.externalName) causes.push(required('spec.externalName'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) causes.push(required(`${at}.name`));
    if (p?.name) {
      if (names.has(p.name)) causes.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) causes.push(invalidValue(`${at}.port`, p?.port, 'must be between 1 and 65535, inclusive'));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    const target = p?.targetPort;
    if (typeof target === 'number' && (!Number.isInteger(target) || target < 1 || target > 65535)) {
      causes.push(invalidValue(`${at}.targetPort`, target, 'must be between 1 and 65535, inclusive'));
    } else if (typeof target === 'string' && !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(target)) {
      causes.push(invalidValue(`${at}.targetPort`, target, "must be no more than 15 characters, contain only lowercase alphanumerics or '-', and start and end with an alphanumeric"));
    }
    if (p?.nodePort !== undefined && p.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') causes.push(forbiddenField(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (!Number.isInteger(p.nodePort) || p.nodePort < SERVICE_NODE_PORT_RANGE.first || p.nodePort > SERVICE_NODE_PORT_RANGE.last) {
        causes.push(
          invalidValue(`${at}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${SERVICE_NODE_PORT_RANGE.first}-${SERVICE_NODE_PORT_RANGE.last}`),
        );
      }
    }
  });
  if (old?.spec?.clusterIP && spec.clusterIP !== undefined && spec.clusterIP !== old.spec.clusterIP && type !== 'ExternalName' && old.spec.type !== 'ExternalName') {
    // validateUpgradeDowngradeClusterIPs: the new clusterIPs (normalized to start with clusterIP) as Go's %#v.
    const ips: unknown[] = Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === spec.clusterIP ? spec.clusterIPs : [spec.clusterIP];
    causes.push(invalidShown('spec.clusterIPs[0]', goStrings(ips), 'may not change once set'));
  }
  return causes;
}

function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '<none>';
  }
  return '<unknown>';
}

function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

export const SERVICES: StoredKind = defineKind<Service>({
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  prefix: '/registry/services/specs',
  subresources: [statusSubresource('Service')],
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({
      ports: list(servicePort, 'port'),
      selector: stringMap,
      ...strs('clusterIP', 'type', 'sessionAffinity', 'loadBalancerIP', 'externalName', 'externalTrafficPolicy', 'ipFamilyPolicy', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution'),
      healthCheckNodePort: int,
      ...bools('publishNotReadyAddresses', 'allocateLoadBalancerNodePorts'),
      clusterIPs: list(str),
      externalIPs: list(str),
      loadBalancerSourceRanges: list(str),
      ipFamilies: list(str),
      sessionAffinityConfig: any,
    }),
    status: conditionsStatus,
  }),
  protobuf: withMeta({ 2: f('spec', ServiceSpec) }),
  strategy: {
    nameRule: 'dns1035-label',
    defaults(input) {
      const object: Any = { ...input };
      const spec: Any | undefined = object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? { ...object.spec } : undefined;
      if (spec) {
        spec.type ??= 'ClusterIP';
        if (spec.type !== 'ExternalName') {
          spec.sessionAffinity ??= 'None';
          spec.ipFamilies ??= ['IPv4'];
          spec.ipFamilyPolicy ??= 'SingleStack';
          spec.internalTrafficPolicy ??= 'Cluster';
          if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
          if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
        }
        if (Array.isArray(spec.ports)) {
          spec.ports = spec.ports.map((p: Any) => (p && typeof p === 'object' ? { ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port } : p));
        }
        object.spec = spec;
      }
      object.status ??= { loadBalancer: {} };
      return object as Service;
    },
    validate: (object) => validateService(object, undefined),
    validateUpdate: (object, old) => validateService(object, old),
  },
  admission(env) {
    const allocator = new ServiceAllocator(() => env.cached(SERVICES) as Service[], env.serviceClusterIPRange);
    return {
      create: (service) => allocator.allocate(service, env.now()),
      update: (service, old) => allocator.allocate(service, env.now(), old),
    };
  },
  printer: {
    columns: [NAME, ['Type', 'string'], ['Cluster-IP', 'string'], ['External-IP', 'string'], ['Port(s)', 'string'], AGE, ['Selector', 'string', 1]],
    row: (svc, now) => [svc.metadata.name ?? '', svc.spec?.type ?? 'ClusterIP', none(svc.spec?.clusterIP), serviceExternalIP(svc), servicePorts(svc), age(svc, now), formatLabels(svc.spec?.selector)],
  },
});
