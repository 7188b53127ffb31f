/**
 * The engine's own verbs (`kubelings cluster ...`, `kubelings explain ...`), reached from the CLI
 * (tui/cli.ts routes them here). A dispatcher: each verb is one line in VERBS, loaded on first use,
 * so a lesson adds its verb without touching the others. A verb gets the words after it and the
 * whole raw argv (for its own flags), and returns the exit code.
 */
import { KubelingsError } from './errors.ts';

export type EngineVerb = (args: string[], argv: string[]) => Promise<number>;

const VERBS: Record<string, () => Promise<EngineVerb>> = {
  cluster: async () => (await import('./cluster/cli.ts')).clusterCommand,
  explain: async () => async (args, argv) =>
    args[0] === 'proxy'
      ? (await import('./proxy/cli.ts')).explainProxyCommand(args, argv)
      : args[0] === 'netpol' || args[0] === 'networkpolicy' || args[0] === 'networkpolicies'
        ? (await import('./cni/netpol-cli.ts')).explainNetpolCommand(args, argv)
        : (await import('./scheduler/cli.ts')).explainCommand(args, argv),
  node: async () => (await import('./cluster/node-control.ts')).nodeCommand,
};

export async function engineCommand(command: string, args: string[], argv: string[]): Promise<number> {
  const load = VERBS[command];
  if (!load) throw new KubelingsError(`"${command} ${args.join(' ')}" is not available yet: it arrives with a later lesson.`);
  return (await load())(args, argv);
}
