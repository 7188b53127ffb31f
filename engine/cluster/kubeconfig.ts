/**
 * The kubeconfig a cluster writes for kubectl and client libraries: one cluster `kubelings`
 * (plain http on loopback, so `insecure-skip-tls-verify: true`, which @kubernetes/client-node
 * needs before it talks to an http:// server), one user `kubelings-admin` (no credentials: the
 * apiserver treats every request as the admin until the RBAC lesson), one context, selected.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export function kubeconfigFor(server: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubelings', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'kubelings-admin', user: {} }],
    contexts: [{ name: 'kubelings', context: { cluster: 'kubelings', user: 'kubelings-admin', namespace } }],
    'current-context': 'kubelings',
    preferences: {},
  });
}

/** Writes a kubeconfig atomically (temp file and rename), mode 0600 as kubectl does. */
export function writeKubeconfig(path: string, server: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, kubeconfigFor(server), { mode: 0o600 });
  renameSync(temp, path);
}
