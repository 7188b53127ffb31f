/**
 * A CNI plugin binary behind the CniPlugin interface, invoked as the CNI spec says: the verb and
 * arguments in CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and CNI_PATH, the
 * network configuration as JSON on stdin, the result (or the error object, with a non-zero exit)
 * as JSON on stdout. Used to cross-check the built-in plugin against the reference plugins
 * (Debian's containernetworking-plugins), in the CNI lesson to run a plugin as a program, and in
 * kernel mode by the runtime, which runs it inside the node's network namespace (`wrap`: the
 * command that enters it) with the variables the plugin program needs to pick its code (`env`).
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { CNI_ERROR, CniPluginError, type CniArgs, type CniPlugin, type CniResult, type NetConf } from './types.ts';

export interface ExecPluginOptions {
  /** A command the plugin runs under (`ip netns exec <node>`), which execs the plugin. */
  wrap?: string[];
  /** More variables for the plugin's environment (the CNI_* ones always win). */
  env?: Record<string, string | undefined>;
}

async function invoke(binary: string, command: 'ADD' | 'DEL' | 'CHECK', conf: NetConf, args: CniArgs, options: ExecPluginOptions = {}): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    PATH: process.env.PATH,
    CNI_COMMAND: command,
    CNI_CONTAINERID: args.containerId,
    CNI_NETNS: args.netns,
    CNI_IFNAME: args.ifName,
    CNI_ARGS: (args.args ?? []).map(([k, v]) => `${k}=${v}`).join(';'),
    CNI_PATH: (args.path ?? [dirname(binary)]).join(':'),
  };
  const argv = [...(options.wrap ?? []), binary];
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  // A plugin that fails before reading its config closes stdin: its exit and output say why.
  child.stdin.on('error', () => undefined);
  child.stdin.end(JSON.stringify(conf));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  const stdout = Buffer.concat(out).toString('utf8');
  if (code !== 0) {
    let parsed: { code?: number; msg?: string; details?: string } = {};
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch {
      // not JSON: report what it printed
    }
    throw new CniPluginError(parsed.code ?? CNI_ERROR.pluginError, parsed.msg ?? `${binary} ${command} exited with ${code}`, parsed.details ?? Buffer.concat(err).toString('utf8').trim());
  }
  return stdout;
}

/** The plugin program at `binary` (an absolute path). */
export function execCniPlugin(binary: string, options: ExecPluginOptions = {}): CniPlugin {
  return {
    async add(conf, args): Promise<CniResult> {
      return JSON.parse(await invoke(binary, 'ADD', conf, args, options)) as CniResult;
    },
    async del(conf, args): Promise<void> {
      await invoke(binary, 'DEL', conf, args, options);
    },
    async check(conf, args): Promise<void> {
      await invoke(binary, 'CHECK', conf, args, options);
    },
  };
}
