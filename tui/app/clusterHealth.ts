/**
 * The cluster as the live screen shows it, in one line above the output: is a control plane
 * running, whose code it runs (the learner's or the reference), and each component process the
 * supervisor watches (components.json, engine/cluster/supervisor.ts) that is not healthy, by name.
 * A learner whose scheduler is stuck in a loop sees "kube-scheduler NOT RESPONDING" here while
 * kubectl keeps answering. Reads the same files `cluster status` reads; never talks to the cluster.
 */
import { checkDaemon, readDaemonRecord } from '#engine/cluster/pidfile.ts';
import { clusterPaths, type ClusterState } from '#engine/cluster/paths.ts';
import type { ComponentProcessRow } from '#engine/cluster/summary.ts';
import { readComponentsFile } from '#engine/cluster/supervisor.ts';
import { readFileSync } from 'node:fs';

export type ClusterHealth =
  | { running: false }
  | {
      running: true;
      /** Whose code the control plane runs: `mine`, `solutions`, … (cluster.json's impl); undefined while it starts. */
      impl?: string;
      /** The supervisor's rows, or undefined when it wrote none (yet). */
      components?: ComponentProcessRow[];
    };

/** What the files of the cluster in `home` say now. */
export function readClusterHealth(paths = clusterPaths()): ClusterHealth {
  const check = checkDaemon(readDaemonRecord(paths.pidFile), paths.dataDir);
  if (check.state === 'none' || check.state === 'stranger') return { running: false };
  let impl: string | undefined;
  try {
    impl = (JSON.parse(readFileSync(paths.stateFile, 'utf8')) as Partial<ClusterState>).impl;
  } catch {
    impl = undefined;
  }
  return { running: true, impl: typeof impl === 'string' ? impl : undefined, components: readComponentsFile(paths.componentsFile)?.components };
}

/** A component process's trouble in a few words, or undefined when it is healthy. */
function trouble(row: ComponentProcessRow): string | undefined {
  if (row.phase === 'running') return undefined;
  if (row.phase === 'not responding') return `${row.name} NOT RESPONDING`;
  if (row.phase === 'restarting') return `${row.name} restarting`;
  return `${row.name} ${row.phase}`;
}

/** The line: `cluster: up (code: mine) · 3 components healthy`, or the unhealthy ones by name. */
export function healthLine(health: ClusterHealth): string {
  if (!health.running) return 'cluster: not running';
  const head = `cluster: up${health.impl ? ` (code: ${health.impl})` : ''}`;
  const rows = health.components;
  if (rows === undefined) return `${head} · components: starting`;
  const troubles = rows.map(trouble).filter((t): t is string => t !== undefined);
  if (troubles.length > 0) return `${head} · ${troubles.join(' · ')}`;
  return `${head} · ${rows.length === 1 ? '1 component' : `${rows.length} components`} healthy`;
}
