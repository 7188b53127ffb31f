/**
 * The warm grader's server (the CLI's side is warm.js): a process that a check started, which
 * listens on a private Unix socket and runs the checks sent to it, one at a time, with the CLI, a
 * warm test runner (its vitest child kept between checks, as in watch mode) and the suites already
 * loaded. What a check prints is sent back line by line, then its exit code.
 *
 * Started as `node warm-server.js SOCKET` in a session of its own, with the environment and the
 * working folder of the check that started it (warm.js names the socket after both).
 *
 * Invariants:
 * - Every check runs in the environment the server started with: whatever a check sets in
 *   process.env (--impl does) is undone before the next.
 * - The learner's saved files are read afresh: before each check, the files of exercises/ that
 *   changed since the last check are invalidated in the warm runner.
 * - Nothing else may have changed: when a file of the project outside exercises/ changed (an
 *   update of the course, a dependency installed), the server answers "stale" and ends; warm.js
 *   then starts a fresh one.
 * - It never outlives its usefulness: it ends after WARM_GRADER_IDLE_MS (engine/params.ts) without
 *   a check, when the check it runs loses its CLI (Ctrl-C: what the run started is ended with it,
 *   spawn.js), and on a request it cannot read. Its grader child never outlives it (spawn.js).
 */
import { unlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { prestartGraderChild } from './spawn.js';
import { changedStamps, PROJECT_FILES, PROJECT_FOLDERS, PROTOCOL, ROOT, stampFiles } from './warm.js';

/** A request is one line of JSON; anything longer is not ours. */
const REQUEST_MAX_BYTES = 64 * 1024;
/** How long a connection may take to send its request line (the CLI sends it at once), in ms. */
const REQUEST_WAIT_MS = 10_000;

const socketPath = process.argv[2];
// Stamped before anything is loaded: a file changed while it loads makes the server stale, never
// a server that holds a file older than its stamp.
const project = stampFiles(ROOT, PROJECT_FOLDERS, PROJECT_FILES);
let exercises = stampFiles(ROOT, ['exercises']);
const environment = { ...process.env };

const server = createServer();
let left = false;
/** Stops listening, frees the socket's name for a fresh server, and ends (the grader child with it). */
function leave() {
  if (left) return;
  left = true;
  server.close();
  try {
    unlinkSync(socketPath);
  } catch {}
  // spawn.js ends the grader child and what its run started when this process exits.
  setImmediate(() => process.exit(0));
}
listen();
// Told to stop (kill, a logout): free the name too; spawn.js ends the grader child as this exits.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, leave);

prestartGraderChild(); // vitest loads in the child while the CLI loads here
let cli;
let warm;
let idleMs;
let idleTimer;
/** Checks received and not yet answered: the idle clock runs only while there are none. */
let pending = 0;
const armIdle = () => {
  clearTimeout(idleTimer);
  if (pending === 0) idleTimer = setTimeout(leave, idleMs);
};
// Checks are served one at a time, the first once the CLI is loaded; the check that started this
// server is usually already waiting.
let queue = (async () => {
  cli = await loadCli();
  warm = (await cli.loadCheckCommand()).keepRunnerWarm();
  idleMs = Number(process.env.KUBELINGS_WARM_IDLE_MS) || warm.idleMs;
  armIdle();
})();
queue.catch(leave);
// A connection counts only once it has sent a check: one that sends nothing is dropped after
// REQUEST_WAIT_MS and never holds the server past its idle time.
server.on('connection', (socket) => {
  readRequest(socket).then((request) => {
    if (!request) return socket.destroy();
    pending += 1;
    clearTimeout(idleTimer);
    queue = queue
      .then(() => serve(socket, request))
      .finally(() => (pending -= 1))
      .then(armIdle, leave);
  });
});

/** The CLI as the bin shim loads it: from the start-up bundle, or through tsx. */
async function loadCli() {
  const { bundledCli } = await import('../bin/bundle.js');
  const bundle = await bundledCli();
  const bundled = bundle ? await import(bundle).catch(() => undefined) : undefined;
  if (bundled) return bundled;
  (await import('tsx/esm/api')).register();
  return import('../cli.ts');
}

/** The request line, or undefined for anything else. */
function readRequest(socket) {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline < 0 && text.length <= REQUEST_MAX_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      clearTimeout(timer);
      try {
        const request = JSON.parse(text.slice(0, newline));
        const valid = request.protocol === PROTOCOL && Array.isArray(request.argv) && request.argv.every((a) => typeof a === 'string') && request.argv[0] === 'check';
        resolve(valid ? request : undefined);
      } catch {
        resolve(undefined);
      }
    };
    const timer = setTimeout(() => resolve(undefined), REQUEST_WAIT_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.setEncoding('utf8');
    socket.on('data', onData);
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}

const send = (socket, message) => {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
};

/**
 * Listens on the socket's name. A socket file nobody answers on (its server was killed outright)
 * is removed here, by the server, never by a CLI: a CLI could take a socket that is bound but not
 * yet listening for a dead one. A name another server answers on means two checks started a
 * server at once: that one serves, this one ends.
 */
function listen(retried = false) {
  server.once('error', (error) => {
    if (error.code !== 'EADDRINUSE' || retried) process.exit(0);
    const probe = connect(socketPath);
    probe.once('connect', () => process.exit(0));
    probe.once('error', () => {
      try {
        unlinkSync(socketPath);
      } catch {}
      listen(true);
    });
  });
  server.listen(socketPath);
}

async function serve(socket, request) {
  if (socket.destroyed) return;
  const changedElsewhere = changedStamps(project, stampFiles(ROOT, PROJECT_FOLDERS, PROJECT_FILES));
  if (changedElsewhere.length > 0) {
    // Free the name first: the CLI's next try must start a fresh server, not meet this one.
    leave();
    socket.end(`${JSON.stringify({ type: 'stale', changed: changedElsewhere.slice(0, 3) })}\n`);
    return;
  }
  const now = stampFiles(ROOT, ['exercises']);
  const changed = changedStamps(exercises, now);
  exercises = now;
  if (changed.length > 0) warm.invalidate(changed);

  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  // The CLI loses the check: nothing it started may go on (leave ends the child and its run).
  let finished = false;
  socket.on('close', () => finished || leave());
  const streams = [
    [process.stdout, 'stdout', request.stdoutTTY],
    [process.stderr, 'stderr', request.stderrTTY],
  ];
  for (const [stream, type, isTTY] of streams) {
    Object.defineProperty(stream, 'isTTY', { value: Boolean(isTTY), configurable: true, writable: true });
    stream.write = (chunk, encoding, callback) => {
      send(socket, { type, data: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
      (typeof encoding === 'function' ? encoding : callback)?.();
      return true;
    };
  }
  let code;
  try {
    code = await cli.runArgv(request.argv);
  } finally {
    for (const [stream] of streams) delete stream.write;
    finished = true;
  }
  socket.end(`${JSON.stringify({ type: 'exit', code })}\n`);
}
