/**
 * A bounded load generator on loopback, for making a Deployment busy so that the HPA scales it
 * (the lesson's "see it live" step and the end-to-end test): the `while true; do wget -q -O- http://php-apache; done`
 * of upstream's HPA walkthrough, with limits a learner cannot get wrong.
 *
 *   const load = startLoad({ url: 'http://127.0.0.5:80/', rps: 50, durationMs: 60_000 });
 *   ...; const stats = await load.done;      // or load.stop()
 *
 * Bounds (engine/params.ts): at most LOAD_GENERATOR_MAX_RPS requests a second and
 * LOAD_GENERATOR_MAX_DURATION_MS in all, whatever is asked; only http:// to a loopback address
 * (127.0.0.0/8, ::1, localhost): pod addresses in kubelings are loopback ones, and nothing else
 * may be hammered; at most `rps` requests in flight (a slow target gets fewer, never a pile), each
 * abandoned after `requestTimeoutMs`. Invariant: after `done` resolves no request is open and no
 * timer is left.
 */
import { Agent, request } from 'node:http';
import { isIP } from 'node:net';
import { LOAD_GENERATOR_MAX_DURATION_MS, LOAD_GENERATOR_MAX_RPS } from '../params.ts';

export interface LoadOptions {
  /** `http://<loopback address>[:port]/path`. */
  url: string;
  /** Requests per second (capped at LOAD_GENERATOR_MAX_RPS). */
  rps: number;
  /** How long (capped at LOAD_GENERATOR_MAX_DURATION_MS). */
  durationMs: number;
  /** One request is abandoned after this long (default 5 s). */
  requestTimeoutMs?: number;
}

export interface LoadStats {
  /** Requests sent. */
  sent: number;
  /** Answered with a 2xx. */
  ok: number;
  /** Answered otherwise, failed, or timed out. */
  failed: number;
  /** Ticks skipped because `rps` requests were already in flight. */
  skipped: number;
}

export interface Load {
  readonly done: Promise<LoadStats>;
  /** Ends the load now; `done` resolves once the requests in flight have ended. */
  stop(): void;
}

export class LoadGeneratorError extends Error {}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/** Checks and bounds the options; throws a LoadGeneratorError saying what is wrong. */
export function boundedLoad(options: LoadOptions): { url: URL; rps: number; durationMs: number; requestTimeoutMs: number } {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new LoadGeneratorError(`not a URL: "${options.url}"`);
  }
  if (url.protocol !== 'http:') throw new LoadGeneratorError(`the load generator speaks http:// only, not ${url.protocol}//`);
  if (!isLoopback(url.hostname)) throw new LoadGeneratorError(`the load generator only targets loopback addresses (127.0.0.0/8, ::1, localhost), not ${url.hostname}`);
  if (!Number.isFinite(options.rps) || options.rps <= 0) throw new LoadGeneratorError(`rps must be a positive number, not ${options.rps}`);
  if (!Number.isFinite(options.durationMs) || options.durationMs <= 0) throw new LoadGeneratorError(`durationMs must be a positive number, not ${options.durationMs}`);
  return {
    url,
    rps: Math.min(options.rps, LOAD_GENERATOR_MAX_RPS),
    durationMs: Math.min(options.durationMs, LOAD_GENERATOR_MAX_DURATION_MS),
    requestTimeoutMs: Math.max(1, Math.min(options.requestTimeoutMs ?? 5_000, 30_000)),
  };
}

export function startLoad(options: LoadOptions): Load {
  const { url, rps, durationMs, requestTimeoutMs } = boundedLoad(options);
  const agent = new Agent({ keepAlive: true, maxSockets: Math.ceil(rps) });
  const stats: LoadStats = { sent: 0, ok: 0, failed: 0, skipped: 0 };
  const limit = Math.floor((rps * durationMs) / 1000) || 1;
  const open = new Set<ReturnType<typeof request>>();
  let stopped = false;
  let finish!: (s: LoadStats) => void;
  const done = new Promise<LoadStats>((resolve) => (finish = resolve));

  const settle = () => {
    if (!stopped || open.size > 0) return;
    agent.destroy();
    finish({ ...stats });
  };

  const fire = () => {
    if (stopped) return;
    if (stats.sent >= limit) return stop();
    if (open.size >= Math.ceil(rps)) {
      stats.skipped++;
      return;
    }
    stats.sent++;
    /** Counts the request once, whichever of answer, error or timeout comes first. */
    const end = (ok: boolean) => {
      if (!open.delete(req)) return;
      if (ok) stats.ok++;
      else stats.failed++;
      settle();
    };
    const req = request(url, { method: 'GET', agent, timeout: requestTimeoutMs }, (res) => {
      res.resume();
      res.on('end', () => end((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      res.on('error', () => end(false));
    });
    open.add(req);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => end(false));
    req.end();
  };

  const interval = setInterval(fire, 1000 / rps);
  const deadline = setTimeout(() => stop(), durationMs);

  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(interval);
    clearTimeout(deadline);
    settle();
  }

  fire();
  return { done, stop };
}
