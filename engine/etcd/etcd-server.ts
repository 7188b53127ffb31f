/**
 * Starts a real etcd (the `etcd` binary, 3.4 or later) for tests, benchmarks and clusters that want
 * their data in a real etcd: one member on 127.0.0.1, free ports, a fresh data dir (or the one
 * given), stopped and cleaned up by stop(). Nothing here binds beyond loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETCD_READY_POLL_MS, ETCD_READY_TIMEOUT_MS } from '../params.ts';

/** The etcd binary's version line, or undefined when there is no `etcd` on the PATH. */
export function etcdVersion(): string | undefined {
  const result = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return /etcd Version: (\S+)/.exec(result.stdout)?.[1] ?? result.stdout.split('\n')[0];
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** The peer port on 127.0.0.1 (to restart the member where it was). */
  peerPort: number;
  dataDir: string;
  process: ChildProcess;
  /** Kills etcd and (when it made one) removes its data dir. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** Keep etcd's data here (default: a fresh temporary dir, removed by stop()). */
  dataDir?: string;
  /** Ports on 127.0.0.1 (default: free ones); give the same again to restart a member where it was. */
  clientPort?: number;
  peerPort?: number;
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kubelings-etcd-'));
  const ownDir = options.dataDir === undefined;
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = options.peerPort ?? (await freePort());
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    'etcd',
    [
      '--name',
      'kubelings',
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `kubelings=${peer}`,
      '--logger',
      'zap',
      '--log-level',
      'error',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never outlive the process that started it, even when that one ends without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? ETCD_READY_TIMEOUT_MS);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited (code ${child.exitCode}) before it was ready:\n${stderr}`);
    }
    try {
      const res = await fetch(`${endpoint}/health`);
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy within ${options.readyTimeoutMs ?? ETCD_READY_TIMEOUT_MS} ms:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, ETCD_READY_POLL_MS));
  }
  return { endpoint, peerPort, dataDir, process: child, stop };
}
