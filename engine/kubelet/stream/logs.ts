/**
 * GET /containerLogs/{namespace}/{pod}/{container}: `kubectl logs`, as the kubelet serves it
 * (upstream pkg/kubelet/server/server.go getContainerLogs): the container's CRI log file read by
 * engine/cri/logs/reader.ts with follow, previous, tailLines, sinceSeconds/sinceTime, timestamps
 * and limitBytes. stdout and stderr go to the one response, as they come. A follow ends when the
 * container stops or the client goes away (the read is aborted, the file closed).
 * Errors before the first byte are the kubelet's sentences as text with their code (400 for a
 * container that has not started or has no previous instance, 404 for an unknown pod or container).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readContainerLog, type LogReadOptions } from '../../cri/logs/reader.ts';
import { logContainerId, lookup, StreamError, type StreamHost } from './host.ts';

function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new StreamError(400, `${name}: Invalid value: "${v}": must be a whole number`);
  return Number(v);
}

/** The read options a query asks for (upstream PodLogOptions; negative tail and limit mean none). */
export function logOptionsFrom(query: URLSearchParams, nowMs = Date.now()): LogReadOptions & { previous: boolean } {
  const tail = integer(query, 'tailLines');
  const limitBytes = integer(query, 'limitBytes');
  const sinceSeconds = integer(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new StreamError(400, 'at most one of sinceTime or sinceSeconds may be specified');
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw new StreamError(400, 'sinceSeconds: Invalid value: must be greater than 0');
  if (limitBytes !== undefined && limitBytes < 1) throw new StreamError(400, 'limitBytes: Invalid value: must be greater than 0');
  let since: bigint | undefined;
  if (sinceSeconds !== undefined) since = BigInt(nowMs - sinceSeconds * 1000) * 1_000_000n;
  if (sinceTime) {
    const ms = Date.parse(sinceTime);
    if (Number.isNaN(ms)) throw new StreamError(400, `sinceTime: Invalid value: "${sinceTime}": not an RFC3339 time`);
    since = BigInt(ms) * 1_000_000n;
  }
  return {
    follow: flag(query, 'follow'),
    previous: flag(query, 'previous'),
    timestamps: flag(query, 'timestamps'),
    ...(tail !== undefined && tail >= 0 ? { tail } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(since !== undefined ? { since } : {}),
  };
}

/** Sends a refusal as the kubelet does: text with its code. */
export function refuse(res: ServerResponse, error: unknown): void {
  const code = error instanceof StreamError ? error.code : 500;
  const message = error instanceof Error ? error.message : String(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${message}\n`);
}

/** Serves one containerLogs request; `parts` are the path's namespace, pod and container. */
export async function serveContainerLogs(host: StreamHost, req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new StreamError(405, `method ${req.method} is not allowed on containerLogs`);
    const [namespace, podName, containerName] = parts;
    if (!namespace || !podName || !containerName || parts.length !== 3) throw new StreamError(400, 'the path must be /containerLogs/{namespace}/{pod}/{container}');
    const query = new URL(req.url ?? '/', 'http://kubelet').searchParams;
    const options = logOptionsFrom(query);
    const found = await lookup(host, namespace, podName, containerName);
    const id = logContainerId(found, options.previous);
    const { status } = await host.runtime.containerStatus({ containerId: id }).catch(() => {
      throw new StreamError(404, `container "${containerName}" in pod "${podName}": its log is gone (the runtime no longer has container ${id})`);
    });
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (req.method === 'HEAD') return void res.end();
    const isRunning = async () => {
      const now = await host.runtime.containerStatus({ containerId: id }).catch(() => undefined);
      return now?.status.state === 'CONTAINER_RUNNING';
    };
    await readContainerLog(status.logPath, { ...options, signal: abort.signal }, (_stream, bytes) => res.write(bytes), isRunning);
    res.end();
  } catch (error) {
    refuse(res, error);
  }
}
