/**
 * networking.k8s.io/v1 Ingress: HTTP routes from hosts and paths to Services (the kube-proxy
 * lesson gives it a controller; here it is stored, validated and printed as upstream does).
 *
 * Upstream: pkg/registry/networking/ingress/strategy.go (status subresource, generation),
 * pkg/apis/networking/validation/validation.go (ValidateIngressCreate, ValidateIngressUpdate,
 * ValidateIngressStatusUpdate), plugin/pkg/admission/network/defaultingressclass (an Ingress
 * created without a class gets the newest IngressClass annotated
 * `ingressclass.kubernetes.io/is-default-class: "true"`), pkg/printers/internalversion
 * printIngress (NAME CLASS HOSTS ADDRESS PORTS AGE). networking/v1 has no Ingress defaults.
 */
import { invalidValue, notSupported, required } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { f, kept, rep, withMeta, type ProtobufMessage } from '../../protobuf.ts';
import { any, int, list, obj, str, strs, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { dns1035Label, dns1123Subdomain, invalidGo, parseIP, portName, portNumber, validIP, wildcardDns1123Subdomain } from '../validate.ts';
import { typedLocalObjectReference } from './ingress-backend.ts';
import { INGRESS_CLASSES } from './ingressclass.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
/** loadBalancerWidth: the ADDRESS column is cut to this many characters (not with -o wide). */
const LOAD_BALANCER_WIDTH = 16;

// networking/v1 generated.proto: what `kubectl create ingress` sends.
const TypedLocalObjectReference: ProtobufMessage = { 1: kept('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };
const IngressBackend: ProtobufMessage = { 4: f('service', { 1: f('name', 'string'), 2: f('port', { 1: f('name', 'string'), 2: f('number', 'int32') }) }), 3: f('resource', TypedLocalObjectReference) };
const HTTPIngressPath: ProtobufMessage = { 1: f('path', 'string'), 3: kept('pathType', 'string'), 2: f('backend', IngressBackend) };
const IngressRule: ProtobufMessage = { 1: f('host', 'string'), 2: { name: 'ingressRuleValue', type: { 1: f('http', { 1: rep('paths', HTTPIngressPath) }) }, inline: true } };
const IngressSpec: ProtobufMessage = {
  4: kept('ingressClassName', 'string'),
  1: f('defaultBackend', IngressBackend),
  2: rep('tls', { 1: rep('hosts', 'string'), 2: f('secretName', 'string') }),
  3: rep('rules', IngressRule),
};

const backendSchema = obj({ service: obj({ name: str, port: obj({ name: str, number: int }) }), resource: obj(strs('apiGroup', 'kind', 'name')) });

/** validateIngressBackend. */
function backend(b: Any, field: string): StatusCause[] {
  if (b.resource && b.service) return [invalidValue(field, '', 'cannot set both resource and service backends')];
  if (b.resource) return typedLocalObjectReference(b.resource, `${field}.resource`);
  if (!b.service) return [invalidValue(field, '', 'resource or service backend is required')];
  const causes: StatusCause[] = [];
  const svc = b.service;
  if (!svc.name) causes.push(required(`${field}.service.name`));
  else causes.push(...dns1035Label(String(svc.name)).map((p) => invalidValue(`${field}.service.name`, svc.name, p)));
  const name = svc.port?.name ?? '';
  const number = svc.port?.number ?? 0;
  if (name && number) causes.push(invalidValue(field, '', 'cannot set both port name & port number'));
  else if (name) causes.push(...portName(String(name)).map((p) => invalidValue(`${field}.service.port.name`, name, p)));
  else if (number) causes.push(...portNumber(number).map((p) => invalidValue(`${field}.service.port.number`, number, p)));
  else causes.push(required(field, 'port name or number is required'));
  return causes;
}

/** validateHTTPIngressPath. */
function httpPath(p: Any, field: string): StatusCause[] {
  if (p.pathType === undefined || p.pathType === null) return [required(`${field}.pathType`, 'pathType must be specified')];
  const causes: StatusCause[] = [];
  const path = String(p.path ?? '');
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!path.startsWith('/')) causes.push(invalidValue(`${field}.path`, path, 'must be an absolute path'));
    if (path.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) causes.push(invalidValue(`${field}.path`, path, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) causes.push(invalidValue(`${field}.path`, path, `cannot end with '${suffix}'`));
    }
  } else if (p.pathType === 'ImplementationSpecific') {
    if (path.length > 0 && !path.startsWith('/')) causes.push(invalidValue(`${field}.path`, path, 'must be an absolute path'));
  } else {
    causes.push(notSupported(`${field}.pathType`, p.pathType, PATH_TYPES));
  }
  causes.push(...backend(p.backend ?? {}, `${field}.backend`));
  return causes;
}

/** validateIngressRules (with the wildcard-host leniency of objects stored before it was checked, on update). */
function rules(list: Any[], field: string, allowInvalidWildcardRule: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  list.forEach((rule, i) => {
    const at = `${field}[${i}]`;
    let wildcard = false;
    const host = String(rule.host ?? '');
    if (host.length > 0) {
      if (parseIP(host)) causes.push(invalidValue(`${at}.host`, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        causes.push(...wildcardDns1123Subdomain(host).map((p) => invalidValue(`${at}.host`, host, p)));
        wildcard = true;
      } else {
        causes.push(...dns1123Subdomain(host).map((p) => invalidValue(`${at}.host`, host, p)));
      }
    }
    if (!wildcard || !allowInvalidWildcardRule) causes.push(...ruleValue(rule, at));
  });
  return causes;
}

function ruleValue(rule: Any, at: string): StatusCause[] {
  if (!rule.http) return [];
  const paths: Any[] = rule.http.paths ?? [];
  const causes: StatusCause[] = paths.length === 0 ? [required(`${at}.http.paths`)] : [];
  paths.forEach((p, j) => causes.push(...httpPath(p ?? {}, `${at}.http.paths[${j}]`)));
  return causes;
}

/** ValidateIngressSpec. */
function ingressSpec(spec: Any, opts: { allowInvalidSecretName: boolean; allowInvalidWildcardRule: boolean }): StatusCause[] {
  const causes: StatusCause[] = [];
  const ruleList: Any[] = spec.rules ?? [];
  if (ruleList.length === 0 && !spec.defaultBackend) {
    // field.Invalid(spec, spec.Rules, ...): Go's %#v of the nil or empty rule list.
    causes.push(invalidGo('spec', Array.isArray(spec.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)', 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend) causes.push(...backend(spec.defaultBackend, 'spec.defaultBackend'));
  if (ruleList.length > 0) causes.push(...rules(ruleList, 'spec.rules', opts.allowInvalidWildcardRule));
  ((spec.tls ?? []) as Any[]).forEach((tls, i) => {
    ((tls.hosts ?? []) as string[]).forEach((host, j) => {
      const problems = host.includes('*') ? wildcardDns1123Subdomain(host) : dns1123Subdomain(host);
      causes.push(...problems.map((p) => invalidValue(`spec.tls[${i}].hosts[${j}]`, host, p)));
    });
    if (!opts.allowInvalidSecretName && tls.secretName) causes.push(...dns1123Subdomain(String(tls.secretName)).map((p) => invalidValue(`spec.tls[${i}].secretName`, tls.secretName, p)));
  });
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    causes.push(...dns1123Subdomain(String(spec.ingressClassName)).map((p) => invalidValue('spec.ingressClassName', spec.ingressClassName, p)));
  }
  return causes;
}

/** ValidateIngressCreate: the spec, and the class annotation agreeing with ingressClassName. */
function validateCreate(ingress: Any): StatusCause[] {
  const causes = ingressSpec(ingress.spec ?? {}, { allowInvalidSecretName: false, allowInvalidWildcardRule: false });
  const annotation = ingress.metadata?.annotations?.[CLASS_ANNOTATION];
  const className = ingress.spec?.ingressClassName;
  if (annotation !== undefined && className !== undefined && className !== null && annotation !== className) {
    causes.push(invalidValue(`annotations.${CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
  }
  return causes;
}

/** ValidateIngressUpdate: as on create, but what the stored object already had is tolerated. */
function validateUpdate(ingress: Any, old: Any): StatusCause[] {
  const oldSpec = old.spec ?? {};
  const allowInvalidSecretName = ((oldSpec.tls ?? []) as Any[]).some((t) => t.secretName && dns1123Subdomain(String(t.secretName)).length > 0);
  const allowInvalidWildcardRule = ((oldSpec.rules ?? []) as Any[]).some((r) => String(r.host ?? '').includes('*') && ruleValue(r, '').length > 0);
  return ingressSpec(ingress.spec ?? {}, { allowInvalidSecretName, allowInvalidWildcardRule });
}

/** ValidateIngressLoadBalancerStatus. */
function validateStatus(ingress: Any): StatusCause[] {
  const causes: StatusCause[] = [];
  ((ingress.status?.loadBalancer?.ingress ?? []) as Any[]).forEach((lb, i) => {
    const at = `status.loadBalancer.ingress[${i}]`;
    if (lb.ip) causes.push(...validIP(String(lb.ip), `${at}.ip`));
    if (lb.hostname) {
      causes.push(...dns1123Subdomain(String(lb.hostname)).map((p) => invalidValue(`${at}.hostname`, lb.hostname, p)));
      if (parseIP(String(lb.hostname))) causes.push(invalidValue(`${at}.hostname`, lb.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return causes;
}

/** formatHosts: up to three hosts, `*` for none. */
function formatHosts(rules: Any[]): string {
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

/** ingressLoadBalancerStatusStringer: the sorted, de-duplicated IPs and hostnames, cut to 16 characters unless wide. */
function formatAddress(status: Any): string {
  const seen = new Set<string>();
  for (const lb of (status?.loadBalancer?.ingress ?? []) as Any[]) {
    if (lb.ip) seen.add(lb.ip);
    else if (lb.hostname) seen.add(lb.hostname);
  }
  const text = [...seen].sort().join(',');
  return text.length > LOAD_BALANCER_WIDTH ? `${text.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : text;
}

export const INGRESSES = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingresses',
  kind: 'Ingress',
  namespaced: true,
  shortNames: ['ing'],
  subresources: [statusSubresource('Ingress')],
  generation: true,
  resetStatusOnCreate: true,
  schema: top({
    spec: obj({
      ingressClassName: str,
      defaultBackend: backendSchema,
      tls: list(obj({ hosts: list(str), secretName: str })),
      rules: list(obj({ host: str, http: obj({ paths: list(obj({ path: str, pathType: str, backend: backendSchema })) }) })),
    }),
    status: obj({ loadBalancer: obj({ ingress: list(obj({ ip: str, hostname: str, ports: list(any) })) }) }),
  }),
  protobuf: withMeta({ 2: f('spec', IngressSpec) }),
  strategy: {
    // PrepareForCreate: an empty status, {loadBalancer: {}} on the wire.
    prepareForCreate: (o) => ({ ...o, status: { loadBalancer: {} } }),
    validate: (o) => validateCreate(o),
    validateUpdate: (o, old) => validateUpdate(o, old),
    validateStatusUpdate: (o) => validateStatus(o),
  },
  admission: (env) => ({
    // DefaultIngressClass: an Ingress created with neither ingressClassName nor the class annotation gets the default class.
    create(ingress) {
      const o = ingress as Any;
      if (o.spec?.ingressClassName !== undefined && o.spec?.ingressClassName !== null) return;
      if (o.metadata?.annotations?.[CLASS_ANNOTATION] !== undefined) return;
      const defaults = (env.cached(INGRESS_CLASSES) as KubeObject[])
        .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
        .sort((a, b) => {
          const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
          const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
          return ta === tb ? ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1) : tb - ta;
        });
      if (defaults.length === 0 || !o.spec || typeof o.spec !== 'object') return;
      o.spec = { ...o.spec, ingressClassName: defaults[0]!.metadata.name };
    },
  }),
  printer: {
    columns: [NAME, ['Class', 'string'], ['Hosts', 'string'], ['Address', 'string'], ['Ports', 'string'], AGE],
    row: (o, now) => {
      const i = o as Any;
      return [o.metadata.name ?? '', i.spec?.ingressClassName ?? '<none>', formatHosts(i.spec?.rules ?? []), formatAddress(i.status), (i.spec?.tls ?? []).length ? '80, 443' : '80', age(o, now)];
    },
  },
});
