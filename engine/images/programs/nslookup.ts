/**
 * busybox's `nslookup NAME [SERVER]` for the built-in busybox image: asks the pod's DNS server
 * (./resolver.ts: the settings the kubelet gives the container, search list and ndots included)
 * for NAME's IPv4 addresses and prints them as busybox 1.37 does; exit 1 when none is found.
 */
import { dnsSettings, resolve4 } from './resolver.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const name = args[0];
if (!name) {
  process.stderr.write('Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n');
  process.exit(1);
}
let settings = dnsSettings();
if (args[1]) settings = { servers: [args[1].includes(':') ? args[1] : `${args[1]}:53`], search: settings?.search ?? [], ndots: settings?.ndots ?? 1 };
const server = settings?.servers[0] ?? '';
const [host, port] = server.split(':');
process.stdout.write(settings ? `Server:\t\t${host}\nAddress:\t${host}:${port}\n\n` : "Server:\t\tthe machine's resolver\n\n");
try {
  const found = await resolve4(name, settings);
  process.stdout.write(`Name:\t${found.name}\n${found.addresses.map((a) => `Address: ${a}\n`).join('')}\n`);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  process.stdout.write(code === 'ENOTFOUND' || code === 'ENODATA' ? `** server can't find ${name}: NXDOMAIN\n\n` : `;; connection timed out; no servers could be reached\n\n`);
  process.exit(1);
}
