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
import { NotImplemented } from '#engine/errors.ts';

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
  // TODO: split the path into segments, read the prefix (api or apis), group and version, then the
  // namespace, resource, name and subresource; choose the verb from the method and the query.
  throw new NotImplemented('02-apiserver/01-routing', 'lessons/core/02-apiserver/02-request-path.md', 'parseRequestInfo()');
}
