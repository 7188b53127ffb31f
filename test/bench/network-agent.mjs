// The network benchmark's agent (test/bench/network.bench.ts): a separate process that plays the
// pod and the client, so the proxy under test runs alone in the benchmark's process as kube-proxy
// runs alone on a node. It serves on argv[2] (a 127.64.x address): a sink that reports the bytes it
// got when the client half-closes, and greets each connection with one byte. It prints its port,
// then runs commands from stdin, one JSON line each, and answers one JSON line each:
//   {"op":"tput","host":H,"port":P,"bytes":N}    -> {"ms":T}      send N bytes, wait for the count
//   {"op":"lat","host":H,"port":P,"n":N}         -> {"ms":[...]}  N connections one after another, each until its greeting
import net from 'node:net';
import readline from 'node:readline';

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  let got = 0;
  socket.write('x');
  socket.on('data', (d) => (got += d.length));
  socket.on('end', () => socket.end(String(got)));
  socket.on('error', () => {});
});
server.listen({ host: process.argv[2], port: 0 }, () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));

const chunk = Buffer.alloc(64 * 1024, 7);
function tput(host, port, bytes) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const socket = net.connect({ host, port, allowHalfOpen: true });
    let sent = 0;
    let reply = '';
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    socket.on('connect', pump);
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('end', () => resolve({ ms: performance.now() - start, got: Number(reply.slice(1)) }));
    socket.on('error', reject);
  });
}
async function lat(host, port, n) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('data', () => {
        ms.push(performance.now() - start);
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
  }
  return { ms };
}
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const c = JSON.parse(line);
  try {
    const out = c.op === 'tput' ? await tput(c.host, c.port, c.bytes) : await lat(c.host, c.port, c.n);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  }
});
rl.on('close', () => process.exit(0));
