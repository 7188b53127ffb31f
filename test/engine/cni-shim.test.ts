/**
 * The engine's CNI plugin shim (engine/cni/plugin-shim.ts): the component's cniMain run as a
 * program, exec'd as a runtime execs a plugin binary (CNI_* variables, config on stdin, result or
 * error JSON on stdout, non-zero exit on error), through the engine's execCniPlugin runner. Uses
 * the reference component (KUBELINGS_IMPL unset: solutions).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { execCniPlugin } from '#engine/cni/exec-plugin.ts';
import { openIpamStore } from '#engine/cni/ipam-store.ts';
import { pluginExecutable } from '#engine/cni/plugin-shim.ts';
import type { NetConf } from '#engine/cni/types.ts';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubelings-shim-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(binary: string, env: Record<string, string>, stdin: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(binary, [], { env: { ...(process.env as Record<string, string>), ...env }, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout });
    });
    // A plugin may exit before reading all of stdin (the 2 MB case): that is its answer, not an error here.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(stdin);
  });
}

test('ADD, CHECK and DEL (twice) of a loopback pod through the program; the addresses are in the store on disk', async () => {
  const data = scratch();
  const plugin = execCniPlugin(pluginExecutable(scratch()));
  const conf: NetConf = { cniVersion: '1.0.0', name: 'kubelings-shim', type: 'kubelings-loopback', ipam: { type: 'host-local', ranges: [[{ subnet: '127.71.0.0/24' }]], dataDir: data } };
  const args = { containerId: 'pod-a', netns: '', ifName: 'eth0' };
  const result = await plugin.add(conf, args);
  expect(result.ips, "the ADD result's ips").toEqual([{ address: '127.71.0.2/24', gateway: '127.71.0.1', interface: 0 }]);
  expect([...openIpamStore(data, 'kubelings-shim').reservations()], 'the store after ADD').toEqual([['127.71.0.2', { containerId: 'pod-a', ifName: 'eth0' }]]);
  await plugin.check({ ...conf, prevResult: result }, args);
  await plugin.del(conf, args);
  await plugin.del(conf, args);
  expect([...openIpamStore(data, 'kubelings-shim').reservations()], 'the store after DEL').toEqual([]);
}, 120_000);

test("errors come as the spec's JSON with a non-zero exit: not JSON (6), VERSION answers without a config, stdin beyond the limit is refused", async () => {
  const binary = pluginExecutable(scratch());
  const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };
  const bad = await run(binary, env, 'not json');
  expect({ code: bad.code, error: (JSON.parse(bad.stdout) as { code: number }).code }, 'the program given "not json"').toEqual({ code: 1, error: 6 });
  const version = await run(binary, { CNI_COMMAND: 'VERSION' }, '');
  expect({ code: version.code, out: JSON.parse(version.stdout) as unknown }, 'VERSION').toEqual({ code: 0, out: { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] } });
  const huge = await run(binary, env, `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
  expect({ code: huge.code, error: (JSON.parse(huge.stdout) as { code: number }).code }, 'a 2 MB config').toEqual({ code: 1, error: 6 });
}, 120_000);
