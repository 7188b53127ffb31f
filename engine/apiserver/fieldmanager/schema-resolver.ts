/**
 * The default TypeResolver, built from engine/kube/schema.ts (the engine's structural schema,
 * written for strategic merge patch) plus what server-side apply reads from upstream's OpenAPI and
 * that schema does not say (k8s.io/api struct markers, checked against k8s.io/api v0.32):
 *
 * - a list with a patch-merge-key is a map list keyed by it, a `setMerge` list is a set, any
 *   other list is atomic (as kube-openapi's schemaconv decides without x-kubernetes-list-type);
 * - where upstream's list-map-keys differ from the merge key: container ports are keyed by
 *   containerPort and protocol (default "TCP"), Service ports by port and protocol (default
 *   "TCP"), topologySpreadConstraints by topologyKey and whenUnsatisfiable; Node `podCIDRs` is a
 *   set, ServiceAccount `secrets` and resource `claims` are keyed by name;
 * - atomic maps and structs (+mapType=atomic / +structType=atomic): LabelSelector, nodeSelector,
 *   a Service's and ReplicationController's selector, owner references, imagePullSecrets items.
 *
 * Fields schema.ts leaves as `any` are untyped here (each key owned, lists atomic), and objects it
 * marks `open` accept other fields as untyped.
 *
 * The default resolver reads upstream's OpenAPI instead (openapi-resolver.ts), whose extensions
 * state all of the above directly; this one serves the kinds that spec lacks, and the zero
 * objects of both.
 */
import { schemaFor, type SchemaNode } from '../../kube/schema.ts';
import { listType, mapType, scalarType, type ListType, type TypeNode, type TypeResolver, UNTYPED } from './types.ts';

/** SSA list-map keys that differ from the strategic-merge-patch key, by list field and merge key. */
const LIST_MAP_KEYS: Record<string, { keys: string[]; defaults: Record<string, unknown> }> = {
  'ports/containerPort': { keys: ['containerPort', 'protocol'], defaults: { protocol: 'TCP' } },
  'ports/port': { keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } },
  'topologySpreadConstraints/topologyKey': { keys: ['topologyKey', 'whenUnsatisfiable'], defaults: {} },
};

/** Lists schema.ts leaves without a merge key that upstream's OpenAPI makes associative. */
const EXTRA_LISTS: Record<string, { listType: 'set' | 'map'; keys: string[] }> = {
  podCIDRs: { listType: 'set', keys: [] },
  secrets: { listType: 'map', keys: ['name'] },
  claims: { listType: 'map', keys: ['name'] },
};

/** Map fields that are atomic (+mapType=atomic). */
const ATOMIC_MAP_FIELDS = new Set(['nodeSelector', 'selector']);

/** Lists whose items are atomic structs (+structType=atomic). */
const ATOMIC_ITEM_LISTS = new Set(['ownerReferences', 'imagePullSecrets']);

function isLabelSelector(node: SchemaNode): boolean {
  return node.type === 'object' && 'matchLabels' in node.fields && 'matchExpressions' in node.fields;
}

const converted = new WeakMap<SchemaNode, Map<string, TypeNode>>();

/** The type of `node`, found under the field `name` (the name decides the overlays above). */
function convert(node: SchemaNode, name: string): TypeNode {
  let byName = converted.get(node);
  if (!byName) converted.set(node, (byName = new Map()));
  let type = byName.get(name);
  if (!type) byName.set(name, (type = build(node, name)));
  return type;
}

function build(node: SchemaNode, name: string): TypeNode {
  switch (node.type) {
    case 'any':
      return UNTYPED;
    case 'scalar':
      switch (node.of) {
        case 'string':
          return scalarType('string');
        case 'integer':
        case 'number':
          return scalarType('numeric');
        case 'boolean':
          return scalarType('boolean');
        default:
          return scalarType('untyped');
      }
    case 'map':
      return mapType({}, { atomic: ATOMIC_MAP_FIELDS.has(name), elements: convert(node.values, '') });
    case 'object':
      return objectType(node, isLabelSelector(node));
    case 'list':
      return listOf(node, name);
  }
}

function objectType(node: Extract<SchemaNode, { type: 'object' }>, atomic: boolean): TypeNode {
  const fields = new Map<string, TypeNode | undefined>();
  return {
    kind: 'map',
    atomic,
    field: (field) => {
      let type = fields.get(field);
      if (type === undefined && !fields.has(field)) fields.set(field, (type = Object.hasOwn(node.fields, field) ? convert(node.fields[field], field) : undefined));
      return type;
    },
    elements: node.open ? UNTYPED : undefined,
  };
}

function listOf(node: Extract<SchemaNode, { type: 'list' }>, name: string): ListType {
  const items = ATOMIC_ITEM_LISTS.has(name) && node.items.type === 'object' ? objectType(node.items, true) : convert(node.items, '');
  if (node.setMerge) return listType(items, 'set');
  if (node.mergeKey) {
    const special = LIST_MAP_KEYS[`${name}/${node.mergeKey}`];
    return special ? listType(items, 'map', special.keys, special.defaults) : listType(items, 'map', [node.mergeKey]);
  }
  const extra = EXTRA_LISTS[name];
  if (extra) return listType(items, extra.listType, extra.keys);
  return listType(items, 'atomic');
}

const podTemplate = () => ({ metadata: { creationTimestamp: null }, spec: { containers: null } });

/**
 * What `New()` of each kind marshals to (Go structs that are not pointers are present, and
 * `json:"x"` fields without omitempty are null). Only the parts that hold fields users set matter.
 */
const ZERO_OBJECTS: Record<string, () => Record<string, unknown>> = {
  'v1/Pod': () => ({ spec: { containers: null }, status: {} }),
  'v1/PodTemplate': () => ({ template: podTemplate() }),
  'v1/ReplicationController': () => ({ spec: {}, status: { replicas: 0 } }),
  'apps/v1/Deployment': () => ({ spec: { selector: null, template: podTemplate(), strategy: {} }, status: {} }),
  'apps/v1/ReplicaSet': () => ({ spec: { selector: null, template: podTemplate() }, status: { replicas: 0 } }),
  'apps/v1/StatefulSet': () => ({ spec: { selector: null, template: podTemplate(), updateStrategy: {} }, status: { replicas: 0 } }),
  'apps/v1/DaemonSet': () => ({
    spec: { selector: null, template: podTemplate(), updateStrategy: {} },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  }),
  'batch/v1/Job': () => ({ spec: { template: podTemplate() }, status: {} }),
  'batch/v1/CronJob': () => ({ spec: { schedule: '', jobTemplate: { metadata: { creationTimestamp: null }, spec: { template: podTemplate() } } }, status: {} }),
};

/** The resolver over engine/kube/schema.ts. */
export const schemaResolver: TypeResolver = {
  typeOf(apiVersion, kind) {
    return convert(schemaFor(apiVersion, kind), '');
  },
  zeroObject(apiVersion, kind) {
    const zero = ZERO_OBJECTS[`${apiVersion}/${kind}`];
    const rest = zero ? zero() : {};
    const schema = schemaFor(apiVersion, kind);
    // Top-level spec and status of built-in kinds are Go structs, present when empty.
    const fields = schema.type === 'object' ? schema.fields : {};
    if (!('spec' in rest) && fields.spec?.type === 'object') rest.spec = {};
    if (!('status' in rest) && fields.status && fields.status.type !== 'any') rest.status = {};
    return { metadata: { creationTimestamp: null }, ...rest };
  },
};
