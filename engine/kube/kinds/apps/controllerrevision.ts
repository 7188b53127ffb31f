/**
 * apps/v1 ControllerRevision: an immutable snapshot of a StatefulSet's (or DaemonSet's) template,
 * the history `kubectl rollout history` and `undo` read and the controllers roll back to.
 * Upstream: pkg/registry/apps/controllerrevision (strategy.go), pkg/apis/apps/validation
 * ValidateControllerRevision / ValidateControllerRevisionUpdate (data is mandatory, revision >= 0,
 * data immutable),
 * pkg/printers/internalversion printControllerRevision (NAME CONTROLLER REVISION AGE).
 */
import { invalidValue, required } from '../../field-errors.ts';
import { age, AGE, NAME } from '../../printers.ts';
import { any, int, top } from '../../schema-nodes.ts';
import type { ControllerRevision, StatusCause } from '../../types.ts';
import { defineKind } from '../define.ts';

/** The CONTROLLER column: `statefulset.apps/web`, or <none>. */
function controllerOf(o: ControllerRevision): string {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/** ValidateControllerRevision: data is mandatory, revision not negative. */
function validateRevision(o: ControllerRevision): StatusCause[] {
  const causes: StatusCause[] = [];
  if (o.data === undefined || o.data === null) causes.push(required('data', 'data is mandatory'));
  if (typeof o.revision === 'number' && o.revision < 0) causes.push(invalidValue('revision', o.revision, 'must be greater than or equal to 0'));
  return causes;
}

export const CONTROLLER_REVISIONS = defineKind<ControllerRevision>({
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  namespaced: true,
  schema: top({ data: any, revision: int }),
  strategy: {
    validate: validateRevision,
    immutableFields: [{ path: 'data' }],
  },
  printer: {
    columns: [NAME, ['Controller', 'string'], ['Revision', 'integer'], AGE],
    row: (o, now) => [o.metadata.name ?? '', controllerOf(o), o.revision ?? 0, age(o, now)],
  },
});
