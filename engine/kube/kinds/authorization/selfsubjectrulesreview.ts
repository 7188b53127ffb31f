/**
 * authorization.k8s.io/v1 SelfSubjectRulesReview, answered by the authorizer and never stored (see review.ts).
 * Upstream: pkg/registry/authorization/selfsubjectrulesreview.
 */
import { f, withMeta } from '../../protobuf.ts';
import { defineVirtualKind } from '../define.ts';
import { reviewAccess } from './review.ts';

export const SELF_SUBJECT_RULES_REVIEWS = defineVirtualKind({
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'selfsubjectrulesreviews',
  kind: 'SelfSubjectRulesReview',
  namespaced: false,
  protobuf: withMeta({ 2: f('spec', { 1: f('namespace', 'string') }) }),
  create: (ctx, _namespace, body) => reviewAccess(ctx, 'SelfSubjectRulesReview', body),
});
