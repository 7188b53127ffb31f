/**
 * Which exec commands run the built-in applets (programs/applets.ts) instead of the machine's:
 * `tar` and `test` (`[`), named bare or as /bin/X or /usr/bin/X, as busybox links them. They work
 * on the container's file system (its folder), which is what `kubectl cp` needs; anything else
 * an exec names is looked up on the container's PATH as before.
 */
import { posix } from 'node:path';
import type { ImagePrograms } from './bundle.ts';

const APPLETS = new Set(['tar', 'test', '[']);
const APPLET_DIRS = new Set(['', '/bin', '/usr/bin']);

/**
 * The argv prefix that runs `command` as an applet (the command's own args follow), or undefined.
 * `mounts` are the container's volume paths: the runtime links them to folders outside the
 * container's, and the applets may write there too.
 */
export function appletArgv(programs: ImagePrograms, command: string, mounts: string[] = []): string[] | undefined {
  const name = posix.basename(command);
  const dir = command.includes('/') ? posix.dirname(command) : '';
  if (!APPLETS.has(name) || !APPLET_DIRS.has(dir)) return undefined;
  return [process.execPath, ...programs.launch('applets').nodeArgs, `--mounts=${JSON.stringify(mounts)}`, name];
}
