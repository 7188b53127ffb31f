/**
 * What the authorization.k8s.io/v1 access reviews share (pkg/registry/authorization/*): their
 * protobuf messages, and the answer, which the apiserver's authorizer gives. Reviews are never
 * stored: a create answers with the review and its status.
 */
import { ApiError } from '../../errors.ts';
import { f, rep, type ProtobufMessage } from '../../protobuf.ts';
import type { KubeObject } from '../../types.ts';
import type { VirtualContext } from '../types.ts';
import { ADMIN, type UserInfo } from '../../../apiserver/auth.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ResourceAttributes: ProtobufMessage = {
  1: f('namespace', 'string'),
  2: f('verb', 'string'),
  3: f('group', 'string'),
  4: f('version', 'string'),
  5: f('resource', 'string'),
  6: f('subresource', 'string'),
  7: f('name', 'string'),
};
export const NonResourceAttributes: ProtobufMessage = { 1: f('path', 'string'), 2: f('verb', 'string') };
export const SubjectAccessReviewSpec: ProtobufMessage = {
  1: f('resourceAttributes', ResourceAttributes),
  2: f('nonResourceAttributes', NonResourceAttributes),
  3: f('user', 'string'),
  4: rep('groups', 'string'),
  6: f('uid', 'string'),
};

/**
 * Answers an access review of `kind`: SelfSubjectRulesReview lists the requester's rules;
 * SelfSubjectAccessReview asks about the requester; SubjectAccessReview and
 * LocalSubjectAccessReview about the user or groups in the spec.
 */
export async function reviewAccess(ctx: VirtualContext, kind: string, review: KubeObject): Promise<unknown> {
  const spec = ((review as Any).spec ?? {}) as Any;
  const out = { ...review, metadata: { ...review.metadata, creationTimestamp: null } } as Any;
  if (kind === 'SelfSubjectRulesReview') {
    const rules = ctx.rulesFor?.(ctx.user, spec.namespace ?? '') ?? { resourceRules: [], nonResourceRules: [], incomplete: true };
    out.status = rules;
    return out;
  }
  const self = kind.startsWith('Self');
  const user: UserInfo = self ? ctx.user : { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [] };
  if (!self && !spec.user && !(spec.groups ?? []).length) {
    throw new ApiError({
      code: 422,
      reason: 'Invalid',
      message: `${kind}.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`,
      details: { group: 'authorization.k8s.io', kind, causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "": at least one of user or group must be specified', field: 'spec.user' }] },
    });
  }
  const resource = spec.resourceAttributes as Any | undefined;
  const nonResource = spec.nonResourceAttributes as Any | undefined;
  if (!resource && !nonResource) {
    throw new ApiError({
      code: 422,
      reason: 'Invalid',
      message: `${kind}.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`,
      details: { group: 'authorization.k8s.io', kind, causes: [] },
    });
  }
  const decision = await ctx.authorize({
    user: user.username ? user : ADMIN,
    verb: (resource ?? nonResource)?.verb ?? '',
    isResourceRequest: Boolean(resource),
    apiGroup: resource?.group ?? '',
    apiVersion: resource?.version ?? '',
    namespace: kind === 'LocalSubjectAccessReview' ? (review.metadata.namespace ?? '') : (resource?.namespace ?? ''),
    resource: resource?.resource ?? '',
    subresource: resource?.subresource ?? '',
    name: resource?.name ?? '',
    path: nonResource?.path ?? '',
  });
  out.status = { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
  return out;
}
