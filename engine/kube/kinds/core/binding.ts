/**
 * core/v1 Binding: POST /api/v1/namespaces/<ns>/bindings, the older way to bind a pod (the
 * Binding names the pod); the scheduler uses pods/<name>/binding. Never stored.
 */
import { obj, strs, top } from '../../schema-nodes.ts';
import { defineVirtualKind } from '../define.ts';
import { PODS } from './pod.ts';
import { bindPod } from './pod-subresources.ts';

export const BINDINGS = defineVirtualKind({
  group: '',
  version: 'v1',
  resource: 'bindings',
  kind: 'Binding',
  namespaced: true,
  schema: top({ target: obj(strs('kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath')) }),
  create: (ctx, namespace, body) => bindPod(ctx, PODS, namespace, undefined, body),
});
