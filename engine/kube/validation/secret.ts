/**
 * A Secret's type rules, as ValidateSecret words them (pkg/apis/core/validation/validation.go,
 * v1.32), after the data checks shared with ConfigMaps (engine/kube/kinds/core/config-data.ts):
 *
 * - kubernetes.io/service-account-token: the kubernetes.io/service-account.name annotation;
 * - kubernetes.io/dockercfg and kubernetes.io/dockerconfigjson: the .dockercfg /
 *   .dockerconfigjson key, holding a JSON object (Go's json error otherwise, see go-json.ts);
 * - kubernetes.io/basic-auth: a username or a password key (both reported when neither is there);
 * - kubernetes.io/ssh-auth: a non-empty ssh-privatekey;
 * - kubernetes.io/tls: tls.crt and tls.key;
 * - Opaque, "" and any other type: nothing more.
 *
 * Values are base64 in the JSON form; they are decoded here as the apiserver's decoder would.
 * Pure: returns causes, reads any JSON shape defensively.
 */
import { invalidValue, required } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { obj, text } from './containers.ts';
import { unmarshalMapError } from './go-json.ts';

const REDACTED = '<secret contents redacted>';

function has(data: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(data, key) && data[key] !== undefined && data[key] !== null;
}

function decoded(value: unknown): Uint8Array {
  return Buffer.from(text(value), 'base64');
}

/** A docker config key: present, and a JSON object once decoded. */
function dockerConfig(data: Record<string, unknown>, key: string): StatusCause[] {
  if (!has(data, key)) return [required(`data[${key}]`)];
  const problem = unmarshalMapError(decoded(data[key]));
  return problem ? [invalidValue(`data[${key}]`, REDACTED, problem)] : [];
}

/** ValidateSecret's switch on the type. */
export function secretTypeCauses(secret: unknown): StatusCause[] {
  const s = obj(secret);
  const data = obj(s.data);
  switch (text(s.type)) {
    case 'kubernetes.io/service-account-token':
      return text(obj(obj(s.metadata).annotations)['kubernetes.io/service-account.name']) ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    case 'kubernetes.io/dockercfg':
      return dockerConfig(data, '.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return dockerConfig(data, '.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return has(data, 'username') || has(data, 'password') ? [] : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth':
      return decoded(data['ssh-privatekey']).length > 0 ? [] : [required('data[ssh-privatekey]')];
    case 'kubernetes.io/tls':
      return [...(has(data, 'tls.crt') ? [] : [required('data[tls.crt]')]), ...(has(data, 'tls.key') ? [] : [required('data[tls.key]')])];
    default:
      return [];
  }
}
