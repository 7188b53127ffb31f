/**
 * networking.k8s.io/v1 NetworkPolicy: which traffic may reach (ingress) and leave (egress) the
 * pods a selector picks. The CNI lesson evaluates it; here it is stored, defaulted, validated and
 * printed as upstream does. It has no status (1.32 removed the field).
 *
 * Upstream: pkg/apis/networking/v1/defaults.go (SetDefaults_NetworkPolicy: policyTypes [Ingress],
 * plus Egress when egress rules are given; SetDefaults_NetworkPolicyPort: protocol TCP),
 * pkg/apis/networking/validation/validation.go (ValidateNetworkPolicySpec, ValidateNetworkPolicyPort,
 * ValidateNetworkPolicyPeer, ValidateIPBlock), pkg/registry/networking/networkpolicy/strategy.go
 * (generation), pkg/printers/internalversion printNetworkPolicy (NAME POD-SELECTOR AGE).
 */
import { forbiddenField, invalidValue, notSupported, required } from '../../field-errors.ts';
import { age, AGE, formatSelector, NAME } from '../../printers.ts';
import { int, intOrString, labelSelector as selectorSchema, list, obj, str, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { defineKind } from '../define.ts';
import { invalidGo, labelSelector, parseCIDR, portName, portNumber, validCIDR } from '../validate.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

/** ValidateNetworkPolicyPort. */
function port(p: Any, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (p.protocol !== undefined && p.protocol !== null && !PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${field}.protocol`, p.protocol, PROTOCOLS));
  if (p.port !== undefined && p.port !== null) {
    if (typeof p.port === 'number') {
      causes.push(...portNumber(p.port).map((m) => invalidValue(`${field}.port`, p.port, m)));
      if (p.endPort !== undefined && p.endPort !== null) {
        // Upstream shows the port, not the endPort, in this one.
        if (p.endPort < p.port) causes.push(invalidValue(`${field}.endPort`, p.port, 'must be greater than or equal to `port`'));
        causes.push(...portNumber(p.endPort).map((m) => invalidValue(`${field}.endPort`, p.endPort, m)));
      }
    } else {
      if (p.endPort !== undefined && p.endPort !== null) causes.push(invalidValue(`${field}.endPort`, p.endPort, 'may not be specified when `port` is non-numeric'));
      causes.push(...portName(String(p.port)).map((m) => invalidValue(`${field}.port`, p.port, m)));
    }
  } else if (p.endPort !== undefined && p.endPort !== null) {
    causes.push(invalidValue(`${field}.endPort`, p.endPort, 'may not be specified when `port` is not specified'));
  }
  return causes;
}

/** ValidateIPBlock: a CIDR, and excepts strictly inside it. */
function ipBlock(block: Any, field: string): StatusCause[] {
  const cidr = String(block.cidr ?? '');
  if (!cidr) return [required(`${field}.cidr`)];
  const causes = validCIDR(cidr, `${field}.cidr`);
  const outer = parseCIDR(cidr);
  if (!outer) return causes;
  ((block.except ?? []) as string[]).forEach((except, i) => {
    const at = `${field}.except[${i}]`;
    causes.push(...validCIDR(except, at));
    const inner = parseCIDR(except);
    if (!inner) return;
    const width = outer.v6 ? 128 : 32;
    const contains = inner.v6 === outer.v6 && inner.network >> BigInt(width - outer.prefix) === outer.network >> BigInt(width - outer.prefix);
    if (!contains || outer.prefix >= inner.prefix) causes.push(invalidValue(at, except, 'must be a strict subset of `cidr`'));
  });
  return causes;
}

/** ValidateNetworkPolicyPeer: exactly one kind of peer when ipBlock is one of them. */
function peer(p: Any, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let peers = 0;
  if (p.podSelector) {
    peers++;
    causes.push(...labelSelector(p.podSelector, `${field}.podSelector`));
  }
  if (p.namespaceSelector) {
    peers++;
    causes.push(...labelSelector(p.namespaceSelector, `${field}.namespaceSelector`));
  }
  if (p.ipBlock) {
    peers++;
    causes.push(...ipBlock(p.ipBlock, `${field}.ipBlock`));
  }
  if (peers === 0) causes.push(required(field, 'must specify a peer'));
  else if (peers > 1 && p.ipBlock) causes.push(forbiddenField(field, 'may not specify both ipBlock and another peer'));
  return causes;
}

/** ValidateNetworkPolicySpec. */
function validatePolicy(np: Any): StatusCause[] {
  const spec = np.spec ?? {};
  const causes = labelSelector(spec.podSelector, 'spec.podSelector');
  for (const [direction, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    ((spec[direction] ?? []) as Any[]).forEach((rule, i) => {
      const at = `spec.${direction}[${i}]`;
      ((rule.ports ?? []) as Any[]).forEach((p, j) => causes.push(...port(p ?? {}, `${at}.ports[${j}]`)));
      ((rule[peers] ?? []) as Any[]).forEach((p, j) => causes.push(...peer(p ?? {}, `${at}.${peers}[${j}]`)));
    });
  }
  const types: string[] = spec.policyTypes ?? [];
  if (types.length > POLICY_TYPES.length) {
    causes.push(invalidGo('spec.policyTypes', `[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`, 'may not specify more than two policyTypes'));
    return causes;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) causes.push(notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return causes;
}

/** SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort. */
function defaultPolicy(input: KubeObject): KubeObject {
  const o: Any = { ...input };
  if (!o.spec || typeof o.spec !== 'object') return o as KubeObject;
  const spec: Any = { ...o.spec };
  o.spec = spec;
  for (const direction of ['ingress', 'egress']) {
    if (!Array.isArray(spec[direction])) continue;
    spec[direction] = spec[direction].map((rule: Any) =>
      rule && Array.isArray(rule.ports)
        ? { ...rule, ports: rule.ports.map((p: Any) => (p && typeof p === 'object' && (p.protocol === undefined || p.protocol === null) ? { ...p, protocol: 'TCP' } : p)) }
        : rule,
    );
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  return o as KubeObject;
}

const peerSchema = obj({ podSelector: selectorSchema, namespaceSelector: selectorSchema, ipBlock: obj({ cidr: str, except: list(str) }) });
const portSchema = obj({ protocol: str, port: intOrString, endPort: int });

export const NETWORK_POLICIES = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'networkpolicies',
  kind: 'NetworkPolicy',
  namespaced: true,
  shortNames: ['netpol'],
  generation: true,
  schema: top({
    spec: obj({
      podSelector: selectorSchema,
      policyTypes: list(str),
      ingress: list(obj({ from: list(peerSchema), ports: list(portSchema) })),
      egress: list(obj({ to: list(peerSchema), ports: list(portSchema) })),
    }),
  }),
  strategy: {
    defaults: (o) => defaultPolicy(o),
    validate: (o) => validatePolicy(o),
  },
  printer: {
    columns: [NAME, ['Pod-Selector', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', formatSelector((o as Any).spec?.podSelector ?? {}), age(o, now)],
  },
});
