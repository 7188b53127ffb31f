/**
 * Request bodies: read with a size limit, then decoded by Content-Type into a JSON value.
 *
 * - application/json (and a missing Content-Type, which `kubectl scale --current-replicas` sends),
 *   the three JSON patch types, and application/apply-patch+yaml (kubectl sends JSON there, and
 *   JSON is YAML) or application/yaml: parsed as JSON or YAML;
 * - application/vnd.kubernetes.protobuf: the few messages protobuf.ts knows;
 * - anything else: 415 UnsupportedMediaType.
 *
 * Errors are the client's: 400 for a body that does not parse (with the reason and the start of the
 * body), 413 over the limit. Nesting deeper than MAX_DEPTH is refused too, so that no later
 * recursion can overflow the stack on a hostile body.
 */
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../kube/errors.ts';
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from './protobuf.ts';

export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** How deep a body may nest objects and arrays. */
const MAX_DEPTH = 100;

export const BODY_TYPES = ['application/json', 'application/yaml', PROTOBUF_CONTENT_TYPE];
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH];

/** The media type of a Content-Type header, lowercased, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Reads the whole body; 413 as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(requestEntityTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(requestEntityTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(badRequest(`could not read the request body: ${error.message}`));
      }
    });
  });
}

function tooDeep(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (Array.isArray(value)) return value.some((v) => tooDeep(v, depth + 1));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => tooDeep(v, depth + 1));
  return false;
}

function summary(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)} ...` : text;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`${what}: couldn't get version/kind; json parse error: ${(error as Error).message} (${summary(text)})`);
  }
}

function parseYaml(text: string, what: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw badRequest(`${what}: error converting YAML to JSON: yaml: ${doc.errors[0]!.message.split('\n')[0]}`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw badRequest(`${what}: error converting YAML to JSON: ${(error as Error).message}`);
  }
}

/**
 * Decodes a body into a JSON value. `what` starts parse errors, as the real apiserver does:
 * `the object provided is unrecognized (must be of type Pod)`.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, what: string, allowed: readonly string[] = BODY_TYPES): unknown {
  let type = mediaType(contentType);
  if (type === '' || type === '*/*') type = 'application/json';
  if (!allowed.includes(type)) throw unsupportedMediaType(type, [...allowed]);
  let value: unknown;
  if (type === PROTOBUF_CONTENT_TYPE) value = decodeProtobufObject(body);
  else if (type === 'application/yaml' || type === APPLY_PATCH) value = parseYaml(body.toString('utf8'), what);
  else value = parseJson(body.toString('utf8'), what);
  if (tooDeep(value, 0)) throw badRequest(`${what}: the body nests objects more than ${MAX_DEPTH} levels deep`);
  return value;
}

/** Checks that a decoded body is a JSON object (not an array, a string, null). */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    throw badRequest(
      `${what}: couldn't get version/kind; json parse error: json: cannot unmarshal ${kind} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  return value as Record<string, unknown>;
}
