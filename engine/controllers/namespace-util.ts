/**
 * Namespace deletion helpers (given, not graded), after kubernetes pkg/controller/namespace/deletion:
 * the finalizer the namespace controller owns, the condition types it maintains and the updater
 * that turns what a pass over the namespace found into those conditions, with upstream's reasons
 * and messages (status_condition_utils.go). `kubectl describe namespace` prints them.
 *
 * Invariant: every one of the five condition types is present after an update, True with the
 * problem, or False with its "all is well" reason and message; a condition's lastTransitionTime
 * changes only when its status does.
 */
import type { Condition, Namespace } from '../kube/types.ts';

type NamespaceStatus = NonNullable<Namespace['status']>;
import { formatTime } from './pods.ts';

/** The finalizer in a namespace's spec.finalizers that the namespace controller removes when the namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** How long to wait (s) for objects that still carry finalizers: see engine/params.ts. */
export { FINALIZER_ESTIMATE_SECONDS } from '../params.ts';

/** The condition types the namespace controller maintains, in upstream's order. */
export const NAMESPACE_CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const OK: Record<(typeof NAMESPACE_CONDITION_TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
};

/** What one pass over a namespace found. */
export interface NamespaceContentTotals {
  /** `<resource>.<group>` (`pods.`, `deployments.apps`) → objects still there. */
  remaining: ReadonlyMap<string, number>;
  /** finalizer → objects still there that carry it. */
  finalizers: ReadonlyMap<string, number>;
  /** The errors of deleting each resource (their messages). */
  errors: readonly string[];
}

/**
 * namespaceConditionUpdater: sets the five conditions on `status` (in place) from `totals`:
 * NamespaceContentRemaining "Some resources are remaining: pods. has 2 resource instances, ...",
 * NamespaceFinalizersRemaining "Some finalizers are remaining: <f> in N resource instances, ...",
 * NamespaceDeletionContentFailure "Failed to delete all resource types, N remaining: ...", each
 * sorted; the others False with their upstream reason and message. Returns true when anything changed.
 */
export function updateNamespaceConditions(status: NamespaceStatus, totals: NamespaceContentTotals, now: number): boolean {
  const wanted = new Map<string, Condition>();
  const at = formatTime(now);
  const listed = (m: ReadonlyMap<string, number>, fmt: (k: string, n: number) => string) =>
    [...m]
      .filter(([, n]) => n > 0)
      .map(([k, n]) => fmt(k, n))
      .sort();
  if (totals.remaining.size > 0) {
    const items = listed(totals.remaining, (k, n) => `${k} has ${n} resource instances`);
    wanted.set('NamespaceContentRemaining', {
      type: 'NamespaceContentRemaining',
      status: 'True',
      lastTransitionTime: at,
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${items.join(', ')}`,
    });
  }
  if (totals.finalizers.size > 0) {
    const items = listed(totals.finalizers, (k, n) => `${k} in ${n} resource instances`);
    wanted.set('NamespaceFinalizersRemaining', {
      type: 'NamespaceFinalizersRemaining',
      status: 'True',
      lastTransitionTime: at,
      reason: 'SomeFinalizerRemain',
      message: `Some finalizers are remaining: ${items.join(', ')}`,
    });
  }
  if (totals.errors.length > 0) {
    const messages = [...totals.errors].sort();
    wanted.set('NamespaceDeletionContentFailure', {
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      lastTransitionTime: at,
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${messages.length} remaining: ${messages.join(', ')}`,
    });
  }
  let changed = false;
  const conditions = [...(status.conditions ?? [])];
  for (const type of NAMESPACE_CONDITION_TYPES) {
    const next = wanted.get(type) ?? { type, status: 'False' as const, lastTransitionTime: at, ...OK[type] };
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push(next);
      changed = true;
      continue;
    }
    const old = conditions[i]!;
    if (old.status === next.status && old.message === next.message && old.reason === next.reason) continue;
    conditions[i] = { ...old, status: next.status, reason: next.reason, message: next.message, lastTransitionTime: old.status !== next.status ? at : old.lastTransitionTime };
    changed = true;
  }
  status.conditions = conditions;
  return changed;
}
