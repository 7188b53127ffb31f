/**
 * Serving one watch over HTTP (upstream: handlers/watch.go serveWatch): `GET ...?watch=true`
 * becomes a long chunked response with one JSON event per line ({"type":"ADDED","object":{...}}),
 * kept open until the client goes, the timeout passes, or the client is too slow to keep up. What
 * the events are is the storage layer's (storage/watch.ts); this encodes them, as JSON or as Table
 * rows for `kubectl get -w`. An event's bytes are built once and shared by every watcher that gets
 * the same bytes.
 */
import { badRequest } from '../../kube/errors.ts';
import type { KubeObject, WatchEvent } from '../../kube/types.ts';
import { WATCH_DEFAULT_TIMEOUT_SECONDS, WATCH_MAX_BUFFERED_BYTES } from '../../params.ts';
import { tableColumns, tableRow } from '../table.ts';
import type { StoredScope } from './context.ts';
import { checkResourceVersion } from './decode.ts';
import { includeObject } from './respond.ts';

/** Shared serialisations, per event object: `${format}|${type}` → the line, encoded once. */
const lines = new WeakMap<object, Map<string, Buffer>>();

function line(event: WatchEvent, format: string, build: () => string): Buffer {
  const key = `${format}|${event.type}`;
  let byFormat = lines.get(event.object as object);
  if (!byFormat) {
    byFormat = new Map();
    lines.set(event.object as object, byFormat);
  }
  let bytes = byFormat.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(build(), 'utf8');
    byFormat.set(key, bytes);
  }
  return bytes;
}

export async function watch(scope: StoredScope): Promise<void> {
  const { ctx, res, negotiated } = scope.request;
  await ctx.watches.admitted();
  const { kind, query } = scope;
  const timeoutText = query.get('timeoutSeconds');
  const timeoutSeconds = timeoutText === null ? WATCH_DEFAULT_TIMEOUT_SECONDS : Number(timeoutText);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`invalid timeoutSeconds "${timeoutText}": must be a whole number of seconds`);
  checkResourceVersion(query.get('resourceVersion') ?? '');
  const prepared = await ctx.registry.watch(kind, scope.namespace, {
    labelSelector: query.get('labelSelector') ?? '',
    fieldSelector: query.get('fieldSelector') ?? '',
    resourceVersion: query.get('resourceVersion') ?? '',
    allowBookmarks: query.get('allowWatchBookmarks') === 'true',
  });

  const table = negotiated.format === 'table';
  const include = includeObject(query);
  let firstTable = true;
  const serialise = (event: WatchEvent): string | Buffer => {
    if (event.type === 'ERROR') return `${JSON.stringify(event)}\n`;
    if (!table || event.type === 'BOOKMARK') return line(event, 'json', () => `${JSON.stringify(event)}\n`);
    const withColumns = firstTable;
    firstTable = false;
    const build = () => {
      const object = {
        kind: 'Table',
        apiVersion: negotiated.tableVersion,
        metadata: { resourceVersion: event.object.metadata?.resourceVersion },
        columnDefinitions: withColumns ? tableColumns(kind) : [],
        rows: [tableRow(kind, event.object as KubeObject, ctx.clock.now(), include)],
      };
      return `${JSON.stringify({ type: event.type, object })}\n`;
    };
    return withColumns ? build() : line(event, `table-${include}-${negotiated.tableVersion}`, build);
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let closed = false;
  let stop = () => {};
  let timer: NodeJS.Timeout | undefined;
  let forget = () => {};
  const finish = () => {
    if (closed) return;
    closed = true;
    stop();
    forget();
    if (timer) clearTimeout(timer);
    res.end();
  };
  res.on('close', finish);
  forget = ctx.watches.add(finish);
  // A client that left while this watch waited (paused, or for a fresh resourceVersion) fired 'close' already.
  if (res.destroyed) return finish();
  stop = prepared.start({
    send(events) {
      for (const event of events) {
        if (closed) return;
        res.write(serialise(event));
      }
      if (res.writableLength > WATCH_MAX_BUFFERED_BYTES) finish();
    },
    end: finish,
    fail(error, where) {
      ctx.log.error(`${where} failed`, { error: (error as Error)?.message ?? String(error) });
      finish();
    },
  });
  if (closed) stop();
  else timer = setTimeout(finish, (timeoutSeconds > 0 ? timeoutSeconds : WATCH_DEFAULT_TIMEOUT_SECONDS) * 1000);
}
