/**
 * The `kubelings/kv` image: a small key-value server on the pod's address (port 8080 unless the
 * container declares another), the storage of the capstone app.
 *   PUT    /keys/<key>   stores the body (201 when new, 204 when replaced; at most 1 MiB: 413)
 *   GET    /keys/<key>   the stored bytes (404 when absent)
 *   DELETE /keys/<key>   204, or 404 when absent
 *   GET    /keys         the keys, as a JSON array, sorted
 *   GET    /healthz      ok
 * Data lives in KV_DATA_DIR (/data) of the container's folder, one file per key (its name the
 * key in base64url), each written to a temporary file and renamed, so a kill never leaves half a
 * value. A key is 1 to 250 characters.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { containerPath, exitOn, fail, listenAddress, readBody, serveHttp } from './common.ts';

const MAX_VALUE = 1024 * 1024;
const dir = containerPath(process.env.KV_DATA_DIR ?? '/data');
try {
  mkdirSync(dir, { recursive: true });
} catch (error) {
  fail(`kubelings/kv: cannot create the data folder ${dir}: ${(error as Error).message}`);
}
const fileOf = (key: string) => join(dir, `${Buffer.from(key).toString('base64url')}.value`);

function reply(res: ServerResponse, status: number, body: string | Buffer = '', type = 'text/plain'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

const address = listenAddress(8080);
const server = await serveHttp(
  address,
  (req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://kv').pathname;
      const log = (status: number) => process.stdout.write(`${new Date().toISOString()} ${req.method} ${path} ${status}\n`);
      if (path === '/healthz') return reply(res, 200, 'ok\n');
      if (path === '/keys' && req.method === 'GET') {
        const keys = readdirSync(dir)
          .filter((n) => n.endsWith('.value'))
          .map((n) => Buffer.from(n.slice(0, -6), 'base64url').toString())
          .sort();
        log(200);
        return reply(res, 200, `${JSON.stringify(keys)}\n`, 'application/json');
      }
      if (!path.startsWith('/keys/')) return reply(res, 404, 'not found: use /keys/<key>\n');
      let key: string;
      try {
        key = decodeURIComponent(path.slice('/keys/'.length));
      } catch {
        return reply(res, 400, 'the key is not valid percent-encoding\n');
      }
      if (key.length < 1 || key.length > 250) return reply(res, 400, 'a key is 1 to 250 characters\n');
      const file = fileOf(key);
      if (req.method === 'GET') {
        if (!existsSync(file)) return (log(404), reply(res, 404, `key "${key}" not found\n`));
        log(200);
        return reply(res, 200, readFileSync(file), 'application/octet-stream');
      }
      if (req.method === 'PUT') {
        const body = await readBody(req, MAX_VALUE);
        if (body === undefined) return (log(413), reply(res, 413, `a value is at most ${MAX_VALUE} bytes\n`));
        const existed = existsSync(file);
        const temp = `${file}.${process.pid}.tmp`;
        writeFileSync(temp, body);
        renameSync(temp, file);
        log(existed ? 204 : 201);
        return reply(res, existed ? 204 : 201);
      }
      if (req.method === 'DELETE') {
        if (!existsSync(file)) return (log(404), reply(res, 404, `key "${key}" not found\n`));
        rmSync(file, { force: true });
        log(204);
        return reply(res, 204);
      }
      reply(res, 405, 'use GET, PUT or DELETE\n');
    })().catch((error: Error) => reply(res, 500, `${error.message}\n`));
  },
  'kubelings/kv',
);
process.stdout.write(`kubelings/kv: listening on ${address.host}:${address.port}, data in ${dir}\n`);
exitOn(server, ['SIGTERM', 'SIGINT'], (signal) => process.stdout.write(`kubelings/kv: ${signal}, stopping\n`));
