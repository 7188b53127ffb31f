/**
 * core/v1 Event: something that happened to an object (`kubectl get events`, `describe`).
 * Upstream: pkg/registry/core/event (strategy.go, whose GetAttrs gives the selectable fields);
 * validation in engine/kube/validation/event.ts. An event's name is only checked as a path
 * segment (the generic registry's ValidateObjectMetaAccessor): legacyValidateEvent checks no name.
 */
import { since } from '../../printers.ts';
import { anys, int, strs, top } from '../../schema-nodes.ts';
import { eventCauses } from '../../validation/event.ts';
import { defineKind, fieldsAt, readPath } from '../define.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const EVENTS = defineKind({
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  fields: {
    ...fieldsAt(
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
    ),
    source: readPath('source.component'),
    type: readPath('type'),
  },
  strategy: {
    nameRule: 'path-segment',
    validate: (event) => eventCauses(event),
  },
  schema: top({
    ...anys('involvedObject', 'source', 'series', 'related'),
    ...strs('reason', 'message', 'firstTimestamp', 'lastTimestamp', 'type', 'eventTime', 'action', 'reportingComponent', 'reportingInstance'),
    count: int,
  }),
  printer: {
    columns: [
      ['Last Seen', 'string'],
      ['Type', 'string'],
      ['Reason', 'string'],
      ['Object', 'string'],
      ['Subobject', 'string', 1],
      ['Source', 'string', 1],
      ['Message', 'string'],
      ['First Seen', 'string', 1],
      ['Count', 'string', 1],
      ['Name', 'string', 1],
    ],
    row: (o, now) => {
      const e = o as Any;
      const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp;
      const first = e.firstTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp;
      const involved = e.involvedObject ?? {};
      const source = e.source?.component ? [e.source.component, e.source.host].filter(Boolean).join(', ') : (e.reportingComponent ?? '');
      return [
        since(last, now),
        e.type ?? '',
        e.reason ?? '',
        `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
        involved.fieldPath ?? '',
        source,
        String(e.message ?? '').trim(),
        since(first, now),
        String(e.series?.count ?? e.count ?? 1),
        o.metadata.name ?? '',
      ];
    },
  },
});
