/**
 * A resource request: which kind, namespace, name and subresource the learner's RequestInfo names
 * (404 when nothing is served there, 405 when the verb is not one the resource takes), then the
 * handler of its verb. Upstream: the per-resource routes that pkg/endpoints/installer.go installs.
 */
import { findResource } from '../../kube/resources.ts';
import { methodNotSupported, noSuchPath } from '../../kube/errors.ts';
import type { UserInfo } from '../auth.ts';
import type { RequestInfo } from '../exercises.ts';
import type { ApiRequest, ResourceScope, StoredScope } from './context.ts';
import { connect } from './connect.ts';
import { create } from './create.ts';
import { remove, removeCollection } from './delete.ts';
import { get, list } from './get.ts';
import { patch } from './patch.ts';
import { update } from './update.ts';
import { watch } from './watch.ts';

/** The scope of a resource request, or 404/405. */
export function resolveScope(request: ApiRequest & { info: RequestInfo; user: UserInfo }): ResourceScope {
  const info = request.info;
  if (info.apiPrefix === 'api' && info.apiGroup !== '') throw noSuchPath();
  const kind = findResource(info.apiGroup, info.apiVersion, info.resource);
  // Deeper paths only under a proxy subresource (nodes/NAME/proxy/PATH).
  if (!kind || (info.parts.length > 3 && info.subresource !== 'proxy')) throw noSuchPath();
  const collection = info.verb === 'list' || info.verb === 'watch';
  if (kind.namespaced) {
    if (!info.namespace && !collection) throw noSuchPath();
  } else if (info.namespace && kind.resource !== 'namespaces') {
    throw noSuchPath();
  }
  const subresource = info.subresource ? kind.subresources.find((s) => s.name === info.subresource) : undefined;
  if (info.subresource && !subresource) throw noSuchPath();
  const verbs = subresource ? subresource.verbs : kind.verbs;
  if (!verbs.includes(info.verb)) throw methodNotSupported(kind, info.verb || (info.path && 'this method') || 'this method');
  return {
    request,
    kind,
    subresource,
    namespace: kind.namespaced ? info.namespace : '',
    name: collection ? '' : info.name,
    query: new URLSearchParams((request.req.url ?? '').split('?')[1] ?? ''),
  };
}

/** Serves a resource request by its verb. */
export async function serveResource(request: ApiRequest & { info: RequestInfo; user: UserInfo }): Promise<void> {
  const scope = resolveScope(request);
  const verb = request.info.verb;
  if (scope.subresource?.serve?.type === 'connect') return connect(scope as StoredScope);
  if (verb === 'create') return create(scope);
  // Every other verb is only among a stored kind's (a virtual kind takes create alone).
  if (scope.kind.virtual) throw methodNotSupported(scope.kind, verb || 'this method');
  const stored = scope as StoredScope;
  switch (verb) {
    case 'get':
      return get(stored);
    case 'list':
      return list(stored);
    case 'watch':
      return watch(stored);
    case 'update':
      return update(stored);
    case 'patch':
      return patch(stored);
    case 'delete':
      return remove(stored);
    case 'deletecollection':
      return removeCollection(stored);
  }
  throw methodNotSupported(scope.kind, verb || 'this method');
}
