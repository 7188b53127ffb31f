/**
 * Items of keyed lists must name their key: an env var its `name`, a volume its `name`, a volume
 * mount its `mountPath`. Upstream's validation requires each of these (`spec.containers[0].env[0].name:
 * Required value`), and server-side apply depends on it: the field manager owns a list item by
 * its key, and refuses an object holding an item with none as one it cannot read (a 500 upstream,
 * where such an object never gets stored). The kinds' own checks and the learner's
 * validatePodSpec cover some of these lists; this covers every one, from upstream's schemas (the
 * lists with x-kubernetes-list-type: map, or a patch merge key), so that no stored object is one
 * the field manager cannot own.
 *
 * An item missing only a key that has a default (a port's protocol) is fine. Only the first key
 * of an item that has none is reported, as upstream's validation reports the field it requires.
 */
import { required } from '../../kube/field-errors.ts';
import type { KubeObject, StatusCause } from '../../kube/types.ts';
import { openapiResolver } from '../fieldmanager/index.ts';
import type { TypeNode } from '../fieldmanager/index.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: unknown, type: TypeNode, path: string, causes: StatusCause[], depth: number): void {
  if (depth > 100) return;
  if (type.kind === 'map') {
    if (!isObject(value) || type.atomic) return;
    for (const key in value) {
      const child = type.field(key) ?? type.elements;
      if (child && child.kind !== 'scalar') walk(value[key], child, path ? `${path}.${key}` : key, causes, depth + 1);
    }
    return;
  }
  if (type.kind !== 'list' || !Array.isArray(value)) return;
  const keyed = type.listType === 'map' && type.keys.length > 0;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (keyed && isObject(item) && type.keys.every((k) => (item[k] === undefined || item[k] === null) && type.keyDefault(k) === undefined)) {
      causes.push(required(`${path}[${i}].${type.keys[0]}`));
    }
    if (type.items.kind !== 'scalar') walk(item, type.items, `${path}[${i}]`, causes, depth + 1);
  }
}

/** `Required value` for each item of a keyed list that names none of its keys. */
export function keyedListCauses(object: KubeObject): StatusCause[] {
  const type = openapiResolver.typeOf(object.apiVersion, object.kind);
  if (!type) return [];
  const causes: StatusCause[] = [];
  walk(object, type, '', causes, 0);
  return causes;
}
