/**
 * The built-in store behind its JSON gateway (engine/etcd/gateway.ts), reached with the client a
 * real etcd is reached with (engine/etcd/remote.ts): every table of lesson 01 must still hold over
 * HTTP, so the gateway speaks etcd's protocol and the client reads it back faithfully. Runs
 * without an etcd binary; the cross-check runs the same client against a real etcd.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '#engine/etcd/clock.ts';
import { serveGateway, type Gateway } from '#engine/etcd/gateway.ts';
import type { KVStore } from '#engine/etcd/kv.ts';
import { connectEtcd } from '#engine/etcd/remote.ts';
import { createStore } from '#engine/etcd/store.ts';
import { scenarioContext, scenarios } from '../grading/etcd/support/scenarios.ts';
import { expectSame } from '../grading/etcd/support/harness.ts';

let server: KVStore;
let gateway: Gateway;
let client: KVStore;
const clock = new ManualClock(0);

beforeAll(async () => {
  server = await createStore({ clock });
  gateway = await serveGateway(server);
  client = await connectEtcd(gateway.endpoint);
});

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await server?.close();
});

describe('the built-in store over its JSON gateway keeps every table', () => {
  scenarios.forEach((scenario, index) => {
    test(`${scenario.exercise}: ${scenario.title}`, async () => {
      const ctx = scenarioContext(client, scenario, await client.revision(), {
        check: (what, actual, expected) => expectSame(actual, expected, `over the gateway: ${what}`),
        pass: async (ms) => {
          clock.advance(ms);
          await new Promise((resolve) => setTimeout(resolve, 20));
        },
        prefix: '/gateway/',
        leaseBase: 5000 + index * 100,
        waitMs: 1000,
      });
      try {
        await scenario.run(ctx);
      } finally {
        ctx.closeWatches();
      }
    });
  });

  test('health, unknown paths and bad bodies answer as etcd does', async () => {
    expect(await (await fetch(`${gateway.endpoint}/health`)).json(), 'GET /health').toEqual({ health: 'true' });
    expect((await fetch(`${gateway.endpoint}/v3/nope`, { method: 'POST', body: '{}' })).status, 'POST /v3/nope').toBe(404);
    const bad = await fetch(`${gateway.endpoint}/v3/kv/put`, { method: 'POST', body: '{not json' });
    expect([bad.status, ((await bad.json()) as { code: number }).code], 'POST /v3/kv/put with a broken body: [HTTP status, gRPC code]').toEqual([400, 3]);
  });
});
