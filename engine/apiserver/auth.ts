/**
 * The first two steps of the request path: who is asking (authentication), and may they
 * (authorization). Until the RBAC lesson every request is the cluster admin and everything is
 * allowed, as with `--authorization-mode=AlwaysAllow`; the RBAC lesson plugs its own Authorizer in
 * through ApiServerOptions.authorizer.
 *
 * A bearer token in the Authorization header names the user `token:<first 6 chars>` (no checks yet);
 * without one the request comes from `kubelings-admin` in `system:masters`.
 */
import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** authorizer.Attributes: what an authorizer decides on. */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** Resource requests. */
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Non-resource requests: the URL path. */
  path: string;
}

export interface AuthorizationDecision {
  allowed: boolean;
  /** Why, for SubjectAccessReview's status.reason and the Forbidden message. */
  reason?: string;
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): AuthorizationDecision | Promise<AuthorizationDecision>;
  /** The rules a user has in a namespace, for SelfSubjectRulesReview (`kubectl auth can-i --list`). */
  rulesFor?(user: UserInfo, namespace: string): { resourceRules: unknown[]; nonResourceRules: unknown[]; incomplete: boolean };
}

export const ADMIN: UserInfo = { username: 'kubelings-admin', groups: ['system:masters', 'system:authenticated'] };

/** Authentication: the user a request comes from. */
export function authenticate(req: IncomingMessage): UserInfo {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' && /^Bearer\s+(\S+)/i.exec(header);
  if (bearer) return { username: `token:${bearer[1]!.slice(0, 6)}`, groups: ['system:authenticated'] };
  return ADMIN;
}

/** `--authorization-mode=AlwaysAllow`. */
export const alwaysAllow: Authorizer = {
  authorize: () => ({ allowed: true, reason: 'kubelings allows every request until the RBAC lesson' }),
  rulesFor: () => ({
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }),
};

/** The Forbidden message kubectl prints: `pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(a: AuthorizationAttributes, reason?: string): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name ? `${resource} "${a.name}"` : resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : a.resource === 'namespaces' ? '' : ' at the cluster scope';
  const base = a.isResourceRequest
    ? `${what} is forbidden: User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}"${where}`
    : `forbidden: User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  return reason ? `${base}: ${reason}` : base;
}
