/**
 * The learner's CNI plugin (lesson 06, 02-cni-plugin) as a program, run the way a container
 * runtime runs a plugin binary: the verb and arguments in CNI_* variables, the config on stdin,
 * the result or the error object on stdout, the exit code non-zero on error. It reads stdin (at
 * most PLUGIN_STDIN_LIMIT_BYTES), calls the component's cniMain with the engine's disk store and
 * kernel helpers, prints its output and exits with its code. Anything cniMain throws (it should
 * not) becomes error 999 with the message, so the runtime always gets JSON.
 *
 * `pluginExecutable(dir)` writes a tiny sh wrapper that starts this file with tsx, for a runtime
 * (or a test) that needs a path to exec; the component is chosen by KUBELINGS_IMPL as everywhere.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadComponent } from '../impl.ts';
import { ROOT } from '../paths.ts';
import { PLUGIN_STDIN_LIMIT_BYTES } from '../params.ts';
import type { PluginOutput } from './exercises.ts';
import { openIpamStore } from './ipam-store.ts';
import { kernelNetOps } from './net-ops.ts';
import { CNI_ERROR, CniPluginError } from './types.ts';

export function hostVethName(): string {
  return `veth${randomBytes(4).toString('hex')}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > PLUGIN_STDIN_LIMIT_BYTES) throw new CniPluginError(CNI_ERROR.decodingFailure, 'error unmarshall network config', `more than ${PLUGIN_STDIN_LIMIT_BYTES} bytes on stdin`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<PluginOutput> {
  try {
    const cni = await loadComponent('cni');
    const stdin = process.env.CNI_COMMAND === 'VERSION' && process.stdin.isTTY ? '' : await readStdin();
    return await cni.cniMain({ env: process.env, stdin, openStore: openIpamStore, net: kernelNetOps, hostVethName });
  } catch (error) {
    const e = error instanceof CniPluginError ? error : new CniPluginError(CNI_ERROR.pluginError, `the plugin failed: ${(error as Error).message}`);
    return { exitCode: 1, stdout: JSON.stringify(e.toJSON()) };
  }
}

/** Writes `<dir>/<name>`, an executable that runs this shim; its path. */
export function pluginExecutable(dir: string, name = 'kubelings-cni'): string {
  const path = join(dir, name);
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  writeFileSync(path, `#!/bin/sh\nexec "${tsx}" "${fileURLToPath(import.meta.url)}"\n`);
  chmodSync(path, 0o755);
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await main();
  process.stdout.write(out.stdout);
  process.exitCode = out.exitCode;
}
