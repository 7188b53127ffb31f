/**
 * core/v1 Endpoints: the addresses behind a Service (kept beside EndpointSlices, as upstream
 * still mirrors them). Stored under /registry/services/endpoints.
 * Upstream: pkg/registry/core/endpoint (strategy.go), pkg/apis/core/v1/defaults.go
 * (SetDefaults_EndpointPort: protocol TCP); validation in engine/kube/validation/endpoints.ts.
 */
import { age, AGE, NAME } from '../../printers.ts';
import { any, list, top } from '../../schema-nodes.ts';
import type { KubeObject } from '../../types.ts';
import { endpointsCauses } from '../../validation/endpoints.ts';
import { defineKind } from '../define.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function endpointsCell(ep: Any): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    for (const address of subset.addresses ?? []) {
      const ports = subset.ports?.length ? subset.ports : [{}];
      for (const p of ports) all.push(p.port ? `${address.ip}:${p.port}` : address.ip);
    }
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const ENDPOINTS = defineKind({
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  prefix: '/registry/services/endpoints',
  schema: top({ subsets: list(any) }),
  strategy: {
    defaults(input) {
      const object: Any = { ...input };
      if (!Array.isArray(object.subsets)) return object as KubeObject;
      const port = (p: unknown) => (p && typeof p === 'object' && !(p as Any).protocol ? { ...(p as Any), protocol: 'TCP' } : p);
      object.subsets = object.subsets.map((s: unknown) => (s && typeof s === 'object' && Array.isArray((s as Any).ports) ? { ...(s as Any), ports: (s as Any).ports.map(port) } : s));
      return object as KubeObject;
    },
    validate: (endpoints) => endpointsCauses(endpoints),
  },
  printer: {
    columns: [NAME, ['Endpoints', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', endpointsCell(o as Any), age(o, now)],
  },
});
