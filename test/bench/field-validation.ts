/**
 * The cost of unknown-field pruning and strict field validation on one write, for the apiserver
 * benchmark: decoding a Deployment body (JSON.parse, the baseline every write pays) against
 * decoding it and running pruneAndValidate on it in Warn mode (the default: prune the object and
 * scan the body for unknown and duplicate fields), in this process, on the same body.
 */
import { pruneAndValidate } from '#engine/kube/openapi/field-validation.ts';
import type { Figure } from './harness.ts';

const DEPLOYMENT = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'frontend' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
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
});

function opsPerSecond(fn: () => void, ms = 1_000): number {
  for (let i = 0; i < 2_000; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export function fieldValidationFigure(): Figure {
  const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
  pruneAndValidate(gvk, { object: JSON.parse(DEPLOYMENT), mode: 'Warn', body: { text: DEPLOYMENT, format: 'json' } });
  const parse = Math.max(
    opsPerSecond(() => JSON.parse(DEPLOYMENT)),
    opsPerSecond(() => JSON.parse(DEPLOYMENT)),
  );
  const check = () => pruneAndValidate(gvk, { object: JSON.parse(DEPLOYMENT), mode: 'Warn', body: { text: DEPLOYMENT, format: 'json' } });
  const validated = Math.max(opsPerSecond(check), opsPerSecond(check));
  return {
    name: 'decode + prune + field validation of a Deployment body (Warn)',
    value: validated,
    unit: 'bodies/s',
    baseline: { name: 'JSON.parse of the same body', value: parse },
    target: { minRatio: 0.2 },
    note: `${DEPLOYMENT.length}-byte body; ${(1e6 / validated).toFixed(1)} µs per body against ${(1e6 / parse).toFixed(1)} µs to parse; one process, best of 2 one-second runs`,
  };
}
