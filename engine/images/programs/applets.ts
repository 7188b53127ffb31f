/**
 * The applets a container's exec finds before the machine's commands (engine/cri/exec.ts):
 * `tar` and `test`, as busybox has them, but over the container's file system, so that
 * `kubectl cp` works. kubectl 1.32 (k8s.io/kubectl pkg/cmd/cp/cp.go) copies with exec:
 *
 *   into a pod:  `test -d DEST` (is DEST a folder?), then `tar -xmf - -C DIR` with the
 *                archive on stdin (`tar --no-same-permissions --no-same-owner -xmf - -C DIR`
 *                with --no-preserve);
 *   out of one:  `tar cf - SRC`, the archive on stdout; kubectl strips SRC without its leading
 *                `/` from each member name, so members are named as GNU and busybox tar name
 *                them (leading `/` removed, said once on stderr).
 *
 * `test` looks a path up in the container's folder first and, when it is not there, on the
 * machine (busybox commands share the machine's file system, and probes written that way keep
 * working).
 *
 * Usage: `node applets.mjs [--mounts=JSON] tar|test ARGS...`, with KUBELINGS_ROOTFS (the container's folder) in
 * the environment and the container's working folder as cwd. Absolute paths are taken inside
 * KUBELINGS_ROOTFS, relative ones from cwd; `..` never leaves the container's folder, and
 * extraction refuses a member whose folder resolves outside it and its volumes (the runtime links
 * each volume in; any other symbolic link out is refused). Only regular files and folders are archived or extracted; other members are
 * skipped with a line on stderr (this is for text files and the like, not a full tar). Exit codes
 * as tar and test give them: 0 done, 1 false (test) or failed, 2 a usage error.
 *
 * This program imports tar-stream (a maintained tar reader/writer); the bundle carries it.
 */
import { createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, utimesSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Pack } from 'tar-stream';

const ROOT = resolve(process.env.KUBELINGS_ROOTFS ?? process.cwd());

/** A path of the container as a path on the host, inside ROOT. */
function hostPath(path: string, base = process.cwd()): string {
  if (isAbsolute(path)) return join(ROOT, normalize(`/${path}`));
  const inside = relative(ROOT, resolve(base));
  const from = inside.startsWith('..') ? '/' : `/${inside}`;
  return join(ROOT, normalize(`${from}/${path}`));
}

/** The container's volumes (`--mounts=["/data"]` from the runtime): links out of ROOT that may be followed. */
let mounts: string[] = [];

/** The folders a path may resolve into: ROOT and the container's volumes, symbolic links resolved. */
function allowedRoots(): string[] {
  const roots = [ROOT, ...mounts.map((m) => hostPath(m))].flatMap((p) => {
    try {
      return [realpathSync(p)];
    } catch {
      return [];
    }
  });
  return roots;
}

/** True when `path`, symbolic links resolved, stays inside the container's folder or one of its volumes. */
function staysInside(path: string): boolean {
  const real = realpathSync(path);
  return allowedRoots().some((root) => real === root || real.startsWith(`${root}${sep}`));
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ── test ─────────────────────────────────────────────────────────────────────────────────────────

function runTest(args: string[]): number {
  let negate = false;
  if (args[0] === '!') {
    negate = true;
    args = args.slice(1);
  }
  const [op, operand, ...rest] = args;
  if (op === undefined) return negate ? 0 : 1;
  if (operand === undefined || rest.length > 0 || !['-d', '-f', '-e', '-s'].includes(op)) {
    say(`test: kubelings' test knows -d, -f, -e and -s PATH only (called with: ${args.join(' ')})`);
    return 2;
  }
  // The container's folder first; a path it does not have is looked up on the machine, as a
  // busybox command (which shares the machine's file system) always did: `test -f /abs/path` in a
  // probe keeps working, and kubectl cp's `test -d /tmp` sees the container's /tmp.
  const check = (path: string, inside: boolean) => {
    const stat = statSync(path);
    if (inside && !staysInside(path)) return false;
    return op === '-d' ? stat.isDirectory() : op === '-f' ? stat.isFile() : op === '-s' ? stat.size > 0 : true;
  };
  const inContainer = hostPath(operand);
  let result = false;
  try {
    result = existsSync(inContainer) ? check(inContainer, true) : isAbsolute(operand) ? check(operand, false) : false;
  } catch {
    result = false;
  }
  return result !== negate ? 0 : 1;
}

// ── tar ──────────────────────────────────────────────────────────────────────────────────────────

interface TarCommand {
  mode: 'c' | 'x' | 't';
  file: string;
  dir?: string;
  verbose: boolean;
  touch: boolean;
  paths: string[];
}

/** `cf - SRC`, `-xmf - -C DIR`, `--no-same-owner`...: the forms kubectl and people write. */
function parseTar(args: string[]): TarCommand | string {
  const cmd: Partial<TarCommand> & { paths: string[] } = { paths: [], verbose: false, touch: false };
  const words = [...args];
  let first = true;
  const takeFile = () => words.shift();
  while (words.length > 0) {
    let word = words.shift()!;
    if (word === '--no-same-permissions' || word === '--no-same-owner' || word === '--touch') {
      if (word === '--touch') cmd.touch = true;
      continue;
    }
    if (word.startsWith('--')) return `unrecognized option '${word}'`;
    if (first && !word.startsWith('-')) word = `-${word}`; // old style: `tar cf - SRC`
    first = false;
    if (!word.startsWith('-') || word === '-') {
      cmd.paths.push(word);
      continue;
    }
    const letters = word.slice(1);
    for (let i = 0; i < letters.length; i++) {
      const letter = letters[i]!;
      if (letter === 'c' || letter === 'x' || letter === 't') {
        if (cmd.mode && cmd.mode !== letter) return 'You may not specify more than one -c, -x or -t option';
        cmd.mode = letter;
      } else if (letter === 'v') cmd.verbose = true;
      else if (letter === 'm') cmd.touch = true;
      else if (letter === 'o' || letter === 'p') continue;
      else if (letter === 'f' || letter === 'C') {
        const rest = letters.slice(i + 1);
        const value = rest || takeFile();
        if (value === undefined) return `option requires an argument -- '${letter}'`;
        if (letter === 'f') cmd.file = value;
        else cmd.dir = value;
        break;
      } else return `invalid option -- '${letter}'`;
    }
  }
  if (!cmd.mode) return 'You must specify one of the -c, -x or -t options';
  if (cmd.file !== undefined && cmd.file !== '-') return `kubelings' tar reads and writes stdin and stdout only (f -), not "${cmd.file}"`;
  if (cmd.mode === 'c' && cmd.paths.length === 0) return 'Cowardly refusing to create an empty archive';
  return { mode: cmd.mode, file: '-', dir: cmd.dir, verbose: cmd.verbose ?? false, touch: cmd.touch ?? false, paths: cmd.paths };
}

/** The member name of a container path, as tar writes it: leading `/` removed. */
function memberName(path: string): string {
  return normalize(path).replace(/^\/+/, '').replace(/\/+$/, '');
}

async function addToArchive(archive: Pack, host: string, name: string, verbose: boolean): Promise<boolean> {
  const stat = lstatSync(host);
  if (verbose) say(name);
  if (stat.isDirectory()) {
    archive.entry({ name: `${name}/`, type: 'directory', mode: stat.mode & 0o7777, mtime: stat.mtime });
    let ok = true;
    for (const child of readdirSync(host).sort()) ok = (await addToArchive(archive, join(host, child), `${name}/${child}`, verbose)) && ok;
    return ok;
  }
  if (!stat.isFile()) {
    say(`tar: ${name}: skipped: kubelings' tar archives regular files and folders only`);
    return true;
  }
  const entry = archive.entry({ name, type: 'file', size: stat.size, mode: stat.mode & 0o7777, mtime: stat.mtime });
  await pipeline(createReadStream(host), entry);
  return true;
}

async function create(cmd: TarCommand): Promise<number> {
  const archive = pack();
  const out = pipeline(archive, process.stdout);
  let status = 0;
  let saidLeading = false;
  const base = cmd.dir ? hostPath(cmd.dir) : process.cwd();
  for (const path of cmd.paths) {
    const host = hostPath(path, base);
    if (!existsSync(host) || !staysInside(host)) {
      say(`tar: ${path}: No such file or directory`);
      status = 1;
      continue;
    }
    if (path.startsWith('/') && !saidLeading) {
      say("tar: removing leading '/' from member names");
      saidLeading = true;
    }
    const name = memberName(path) || '.';
    if (!(await addToArchive(archive, host, name, cmd.verbose))) status = 1;
  }
  archive.finalize();
  await out;
  return status;
}

async function extractTo(cmd: TarCommand): Promise<number> {
  const target = cmd.dir ? hostPath(cmd.dir) : process.cwd();
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    say(`tar: can't change directory to '${cmd.dir}': No such file or directory`);
    return 1;
  }
  let status = 0;
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const done = (error?: unknown) => {
      if (error) {
        say(`tar: ${header.name}: ${(error as Error).message}`);
        status = 1;
      }
      next();
    };
    const name = normalize(`/${header.name}`);
    const host = join(target, name);
    if (cmd.verbose) say(header.name);
    if (header.type !== 'file' && header.type !== 'directory') {
      say(`tar: ${header.name}: skipped: kubelings' tar extracts regular files and folders only`);
      stream.resume();
      stream.on('end', () => done());
      return;
    }
    try {
      const folder = header.type === 'directory' ? host : dirname(host);
      mkdirSync(folder, { recursive: true });
      if (!staysInside(folder)) throw new Error("refusing to write outside the container's file system");
      if (header.type === 'directory') {
        stream.resume();
        stream.on('end', () => done());
        return;
      }
      if (existsSync(host) && lstatSync(host).isSymbolicLink()) throw new Error('refusing to write through a symbolic link');
      const mtime = header.mtime;
      pipeline(stream, createWriteStream(host, { mode: header.mode & 0o777 }))
        .then(() => {
          if (!cmd.touch && mtime) utimesSync(host, mtime, mtime);
          done();
        })
        .catch(done);
    } catch (error) {
      stream.resume();
      stream.on('end', () => done(error));
    }
  });
  try {
    await pipeline(process.stdin, reader);
  } catch (error) {
    say(`tar: ${(error as Error).message}`);
    return 1;
  }
  return status;
}

async function list(): Promise<number> {
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    process.stdout.write(`${header.name}\n`);
    stream.resume();
    stream.on('end', next);
  });
  await pipeline(process.stdin, reader);
  return 0;
}

async function runTar(args: string[]): Promise<number> {
  const cmd = parseTar(args);
  if (typeof cmd === 'string') {
    say(`tar: ${cmd}`);
    return 2;
  }
  if (cmd.mode === 'c') return create(cmd);
  if (cmd.mode === 'x') return extractTo(cmd);
  return list();
}

const argv = process.argv.slice(2);
if (argv[0]?.startsWith('--mounts=')) {
  try {
    mounts = (JSON.parse(argv.shift()!.slice('--mounts='.length)) as unknown[]).map(String);
  } catch {
    mounts = [];
  }
}
const [applet, ...args] = argv;
try {
  const code = applet === 'test' || applet === '[' ? runTest(applet === '[' ? args.slice(0, -1) : args) : applet === 'tar' ? await runTar(args) : (say(`${applet}: applet not found`), 127);
  process.exitCode = code;
} catch (error) {
  say(`${applet}: ${(error as Error).message}`);
  process.exitCode = 1;
}
