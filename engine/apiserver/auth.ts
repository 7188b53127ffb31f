/**
 * The first two steps of the request path: who is asking (authentication), and may they
 * (authorization). Until the RBAC lesson everything an authenticated user asks is allowed, as with
 * `--authorization-mode=AlwaysAllow`; the RBAC lesson plugs its own Authorizer in through
 * ApiServerOptions.authorizer.
 *
 * Authentication, as kube-apiserver does it with `--token-auth-file` and anonymous requests limited
 * to the health and version paths (KEP-4633, AuthenticationConfiguration `anonymous.conditions`;
 * upstream: k8s.io/apiserver/pkg/authentication/request/bearertoken and .../request/anonymous):
 * - `Authorization: Bearer <token>` with a token the server knows: that token's user, with the group
 *   `system:authenticated` added;
 * - a Bearer token the server does not know: refused (401), whatever the path;
 * - no credentials (or another scheme): `system:anonymous` in `system:unauthenticated`, but only
 *   for ANONYMOUS_PATHS; anywhere else refused (401).
 * The users and groups named here are upstream's (k8s.io/apiserver/pkg/authentication/user).
 */
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

/** Every authenticated user is in this group; anonymous requests are in ALL_UNAUTHENTICATED. */
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
/** The group RBAC never restricts (the cluster-admin binding). */
export const SYSTEM_MASTERS = 'system:masters';
/** The kubelets' group; each kubelet is `system:node:<node name>`. */
export const NODES_GROUP = 'system:nodes';

/** The learner's own user: the one `cluster up` writes into the kubeconfig. */
export const ADMIN: UserInfo = { username: 'kubelings-admin', uid: 'kubelings-admin', groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };
export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: [ALL_UNAUTHENTICATED] };
/** The in-cluster components' identities, as upstream names them. */
/** The apiserver's own identity at kubelets (kubeadm's apiserver-kubelet-client certificate). */
export const KUBELET_CLIENT: UserInfo = { username: 'kube-apiserver-kubelet-client', groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };
export const KUBE_SCHEDULER: UserInfo = { username: 'system:kube-scheduler', groups: [ALL_AUTHENTICATED] };
export const KUBE_CONTROLLER_MANAGER: UserInfo = { username: 'system:kube-controller-manager', groups: [ALL_AUTHENTICATED] };

/** The kubelet of node `name`: `system:node:<name>` in `system:nodes` (what the Node authorizer reads). */
export function nodeUser(name: string): UserInfo {
  return { username: `system:node:${name}`, groups: [NODES_GROUP, ALL_AUTHENTICATED] };
}

/**
 * The paths an anonymous request may reach (`system:public-info-viewer` grants `get` on them to
 * everyone): health checks and the version. Exact paths, as upstream's anonymous conditions.
 */
export const ANONYMOUS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** What a token authenticator does: the user of a token, or undefined for a token it does not know. */
export interface TokenAuthenticator {
  authenticate(token: string): UserInfo | undefined;
}

/** The answer of authentication: a user, or a refusal (401) with the reason to log. */
export type Authentication = { user: UserInfo } | { refused: string };

/**
 * Authentication of one request (the bearer-token authenticator, then the anonymous one).
 * `authorization` is the Authorization header, `path` the URL path without the query.
 */
export function authenticateRequest(authorization: string | undefined, path: string, tokens: TokenAuthenticator): Authentication {
  const token = bearerToken(authorization);
  if (token !== undefined) {
    const user = tokens.authenticate(token);
    return user ? { user } : { refused: 'invalid bearer token' };
  }
  if (ANONYMOUS_PATHS.has(path)) return { user: ANONYMOUS };
  return { refused: 'no credentials, and anonymous requests may only reach /healthz, /livez, /readyz and /version' };
}

/** The token of `Authorization: Bearer <token>` (scheme in any case), or undefined when there is none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const header = authorization.trim();
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  // Upstream splits on single spaces and takes the second part: `Bearer  x` has an empty token.
  const token = header.slice(space + 1).split(' ')[0]!;
  return token === '' ? undefined : token;
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
