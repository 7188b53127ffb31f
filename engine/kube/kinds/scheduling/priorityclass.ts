/**
 * scheduling.k8s.io/v1 PriorityClass, and the Priority admission plugin
 * (plugin/pkg/admission/priority) that resolves a pod's spec.priorityClassName (or the global
 * default class) into spec.priority and spec.preemptionPolicy when the pod is created, and checks
 * PriorityClasses themselves. Every cluster starts with the two system classes.
 *
 * Invariants: after admission every pod has spec.priority; a pod naming a class that does not
 * exist is refused (403); at most one class is globalDefault; user classes stay at or below
 * 1,000,000,000.
 */
import { forbidden, invalid } from '../../errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { f, kept, withMeta } from '../../protobuf.ts';
import type { KubeObject, Pod, PriorityClass } from '../../types.ts';
import { defineKind } from '../define.ts';
import type { StoredKind } from '../types.ts';

/** HighestUserDefinablePriority: classes above it are reserved to the system- ones. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;

export const SYSTEM_PRIORITY_CLASSES: PriorityClass[] = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
].map(({ name, value, description }) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description, preemptionPolicy: 'PreemptLowerPriority' }));

const PODS = { group: '', resource: 'pods' };

/** The Priority plugin on a new pod: spec.priority from its class (or the default); changes `pod` in place. */
export function admitPodPriority(pod: Pod, classes: readonly PriorityClass[]): void {
  const spec = pod.spec ?? ({} as Pod['spec']);
  let chosen: PriorityClass | undefined;
  if (spec.priorityClassName) {
    chosen = classes.find((c) => c.metadata.name === spec.priorityClassName);
    if (!chosen) throw forbidden(PODS, pod.metadata.name ?? '', `no PriorityClass with name ${spec.priorityClassName} was found`);
  } else {
    chosen = classes.find((c) => c.globalDefault === true);
  }
  const value = chosen?.value ?? 0;
  if (spec.priority !== undefined && spec.priority !== value) {
    throw forbidden(
      PODS,
      pod.metadata.name ?? '',
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
    );
  }
  spec.priority = value;
  if (chosen) spec.priorityClassName = chosen.metadata.name;
  // Without a class the plugin's default policy is PreemptLowerPriority (getDefaultPriority).
  spec.preemptionPolicy ??= chosen?.preemptionPolicy ?? 'PreemptLowerPriority';
  pod.spec = spec;
}

export const PRIORITY_CLASSES: StoredKind = defineKind<PriorityClass>({
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  kind: 'PriorityClass',
  namespaced: false,
  shortNames: ['pc'],
  bootstrap: SYSTEM_PRIORITY_CLASSES,
  // What `kubectl create priorityclass` sends (scheduling/v1 generated.proto); value is not a
  // pointer in Go, so a 0 is kept as the value it is.
  protobuf: withMeta({ 2: kept('value', 'int32'), 3: f('globalDefault', 'bool'), 4: f('description', 'string'), 5: kept('preemptionPolicy', 'string') }),
  admission(env) {
    return {
      create(pc) {
        const name = pc.metadata.name ?? '';
        pc.preemptionPolicy ??= 'PreemptLowerPriority';
        if (typeof pc.value !== 'number' || !Number.isInteger(pc.value)) {
          throw invalid(PRIORITY_CLASSES, name, [{ reason: 'FieldValueRequired', field: 'value', message: 'Required value: a whole number' }]);
        }
        if (name.startsWith('system-') && !SYSTEM_PRIORITY_CLASSES.some((c) => c.metadata.name === name)) {
          throw invalid(PRIORITY_CLASSES, name, [{ reason: 'FieldValueForbidden', field: 'metadata.name', message: `Forbidden: priority class names with 'system-' prefix are reserved` }]);
        }
        if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY && !name.startsWith('system-')) {
          throw invalid(PRIORITY_CLASSES, name, [
            { reason: 'FieldValueForbidden', field: 'value', message: `Forbidden: maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}` },
          ]);
        }
        if (pc.globalDefault) {
          const other = (env.cached(PRIORITY_CLASSES) as PriorityClass[]).find((c) => c.globalDefault === true && c.metadata.name !== name);
          if (other) throw forbidden(PRIORITY_CLASSES, name, `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
        }
      },
    };
  },
  printer: {
    columns: [NAME, ['Value', 'integer'], ['Global-Default', 'boolean'], AGE, ['PreemptionPolicy', 'string']],
    row: (o, now) => [o.metadata.name ?? '', o.value ?? 0, Boolean(o.globalDefault), age(o as KubeObject, now), o.preemptionPolicy ?? 'PreemptLowerPriority'],
  },
});
