/**
 * Keeps a lesson pack inside its folder: every path a pack names (in pack.yaml, lesson.yaml or a
 * `.pristine.json` seal) must resolve inside the folder it belongs to, with symbolic links
 * followed, so that a pack can neither show `/etc/passwd` as a lesson page nor make `reset` write
 * outside its exercises.
 *
 * Two checks, both needed: the path as written (so a path that does not exist yet, or whose
 * folder is missing, is still judged) and the path with every link resolved (so a link inside the
 * pack that points outside it is refused too).
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `path` is `folder` itself or below it (both absolute, already resolved). */
export function isBelow(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
export function realPathNear(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return resolve(realPathNear(parent), relative(parent, absolute));
  }
}

/**
 * Why `absolute` (the path `written` resolved) is not inside `folder`, in words, or undefined when
 * it is inside, as written and with links followed. `folderName` says which folder, for the message.
 */
export function outsideFolder(absolute: string, folder: string, written: string, folderName: string): string | undefined {
  if (isAbsolute(written)) return `"${written}" is an absolute path: write it relative to ${folderName}`;
  if (!isBelow(resolve(absolute), resolve(folder))) return `"${written}" points outside ${folderName}`;
  if (!isBelow(realPathNear(absolute), realPathNear(folder))) return `"${written}" leads through a link to outside ${folderName}`;
  return undefined;
}

/**
 * A path relative to a folder, as stored in a seal: `/`-separated, no empty, `.` or `..` part,
 * not absolute. Anything else could name a file outside the folder.
 */
export function isPlainRelativePath(rel: string): boolean {
  if (rel === '' || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0') || /^[A-Za-z]:/.test(rel)) return false;
  return rel.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
