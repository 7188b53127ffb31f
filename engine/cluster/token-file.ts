/**
 * The token file of a background cluster (`.kubelings/tokens.csv`, kube-apiserver's
 * --token-auth-file format: engine/apiserver/token-file.ts). The daemon prepares it before the
 * apiserver starts; `cluster up` reads the admin's token from it into the kubeconfig.
 *
 * The admin token is kept across restarts, not rotated on each `cluster up`: a copy of the
 * kubeconfig (merged into ~/.kube/config, or held by a learner's own client-node program or
 * informer) keeps working after `cluster down` and `up`, as kubeadm's admin.conf outlives
 * apiserver restarts. Credentials belong to the cluster, not to one run of it. To rotate it,
 * delete the file and run `cluster up` again (with the cluster down).
 *
 * Invariants:
 * - the file is a regular file of mode 0600, written atomically (temp file, then rename);
 * - a file others can read (group or world bits) may have leaked: the admin token is replaced,
 *   the other lines kept, mode 0600 set, and a warning logged;
 * - a file without a `kubelings-admin` line gets one; other lines (users the learner adds for the
 *   RBAC lesson) are kept as they are;
 * - a line that cannot be read refuses the start with `file:line` and what to do; nothing is
 *   rewritten then (the learner's lines are never dropped);
 * - a symlink or a directory in its place is refused, never followed.
 */
import { chmodSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { ADMIN, KUBELET_CLIENT, SYSTEM_MASTERS } from '../apiserver/auth.ts';
import { formatTokenFile, parseTokenFile } from '../apiserver/token-file.ts';
import { generateToken, type StaticToken } from '../apiserver/tokens.ts';
import { KubelingsError } from '../errors.ts';

/** The admin's line as the file holds it (system:authenticated is added by the apiserver). */
function adminEntry(token = generateToken()): StaticToken {
  return { token, user: { username: ADMIN.username, uid: ADMIN.uid, groups: [SYSTEM_MASTERS] } };
}

/**
 * The apiserver's credential towards the kubelets (upstream's --kubelet-client-certificate, here a
 * token): the apiserver sends it when it proxies logs, exec and port-forward, and each kubelet
 * accepts it because it reads this file too.
 */
function kubeletClientEntry(token = generateToken()): StaticToken {
  return { token, user: { username: KUBELET_CLIENT.username, uid: KUBELET_CLIENT.username, groups: [SYSTEM_MASTERS] } };
}

function write(path: string, tokens: readonly StaticToken[]): void {
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true }); // a leftover (or a planted symlink) is removed, never written through
  writeFileSync(temp, formatTokenFile(tokens), { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600); // whatever the umask
  renameSync(temp, path);
}

export interface PreparedTokens {
  tokens: StaticToken[];
  /** What the log (and the terminal of `cluster up`) should say. */
  warnings: string[];
}

/** Reads the token file, creating or repairing it as the header says; throws a KubelingsError it cannot use. */
export function prepareTokenFile(path: string): PreparedTokens {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new KubelingsError(`Cannot read the token file ${path}: ${(error as Error).message}`);
    const tokens = [adminEntry(), kubeletClientEntry()];
    write(path, tokens);
    return { tokens, warnings: [] };
  }
  if (!stat.isFile()) throw new KubelingsError(`The token file ${path} is not a regular file (a symlink or a folder?): remove it, and cluster up makes a new one.`);
  let parsed;
  try {
    parsed = parseTokenFile(readFileSync(path, 'utf8'), path);
  } catch (error) {
    throw new KubelingsError(`${(error as Error).message}.\nFix that line, or delete ${path} and cluster up makes a new one with a new admin token (lines you added are lost then).`);
  }
  const warnings = [...parsed.warnings];
  let tokens = parsed.tokens;
  const exposed = (stat.mode & 0o077) !== 0;
  const hasAdmin = tokens.some((t) => t.user.username === ADMIN.username);
  if (exposed) {
    tokens = [adminEntry(), ...tokens.filter((t) => t.user.username !== ADMIN.username)];
    warnings.push(`${path} could be read by other users of this machine (mode ${(stat.mode & 0o777).toString(8)}): made a new admin token and set the mode to 600`);
  } else if (!hasAdmin) {
    tokens = [adminEntry(), ...tokens];
    warnings.push(`${path} had no ${ADMIN.username} line: added one`);
  }
  const hasKubeletClient = tokens.some((t) => t.user.username === KUBELET_CLIENT.username);
  if (exposed) tokens = [...tokens.filter((t) => t.user.username !== KUBELET_CLIENT.username), kubeletClientEntry()];
  else if (!hasKubeletClient) tokens = [...tokens, kubeletClientEntry()];
  if (exposed || !hasAdmin || !hasKubeletClient) write(path, tokens);
  return { tokens, warnings };
}

/** The admin's token from the token file (for the kubeconfig and the CLI's own requests). */
export function readAdminToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KubelingsError(
      `Cannot read the cluster's token file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): stop the cluster (npx kubelings cluster down) and start it again.`,
    );
  }
  let tokens: StaticToken[];
  try {
    tokens = parseTokenFile(text, path).tokens;
  } catch (error) {
    throw new KubelingsError(`${(error as Error).message}: stop the cluster (npx kubelings cluster down), fix the line or delete the file, and start it again.`);
  }
  const admin = tokens.filter((t) => t.user.username === ADMIN.username).pop();
  if (!admin) throw new KubelingsError(`The token file ${path} has no ${ADMIN.username} line: stop the cluster (npx kubelings cluster down) and start it again.`);
  return admin.token;
}
