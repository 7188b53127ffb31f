/**
 * The cost of field ownership on one write, for the apiserver benchmark: computing managedFields
 * of an update of a Deployment (a controller changing replicas and a label), and a server-side
 * apply of it by kubectl (re-applying its manifest with a new image), against the serialization
 * every write pays anyway (JSON.parse and JSON.stringify of the same object), in this process.
 */
import { applyManagedFields, updateManagedFields } from '#engine/apiserver/fieldmanager/index.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import type { Figure } from './harness.ts';

const MANIFEST = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'frontend' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80, name: 'http' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
      },
    },
  },
};

function opsPerSecond(fn: () => void, ms = 1_000): number {
  for (let i = 0; i < 500; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const best = (fn: () => void) => Math.max(opsPerSecond(fn), opsPerSecond(fn));

export function fieldManagerFigures(): Figure[] {
  const options = { apiVersion: 'apps/v1', kind: 'Deployment', now: new Date(Date.UTC(2024, 0, 1)), resetFields: [['status']] };
  const applied = applyManagedFields(undefined, MANIFEST, { ...options, manager: 'kubectl', force: false });
  const live = { ...applied, metadata: { ...applied.metadata, uid: 'u', resourceVersion: '5' } } as KubeObject;
  const scaled = structuredClone(live);
  (scaled.spec as { replicas: number }).replicas = 5;
  scaled.metadata.labels = { ...scaled.metadata.labels, scaled: 'yes' };
  const manifest2 = structuredClone(MANIFEST);
  manifest2.spec.template.spec.containers[0].image = 'nginx:1.27';
  const text = JSON.stringify(live);
  const serialize = best(() => JSON.stringify(JSON.parse(text)));
  const update = best(() => updateManagedFields(live, scaled, { ...options, manager: 'kube-controller-manager' }));
  const apply = best(() => applyManagedFields(live, manifest2, { ...options, manager: 'kubectl', force: false }));
  const note = (ops: number) =>
    `${(1e6 / ops).toFixed(1)} µs per write against ${(1e6 / serialize).toFixed(1)} µs for JSON.parse + JSON.stringify of the ${text.length}-byte object; one process, best of 2 one-second runs`;
  return [
    {
      name: 'managedFields of an update of a Deployment',
      value: update,
      unit: 'writes/s',
      baseline: { name: 'JSON.parse + JSON.stringify of the same object', value: serialize },
      target: { minRatio: 0.15 },
      note: note(update),
    },
    {
      name: 'server-side apply of a Deployment (merge, prune, conflicts, managedFields)',
      value: apply,
      unit: 'applies/s',
      baseline: { name: 'JSON.parse + JSON.stringify of the same object', value: serialize },
      target: { minRatio: 0.05 },
      note: note(apply),
    },
  ];
}
