/**
 * The engine's own verbs (`kubelings cluster ...`, `kubelings explain ...`), reached from the CLI.
 * Filled in by the apiserver and scheduler lessons.
 */
import { KubelingsError } from './errors.ts';

export async function engineCommand(command: string, args: string[], _argv: string[]): Promise<number> {
  throw new KubelingsError(`"${command} ${args.join(' ')}" is not available yet: the cluster arrives with lesson 02 (the apiserver).`);
}
