/**
 * authorization.k8s.io/v1 SubjectAccessReview, answered by the authorizer and never stored (see review.ts).
 * Upstream: pkg/registry/authorization/subjectaccessreview.
 */
import { f, withMeta } from '../../protobuf.ts';
import { defineVirtualKind } from '../define.ts';
import { reviewAccess, SubjectAccessReviewSpec } from './review.ts';

export const SUBJECT_ACCESS_REVIEWS = defineVirtualKind({
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'subjectaccessreviews',
  kind: 'SubjectAccessReview',
  namespaced: false,
  protobuf: withMeta({ 2: f('spec', SubjectAccessReviewSpec) }),
  create: (ctx, _namespace, body) => reviewAccess(ctx, 'SubjectAccessReview', body),
});
