/**
 * Runs the built-in store as its own process, reachable the way a real etcd is (its v3 JSON
 * gateway protocol, see gateway.ts), on 127.0.0.1:
 *
 *   npx tsx engine/etcd/serve.ts [--data-dir DIR] [--port N] [--impl SPEC]
 *
 * Without --data-dir the store is in memory. Prints `listening <endpoint>` once it serves; stops
 * cleanly (every acknowledged write on disk) on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, impl: { type: 'string' } } });
if (values.impl) process.env.KUBELINGS_IMPL = values.impl;

const { createStore } = await import('./store.ts');
const { serveGateway } = await import('./gateway.ts');

const store = await createStore({ dataDir: values['data-dir'] });
const gateway = await serveGateway(store, { port: values.port ? Number(values.port) : 0 });
process.stdout.write(`listening ${gateway.endpoint}\n`);

const stop = async () => {
  await gateway.close();
  await store.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
