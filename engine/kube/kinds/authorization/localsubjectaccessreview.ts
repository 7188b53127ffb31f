/**
 * authorization.k8s.io/v1 LocalSubjectAccessReview, answered by the authorizer and never stored (see review.ts).
 * Upstream: pkg/registry/authorization/localsubjectaccessreview.
 */
import { f, withMeta } from '../../protobuf.ts';
import { defineVirtualKind } from '../define.ts';
import { reviewAccess, SubjectAccessReviewSpec } from './review.ts';

export const LOCAL_SUBJECT_ACCESS_REVIEWS = defineVirtualKind({
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'localsubjectaccessreviews',
  kind: 'LocalSubjectAccessReview',
  namespaced: true,
  protobuf: withMeta({ 2: f('spec', SubjectAccessReviewSpec) }),
  create: (ctx, _namespace, body) => reviewAccess(ctx, 'LocalSubjectAccessReview', body),
});
