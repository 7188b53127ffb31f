/**
 * The warm grader, the CLI's side: `kubelings check` hands its command line to a grader process
 * that an earlier check left running (warm-server.js), which has vitest, the CLI and the suites
 * loaded already; so a check just after a save costs about what a re-grade in watch mode does,
 * plus starting this small process. The output and the exit code are the server's, byte for byte
 * what the same check would print here.
 *
 * Plain JavaScript: tui/bin/kubelings.js calls it before tsx or the bundle is loaded.
 *
 * Invariants:
 * - Only `check` (not --help, not with packs: a pack outside the project changes without the
 *   server seeing it). KUBELINGS_WARM_GRADER=0 never uses it, =1 always does (scripts, the bench);
 *   by default only a check typed at a terminal (stdout a TTY) does, so that scripts and CI leave
 *   no server behind.
 * - One server per project, working folder, Node binary and environment: the socket's name is a
 *   hash of them, so a server never grades under another environment than the check's.
 * - The socket is in a folder only this user can open (mode 0700, owned by this user, not a link);
 *   when that cannot be had, the check runs here, as without a server, and says why once.
 * - Whatever goes wrong on the warm path before any output was written (no server, a server that
 *   went stale, a refused connection) ends in the ordinary check, in this process.
 * - The server answers only while the project's files outside exercises/ are those it loaded
 *   (otherwise it answers "stale" and goes away), and ends after WARM_GRADER_IDLE_MS without a check.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');

/** Version of the line protocol between the CLI and the server; both come from one checkout. */
export const PROTOCOL = 1;

/**
 * How long the CLI waits for a server it started to listen, in ms. The server listens before it
 * loads anything (about 60 ms on an idle machine); past this the check runs here instead.
 */
const START_WAIT_MS = 5_000;

/** Longest socket path the platform takes (sun_path, 108 bytes with its NUL on Linux). */
const SOCKET_PATH_MAX = 107;

/** Variables that change between two commands of one shell without changing what a check does. */
const VOLATILE_ENV = new Set(['_', 'OLDPWD', 'PWD', 'SHLVL', 'COLUMNS', 'LINES']);

/** The folders and files whose change makes a server stale (everything it may have loaded but the learner's exercises). */
export const PROJECT_FOLDERS = ['engine', 'tui', 'test', 'solutions', 'lessons'];
export const PROJECT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', join('node_modules', '.package-lock.json')];

/** True when this command line should go through the warm grader. */
export function warmGraderWanted(argv, env = process.env, stdoutIsTTY = Boolean(process.stdout.isTTY)) {
  if (argv[0] !== 'check') return false;
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--pack' || a.startsWith('--pack='))) return false;
  if (env.KUBELINGS_PACKS) return false;
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return false;
  if (env.KUBELINGS_WARM_GRADER === '0') return false;
  return env.KUBELINGS_WARM_GRADER === '1' || stdoutIsTTY;
}

/** The environment that names a server: everything but what changes from one command to the next. */
function serverKey(env, cwd) {
  const entries = Object.entries(env)
    .filter(([name]) => !VOLATILE_ENV.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify({ protocol: PROTOCOL, root: ROOT, cwd, node: process.execPath, version: process.version, env: entries }))
    .digest('hex')
    .slice(0, 24);
}

/** This user's private folder for grader sockets, or an explanation of why there is none. */
export function privateFolder(base = tmpdir()) {
  const uid = process.getuid();
  const dir = join(base, `kubelings-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (error.code !== 'EEXIST') return { problem: `${dir} cannot be made (${error.code})` };
  }
  let s;
  try {
    s = lstatSync(dir);
  } catch (error) {
    return { problem: `${dir} cannot be read (${error.code})` };
  }
  if (!s.isDirectory()) return { problem: `${dir} is not a folder` };
  if (s.uid !== uid) return { problem: `${dir} belongs to another user` };
  if ((s.mode & 0o077) !== 0) return { problem: `${dir} can be opened by other users (mode ${(s.mode & 0o777).toString(8)})` };
  return { dir };
}

/** Where the server for this check listens, or an explanation of why there is none. */
export function socketFor(env = process.env, cwd = process.cwd()) {
  const folder = privateFolder(env.KUBELINGS_WARM_DIR || tmpdir());
  if (!folder.dir) return folder;
  const path = join(folder.dir, `${serverKey(env, cwd)}.sock`);
  if (Buffer.byteLength(path) > SOCKET_PATH_MAX) return { problem: `the socket path ${path} is too long` };
  return { path };
}

/** Size, mtime and inode of every file under the folders (and of the single files), by path. */
export function stampFiles(root, folders, files = []) {
  const stamps = new Map();
  const note = (path) => {
    try {
      const s = statSync(path);
      stamps.set(path, `${s.size}:${s.mtimeMs}:${s.ino}`);
    } catch {
      stamps.set(path, 'absent');
    }
  };
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else note(path);
    }
  };
  for (const folder of folders) walk(join(root, folder));
  for (const file of files) note(join(root, file));
  return stamps;
}

/** The paths whose stamp differs between two stampFiles results (added, changed, removed). */
export function changedStamps(before, after) {
  const changed = [];
  for (const [path, stamp] of after) if (before.get(path) !== stamp) changed.push(path);
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return changed;
}

/** Connects to the socket; resolves undefined when nobody listens there. */
function tryConnect(path) {
  return new Promise((resolveConnection) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolveConnection(socket);
    });
    // Nobody listens (ENOENT), or a socket file is left by a server killed outright
    // (ECONNREFUSED): the server started next removes it (warm-server.js).
    socket.once('error', () => resolveConnection(undefined));
  });
}

/** Starts a server for this check in a session of its own, and connects to it once it listens. */
async function startServer(path) {
  const server = spawn(process.execPath, [join(HERE, 'warm-server.js'), path], { cwd: process.cwd(), env: process.env, detached: true, stdio: 'ignore' });
  let gone = false;
  server.once('exit', () => (gone = true));
  server.once('error', () => (gone = true));
  const until = Date.now() + START_WAIT_MS;
  try {
    while (!gone && Date.now() < until) {
      const socket = await tryConnect(path);
      if (socket) return socket;
      await new Promise((r) => setTimeout(r, 10));
    }
    return undefined;
  } finally {
    server.unref();
  }
}

/**
 * Sends the check to the server and copies what it prints. Resolves { exit: code }, { stale } (the
 * server is going away: start another), or { lost, printed } (the connection ended mid-check).
 */
function exchange(socket, argv) {
  return new Promise((resolveOutcome) => {
    let printed = false;
    let buffered = '';
    let outcome;
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        if (message.type === 'stdout' || message.type === 'stderr') {
          printed = true;
          (message.type === 'stdout' ? process.stdout : process.stderr).write(message.data);
        } else if (message.type === 'exit') outcome = { exit: message.code };
        else if (message.type === 'stale') {
          outcome = { stale: true };
          if (process.env.KUBELINGS_DEBUG) process.stderr.write(`kubelings: the warm grader was out of date (${[].concat(message.changed ?? []).join(', ')} changed); starting another\n`);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolveOutcome(outcome ?? { lost: true, printed }));
    socket.write(`${JSON.stringify({ protocol: PROTOCOL, argv, stdoutTTY: Boolean(process.stdout.isTTY), stderrTTY: Boolean(process.stderr.isTTY) })}\n`);
  });
}

/**
 * Runs the check through a warm server (starting one when there is none). Resolves the exit code,
 * or undefined when the check should run in this process instead (nothing was printed then).
 */
export async function checkThroughWarmGrader(argv) {
  const where = socketFor();
  if (!where.path) {
    process.stderr.write(`kubelings: checking without the warm grader: ${where.problem}.\n`);
    return undefined;
  }
  // A stale server leaves as it answers; the second try meets the fresh one.
  for (let attempt = 0; attempt < 2; attempt++) {
    const socket = (await tryConnect(where.path)) ?? (await startServer(where.path));
    if (!socket) return undefined;
    const outcome = await exchange(socket, argv);
    if (outcome.exit !== undefined) return outcome.exit;
    if (outcome.lost) {
      if (!outcome.printed) return undefined;
      process.stderr.write('\nkubelings: the warm grader stopped before the check finished. Run the check again.\n');
      return 70;
    }
  }
  return undefined;
}

/** Pids of the warm servers whose socket is under `folder` (for tests and the bench, which end them). */
export function warmServerPids(folder) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[1]?.endsWith('warm-server.js') && argv[2]?.startsWith(folder)) pids.push(Number(name));
    } catch {}
  }
  return pids;
}
