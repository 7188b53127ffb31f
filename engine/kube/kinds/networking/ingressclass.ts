/**
 * networking.k8s.io/v1 IngressClass: which controller serves the Ingresses that name it, and the
 * default class for Ingresses that name none (annotation
 * `ingressclass.kubernetes.io/is-default-class: "true"`, read by the DefaultIngressClass admission
 * in ingress.ts). Cluster-scoped.
 *
 * Upstream: pkg/apis/networking/v1/defaults.go SetDefaults_IngressClass (parameters.scope
 * Cluster), pkg/apis/networking/validation/validation.go (ValidateIngressClass,
 * ValidateIngressClassUpdate: spec.controller is immutable), pkg/printers/internalversion
 * printIngressClass (NAME CONTROLLER PARAMETERS AGE).
 */
import { forbiddenField, invalidValue, notSupported, required } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { obj, str, strs, top } from '../../schema-nodes.ts';
import type { KubeObject, StatusCause } from '../../types.ts';
import { defineKind } from '../define.ts';
import { dns1123Label, domainPrefixedPath, tooLong } from '../validate.ts';
import { typedLocalObjectReference } from './ingress-backend.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** maxLenIngressClassController. */
const MAX_CONTROLLER_LENGTH = 250;
const SCOPES = ['Cluster', 'Namespace'];

/** validateIngressClassSpec. */
function validateClass(o: Any): StatusCause[] {
  const spec = o.spec ?? {};
  const controller = String(spec.controller ?? '');
  const causes: StatusCause[] = [];
  if (controller.length > MAX_CONTROLLER_LENGTH) causes.push(tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  causes.push(...domainPrefixedPath(controller, 'spec.controller'));
  const params = spec.parameters;
  if (params && typeof params === 'object') {
    causes.push(...typedLocalObjectReference(params, 'spec.parameters'));
    if (params.scope === undefined || params.scope === null) causes.push(required('spec.parameters.scope'));
    else if (!SCOPES.includes(params.scope)) causes.push(notSupported('spec.parameters.scope', params.scope, SCOPES));
    else if (params.scope === 'Namespace') {
      if (params.namespace === undefined || params.namespace === null) causes.push(required('spec.parameters.namespace', "`parameters.scope` is set to 'Namespace'"));
      else causes.push(...dns1123Label(String(params.namespace)).map((p) => invalidValue('spec.parameters.namespace', params.namespace, p)));
    } else if (params.namespace !== undefined && params.namespace !== null) {
      causes.push(forbiddenField('spec.parameters.namespace', "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return causes;
}

function formatParameters(params: Any | undefined): string {
  if (!params) return '<none>';
  return `${params.kind ?? ''}${params.apiGroup !== undefined && params.apiGroup !== null ? `.${params.apiGroup}` : ''}/${params.name ?? ''}`;
}

export const INGRESS_CLASSES = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingressclasses',
  kind: 'IngressClass',
  namespaced: false,
  schema: top({ spec: obj({ controller: str, parameters: obj(strs('apiGroup', 'kind', 'name', 'scope', 'namespace')) }) }),
  strategy: {
    defaults(input) {
      const o: Any = { ...input };
      const params = o.spec?.parameters;
      if (params && typeof params === 'object' && (params.scope === undefined || params.scope === null)) {
        o.spec = { ...o.spec, parameters: { ...params, scope: 'Cluster' } };
      }
      return o as KubeObject;
    },
    validate: (o) => validateClass(o),
    immutableFields: [{ path: 'spec.controller' }],
  },
  printer: {
    columns: [NAME, ['Controller', 'string'], ['Parameters', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).spec?.controller ?? '', formatParameters((o as Any).spec?.parameters), age(o, now)],
  },
});
