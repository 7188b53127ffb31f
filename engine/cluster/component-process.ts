/**
 * One component of `kubelings cluster up` in a process of its own, started by the supervisor
 * (supervisor.ts): `node --import tsx component-process.ts --component NAME --server URL
 * --data-dir D --flags JSON [--log-level L] [--stopped-nodes FILE]`. It makes the built-in
 * components for the flags (builtin.ts), starts the one named NAME against the apiserver at URL
 * (through the API only, as every Kubernetes component), and logs to stdout, which the supervisor
 * points at logs/NAME.log. `--data-dir` is not read: it names the cluster on the command line, so a
 * left-over process can be told to be this project's (see supervisor.ts).
 *
 * Over its IPC channel it tells the supervisor `alive` every SUPERVISOR_HEARTBEAT_MS from the start
 * (a component stuck in a loop stops saying it), `ready` once started, and `failed` with the error
 * when it cannot start (then exits 1). It stops cleanly on SIGTERM/SIGINT, and exits when the
 * supervisor is gone (the IPC channel closes), so a killed daemon leaves no component behind.
 *
 * With --stopped-nodes, a component that can pause a node (the hollow nodes) follows that file:
 * the nodes it lists have their heartbeats stopped (`kubelings node stop`, node-control.ts).
 */
import { parseArgs } from 'node:util';
import { KubelingsError } from '../errors.ts';
import { SUPERVISOR_HEARTBEAT_MS } from '../params.ts';
import { createLogger } from './logger.ts';

/** What a component process tells the supervisor. */
export type ComponentMessage = { type: 'ready' } | { type: 'alive' } | { type: 'failed'; error: string };

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    component: { type: 'string' },
    server: { type: 'string' },
    'data-dir': { type: 'string' },
    flags: { type: 'string' },
    'log-level': { type: 'string' },
    'stopped-nodes': { type: 'string' },
  },
  strict: true,
});
const name = values.component ?? '';
const level = (values['log-level'] ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
const logger = createLogger(process.stdout, name || 'component', level);
const send = (message: ComponentMessage, then?: () => void) => {
  if (process.send && process.connected) process.send(message, undefined, {}, () => then?.());
  else then?.();
};

// From the first moment, so that a component stuck while it starts is told from a slow one.
const heartbeat = setInterval(() => send({ type: 'alive' }), SUPERVISOR_HEARTBEAT_MS);
// The supervisor gone (even while this one still starts): stop, cleanly once started.
let whenOrphaned: () => void = () => process.exit(0);
process.on('disconnect', () => whenOrphaned());

try {
  if (!name || !values.server) throw new KubelingsError('component-process.ts needs --component NAME and --server URL');
  const flags = JSON.parse(values.flags ?? '{}') as Record<string, unknown>;
  const { builtinComponents } = await import('./builtin.ts');
  const { KubeClient } = await import('../client/client.ts');
  const { systemClock } = await import('../etcd/clock.ts');
  const component = builtinComponents(flags).find((c) => c.name === name);
  if (!component) throw new KubelingsError(`no component named "${name}" runs with these flags`);
  const clients: InstanceType<typeof KubeClient>[] = [];
  const newClient = (userAgent: string) => {
    const client = new KubeClient({ server: values.server!, userAgent });
    clients.push(client);
    return client;
  };
  const running = await component.start({
    apiserverUrl: values.server,
    client: newClient(name),
    newClient,
    clock: systemClock,
    logger,
    options: { flags },
  });
  logger.info('component started', { pid: process.pid });
  send({ type: 'ready' });

  let unwatch = () => {};
  const pausable = running as { pause?: (node: string) => void; resume?: (node: string) => void };
  if (values['stopped-nodes'] && pausable.pause && pausable.resume) {
    const { followStoppedNodes } = await import('./node-control.ts');
    unwatch = followStoppedNodes(values['stopped-nodes'], { pause: pausable.pause, resume: pausable.resume }, logger);
  }

  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(heartbeat);
    unwatch();
    logger.info('stopping', { why });
    try {
      await running.stop();
    } catch (error) {
      logger.error('stop failed', { error: (error as Error)?.message ?? String(error) });
    }
    for (const c of clients) c.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  whenOrphaned = () => void shutdown('the supervisor is gone');
  if (process.send && !process.connected) whenOrphaned();
} catch (error) {
  const e = error as Error;
  const message = e?.message ?? String(error);
  logger.error('component failed to start', { error: message });
  if (!(error instanceof KubelingsError) && e?.stack) logger.error('where', { stack: e.stack });
  clearInterval(heartbeat);
  send({ type: 'failed', error: message }, () => process.exit(1));
}
