// The DNS benchmark's client (test/bench/network-kernel-dns.ts): a process of its own, started in
// a network namespace or not, that keeps 64 UDP A queries in flight against argv[2]:argv[3] for
// argv[4] ms after a 500 ms warm-up, and prints {"qps":Q} (answers per second). Plain JavaScript:
// it runs with node alone, without tsx, inside `ip netns exec`.
import dgram from 'node:dgram';

const [host, portText, msText] = process.argv.slice(2);
const port = Number(portText);
const ms = Number(msText ?? 3000);
const sock = dgram.createSocket('udp4');
let answered = 0;
let id = 0;
// A query for svc-<n>.default.svc.cluster.local, type A, class IN, RD set (RFC 1035 4.1).
function query(n) {
  const labels = [`svc-${n}`, 'default', 'svc', 'cluster', 'local'];
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, name, Buffer.from([0, 1, 0, 1])]);
}
const send = () => {
  id++;
  sock.send(query(id % 1000), port, host);
};
sock.on('message', () => {
  answered++;
  send();
});
sock.bind(0, () => {
  for (let i = 0; i < 64; i++) send();
  setTimeout(() => {
    const start = answered;
    const t0 = performance.now();
    setTimeout(() => {
      process.stdout.write(`${JSON.stringify({ qps: (answered - start) / ((performance.now() - t0) / 1000) })}\n`);
      process.exit(0);
    }, ms);
  }, 500);
});
