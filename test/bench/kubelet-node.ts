/**
 * One kubelet in a process of its own, for `npm run bench kubelet` (so that its cpu time and
 * memory are its own): reads one JSON line on stdin (the apiserver's URL and CA, the node's token,
 * the cluster CA's certificate and key, the runtime root and pod CIDR), starts the kubelet with
 * upstream's intervals, prints `ready <port>`, and stops (every container with it) on SIGTERM or
 * when stdin closes (the bench is gone).
 */
import { createInterface } from 'node:readline';
import { StaticTokens } from '#engine/apiserver/tokens.ts';
import { ADMIN } from '#engine/apiserver/auth.ts';
import { KubeClient } from '#engine/client/client.ts';
import { startKubelet, type Kubelet } from '#engine/kubelet/kubelet.ts';

interface NodeConfig {
  server: string;
  ca: string;
  token: string;
  adminToken: string;
  caKey: string;
  nodeName: string;
  root: string;
  podCidr: string;
}

const lines = createInterface({ input: process.stdin });
let kubelet: Kubelet | undefined;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await kubelet?.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
lines.once('line', (line) => {
  const config = JSON.parse(line) as NodeConfig;
  const client = new KubeClient({ server: config.server, ca: config.ca, token: config.token, userAgent: `kubelet/${config.nodeName}`, maxSockets: 16 });
  void startKubelet({
    nodeName: config.nodeName,
    client,
    root: config.root,
    podCidr: config.podCidr,
    port: 0,
    ca: { cert: config.ca, key: config.caKey },
    tokens: new StaticTokens([{ token: config.adminToken, user: ADMIN }]),
  }).then(
    (k) => {
      kubelet = k;
      process.stdout.write(`ready ${k.server.port}\n`);
    },
    (error: Error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
});
lines.on('close', () => void stop());
