/**
 * What keeps a web page the learner opens from driving the cluster on their machine. A page can
 * make the browser send requests to http://127.0.0.1:<port> (a no-cors `fetch`, a form post), or
 * rename its own site to 127.0.0.1 after loading (DNS rebinding) so that the browser treats the
 * apiserver as the page's own origin. The defences, as filters of the chain (filters.ts):
 *
 * - refuseForeignHosts: the Host header must be a loopback name or address (`localhost`,
 *   127.0.0.0/8, `[::1]`, with or without a port). A rebound page sends its own name (`Host:
 *   evil.example`) and is refused before anything else runs. Upstream has no such check (it relies
 *   on TLS: a rebound page cannot present the cluster's certificate), nor does it need one.
 * - requireKubernetesContentType: a body must be in a Kubernetes media type. The body types a
 *   page may send without a CORS preflight are text/plain, application/x-www-form-urlencoded and
 *   multipart/form-data, or none at all (a Blob); upstream refuses the first three with the same
 *   415 when it decodes. A body without a Content-Type upstream reads as JSON, and kubectl relies
 *   on that (`create --raw -f`, `replace --raw`, `scale --current-replicas` send none), so it is
 *   refused only from a web page: a request that carries an Origin header (browsers add one to
 *   every request but GET and HEAD, no-cors included: the Fetch standard's "append a request
 *   Origin header"), which kubectl and the client libraries never send.
 * - No CORS: the server never sends Access-Control-Allow-* headers (kube-apiserver without
 *   --cors-allowed-origins), so a preflight (OPTIONS without credentials) is refused as any
 *   request without a token is, and the browser never lets a page read an answer.
 * Beyond these, no page can send the bearer token: a browser adds an Authorization header only
 * when the page sets it, which needs a preflight the server never grants.
 */
import { ApiError, badRequest, unsupportedMediaType } from '../../kube/errors.ts';
import { BODY_TYPES, mediaType, PATCH_TYPES } from '../body.ts';
import { sendStatus } from '../http.ts';
import type { Filter } from './context.ts';

const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True for a Host header naming this machine's loopback: localhost, 127.0.0.0/8 or [::1], with an optional port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  let name: string;
  let port: string;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return false;
    name = host.slice(1, close);
    port = host.slice(close + 1);
  } else {
    const colon = host.indexOf(':');
    name = colon < 0 ? host : host.slice(0, colon);
    port = colon < 0 ? '' : host.slice(colon);
  }
  if (port !== '' && !/^:\d{1,5}$/.test(port)) return false;
  if (host.startsWith('[')) return isIpv6Loopback(name);
  if (name.toLowerCase() === 'localhost') return true;
  const v4 = IPV4_LOOPBACK.exec(name);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/** `::1` in any of its spellings (`0:0:0:0:0:0:0:1`, `::0001`). */
function isIpv6Loopback(address: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(address)) return false;
  try {
    return new URL(`http://[${address}]/`).hostname === '[::1]';
  } catch {
    return false;
  }
}

/** The Status for a request whose Host is not loopback (or is missing). */
export function foreignHostError(host: string | undefined): ApiError {
  if (!host) return badRequest('the request has no Host header: kubelings answers only requests addressed to localhost, 127.0.0.0/8 or [::1]');
  const shown = host.length > 100 ? `${host.slice(0, 100)}...` : host;
  return new ApiError({
    code: 403,
    reason: 'Forbidden',
    message: `the Host header "${shown}" is not a loopback name or address: kubelings answers only requests addressed to localhost, 127.0.0.0/8 or [::1] (a web page reaching it by DNS rebinding sends its own name)`,
  });
}

/** First in the chain: a request addressed to another name is answered at once and goes no further. */
export const refuseForeignHosts: Filter = async (request, next) => {
  const host = request.req.headers.host;
  if (isLoopbackHost(host)) return next(request);
  request.ctx.log.debug('refused a request addressed to another host', { host, URI: request.req.url, userAgent: request.req.headers['user-agent'] });
  sendStatus(request.res, foreignHostError(host).status, request.negotiated.format);
};

type BodyHeaders = { 'content-type'?: string; 'content-length'?: string; 'transfer-encoding'?: string; origin?: string };

/** True when the request carries a body (a length above 0, or a chunked one). */
function hasBody(headers: BodyHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * The 415 for a request whose body is not in a Kubernetes media type, or undefined when it may go
 * on (see the header for which requests are checked and why).
 */
export function contentTypeError(method: string, headers: BodyHeaders): ApiError | undefined {
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && !hasBody(headers)) return undefined;
  const type = mediaType(headers['content-type']);
  const accepted = method === 'PATCH' ? PATCH_TYPES : BODY_TYPES;
  if (type === '') return headers.origin === undefined ? undefined : unsupportedMediaType('no Content-Type, from a web page', accepted);
  return accepted.includes(type) ? undefined : unsupportedMediaType(type, accepted);
}

/** After authentication: refuses (415) a body in anything but a Kubernetes media type. */
export const requireKubernetesContentType: Filter = async (request, next) => {
  const error = contentTypeError(request.req.method ?? 'GET', request.req.headers);
  if (error) throw error;
  return next(request);
};
