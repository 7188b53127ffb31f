/**
 * Writing responses: JSON (the default), YAML when asked (Accept: application/yaml), or a Table
 * when kubectl asks for one (Accept: application/json;as=Table;v=v1;g=meta.k8s.io). Errors are
 * metav1.Status bodies with the Status's own code. Nothing here decides what to send, only how.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { Status } from '../kube/types.ts';

export type Format = 'json' | 'yaml' | 'table';

export interface Negotiated {
  format: Format;
  /** For tables: meta.k8s.io/v1 or v1beta1. */
  tableVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
}

/** What the client asked for in Accept; the first supported media range wins. */
export function negotiate(req: IncomingMessage): Negotiated {
  const accept = req.headers.accept ?? '';
  for (const range of accept.split(',')) {
    const parts = range.split(';').map((p) => p.trim());
    const type = parts[0]!.toLowerCase();
    const params = new Map(parts.slice(1).map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    if (type === 'application/json' && params.get('as') === 'Table') {
      if (params.get('g') !== 'meta.k8s.io') continue;
      const v = params.get('v');
      if (v === 'v1') return { format: 'table', tableVersion: 'meta.k8s.io/v1' };
      if (v === 'v1beta1') return { format: 'table', tableVersion: 'meta.k8s.io/v1beta1' };
      continue;
    }
    if (params.has('as')) continue;
    if (type === 'application/yaml') return { format: 'yaml', tableVersion: 'meta.k8s.io/v1' };
    if (type === 'application/json' || type === '*/*' || type === 'application/*' || type === 'application/vnd.kubernetes.protobuf') {
      return { format: 'json', tableVersion: 'meta.k8s.io/v1' };
    }
  }
  return { format: 'json', tableVersion: 'meta.k8s.io/v1' };
}

/** Sends a body in the negotiated format (tables are already built by the caller). */
export function send(res: ServerResponse, code: number, body: unknown, format: Format = 'json', headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = format === 'yaml' ? toYaml(body) : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': format === 'yaml' ? 'application/yaml' : 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

/** Sends a ready-made JSON string. */
export function sendRaw(res: ServerResponse, code: number, text: string, contentType = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

/** Sends a Status as the error response it describes; Retry-After when it says when to retry (ErrorNegotiated). */
export function sendStatus(res: ServerResponse, status: Status, format: Format = 'json'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const retryAfter = status.details?.retryAfterSeconds;
  send(res, status.code, status, format === 'yaml' ? 'yaml' : 'json', retryAfter && retryAfter > 0 ? { 'Retry-After': String(retryAfter) } : {});
}
