/**
 * core/v1 Events as upstream validates them: legacyValidateEvent (pkg/apis/core/validation/
 * events.go, v1.32), the only check ValidateEventCreate and ValidateEventUpdate run for a write
 * through core/v1. An event without eventTime (the old kind) must name the object's namespace as
 * its own (an event about a cluster-scoped object lives in "default" or has none); an event with
 * eventTime (the new kind) needs reportingController, reportingInstance, action and reason, with
 * upstream's length limits (128 characters; a message 1024). Lengths are bytes, as Go's len counts.
 * Upstream names the reporting controller's field by its internal name `reportingController`
 * (the JSON field is `reportingComponent`); kept as upstream answers.
 *
 * Pure: returns causes, reads any JSON shape defensively.
 */
import { invalidValue, required } from '../field-errors.ts';
import type { StatusCause } from '../types.ts';
import { obj, text } from './containers.ts';
import { qualifiedNameProblems } from './formats.ts';

/** ReportingInstanceLengthLimit, ActionLengthLimit, ReasonLengthLimit (128) and NoteLengthLimit (1024). */
const SHORT_LIMIT = 128;
const NOTE_LIMIT = 1024;

const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

function limited(value: string, field: string, limit: number): StatusCause[] {
  return bytes(value) > limit ? [invalidValue(field, '', `can have at most ${limit} characters`)] : [];
}

/** legacyValidateEvent. */
export function eventCauses(event: unknown): StatusCause[] {
  const e = obj(event);
  const namespace = text(obj(e.metadata).namespace);
  const involved = text(obj(e.involvedObject).namespace);
  const mismatch = () => invalidValue('involvedObject.namespace', involved, 'does not match event.namespace');
  const causes: StatusCause[] = [];
  if (!text(e.eventTime)) {
    if (involved === '' ? namespace !== '' && namespace !== 'default' : namespace !== involved) causes.push(mismatch());
    return causes;
  }
  if (involved === '' && namespace !== 'default' && namespace !== 'kube-system') causes.push(mismatch());
  const controller = text(e.reportingComponent);
  if (!controller) causes.push(required('reportingController'));
  causes.push(...qualifiedNameProblems(controller).map((m) => invalidValue('reportingController', controller, m)));
  const instance = text(e.reportingInstance);
  if (!instance) causes.push(required('reportingInstance'));
  causes.push(...limited(instance, 'reportingInstance', SHORT_LIMIT));
  const action = text(e.action);
  if (!action) causes.push(required('action'));
  causes.push(...limited(action, 'action', SHORT_LIMIT));
  const reason = text(e.reason);
  if (!reason) causes.push(required('reason'));
  causes.push(...limited(reason, 'reason', SHORT_LIMIT));
  causes.push(...limited(text(e.message), 'message', NOTE_LIMIT));
  return causes;
}
