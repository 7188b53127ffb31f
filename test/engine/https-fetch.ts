/**
 * fetch() for the tests, over node:https trusting one CA (the test cluster's): Node's global fetch
 * cannot be given a CA without the undici package. It takes the part of RequestInit the tests use
 * (method, headers, a string or byte body, signal) and answers a standard Response whose body
 * streams (watches read it as it comes). Unlike a browser's fetch it adds no header of its own but
 * Host, and Content-Length for a body: what a test sends is what the server sees. The server's
 * certificate is checked against the URL's host, never against a Host header a test sets (node's
 * agent would take the TLS server name from it: a test of `Host: evil.example` must reach the
 * server to see what it answers).
 */
import { request } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** A fetch() that trusts `ca` (PEM), and adds `headers` to every request (a test's own headers win). */
export function httpsFetch(ca: string, headers: Record<string, string> = {}): Fetch {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const sent = new Headers(headers);
      new Headers(init.headers).forEach((value, name) => sent.set(name, value));
      const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? Buffer.from(init.body) : Buffer.from(init.body as Uint8Array);
      if (body !== undefined && !sent.has('content-length')) sent.set('content-length', String(body.length));
      const { hostname } = new URL(url);
      const name = hostname.replace(/^\[|\]$/g, '');
      // SNI carries names only (RFC 6066): '' for an address; the certificate is then checked against the URL's host.
      const servername = isIP(name) ? '' : name;
      const req = request(url, { method: init.method ?? 'GET', headers: Object.fromEntries(sent), ca, servername, signal: init.signal ?? undefined }, (res) => {
        const got = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) got.append(name, v);
          else if (value !== undefined) got.set(name, value);
        }
        const status = res.statusCode ?? 0;
        const empty = status === 204 || status === 304 || init.method === 'HEAD';
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), { status, headers: got }));
      });
      req.on('error', reject);
      req.end(body);
    });
}
