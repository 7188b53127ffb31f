/**
 * Unknown and duplicate fields of a write, under the request's `fieldValidation` (Strict, Warn, the
 * default, or Ignore), as upstream's handlers report them (k8s.io/apiserver/pkg/endpoints/handlers:
 * create.go and update.go decode strictly; patch.go checks the patch body, then the patched object;
 * an apply checks only its YAML for duplicate keys, the field manager refusing unknown fields
 * itself). In every mode the object that goes on is pruned: unknown fields are never stored.
 *
 *   create, update  400 `<Kind> in version "v1" cannot be handled as a <Kind>: strict decoding
 *                   error: unknown field "spec.x", duplicate field "metadata.name"`
 *   merge, strategic, JSON patch
 *                   422 ` "" is invalid: patch: Invalid value: "<patched object>": strict decoding
 *                   error: duplicate field "spec.a", unknown field "spec.x"` (the patch's
 *                   duplicates first, then the patched object's unknown fields in key order)
 *   apply           400 `error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal
 *                   errors:\n  line 3: key "a" already set in map`
 * Warn sends each problem as its own `Warning: 299 - "<problem>"` header instead.
 *
 * Expected messages: test/integration/apiserver/field_validation_test.go upstream.
 */
import { badRequest, invalid } from '../../kube/errors.ts';
import { pruneAndValidate, warningHeader, type FieldValidationMode } from '../../kube/openapi/field-validation.ts';
import { pruneUnknownFields } from '../../kube/openapi/prune.ts';
import { jsonFieldProblems, yamlDuplicateKeys } from '../../kube/openapi/strict.ts';
import { fieldTree, type FieldNode } from '../../kube/openapi/walker.ts';
import type { ResourceInfo } from '../../kube/resources.ts';
import type { KubeObject } from '../../kube/types.ts';
import { goJSON, goQuote, goValue } from '../fieldmanager/format.ts';
import { JSON_PATCH, STRATEGIC_MERGE_PATCH } from '../body.ts';

/** A body's text and how it was written (protobuf bodies have none: duplicates cannot be seen). */
export interface BodyText {
  text: string;
  format: 'json' | 'yaml';
}

/** The object to go on with and the Warning headers to send. */
export interface CheckedFields<T> {
  object: T;
  warnings: string[];
}

function gvkOf(kind: Pick<ResourceInfo, 'group' | 'version' | 'kind'>) {
  return { group: kind.group, version: kind.version, kind: kind.kind };
}

/** A create's or update's decoded body: pruned; 400 under Strict when it had unknown or duplicate fields. */
export function checkBodyFields(kind: Pick<ResourceInfo, 'group' | 'version' | 'kind'>, object: KubeObject, mode: FieldValidationMode, body: BodyText | undefined): CheckedFields<KubeObject> {
  const result = pruneAndValidate(gvkOf(kind), { object, mode, body });
  if (result.strictError) throw badRequest(result.strictError);
  return { object: result.object as KubeObject, warnings: result.warnings };
}

// ── patch bodies ───────────────────────────────────────────────────────────────────────────────

/** The fields of one JSON patch operation (jsonPatchOp in patch.go). */
const JSON_PATCH_OPERATIONS: FieldNode = {
  type: 'list',
  items: { type: 'object', fields: new Map(['op', 'path', 'from', 'value'].map((f) => [f, { type: 'leaf' } as FieldNode])), additional: undefined, preserveUnknown: false },
};

/**
 * Keys repeated within one object of a JSON text, with their paths (`spec.template.spec.containers[0].name`),
 * in document order: what sigs.k8s.io/json's strict decoder reports for a patch decoded into a map.
 * Malformed text ends the scan quietly (the body was parsed already).
 */
export function duplicateFields(text: string): string[] {
  const problems: string[] = [];
  let pos = 0;
  const ws = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const string = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (path: string, depth: number): boolean => {
    ws();
    const c = text[pos];
    if (c === '"') {
      string();
      return true;
    }
    if (c === '{' && depth < 200) {
      pos++;
      const seen = new Set<string>();
      for (;;) {
        ws();
        if (text[pos] === '}') {
          pos++;
          return true;
        }
        if (text[pos] !== '"') return false;
        const key = string();
        const keyPath = path ? `${path}.${key}` : key;
        if (seen.has(key)) problems.push(`duplicate field "${keyPath}"`);
        seen.add(key);
        ws();
        if (text[pos] !== ':') return false;
        pos++;
        if (!value(keyPath, depth + 1)) return false;
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== '}') return false;
      }
    }
    if (c === '[' && depth < 200) {
      pos++;
      for (let i = 0; ; i++) {
        ws();
        if (text[pos] === ']') {
          pos++;
          return true;
        }
        if (!value(`${path}[${i}]`, depth + 1)) return false;
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== ']') return false;
      }
    }
    // A number, true, false or null.
    const start = pos;
    while (pos < text.length && !',]} \t\n\r'.includes(text[pos]!)) pos++;
    return pos > start;
  };
  value('', 0);
  return problems;
}

/**
 * The problems of a patch's own text (appliedStrictErrs): for a JSON patch, fields its operations
 * do not have and fields repeated in one (`json patch unknown field "[0].foo"`); for a merge or
 * strategic patch, keys repeated in one object. None under Ignore.
 */
export function patchBodyProblems(patchType: string, text: string, mode: FieldValidationMode): string[] {
  if (mode === 'Ignore') return [];
  if (patchType === JSON_PATCH) return jsonFieldProblems(JSON_PATCH_OPERATIONS, text).map((p) => `json patch ${p}`);
  return duplicateFields(text);
}

/**
 * The patched object: pruned; under Strict, a 422 naming the patch's problems then its unknown
 * fields (in key order, as upstream re-encodes a patched object). `patch` is the decoded patch
 * body (a strategic merge patch shows it in the error, as `%+v` of a Go map).
 */
export function checkPatchedFields(
  kind: Pick<ResourceInfo, 'group' | 'version' | 'kind'>,
  patched: KubeObject,
  mode: FieldValidationMode,
  bodyProblems: string[],
  patchType: string,
  patch: unknown,
): CheckedFields<KubeObject> {
  const tree = fieldTree(gvkOf(kind));
  const pruned = tree ? pruneUnknownFields(tree, patched, { sortKeys: true }) : { object: patched, unknown: [] };
  if (mode === 'Ignore') return { object: pruned.object as KubeObject, warnings: [] };
  const problems = [...bodyProblems, ...pruned.unknown.map((p) => `unknown field "${p}"`)];
  if (problems.length === 0) return { object: pruned.object as KubeObject, warnings: [] };
  if (mode === 'Warn') return { object: pruned.object as KubeObject, warnings: problems.map(warningHeader) };
  const shown = patchType === STRATEGIC_MERGE_PATCH ? goValue(patch) : goJSON(patched);
  throw invalid({ group: '', kind: '' }, '', [{ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(shown)}: strict decoding error: ${problems.join(', ')}`, field: 'patch' }]);
}

/** An apply body's duplicate keys (the only strict check of an apply): 400 under Strict, warnings under Warn. */
export function checkApplyBody(text: string, mode: FieldValidationMode): string[] {
  if (mode === 'Ignore') return [];
  const duplicates = yamlDuplicateKeys(text);
  if (duplicates.length === 0) return [];
  if (mode === 'Strict') throw badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${duplicates.join('\n  ')}`);
  return duplicates.map(warningHeader);
}
