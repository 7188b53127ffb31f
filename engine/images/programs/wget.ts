/**
 * busybox's `wget` for the built-in busybox image (HTTP only): `wget [-q] [-O FILE|-] [-T SEC]
 * [-S] URL`. The host name is resolved with the pod's DNS settings (./resolver.ts), so
 * `wget -qO- http://web` reaches the Service web of the pod's namespace. Messages and exit codes as
 * busybox 1.37's: `bad address`, `can't connect to remote host`, `server returned error`, exit 1.
 */
import { createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { basename } from 'node:path';
import { resolve4 } from './resolver.ts';
import { containerPath } from './common.ts';

const argv = process.argv.slice(2);
let quiet = false;
let output: string | undefined;
let timeoutSeconds = 900;
let headers = false;
let url: string | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '-q') quiet = true;
  else if (a === '-S') headers = true;
  else if (a === '-qO-' || a === '-qO') {
    quiet = true;
    output = a === '-qO-' ? '-' : argv[++i];
  } else if (a === '-O') output = argv[++i];
  else if (a.startsWith('-O')) output = a.slice(2);
  else if (a === '-T') timeoutSeconds = Number(argv[++i]);
  else if (a.startsWith('-T')) timeoutSeconds = Number(a.slice(2));
  else if (a.startsWith('-') && a !== '-') {
    process.stderr.write(`wget: unrecognized option '${a}'\n`);
    process.exit(1);
  } else url = a;
}
function die(message: string): never {
  process.stderr.write(`wget: ${message}\n`);
  process.exit(1);
}
if (!url) die('missing URL');
let target: URL;
try {
  target = new URL(/^[a-z]+:\/\//i.test(url!) ? url! : `http://${url}`);
} catch {
  die(`bad address '${url}'`);
}
if (target.protocol !== 'http:') die(`not an http or ftp url: ${url}`);
const port = Number(target.port || 80);
let address: string;
try {
  address = (await resolve4(target.hostname)).addresses[0]!;
} catch {
  die(`bad address '${target.hostname}'`);
}
const log = (line: string) => {
  if (!quiet) process.stderr.write(`${line}\n`);
};
log(`Connecting to ${target.host} (${address!}:${port})`);
const req = request(
  { host: address!, port, path: `${target.pathname}${target.search}`, headers: { host: target.host, 'user-agent': 'Wget', connection: 'close' }, timeout: timeoutSeconds * 1000 },
  (res) => {
    if (headers)
      process.stderr.write(
        `  HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n${Object.entries(res.headers)
          .map(([k, v]) => `  ${k}: ${String(v)}\n`)
          .join('')}`,
      );
    if ((res.statusCode ?? 0) >= 400) die(`server returned error: HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`);
    const file = output ?? (basename(target.pathname) || 'index.html');
    if (file !== '-') log(`saving to '${file}'`);
    const sink = file === '-' ? process.stdout : createWriteStream(file.startsWith('/') ? containerPath(file) : file);
    res.pipe(sink);
    res.on('end', () => {
      if (file !== '-') log(`'${file}' saved`);
    });
  },
);
req.on('timeout', () => {
  req.destroy();
  die('download timed out');
});
req.on('error', (error: NodeJS.ErrnoException) => die(`can't connect to remote host (${address!}): ${error.code === 'ECONNREFUSED' ? 'Connection refused' : error.message}`));
req.end();
