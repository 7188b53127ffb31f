/**
 * The kubeconfig a cluster writes for kubectl and client libraries: one cluster `kubelings`
 * (plain http on loopback, so `insecure-skip-tls-verify: true`, which @kubernetes/client-node
 * needs before it talks to an http:// server), one user `kubelings-admin` with its bearer token
 * (`users[].user.token`, which kubectl and client-node send as `Authorization: Bearer`), one
 * context, selected. The file holds a credential: mode 0600, as kubectl writes its own.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export function kubeconfigFor(server: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelings', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'kubelings-admin', user: { token } }],
    contexts: [{ name: 'kubelings', context: { cluster: 'kubelings', user: 'kubelings-admin', namespace } }],
    'current-context': 'kubelings',
    preferences: {},
  });
}

/** Writes a kubeconfig atomically (temp file and rename), mode 0600 as kubectl does. */
export function writeKubeconfig(path: string, server: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, kubeconfigFor(server, token), { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
