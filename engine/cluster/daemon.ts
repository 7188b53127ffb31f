/**
 * The background control plane that `kubelings cluster up` starts: `node --import tsx daemon.ts
 * --port N --data-dir D [--etcd-servers URL,...] [--etcd-compaction-interval MS] --flags JSON`. It runs startCluster() with the built-in components, writes
 * cluster.json once the apiserver answers, logs to stdout (the CLI points it at cluster.log), and on
 * SIGTERM or SIGINT stops everything cleanly (components, apiserver, then the store, so every
 * acknowledged write is on disk) and removes its pid and state files.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatImplChoice, currentChoice } from '../impl.ts';
import { builtinComponents } from './builtin.ts';
import { startCluster } from './cluster.ts';
import { createLogger } from './logger.ts';
import { clusterPaths, type ClusterState } from './paths.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'etcd-servers': { type: 'string' }, 'etcd-compaction-interval': { type: 'string' }, flags: { type: 'string' }, 'log-level': { type: 'string' } },
  strict: true,
});
const paths = clusterPaths();
const level = (values['log-level'] ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
const logger = createLogger(process.stdout, 'kubelings', level);
const flags = JSON.parse(values.flags ?? '{}') as Record<string, unknown>;
const dataDir = values['data-dir'] ?? paths.dataDir;
const etcdServers = values['etcd-servers'] ? values['etcd-servers'].split(',') : undefined;
const compactionIntervalMs = values['etcd-compaction-interval'] === undefined ? undefined : Number(values['etcd-compaction-interval']);

try {
  const cluster = await startCluster({ dataDir, etcdServers, compactionIntervalMs, port: Number(values.port ?? 0), logger, flags, components: builtinComponents(flags) });
  const state: ClusterState = {
    pid: process.pid,
    url: cluster.url,
    port: cluster.apiserver.port,
    impl: formatImplChoice(currentChoice()),
    dataDir,
    ...(etcdServers ? { etcdServers } : {}),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(`${paths.stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  const { renameSync } = await import('node:fs');
  renameSync(`${paths.stateFile}.tmp`, paths.stateFile);
  logger.info('control plane ready', { url: cluster.url, impl: state.impl, store: etcdServers ? `etcd ${etcdServers.join(',')}` : 'built-in', components: cluster.components.join(',') || 'none' });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    try {
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
  logger.error('the control plane failed to start', { error: message });
  process.stdout.write(`\n${message}\n`);
  rmSync(paths.pidFile, { force: true });
  process.exit(1);
}
