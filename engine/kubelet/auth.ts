/**
 * Who may call the kubelet's API, as a kubelet started with `--anonymous-auth=false` and
 * `--authorization-mode=Webhook` decides it (upstream pkg/kubelet/server/auth.go): a request
 * without a bearer token, or with one the authenticator does not know, is 401 Unauthorized; a known
 * user the authorizer refuses is 403 Forbidden with the kubelet's message
 * `Forbidden (user=<name>, verb=<verb>, resource=nodes, subresource=<sub>)`.
 *
 * Attributes as upstream's NodeAuthorizerAttributesGetter builds them: the resource is always
 * `nodes`, named after this node; the subresource from the path (/stats → stats, /metrics →
 * metrics, /logs → log, /spec → spec, anything else → proxy: /pods, /healthz, /containerLogs,
 * /exec...); the verb from the method (GET/HEAD get, POST create, PUT update, PATCH patch,
 * DELETE delete).
 *
 * Without a TokenReview API to ask, the kubelet authenticates against the tokens it is given (the
 * apiserver's kubelet-client credential and the admin's), and authorizes system:masters and the
 * kubelet-client user (kubeadm's `kube-apiserver-kubelet-client`, which it binds to
 * `system:kubelet-api-admin`). The RBAC lesson can pass its own authorizer.
 */
import { ALL_AUTHENTICATED, bearerToken, SYSTEM_MASTERS, type TokenAuthenticator, type UserInfo } from '../apiserver/auth.ts';

/** The user the apiserver presents to kubelets (kubeadm: CN=kube-apiserver-kubelet-client). */
export const KUBELET_API_CLIENT: UserInfo = { username: 'kube-apiserver-kubelet-client', groups: ['kubeadm:cluster-admins', ALL_AUTHENTICATED] };

export interface KubeletRequestAttributes {
  user: UserInfo;
  verb: string;
  /** Always `nodes`. */
  resource: 'nodes';
  subresource: string;
  /** The node's name. */
  name: string;
  path: string;
}

export interface KubeletAuthorizer {
  authorize(attributes: KubeletRequestAttributes): boolean | Promise<boolean>;
}

/** system:masters and the apiserver's kubelet-client user (system:kubelet-api-admin's subjects). */
export const kubeletApiAdmins: KubeletAuthorizer = {
  authorize: ({ user }) => user.groups.includes(SYSTEM_MASTERS) || user.username === KUBELET_API_CLIENT.username,
};

const VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The subresource upstream's NodeAuthorizerAttributesGetter gives a path. */
export function subresourceOf(path: string): string {
  const first = path.split('/')[1] ?? '';
  if (first === 'stats') return 'stats';
  if (first === 'metrics') return 'metrics';
  if (first === 'logs') return 'log';
  if (first === 'spec') return 'spec';
  return 'proxy';
}

export type KubeletAuthResult = { allowed: true; user: UserInfo } | { allowed: false; code: 401 | 403; message: string };

/** Authenticates and authorizes one request (method, path without the query, Authorization header). */
export async function authorizeKubeletRequest(
  input: { method: string; path: string; authorization: string | undefined; nodeName: string },
  tokens: TokenAuthenticator,
  authorizer: KubeletAuthorizer,
): Promise<KubeletAuthResult> {
  const token = bearerToken(input.authorization);
  const user = token === undefined ? undefined : tokens.authenticate(token);
  if (!user) return { allowed: false, code: 401, message: 'Unauthorized' };
  const attributes: KubeletRequestAttributes = {
    user,
    verb: VERBS[input.method.toUpperCase()] ?? input.method.toLowerCase(),
    resource: 'nodes',
    subresource: subresourceOf(input.path),
    name: input.nodeName,
    path: input.path,
  };
  if (await authorizer.authorize(attributes)) return { allowed: true, user };
  return { allowed: false, code: 403, message: `Forbidden (user=${user.username}, verb=${attributes.verb}, resource=nodes, subresource=${attributes.subresource})` };
}
