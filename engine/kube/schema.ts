/**
 * The structural schemas of what the engine serves: the node types and shared nodes of
 * schema-nodes.ts, and schemaFor(), which finds a kind's schema in its definition
 * (engine/kube/kinds/). The learner's findUnknownFields and strategic merge patch walk these.
 */
import { findResourceForKind, groupVersion, KINDS } from './resources.ts';
import { obj, objectMeta, scaleSchema, str, type SchemaNode } from './schema-nodes.ts';

export * from './schema-nodes.ts';

/** Schemas of bodies that are not kinds of their own (a subresource's). */
const SUBRESOURCE_SCHEMAS: Readonly<Record<string, SchemaNode>> = {
  'autoscaling/v1/Scale': scaleSchema,
};

/** Every modelled schema by `apiVersion/kind` (`v1/Pod`, `apps/v1/Deployment`, `autoscaling/v1/Scale`). */
export const SCHEMAS: Readonly<Record<string, SchemaNode>> = {
  ...Object.fromEntries(KINDS.filter((k) => k.schema).map((k) => [`${groupVersion(k)}/${k.kind}`, k.schema!])),
  ...SUBRESOURCE_SCHEMAS,
};

const OPEN = obj({ apiVersion: str, kind: str, metadata: objectMeta }, true);

/** The schema of a kind, or an open object for kinds not modelled (nothing is refused, lists replace). */
export function schemaFor(apiVersion: string, kind: string): SchemaNode {
  return findResourceForKind(apiVersion, kind)?.schema ?? SUBRESOURCE_SCHEMAS[`${apiVersion}/${kind}`] ?? OPEN;
}
