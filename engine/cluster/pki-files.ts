/**
 * The certificates of a background cluster, kept in `.kubelings/pki/` with kubeadm's file names:
 * ca.crt and ca.key (the cluster CA), apiserver.crt and apiserver.key (the serving certificate it
 * signs). The daemon prepares them before the apiserver starts; `cluster up` reads ca.crt into the
 * kubeconfig (certificate-authority-data) and to check that the apiserver answers.
 *
 * Kept across restarts, as the admin token is (token-file.ts) and for the same reason: a copy of the
 * kubeconfig keeps working after `cluster down` and `up`. The serving certificate is made anew when
 * it would expire within RENEW_BEFORE_DAYS or does not match its CA; the CA only when it is missing,
 * broken, expiring, or readable by other users (then every copy of the kubeconfig must be
 * refreshed, and the warning says so).
 *
 * Invariants: the folder is 0700 and the keys 0600, written atomically (temp file, then rename); a
 * symlink or a folder in place of a file is refused, never followed.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkServingPki, createCa, createServingCert, type CertAndKey } from '../apiserver/pki.ts';
import type { ServingTls } from '../apiserver/server.ts';
import { KubelingsError } from '../errors.ts';

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'apiserver.crt', key: 'apiserver.key' } as const;

/** The contents of `dir/name`, or undefined when it is absent; a KubelingsError for a symlink or folder. */
function readRegular(dir: string, name: string): { text: string; mode: number } | undefined {
  const path = join(dir, name);
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KubelingsError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  if (!stat.isFile()) throw new KubelingsError(`${path} is not a regular file (a symlink or a folder?): remove it, and cluster up makes a new one.`);
  return { text: readFileSync(path, 'utf8'), mode: stat.mode & 0o777 };
}

function writePrivate(dir: string, name: string, text: string): void {
  const path = join(dir, name);
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export interface PreparedPki {
  tls: ServingTls;
  warnings: string[];
}

/** Reads the cluster's certificates from `dir`, making or renewing what is missing or unusable. */
export function preparePki(dir: string, now = new Date()): PreparedPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const warnings: string[] = [];
  const caCert = readRegular(dir, FILES.caCert);
  const caKey = readRegular(dir, FILES.caKey);
  let ca: CertAndKey | undefined = caCert && caKey ? { cert: caCert.text, key: caKey.text } : undefined;
  const exposed = caKey !== undefined && (caKey.mode & 0o077) !== 0;
  // A CA is usable when a serving certificate made from it now would pass the checks.
  const caProblem = ca && (exposed ? `its key could be read by other users (mode ${caKey!.mode.toString(8)})` : checkServingPki({ ca, serving: safeServing(ca, now) }, [], now));
  if (!ca || caProblem) {
    if (ca || caCert || caKey)
      warnings.push(
        `made a new cluster CA in ${dir}: ${caProblem ?? 'one of ca.crt and ca.key was missing'}. Copies of the kubeconfig made before this start no longer work: use the one cluster up writes.`,
      );
    ca = createCa(now);
    writePrivate(dir, FILES.caKey, ca.key);
    writePrivate(dir, FILES.caCert, ca.cert);
  }
  const cert = readRegular(dir, FILES.cert);
  const key = readRegular(dir, FILES.key);
  let serving: CertAndKey | undefined = cert && key ? { cert: cert.text, key: key.text } : undefined;
  if (!serving || checkServingPki({ ca, serving }, [], now) !== undefined) {
    serving = createServingCert(ca, [], now);
    writePrivate(dir, FILES.key, serving.key);
    writePrivate(dir, FILES.cert, serving.cert);
  }
  return { tls: { cert: serving.cert, key: serving.key, ca: ca.cert }, warnings };
}

/** A serving certificate from `ca`, or a placeholder that fails the checks when `ca` cannot sign. */
function safeServing(ca: CertAndKey, now: Date): CertAndKey {
  try {
    return createServingCert(ca, [], now);
  } catch {
    return { cert: '', key: '' };
  }
}

/** The cluster CA certificate (PEM) from `dir`, for the kubeconfig and the CLI's own requests. */
export function readCaCert(dir: string): string {
  const found = readRegular(dir, FILES.caCert);
  if (!found) throw new KubelingsError(`The cluster's CA certificate ${join(dir, FILES.caCert)} is missing: stop the cluster (npx kubelings cluster down) and start it again.`);
  return found.text;
}
