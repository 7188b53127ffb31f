/**
 * The one call the apiserver's write path makes per decoded body: drop unknown fields and apply
 * the request's `fieldValidation` directive, as kube-apiserver's create/update/patch handlers do
 * (k8s.io/apiserver/pkg/endpoints/handlers/create.go, update.go, patch.go):
 * - `Strict`: any unknown or duplicate field fails the request with 400 BadRequest
 *   `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: <problems>`;
 * - `Warn` (the default when the parameter is absent): the request goes on, each problem becomes
 *   a `Warning: 299 - "<problem>"` response header;
 * - `Ignore`: the request goes on silently.
 * In every mode the object that goes on is pruned: unknown fields are never stored.
 *
 * Call it right after decoding the body (and, for a patch, after applying the patch to the live
 * object), before defaulting, admission and validation: upstream's decoder prunes while decoding.
 * Kinds upstream's spec has no schema for pass through unchanged.
 */
import { fieldTree } from './walker.ts';
import { pruneUnknownFields } from './prune.ts';
import { jsonFieldProblems, yamlDuplicateKeys, yamlUnknownFields } from './strict.ts';
import type { GroupVersionKind } from './spec.ts';

export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore';

export const FIELD_VALIDATION_MODES: readonly FieldValidationMode[] = ['Ignore', 'Warn', 'Strict'];

export interface FieldValidationInput {
  /** The decoded object (from JSON.parse, the YAML parser, protobuf, or a patch applied). */
  object: unknown;
  mode: FieldValidationMode;
  /** The request body's text, when the object was decoded from JSON or YAML: duplicates are found there. */
  body?: { text: string; format: 'json' | 'yaml' };
}

export interface FieldValidationResult {
  /** The object to go on with, unknown fields dropped (the same reference when none were). */
  object: unknown;
  /** Paths of the unknown fields dropped (`spec.containers[0].hostPrt`). */
  unknown: string[];
  /** The problems in upstream's words and order (`unknown field "x"`, `duplicate field "y"`, `line 3: ...`). */
  problems: string[];
  /** Strict mode with problems: the BadRequest message to answer with; the write must not go on. */
  strictError?: string;
  /** Warn mode: one `Warning` header value per problem (`299 - "unknown field \"x\""`). */
  warnings: string[];
}

/** The `Warning` header value of one problem (RFC 7234 warn-code 299, agent "-"). */
export function warningHeader(problem: string): string {
  return `299 - ${JSON.stringify(problem)}`;
}

/** Validates `fieldValidation`'s value; undefined (absent) means Warn. Throws a message for a bad value. */
export function parseFieldValidation(value: string | undefined | null): FieldValidationMode {
  if (value === undefined || value === null || value === '') return 'Warn';
  if (!(FIELD_VALIDATION_MODES as readonly string[]).includes(value)) {
    throw new Error(`fieldValidation: Invalid value: "${value}": fieldValidation must be one of "Ignore", "Warn", or "Strict"`);
  }
  return value as FieldValidationMode;
}

/** See the file header. */
export function pruneAndValidate(gvk: GroupVersionKind, input: FieldValidationInput): FieldValidationResult {
  const tree = fieldTree(gvk);
  if (!tree) return { object: input.object, unknown: [], problems: [], warnings: [] };
  const { object, unknown } = pruneUnknownFields(tree, input.object);
  if (input.mode === 'Ignore' || (unknown.length === 0 && !input.body)) return { object, unknown, problems: [], warnings: [] };
  let problems: string[];
  if (input.body?.format === 'json') problems = jsonFieldProblems(tree, input.body.text);
  else if (input.body?.format === 'yaml') problems = [...yamlDuplicateKeys(input.body.text), ...yamlUnknownFields(tree, input.object)];
  else problems = unknown.map((p) => `unknown field "${p}"`);
  if (problems.length === 0) return { object, unknown, problems, warnings: [] };
  if (input.mode === 'Strict') {
    const yamlDuplicates = input.body?.format === 'yaml' ? problems.filter((p) => p.startsWith('line ')) : [];
    const rest = problems.slice(yamlDuplicates.length);
    const parts = [...(yamlDuplicates.length ? [`yaml: unmarshal errors:\n  ${yamlDuplicates.join('\n  ')}`] : []), ...rest];
    return { object, unknown, problems, warnings: [], strictError: `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: strict decoding error: ${parts.join(', ')}` };
  }
  return { object, unknown, problems, warnings: problems.map(warningHeader) };
}
