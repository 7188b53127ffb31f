/**
 * The 409 an apply gets when it would change fields another manager owns
 * (k8s.io/apimachinery pkg/util/managedfields/internal/conflict.go NewConflictError, and
 * structured-merge-diff merge/conflict.go):
 *
 *   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
 *
 *   Apply failed with 2 conflicts: conflicts with "a" using v1:
 *   - .data.x
 *   conflicts with "b" with subresource "status" using v1:
 *   - .data.y
 *
 * Each conflict is also a cause (`FieldManagerConflict`, field `.spec.replicas`). kubectl prints
 * the message after `error: ` and adds its own advice on `--force-conflicts`; reason Conflict is
 * what makes it add that advice.
 */
import { ApiError } from '../../kube/errors.ts';
import { compareStrings, goQuote } from './format.ts';
import { type Path, pathToString } from './path.ts';

/** One field another manager owns: `manager` is that manager's identifier (managed.ts). */
export interface Conflict {
  readonly manager: string;
  readonly path: Path;
}

/** printManager: `"kubectl"`, `"kubectl-client-side-apply" using apps/v1`, `"x" with subresource "status" using v1`. */
export function describeManager(identifier: string): string {
  let entry: { manager?: string; operation?: string; apiVersion?: string; subresource?: string; time?: string };
  try {
    entry = JSON.parse(identifier) as typeof entry;
  } catch {
    return goQuote(identifier);
  }
  let out = goQuote(entry.manager ?? '');
  if (entry.subresource) out += ` with subresource ${goQuote(entry.subresource)}`;
  if (entry.operation === 'Update') out += entry.time ? ` using ${entry.apiVersion ?? ''} at ${entry.time}` : ` using ${entry.apiVersion ?? ''}`;
  return out;
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].manager)}: ${pathToString(conflicts[0].path)}`;
  }
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) {
    const paths = byManager.get(c.manager) ?? [];
    paths.push(c.path);
    byManager.set(c.manager, paths);
  }
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort(compareStrings)) {
    lines.push(`conflicts with ${describeManager(manager)}:`);
    for (const path of byManager.get(manager)!) lines.push(`- ${pathToString(path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The 409 of an apply that conflicts; `conflicts` keeps the conflicts themselves. */
export class ApplyConflictError extends ApiError {
  override name = 'ApplyConflictError';
  readonly conflicts: readonly Conflict[];

  constructor(conflicts: readonly Conflict[]) {
    super({
      code: 409,
      reason: 'Conflict',
      message: conflictMessage(conflicts),
      details: {
        causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathToString(c.path) })),
      },
    });
    this.conflicts = conflicts;
  }
}
