/**
 * Exercise 02-apiserver/01-routing: from a URL to what it asks for.
 *
 * Every request the apiserver receives is first turned into a RequestInfo: which group, version and
 * resource, which namespace and name, which subresource, and which verb. Authorization decides on
 * it ("may alice list pods in default?"), and the rest of the request path dispatches on it.
 *
 * Read: lessons/core/02-apiserver/02-request-path.md
 * Check: npx kubelings check 02-apiserver/01-routing
 */
import type { RequestInfo } from '#engine/apiserver/exercises.ts';

/** Paths after /namespaces/{name} that are the Namespace's own subresources, not a resource. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** What Go's strconv.ParseBool reads as true (watch=true, watch=1). */
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

const VERB_BY_METHOD: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * What a request asks for, as k8s.io/apiserver's RequestInfoFactory reads it.
 *
 * Must hold:
 * - only /api/{version}/... and /apis/{group}/{version}/... are resource requests, and only when a
 *   resource follows the version; anything else (/version, /api, /apis/apps/v1) is not, and its verb
 *   is the method in lowercase;
 * - the verb comes from the method (POST create, GET get, PUT update, PATCH patch, DELETE delete);
 *   a GET without a name is a list, or a watch with watch=true (or 1); a DELETE without a name is a
 *   deletecollection; the old /watch/ prefix (/api/v1/watch/pods) is a watch too;
 * - /namespaces/{ns}/{resource}/... is in namespace ns; /namespaces/{name} (and its status and
 *   finalize) is the Namespace object itself: resource namespaces, name and namespace both {name};
 * - after the resource come the name and the subresource (pods/nginx/log);
 * - a list or watch with fieldSelector=metadata.name=x names the object x;
 * - `parts` holds the segments from the resource on; `path` is the URL without its query.
 */
export function parseRequestInfo(method: string, url: string): RequestInfo {
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  const query = new URLSearchParams(question < 0 ? '' : url.slice(question + 1));
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length < 2 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  info.apiPrefix = parts[0]!;
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0]!;
    parts = parts.slice(1);
  } else if (parts.length < 2) {
    return info;
  }
  info.apiVersion = parts[0]!;
  parts = parts.slice(1);

  info.isResourceRequest = true;
  info.verb = VERB_BY_METHOD[method.toUpperCase()] ?? '';
  if (parts[0] === 'watch') {
    // The deprecated /watch/ prefix: /api/v1/watch/namespaces/default/pods.
    info.verb = 'watch';
    parts = parts.slice(1);
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  if (parts.length >= 3) info.subresource = parts[2]!;
  if (parts.length >= 2) info.name = parts[1]!;
  if (parts.length >= 1) info.resource = parts[0]!;

  if (info.name === '' && info.verb === 'get') {
    info.verb = TRUE_WORDS.has(query.get('watch') ?? '') ? 'watch' : 'list';
    const name = exactName(query.get('fieldSelector'));
    if (name) info.name = name;
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

/** The x of a field selector that is exactly `metadata.name=x` (or `==`) among its terms. */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const match = /^\s*metadata\.name\s*==?\s*([^,=!]+?)\s*$/.exec(term);
    if (match && match[1] !== '.' && match[1] !== '..' && !/[/%]/.test(match[1]!)) return match[1];
  }
  return undefined;
}
