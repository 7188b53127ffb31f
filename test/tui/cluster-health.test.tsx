/**
 * The live screen's word on the cluster (tui/app/clusterHealth.ts): whether a control plane runs,
 * whose code it runs, and each component process that is not healthy, by name, read from the files
 * `cluster status` reads (cluster.pid, cluster.json, components.json). Issue 11: "a learner
 * component that hangs or crashes is named in `cluster status` and in the TUI's live screen".
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { clusterPaths } from '#engine/cluster/paths.ts';
import { writeDaemonRecord } from '#engine/cluster/pidfile.ts';
import type { ComponentProcessRow } from '#engine/cluster/summary.ts';
import { healthLine, readClusterHealth, type ClusterHealth } from '../../tui/app/clusterHealth.ts';
import { loadMarkdown } from '../../tui/app/useMarkdown.ts';
import { FakeRunner, fixtureCourse, freshHome, probeSays, renderApp, until } from './helpers.tsx';

const row = (name: string, phase: string, restarts = 0): ComponentProcessRow => ({ name, pid: 4242, phase, restarts, since: '2026-12-07T00:00:00Z' });

test('the line: not running; up with every component healthy; the unhealthy ones named', () => {
  expect(healthLine({ running: false })).toBe('cluster: not running');
  expect(healthLine({ running: true, impl: 'mine' })).toBe('cluster: up (code: mine) · components: starting');
  expect(healthLine({ running: true, impl: 'solutions', components: [row('kube-scheduler', 'running'), row('kube-controller-manager', 'running')] })).toBe(
    'cluster: up (code: solutions) · 2 components healthy',
  );
  expect(healthLine({ running: true, impl: 'mine', components: [row('kube-scheduler', 'not responding'), row('kube-controller-manager', 'restarting', 3), row('hollow-nodes', 'running')] })).toBe(
    'cluster: up (code: mine) · kube-scheduler NOT RESPONDING · kube-controller-manager restarting',
  );
  expect(healthLine({ running: true, components: [row('hollow-nodes', 'starting')] })).toBe('cluster: up · hollow-nodes starting');
});

describe('read from the files cluster status reads', () => {
  let home: string;
  beforeEach(() => void (home = mkdtempSync(join(tmpdir(), 'kubelings-health-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  test('no pid file, and a stale one whose pid now runs another program, are "not running"', () => {
    const paths = clusterPaths(home);
    expect(readClusterHealth(paths)).toEqual({ running: false });
    // This test's own process is not a control plane: a pid file naming it is stale.
    writeDaemonRecord(paths.pidFile, process.pid);
    expect(readClusterHealth(paths)).toEqual({ running: false });
  });

  test('a process that is the daemon of this data folder, with cluster.json and components.json', async () => {
    const paths = clusterPaths(home);
    mkdirSync(paths.dataDir, { recursive: true });
    // A stand-in whose command line is the daemon's (what checkDaemon verifies), doing nothing.
    const daemon = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'engine/cluster/daemon.ts', '--data-dir', paths.dataDir], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => daemon.once('spawn', resolve));
      writeDaemonRecord(paths.pidFile, daemon.pid!);
      expect(readClusterHealth(paths)).toEqual({ running: true, impl: undefined, components: undefined });
      writeFileSync(paths.stateFile, JSON.stringify({ impl: 'mine' }));
      writeFileSync(paths.componentsFile, JSON.stringify({ supervisorPid: daemon.pid, components: [row('kube-scheduler', 'not responding')] }));
      const health = readClusterHealth(paths);
      expect(healthLine(health)).toBe('cluster: up (code: mine) · kube-scheduler NOT RESPONDING');
      // A corrupt components.json is "starting", never a crash of the TUI.
      writeFileSync(paths.componentsFile, '{"supervisorPid": 1, "compo');
      expect(healthLine(readClusterHealth(paths))).toBe('cluster: up (code: mine) · components: starting');
    } finally {
      daemon.kill('SIGKILL');
    }
  });
});

let removeHome: () => void;
beforeAll(async () => void (await loadMarkdown()));
beforeEach(() => void (removeHome = freshHome()));
afterEach(() => removeHome());

test('the live screen shows it on the rule above the output and follows changes', async () => {
  let health: ClusterHealth = { running: true, impl: 'mine', components: [row('kube-scheduler', 'running')] };
  const app = await renderApp({
    course: fixtureCourse(),
    at: [
      { screen: 'lesson', lesson: 'fixture/00-tally' },
      { screen: 'live', lesson: 'fixture/00-tally' },
    ],
    runner: new FakeRunner(),
    probe: probeSays({ available: true }),
    clusterHealth: () => health,
  });
  expect(await until(app, 'cluster: up (code: mine) · 1 component healthy')).toMatch(/── output · cluster: up \(code: mine\) · 1 component healthy ─/);
  health = { running: true, impl: 'mine', components: [row('kube-scheduler', 'not responding')] };
  expect(await until(app, 'kube-scheduler NOT RESPONDING')).toMatch(/── output · cluster: up \(code: mine\) · kube-scheduler NOT RESPONDING ─/);
  app.unmount();
});
