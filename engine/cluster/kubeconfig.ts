/**
 * The kubeconfig a cluster writes for kubectl and client libraries: one cluster `kubelings` (its
 * https URL on loopback, and the cluster CA as `certificate-authority-data`, so clients verify the
 * server rather than skip verification), one user `kubelings-admin` with its bearer token
 * (`users[].user.token`, which kubectl and client-node send as `Authorization: Bearer`, kubectl
 * only to an https server), one context, selected. It holds a credential: mode 0600, as kubectl
 * writes its own.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { clusterPaths } from './paths.ts';
import { readCaCert } from './pki-files.ts';
import { readAdminToken } from './token-file.ts';

/** Where a cluster is and how to talk to it: its URL, the CA that signed its certificate (PEM), the admin's token. */
export interface ClusterAccess {
  server: string;
  /** Omitted only for a plain-http server (a test's fake apiserver). */
  ca?: string;
  /** Omitted: a user without credentials (kubectl sends none to an http server anyway). */
  token?: string;
}

export function kubeconfigFor({ server, ca, token }: ClusterAccess, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelings', cluster: { server, ...(ca ? { 'certificate-authority-data': Buffer.from(ca).toString('base64') } : {}) } }],
    users: [{ name: 'kubelings-admin', user: token ? { token } : {} }],
    contexts: [{ name: 'kubelings', context: { cluster: 'kubelings', user: 'kubelings-admin', namespace } }],
    'current-context': 'kubelings',
    preferences: {},
  });
}

/** Writes a kubeconfig atomically (temp file and rename), mode 0600 as kubectl does. */
export function writeKubeconfig(path: string, access: ClusterAccess): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, kubeconfigFor(access), { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** Writes the kubeconfig of the background cluster at `server`, with its CA and admin token from its files. */
export function writeClusterKubeconfig(paths: ReturnType<typeof clusterPaths>, server: string): void {
  writeKubeconfig(paths.kubeconfig, { server, ca: readCaCert(paths.pkiDir), token: readAdminToken(paths.tokenFile) });
}
