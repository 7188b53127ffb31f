/**
 * The background control plane that `kubelings cluster up` starts: `node --import tsx daemon.ts
 * --port N --data-dir D [--etcd-servers URL,...] [--etcd-compaction-interval MS] --flags JSON`. It
 * prepares the credentials, kept across restarts (tokens.csv with the admin's bearer token,
 * token-file.ts; pki/ with the CA and serving certificate, pki-files.ts), runs the store and the
 * apiserver in this process (startCluster() without components, with those tokens and that
 * certificate) and is the supervisor of the built-in components, each an OS process of its own
 * with a bearer token of its own, handed over its IPC channel (supervisor.ts, component-process.ts:
 * logs in logs/NAME.log, restarted with backoff when they exit). It writes cluster.json once the apiserver answers and every component has started (or
 * failed, or was given up on), logs to stdout (the CLI points it at a fresh cluster.log), and on
 * SIGTERM or SIGINT stops everything cleanly (component processes, apiserver, then the store, so
 * every acknowledged write is on disk) and removes its pid and state files.
 *
 * If it cannot start (the port is taken, the learner's code throws while loading, ...) it logs one
 * line `"the control plane failed to start" error="..."` (START_FAILED), which the CLI shows, and
 * exits 1. The engine is imported inside that guard, so a component that fails at import time is
 * reported the same way rather than as a raw stack.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubelingsError } from '../errors.ts';
import { createLogger } from './logger.ts';
import { START_FAILED } from './logfile.ts';
import { clusterPaths, type ClusterState } from './paths.ts';
import { preparePki } from './pki-files.ts';
import { prepareTokenFile } from './token-file.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'etcd-servers': { type: 'string' },
    'etcd-compaction-interval': { type: 'string' },
    flags: { type: 'string' },
    'log-level': { type: 'string' },
  },
  strict: true,
});
const paths = clusterPaths();
const level = (values['log-level'] ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
const logger = createLogger(process.stdout, 'kubelings', level);
const dataDir = values['data-dir'] ?? paths.dataDir;
const etcdServers = values['etcd-servers'] ? values['etcd-servers'].split(',') : undefined;
const compactionIntervalMs = values['etcd-compaction-interval'] === undefined ? undefined : Number(values['etcd-compaction-interval']);

try {
  const flags = JSON.parse(values.flags ?? '{}') as Record<string, unknown>;
  const { formatImplChoice, currentChoice } = await import('../impl.ts');
  const { builtinComponents } = await import('./builtin.ts');
  const { startCluster } = await import('./cluster.ts');
  const { Supervisor, specsOf } = await import('./supervisor.ts');
  const { rotateLog } = await import('./logfile.ts');
  const { overflowFile } = await import('./bounded-log.ts');
  const { tokens, warnings } = prepareTokenFile(paths.tokenFile);
  const pki = preparePki(paths.pkiDir);
  for (const warning of [...warnings, ...pki.warnings]) logger.warn(warning);
  // Made here once so that flags the components refuse stop the start with their message.
  const specs = specsOf(builtinComponents(flags));
  const names = specs.map((c) => c.name);
  const cluster = await startCluster({ dataDir, etcdServers, compactionIntervalMs, port: Number(values.port ?? 0), logger, flags, tokens, tls: pki.tls });
  mkdirSync(paths.logsDir, { recursive: true });
  for (const name of names) {
    rotateLog(join(paths.logsDir, `${name}.log`));
    rmSync(overflowFile(join(paths.logsDir, `${name}.log`)), { force: true }); // the last run's older part: its newest is NAME.log.1
  }
  rmSync(paths.stoppedNodesFile, { force: true }); // every node starts with its heartbeats on
  // Each component process is its own user with a token of its own, handed over on its IPC channel.
  const supervisor = new Supervisor({
    server: cluster.url,
    ca: cluster.ca,
    issueToken: (user) => cluster.apiserver.issueToken(user),
    dataDir,
    flags,
    paths,
    logger: logger.child('supervisor'),
    logLevel: level,
    // Tests on a loaded machine (a component may take more than SUPERVISOR_START_WAIT_MS to load and fail) give more.
    startWaitMs: Number(process.env.KUBELINGS_COMPONENT_START_WAIT_MS) || undefined,
  });
  await supervisor.start(specs);
  // metrics.k8s.io (kubectl top, the HPA): a metrics-server beside the apiserver, scraping each real
  // node's kubelet with the apiserver's kubelet-client credential; `--metric-resolution 3s` as metrics-server's flag.
  const { serveMetrics } = await import('../metrics/metrics-server.ts');
  const { durationFlag } = await import('../controllers/component.ts');
  const metrics = serveMetrics(cluster.apiserver, {
    resolutionMs: durationFlag(flags['metric-resolution'] ?? flags.metricResolution),
    client: cluster.client,
    ca: cluster.apiserver.kubeletClient.ca,
    token: cluster.apiserver.kubeletClient.token,
    logger: logger.child('metrics-server'),
  });
  const state: ClusterState = {
    pid: process.pid,
    url: cluster.url,
    port: cluster.apiserver.port,
    impl: formatImplChoice(currentChoice()),
    dataDir,
    ...(etcdServers ? { etcdServers } : {}),
    startedAt: new Date().toISOString(),
    flags,
    components: names,
  };
  writeFileSync(`${paths.stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${paths.stateFile}.tmp`, paths.stateFile);
  logger.info('control plane ready', {
    url: cluster.url,
    impl: state.impl,
    store: etcdServers ? `etcd ${etcdServers.join(',')}` : 'built-in',
    components:
      supervisor
        .states()
        .map((c) => `${c.name}(${c.pid ?? c.phase})`)
        .join(',') || 'none',
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    try {
      await supervisor.stop();
      metrics.stop();
      await cluster.stop();
    } catch (error) {
      logger.error('stop failed', { error: (error as Error).message });
    }
    rmSync(paths.stateFile, { force: true });
    rmSync(paths.pidFile, { force: true });
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  const message =
    e?.code === 'EADDRINUSE'
      ? `port ${values.port} on 127.0.0.1 is already taken (another cluster, or a real apiserver?): choose another with --port N, or --port 0 for any free port`
      : (e?.message ?? String(error));
  logger.error(START_FAILED, { error: message });
  // A bug or a learner's code that throws: keep where it happened in the log (the terminal shows the message).
  if (e?.code !== 'EADDRINUSE' && !(error instanceof KubelingsError) && e?.stack) logger.error('where', { stack: e.stack });
  rmSync(paths.pidFile, { force: true });
  process.exit(1);
}
