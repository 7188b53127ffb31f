/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview, answered by the authorizer and never stored (see review.ts).
 * Upstream: pkg/registry/authorization/selfsubjectaccessreview.
 */
import { f, withMeta } from '../../protobuf.ts';
import { defineVirtualKind } from '../define.ts';
import { NonResourceAttributes, ResourceAttributes, reviewAccess } from './review.ts';

export const SELF_SUBJECT_ACCESS_REVIEWS = defineVirtualKind({
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'selfsubjectaccessreviews',
  kind: 'SelfSubjectAccessReview',
  namespaced: false,
  protobuf: withMeta({ 2: f('spec', { 1: f('resourceAttributes', ResourceAttributes), 2: f('nonResourceAttributes', NonResourceAttributes) }) }),
  create: (ctx, _namespace, body) => reviewAccess(ctx, 'SelfSubjectAccessReview', body),
});
