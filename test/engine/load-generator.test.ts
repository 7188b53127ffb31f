/**
 * The bounded load generator (engine/metrics/load-generator.ts): it refuses anything but http://
 * on loopback, caps rate and duration at engine/params.ts's bounds, never has more than `rps`
 * requests in flight against a target that does not answer, and leaves nothing open when done.
 * Only upper bounds are asserted on counts: a loaded machine may send fewer, never more.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { boundedLoad, isLoopback, LoadGeneratorError, startLoad } from '#engine/metrics/load-generator.ts';
import { LOAD_GENERATOR_MAX_DURATION_MS, LOAD_GENERATOR_MAX_RPS } from '#engine/params.ts';

let target: Server;
let silent: Server;
let hits = 0;
let open = 0;
let maxOpen = 0;
const base = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;

beforeAll(async () => {
  target = createServer((_req, res) => {
    hits++;
    res.end('OK!');
  });
  silent = createServer(() => {}); // accepts, never answers
  silent.on('connection', (socket) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    socket.on('close', () => open--);
  });
  await Promise.all([target, silent].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
});

afterAll(async () => {
  for (const s of [target, silent]) s.closeAllConnections();
  await Promise.all([target, silent].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('the bounded load generator', () => {
  test('only http:// to loopback; rate and duration positive', () => {
    expect(['127.0.0.1', '127.3.4.5', '::1', '[::1]', 'localhost'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['10.0.0.1', '128.0.0.1', 'example.com', '0.0.0.0'].map(isLoopback)).toEqual([false, false, false, false]);
    expect(() => boundedLoad({ url: 'http://10.1.2.3/', rps: 1, durationMs: 1 })).toThrow(
      new LoadGeneratorError('the load generator only targets loopback addresses (127.0.0.0/8, ::1, localhost), not 10.1.2.3'),
    );
    expect(() => boundedLoad({ url: 'https://127.0.0.1/', rps: 1, durationMs: 1 })).toThrow('http:// only');
    expect(() => boundedLoad({ url: 'not a url', rps: 1, durationMs: 1 })).toThrow('not a URL');
    expect(() => boundedLoad({ url: 'http://127.0.0.1/', rps: 0, durationMs: 1 })).toThrow('rps must be a positive number');
    expect(() => boundedLoad({ url: 'http://127.0.0.1/', rps: Number.NaN, durationMs: 1 })).toThrow('rps must be a positive number');
    expect(() => boundedLoad({ url: 'http://127.0.0.1/', rps: 1, durationMs: -5 })).toThrow('durationMs must be a positive number');
  });

  test('whatever is asked, rate and duration are capped', () => {
    const b = boundedLoad({ url: 'http://127.0.0.1/', rps: 1e9, durationMs: 1e12 });
    expect([b.rps, b.durationMs]).toEqual([LOAD_GENERATOR_MAX_RPS, LOAD_GENERATOR_MAX_DURATION_MS]);
  });

  test('at 40 rps for 500 ms it sends at most 20 requests, all answered, and ends', async () => {
    hits = 0;
    const stats = await startLoad({ url: base(target), rps: 40, durationMs: 500 }).done;
    expect(stats.sent).toBeGreaterThan(0);
    expect(stats.sent).toBeLessThanOrEqual(20);
    expect(stats).toMatchObject({ ok: stats.sent, failed: 0 });
    expect(hits).toBe(stats.sent);
  });

  test('a target that never answers: never more than rps requests open, each abandoned at its timeout, nothing left open', async () => {
    const stats = await startLoad({ url: base(silent), rps: 5, durationMs: 1_000, requestTimeoutMs: 300 }).done;
    expect(maxOpen).toBeLessThanOrEqual(5);
    expect(stats.ok).toBe(0);
    expect(stats.failed).toBe(stats.sent);
    await new Promise((r) => setTimeout(r, 50));
    expect(open).toBe(0);
  });

  test('stop() ends it early', async () => {
    const load = startLoad({ url: base(target), rps: 10, durationMs: 60_000 });
    load.stop();
    const stats = await load.done;
    expect(stats.sent).toBeLessThanOrEqual(1);
  });
});
