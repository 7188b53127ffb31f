/**
 * discovery.k8s.io/v1 EndpointSlice: a Service's endpoints in slices of at most 100.
 * Upstream: pkg/registry/discovery/endpointslice (strategy.go), pkg/apis/discovery/v1/defaults.go
 * (a port's name defaults to "" and its protocol to TCP), pkg/apis/discovery/validation
 * (ValidateEndpointSliceCreate, ValidateEndpointSliceUpdate: addressType immutable),
 * pkg/printers/internalversion printEndpointSlice (formatDiscoveryPorts, formatDiscoveryEndpoints).
 *
 * One deliberate difference: upstream's ValidateNonSpecialIP refuses loopback addresses in IPv4
 * and IPv6 slices; the engine's loopback network mode gives pods 127.0.0.0/8 addresses, so
 * loopback is allowed here (unspecified and link-local addresses are refused as upstream does).
 */
import { duplicate, invalidValue, notSupported, required } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { any, list, str, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { nonSpecialIPCauses as nonSpecialIP } from '../../validation/endpoints.ts';
import { defineKind } from '../define.ts';
import { dns1123Label, dns1123Subdomain, labelMap, parseIP, qualifiedName } from '../validate.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_TOPOLOGY_LABELS = 16;

/** field.TooMany: `Too many: <n>: must have at most <max> items`. */
function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

/** IsFullyQualifiedDomainName. */
function fqdn(name: string, field: string): StatusCause[] {
  if (name.length === 0) return [required(field)];
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  const problems = dns1123Subdomain(bare);
  if (problems.length) return [invalidValue(field, bare, problems.join(','))];
  if (bare.split('.').length < 2) return [invalidValue(field, bare, 'should be a domain with at least two segments separated by dots')];
  for (const label of bare.split('.')) {
    const bad = dns1123Label(label);
    if (bad.length) return [invalidValue(field, label, bad.join(','))];
  }
  return [];
}

/** ValidateEndpointSlice. */
function validateSlice(o: Any, addressTypes: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const type = o.addressType ?? '';
  if (type === '') causes.push(required('addressType'));
  else if (!addressTypes.includes(type)) causes.push(notSupported('addressType', type, addressTypes));
  const endpoints: Any[] = o.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) causes.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  else {
    endpoints.forEach((e, i) => {
      const at = `endpoints[${i}]`;
      const addresses: string[] = e?.addresses ?? [];
      if (addresses.length === 0) causes.push(required(`${at}.addresses`, 'must contain at least 1 address'));
      else if (addresses.length > MAX_ADDRESSES) causes.push(tooMany(`${at}.addresses`, addresses.length, MAX_ADDRESSES));
      addresses.forEach((address, j) => {
        const field = `${at}.addresses[${j}]`;
        const ip = parseIP(address);
        if (type === 'IPv4') {
          if (!ip || ip.v6) causes.push(invalidValue(field, address, 'must be a valid IPv4 address'));
          causes.push(...nonSpecialIP(address, field));
        } else if (type === 'IPv6') {
          if (!ip || !ip.v6) causes.push(invalidValue(field, address, 'must be a valid IPv6 address'));
          causes.push(...nonSpecialIP(address, field));
        } else if (type === 'FQDN') {
          causes.push(...fqdn(address, field));
        }
      });
      const topology = e?.deprecatedTopology ?? {};
      if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) causes.push(tooMany(`${at}.deprecatedTopology`, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
      causes.push(...labelMap(topology, `${at}.deprecatedTopology`));
      if (e?.hostname !== undefined && e?.hostname !== null) causes.push(...dns1123Label(String(e.hostname)).map((p) => invalidValue(`${at}.hostname`, e.hostname, p)));
    });
  }
  const ports: Any[] = o.ports ?? [];
  if (ports.length > MAX_PORTS) causes.push(tooMany('ports', ports.length, MAX_PORTS));
  else {
    const names = new Set<string>();
    ports.forEach((p, i) => {
      const at = `ports[${i}]`;
      const name = String(p?.name ?? '');
      if (name.length > 0) causes.push(...dns1123Label(name).map((m) => invalidValue(`${at}.name`, name, m)));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
      if (p?.protocol === undefined || p?.protocol === null) causes.push(required(`${at}.protocol`));
      else if (!PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
      if (p?.appProtocol !== undefined && p?.appProtocol !== null) causes.push(...qualifiedName(String(p.appProtocol)).map((m) => invalidValue(`${at}.appProtocol`, p.appProtocol, m)));
    });
  }
  return causes;
}

/** SetDefaults_EndpointPort. */
function defaultSlice(input: KubeObject): KubeObject {
  const o: Any = { ...input };
  if (Array.isArray(o.ports)) o.ports = o.ports.map((p: Any) => (p && typeof p === 'object' ? { name: '', protocol: 'TCP', ...p } : p));
  return o as KubeObject;
}

/** listWithMoreString over at most three items. */
function firstThree(items: string[]): string {
  if (items.length > 3) return `${items.slice(0, 3).join(',')} + ${items.length - 3} more...`;
  return items.length ? items.join(',') : '<unset>';
}

export const ENDPOINT_SLICES = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  namespaced: true,
  schema: top({ addressType: str, endpoints: list(any), ports: list(any) }),
  strategy: {
    defaults: (o) => defaultSlice(o),
    validate: (o) => validateSlice(o, ADDRESS_TYPES),
    validateUpdate: (o) => validateSlice(o, ['FQDN', 'IP', 'IPv4', 'IPv6']),
    immutableFields: [{ path: 'addressType' }],
  },
  printer: {
    columns: [NAME, ['AddressType', 'string'], ['Ports', 'string'], ['Endpoints', 'string'], AGE],
    row: (o, now) => {
      const s = o as Any;
      const ports = ((s.ports ?? []) as Any[]).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined && p.name !== null ? String(p.name) : '*'));
      const addresses = ((s.endpoints ?? []) as Any[]).flatMap((e) => (e.addresses ?? []) as string[]);
      return [o.metadata.name ?? '', s.addressType ?? '', firstThree(ports), firstThree(addresses), age(o, now)];
    },
  },
});
