/**
 * Where a background cluster (`kubelings cluster up`) keeps its files, all inside the learner's
 * state folder (.kubelings/, or KUBELINGS_HOME):
 *   cluster.pid     the daemon's process id and start time (see pidfile.ts)
 *   cluster.json    what it serves: url, port, pid, impl, data dir, start time (written once it is up)
 *   cluster.log     everything the current (or last) run logs; cluster.log.1, .2, ... the runs before
 *   data/           the store (WAL and snapshots), kept across restarts
 *   kubeconfig      for kubectl and client libraries (holds the admin's token; mode 0600)
 *   tokens.csv      the apiserver's bearer tokens (--token-auth-file format; mode 0600)
 *   pki/            the cluster CA and the apiserver's serving certificate (keys mode 0600)
 *   logs/           one log per component process (logs/kube-scheduler.log, ...; .1, .2 the runs before)
 *   components.json the supervisor's view of each component process: pid, running or restarting
 *   stopped-nodes.json  the hollow nodes `node stop` stopped (mode 0600; the hollow-nodes process reads it)
 */
import { join } from 'node:path';
import { stateDir } from '../paths.ts';

export function clusterPaths(home = stateDir()) {
  return {
    home,
    pidFile: join(home, 'cluster.pid'),
    stateFile: join(home, 'cluster.json'),
    logFile: join(home, 'cluster.log'),
    dataDir: join(home, 'data'),
    kubeconfig: join(home, 'kubeconfig'),
    tokenFile: join(home, 'tokens.csv'),
    pkiDir: join(home, 'pki'),
    logsDir: join(home, 'logs'),
    componentsFile: join(home, 'components.json'),
    stoppedNodesFile: join(home, 'stopped-nodes.json'),
  };
}

/** What cluster.json holds. */
export interface ClusterState {
  pid: number;
  url: string;
  port: number;
  impl: string;
  dataDir: string;
  /** Where the data is when not in dataDir: the etcd client URLs of `cluster up --etcd-servers`. */
  etcdServers?: string[];
  startedAt: string;
  /** The component flags it was started with (`--nodes 3 --hollow` → { nodes: '3', hollow: true }). */
  flags?: Record<string, unknown>;
  /** The components running beside the store and the apiserver, in start order (e.g. kube-scheduler). */
  components?: string[];
}
