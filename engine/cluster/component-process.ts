/**
 * One component of `kubelings cluster up` in a process of its own, started by the supervisor
 * (supervisor.ts): `node --import tsx component-process.ts --component NAME --data-dir D
 * [--log-level L] [--stopped-nodes FILE]`. It logs to stdout, which the supervisor reads into
 * logs/NAME.log (as stderr). `--data-dir` names the cluster on the command line, so a left-over
 * process can be told to be this project's (see supervisor.ts); it also reaches the component as
 * options.dataDir, which tells a kubelet it runs under a cluster's state folder (its CA, its tokens).
 *
 * What to run and as whom comes over the IPC channel, never the command line or the environment
 * (other users of the machine can read a process's command line): once it listens it says
 * `hello`, and the supervisor's first message (ComponentStart) names the apiserver and its CA, the
 * component's bearer token and one per further user it acts as (each hollow node's kubelet), and
 * the module and factory export that make the component for the flags. It starts the one named
 * NAME against the apiserver (through the API only, as every Kubernetes component) with clients
 * that authenticate as those users; a client for a user it holds no token for is refused. Tokens
 * are never logged.
 *
 * Over the same channel it tells the supervisor `alive` every SUPERVISOR_HEARTBEAT_MS from the
 * start (a component stuck in a loop stops saying it), `ready` once started, and `failed` with the
 * error when it cannot start (then exits 1). It stops cleanly on SIGTERM/SIGINT, and exits when
 * the supervisor is gone (the IPC channel closes), so a killed daemon leaves no component behind.
 *
 * With --stopped-nodes, a component that can pause a node (the hollow nodes) follows that file:
 * the nodes it lists have their heartbeats stopped (`kubelings node stop`, node-control.ts).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { UserInfo } from '../apiserver/auth.ts';
import { KubelingsError } from '../errors.ts';
import { SUPERVISOR_HEARTBEAT_MS } from '../params.ts';
import { ROOT } from '../paths.ts';
import type { ClusterComponent } from './cluster.ts';
import { createLogger } from './logger.ts';

/** What a component process tells the supervisor. */
export type ComponentMessage = { type: 'hello' } | { type: 'ready' } | { type: 'alive' } | { type: 'failed'; error: string };

/** The supervisor's first (and only) message to a component process: what to run, where, as whom. */
export interface ComponentStart {
  type: 'start';
  /** The apiserver's URL (https). */
  server: string;
  /** The CA certificate (PEM) to trust for it. */
  ca: string;
  /** The component's own bearer token (its `user`). */
  token: string;
  /** A token for each further user it acts as. */
  identities: { user: UserInfo; token: string }[];
  /** The module (from the repository root) whose `factory` export makes the component. */
  module: string;
  factory: string;
  flags: Record<string, unknown>;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    component: { type: 'string' },
    'data-dir': { type: 'string' },
    'log-level': { type: 'string' },
    'stopped-nodes': { type: 'string' },
  },
  strict: true,
});
// Both go to the supervisor through pipes: once it is gone (a kill -9) a write fails with EPIPE,
// which must not crash the component before it notices and stops (the disconnect below).
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const name = values.component ?? '';
const level = (values['log-level'] ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
const logger = createLogger(process.stdout, name || 'component', level);
const send = (message: ComponentMessage, then?: () => void) => {
  if (process.send && process.connected) process.send(message, undefined, {}, () => then?.());
  else then?.();
};

/** The first message, checked for shape (a message of another shape is refused, not half used). */
function startMessage(): Promise<ComponentStart> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new KubelingsError('component-process.ts runs under the supervisor (it needs an IPC channel)'));
    process.once('message', (message: Partial<ComponentStart>) => {
      const str = (v: unknown) => typeof v === 'string' && v !== '';
      const wellFormed =
        message?.type === 'start' &&
        [message.server, message.ca, message.token, message.module, message.factory].every(str) &&
        Array.isArray(message.identities) &&
        message.identities.every((i) => str(i?.token) && str(i?.user?.username) && Array.isArray(i.user.groups)) &&
        typeof message.flags === 'object' &&
        message.flags !== null;
      if (wellFormed) resolve(message as ComponentStart);
      else reject(new KubelingsError("the supervisor's first message is not a start message"));
    });
    send({ type: 'hello' });
  });
}

// From the first moment, so that a component stuck while it starts is told from a slow one.
const heartbeat = setInterval(() => send({ type: 'alive' }), SUPERVISOR_HEARTBEAT_MS);
// The supervisor gone (even while this one still starts): stop, cleanly once started.
let whenOrphaned: () => void = () => process.exit(0);
process.on('disconnect', () => whenOrphaned());
// Gone before this listener was there (killed while this process was still loading): its
// 'disconnect' was emitted to nobody, and no start message will ever come.
if (process.send && !process.connected) whenOrphaned();

try {
  if (!name) throw new KubelingsError('component-process.ts needs --component NAME');
  const start = await startMessage();
  const { KubeClient } = await import('../client/client.ts');
  const { systemClock } = await import('../etcd/clock.ts');
  const made = (await import(pathToFileURL(join(ROOT, start.module)).href)) as Record<string, unknown>;
  const factory = made[start.factory];
  if (typeof factory !== 'function') throw new KubelingsError(`${start.module} has no function ${start.factory} that makes components`);
  const component = (factory as (flags: Record<string, unknown>) => ClusterComponent[])(start.flags).find((c) => c.name === name);
  if (!component) throw new KubelingsError(`no component named "${name}" runs with these flags`);

  const self = component.user ?? { username: name, groups: [] };
  const tokens = new Map([[self.username, start.token], ...start.identities.map((i) => [i.user.username, i.token] as const)]);
  /** The token of `user`; a user the supervisor issued none for is refused (the component lists it in `identities`). */
  const tokenOf = (user: UserInfo) => {
    const token = tokens.get(user.username);
    if (token === undefined)
      throw new KubelingsError(
        `the ${name} process holds no token for the user "${user.username}": list that user in the component's identities (ClusterComponent.identities) so the supervisor issues one`,
      );
    return token;
  };
  const clients: InstanceType<typeof KubeClient>[] = [];
  const newClient = (userAgent: string, user: UserInfo = self) => {
    const client = new KubeClient({ server: start.server, ca: start.ca, token: tokenOf(user), userAgent });
    clients.push(client);
    return client;
  };
  const client = newClient(name);
  const running = await component.start({
    apiserverUrl: start.server,
    client,
    newClient,
    clientAs: (user, userAgent) => client.withToken(tokenOf(user), userAgent),
    clock: systemClock,
    logger,
    options: { flags: start.flags, ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) },
  });
  logger.info('component started', { pid: process.pid, user: self.username });
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
