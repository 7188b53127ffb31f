/**
 * The API's errors (k8s.io/apimachinery/pkg/api/errors): each is a metav1.Status with the HTTP
 * code, reason and message the real apiserver uses, so that kubectl prints exactly what a user of a
 * real cluster reads: `Error from server (NotFound): pods "nope" not found`.
 *
 * They belong with the API types, not with the server: the apiserver throws them (the learner's
 * code too: `throw notFound(info, name)`) and turns any ApiError into its Status on the wire, and
 * anything else into a 500; the client turns every Status it receives back into an ApiError, which
 * the scheduler, hollow nodes and informers read with isApiError().
 */
import { qualifiedKind, qualifiedResource, type ResourceInfo } from './resource-info.ts';
import type { Status, StatusCause } from './types.ts';

/** An error with a metav1.Status to send. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: Status;

  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'>) {
    super(status.message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string | undefined {
    return this.status.reason;
  }
}

/** True when `error` is an ApiError with this reason (`NotFound`, `Conflict`, ...). */
export function isApiError(error: unknown, reason?: string): error is ApiError {
  return error instanceof ApiError && (reason === undefined || error.status.reason === reason);
}

type Named = Pick<ResourceInfo, 'group' | 'resource'>;

function details(info: Named, name: string) {
  return { name, ...(info.group ? { group: info.group } : {}), kind: info.resource };
}

/** 404: `pods "nope" not found`. */
export function notFound(info: Named, name: string): ApiError {
  return new ApiError({ code: 404, reason: 'NotFound', message: `${qualifiedResource(info)} "${name}" not found`, details: details(info, name) });
}

/** 409: `deployments.apps "web" already exists`. */
export function alreadyExists(info: Named, name: string): ApiError {
  return new ApiError({ code: 409, reason: 'AlreadyExists', message: `${qualifiedResource(info)} "${name}" already exists`, details: details(info, name) });
}

/** The message of a Conflict caused by a stale resourceVersion (registry.OptimisticLockErrorMsg). */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

/**
 * 409: `Operation cannot be fulfilled on deployments.apps "web": <why>`; `why` defaults to the
 * optimistic-concurrency message.
 */
export function conflict(info: Named, name: string, why: string = OPTIMISTIC_LOCK_MESSAGE): ApiError {
  return new ApiError({
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": ${why}`,
    details: details(info, name),
  });
}

/**
 * 422: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be ...`, with one
 * cause per field error (kubectl prints them one per line).
 */
export function invalid(info: Pick<ResourceInfo, 'group' | 'kind'>, name: string, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError({
    code: 422,
    reason: 'Invalid',
    message: `${qualifiedKind(info)} "${name}" is invalid: ${summary}`,
    details: { name, ...(info.group ? { group: info.group } : {}), kind: info.kind, causes },
  });
}

/** 400: the request itself is malformed. */
export function badRequest(message: string): ApiError {
  return new ApiError({ code: 400, reason: 'BadRequest', message });
}

/** 422 without field causes: a patch that cannot be applied to the object. */
export function unprocessable(message: string): ApiError {
  return new ApiError({ code: 422, reason: 'Invalid', message });
}

/** 410: a watch or list from a resourceVersion older than the history kept. */
export function expired(message: string): ApiError {
  return new ApiError({ code: 410, reason: 'Expired', message });
}

/** The Expired message of a watch: `too old resource version: 5 (100)`. */
export function tooOldResourceVersion(requested: number, oldest: number): ApiError {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

/** 403: refused by policy (`namespaces "default" is forbidden: this namespace may not be deleted`). */
export function forbidden(info: Named, name: string, why: string): ApiError {
  const what = name ? `${qualifiedResource(info)} "${name}"` : qualifiedResource(info);
  return new ApiError({ code: 403, reason: 'Forbidden', message: `${what} is forbidden: ${why}`, details: details(info, name) });
}

/** 405: the resource does not support this verb. */
export function methodNotSupported(info: Named, verb: string): ApiError {
  return new ApiError({
    code: 405,
    reason: 'MethodNotAllowed',
    message: `the server does not allow this method on the requested resource`,
    details: { ...(info.group ? { group: info.group } : {}), kind: info.resource, causes: [{ reason: 'UnexpectedServerResponse', message: `${verb} is not supported`, field: '' }] },
  });
}

/** 404 for a URL no resource answers (`the server could not find the requested resource`). */
export function noSuchPath(): ApiError {
  return new ApiError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource', details: {} });
}

/** 415: a body in a content type the server cannot read. */
export function unsupportedMediaType(contentType: string, supported: string[], why?: string): ApiError {
  return new ApiError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: why ?? `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`,
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: contentType, field: '' }] },
  });
}

/** 413: a body over the limit. */
export function requestEntityTooLarge(limit: number): ApiError {
  return new ApiError({ code: 413, reason: 'RequestEntityTooLarge', message: `Request entity too large: limit is ${limit}` });
}

/**
 * A resourceVersion newer than anything the store has written: the client's mistake, so a 400 here
 * (upstream answers 504 after waiting); the cause ResourceVersionTooLarge is what client-go looks for.
 */
export function futureResourceVersion(requested: number, current: number): ApiError {
  return new ApiError({
    code: 400,
    reason: 'BadRequest',
    message: `Too large resource version: ${requested}, current: ${current}`,
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }] },
  });
}

/**
 * 504: a list or watch asked for a resourceVersion the watch cache did not reach in time (upstream's
 * storage.NewTooLargeResourceVersionError, a metav1 Timeout: `Timeout: Too large resource version:
 * 48, current: 41`, cause ResourceVersionTooLarge, retry after 1 s). client-go relists from
 * scratch when it sees the cause.
 */
export function tooLargeResourceVersion(requested: number, current: number): ApiError {
  return new ApiError({
    code: 504,
    reason: 'Timeout',
    message: `Timeout: Too large resource version: ${requested}, current: ${current}`,
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }], retryAfterSeconds: 1 },
  });
}

/**
 * 429: try again later (NewTooManyRequests): the eviction of a pod its disruption budget protects.
 * `retryAfterSeconds` (0: none) is sent as Retry-After too; `causes` say why.
 */
export function tooManyRequests(message: string, retryAfterSeconds: number, causes: StatusCause[] = []): ApiError {
  return new ApiError({
    code: 429,
    reason: 'TooManyRequests',
    message,
    details: { ...(causes.length ? { causes } : {}), ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) },
  });
}

/** 500: a bug in the server (never a client's mistake). */
export function internalError(message: string): ApiError {
  return new ApiError({ code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}`, details: { causes: [{ reason: '', message, field: '' }] } });
}

/** A Status of success, as a delete of a resource without a returned object sends it. */
export function successStatus(info: Named, name: string, uid?: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(info, name), ...(uid ? { uid } : {}) }, code: 200 };
}
