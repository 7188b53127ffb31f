/**
 * Pod priority in the apiserver: the scheduling.k8s.io/v1 PriorityClasses every cluster starts
 * with, and the Priority admission plugin (plugin/pkg/admission/priority), which resolves a pod's
 * spec.priorityClassName (or the global default class) into spec.priority and spec.preemptionPolicy
 * when the pod is created, and checks PriorityClasses themselves.
 *
 * Invariants: after admission every pod has spec.priority; a pod naming a class that does not exist
 * is refused (403); at most one class is globalDefault; user classes stay at or below 1,000,000,000.
 */
import { findResource } from '../kube/resources.ts';
import type { KubeObject } from '../kube/types.ts';
import { forbidden, invalid } from '../kube/errors.ts';
import type { HandlerContext } from './handler.ts';

export const PRIORITY_CLASSES = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
const PODS = findResource('', 'v1', 'pods')!;

/** HighestUserDefinablePriority: classes above it are reserved to the system- ones. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;

export const SYSTEM_PRIORITY_CLASSES: KubeObject[] = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
].map(({ name, value, description }) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description, preemptionPolicy: 'PreemptLowerPriority' }));

interface PriorityClassFields {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

type PodSpecFields = { priority?: number; priorityClassName?: string; preemptionPolicy?: string };

/** Admission for a new pod (Priority) or a new PriorityClass; changes `object` in place. */
export function admitPriority(ctx: Pick<HandlerContext, 'cacher'>, info: { resource: string; group: string }, object: KubeObject): void {
  if (info.group === '' && info.resource === 'pods') admitPod(ctx, object);
  else if (info.group === PRIORITY_CLASSES.group && info.resource === PRIORITY_CLASSES.resource) admitClass(ctx, object);
}

function classes(ctx: Pick<HandlerContext, 'cacher'>): (KubeObject & PriorityClassFields)[] {
  return ctx.cacher.cacheFor(PRIORITY_CLASSES).list() as (KubeObject & PriorityClassFields)[];
}

function admitPod(ctx: Pick<HandlerContext, 'cacher'>, pod: KubeObject): void {
  const spec = (pod.spec ?? {}) as PodSpecFields;
  const all = classes(ctx);
  let chosen: (KubeObject & PriorityClassFields) | undefined;
  if (spec.priorityClassName) {
    chosen = all.find((c) => c.metadata.name === spec.priorityClassName);
    if (!chosen) throw forbidden(PODS, pod.metadata.name ?? '', `no PriorityClass with name ${spec.priorityClassName} was found`);
  } else {
    chosen = all.find((c) => c.globalDefault === true);
  }
  const value = chosen?.value ?? 0;
  if (spec.priority !== undefined && spec.priority !== value) {
    throw forbidden(PODS, pod.metadata.name ?? '', `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  if (chosen) spec.priorityClassName = chosen.metadata.name;
  // Without a class the plugin's default policy is PreemptLowerPriority (getDefaultPriority).
  spec.preemptionPolicy ??= chosen?.preemptionPolicy ?? 'PreemptLowerPriority';
  pod.spec = spec;
}

function admitClass(ctx: Pick<HandlerContext, 'cacher'>, pc: KubeObject): void {
  const fields = pc as KubeObject & PriorityClassFields;
  const name = pc.metadata.name ?? '';
  fields.preemptionPolicy ??= 'PreemptLowerPriority';
  if (typeof fields.value !== 'number' || !Number.isInteger(fields.value)) {
    throw invalid(PRIORITY_CLASSES, name, [{ reason: 'FieldValueRequired', field: 'value', message: 'Required value: a whole number' }]);
  }
  if (name.startsWith('system-') && !SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata.name === name)) {
    throw invalid(PRIORITY_CLASSES, name, [{ reason: 'FieldValueForbidden', field: 'metadata.name', message: `Forbidden: priority class names with 'system-' prefix are reserved` }]);
  }
  if (fields.value > HIGHEST_USER_DEFINABLE_PRIORITY && !name.startsWith('system-')) {
    throw invalid(PRIORITY_CLASSES, name, [{ reason: 'FieldValueForbidden', field: 'value', message: `Forbidden: maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}` }]);
  }
  if (fields.globalDefault) {
    const other = classes(ctx).find((c) => c.globalDefault === true && c.metadata.name !== name);
    if (other) throw forbidden(PRIORITY_CLASSES, name, `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
  }
}
