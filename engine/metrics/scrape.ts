/**
 * One scrape of one kubelet, as metrics-server's kubelet client does
 * (sigs.k8s.io/metrics-server pkg/scraper/client): GET https://<InternalIP>:<kubelet port>/stats/summary?only_cpu_and_memory=true,
 * the kubelet's serving certificate verified against the cluster CA (no skipping verification),
 * a bearer token, and the whole exchange bounded: connect to last byte within `timeoutMs`, the
 * body within `maxBytes`. Every failure is a ScrapeError saying which node and why; the caller
 * skips that node for the round.
 */
import { request } from 'node:https';
import { isIP } from 'node:net';
import type { Node } from '../kube/types.ts';

export class ScrapeError extends Error {
  constructor(
    message: string,
    /** The Node names no kubelet port at all (a hollow node): nothing to ask, nothing gone wrong. */
    readonly noKubelet = false,
  ) {
    super(message);
  }
}

export interface KubeletAddress {
  node: string;
  host: string;
  port: number;
}

export interface ScrapeOptions {
  /** The CA (PEM) the kubelets' serving certificates come from. */
  ca: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Where a Node's kubelet listens: its InternalIP and status.daemonEndpoints.kubeletEndpoint.Port. */
export function kubeletAddress(node: Node): KubeletAddress | ScrapeError {
  const name = node.metadata.name ?? '';
  const status = (node.status ?? {}) as { addresses?: { type?: string; address?: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const host = status.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host) return new ScrapeError(`unable to fully scrape metrics from node ${name}: node has no InternalIP address`);
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) return new ScrapeError(`unable to fully scrape metrics from node ${name}: node has no kubelet port`, true);
  return { node: name, host, port };
}

/** The parsed JSON of the kubelet's /stats/summary. */
export function scrapeSummary(target: KubeletAddress, options: ScrapeOptions): Promise<unknown> {
  const fail = (why: string) => new ScrapeError(`unable to fully scrape metrics from node ${target.node}: ${why}`);
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: Error | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value);
    };
    const host = target.host.replace(/^\[|\]$/g, '');
    const req = request(
      {
        host,
        port: target.port,
        path: '/stats/summary?only_cpu_and_memory=true',
        method: 'GET',
        ca: options.ca,
        // SNI carries names only; an address is checked against the certificate's IP names.
        servername: isIP(host) ? '' : host,
        headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            req.destroy();
            done(fail(`summary larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => done(fail(error.message)));
        res.on('end', () => {
          if (res.statusCode !== 200) return done(fail(`request failed, status: "${`${res.statusCode} ${res.statusMessage ?? ''}`.trim()}"`));
          try {
            done(undefined, JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            done(fail('the summary is not JSON'));
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done(fail(`request timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on('error', (error) => done(fail(error.message)));
    req.end();
  });
}
