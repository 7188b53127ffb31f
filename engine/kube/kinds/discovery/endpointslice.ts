/**
 * discovery.k8s.io/v1 EndpointSlice: a Service's endpoints in slices of at most 100.
 * Upstream: pkg/registry/discovery/endpointslice (strategy.go).
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, list, str, top } from '../../schema-nodes.ts';
import { defineKind } from '../define.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ENDPOINT_SLICES = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  namespaced: true,
  schema: top({ addressType: str, endpoints: list(any), ports: list(any) }),
  printer: {
    columns: [NAME, ['AddressType', 'string'], ['Ports', 'string'], ['Endpoints', 'string'], AGE],
    row: (o, now) => {
      const s = o as Any;
      const ports = (s.ports ?? []).map((p: Any) => p.port).filter((p: unknown) => p !== undefined);
      const addresses = (s.endpoints ?? []).flatMap((e: Any) => e.addresses ?? []);
      const shown = addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
      return [o.metadata.name ?? '', s.addressType ?? '', ports.length ? ports.join(',') : '<unset>', addresses.length ? shown : '<unset>', age(o, now)];
    },
  },
});
