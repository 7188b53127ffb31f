/**
 * listenInNetns (engine/cni/netns-listen.ts), the way cluster DNS serves the pod network in kernel
 * mode (root, Linux, ip): sockets bound inside a namespace by the helper program are served by
 * this process, which stays in the machine's namespace; a client inside the namespace reaches
 * them over TCP and UDP; an address the namespace lacks is EADDRNOTAVAIL, a missing namespace an
 * error, and neither leaves a helper; stillThere() turns false once the namespace is removed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { autoNetworkMode, NETNS_PREFIX, removeNetns } from '#engine/cni/netns-layout.ts';
import { listenInNetns } from '#engine/cni/netns-listen.ts';
import { waitFor } from './cri-harness.ts';
import { pidsWithCmdline } from '../support/processes.ts';

const KERNEL = autoNetworkMode();
const netns = `${NETNS_PREFIX}lt${process.pid}`;
const run = promisify(execFile);
const helpers = () => pidsWithCmdline((cmd) => cmd.includes('netns-listener') && cmd.includes(netns));

afterAll(async () => {
  if (KERNEL.mode === 'kernel') await removeNetns([netns]);
});

describe.skipIf(KERNEL.mode !== 'kernel')(`sockets bound inside a namespace${KERNEL.mode === 'kernel' ? '' : ` (skipped: ${KERNEL.reason})`}`, { timeout: 120_000 }, () => {
  test('served here, reached from inside over TCP and UDP; EADDRNOTAVAIL and a missing namespace fail cleanly; stillThere() follows the namespace', async () => {
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', netns, 'addr', 'add', '10.250.99.1/32', 'dev', 'lo']);

    await expect(listenInNetns(netns, '10.250.99.2', 53)).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    await expect(listenInNetns(`${netns}-missing`, '10.250.99.1', 53)).rejects.toThrow(/Cannot open network namespace/);
    await waitFor('the failed helpers to end', () => helpers().length === 0);

    const sockets = await listenInNetns(netns, '10.250.99.1', 53);
    sockets.tcp.on('connection', (c) => c.end(`tcp answered by pid ${process.pid}\n`));
    sockets.udp.on('message', (m, from) => sockets.udp.send(Buffer.from(`udp ${m.toString()} answered by pid ${process.pid}`), from.port, from.address));
    try {
      expect(sockets.stillThere()).toBe(true);
      await waitFor('the helper to end once it handed its sockets over', () => helpers().length === 0);
      const tcp = await run('ip', ['netns', 'exec', netns, 'bash', '-c', 'exec 3<>/dev/tcp/10.250.99.1/53; cat <&3'], { encoding: 'utf8', timeout: 30_000 });
      expect(tcp.stdout).toBe(`tcp answered by pid ${process.pid}\n`);
      const udpClient = "const d=require('dgram').createSocket('udp4');d.on('message',m=>{console.log(String(m));process.exit(0)});d.send('ping',53,'10.250.99.1')";
      const udp = await run('ip', ['netns', 'exec', netns, process.execPath, '-e', udpClient], { encoding: 'utf8', timeout: 30_000 });
      expect(udp.stdout.trim()).toBe(`udp ping answered by pid ${process.pid}`);
      // The port is held: a second bind in the namespace is refused.
      await expect(listenInNetns(netns, '10.250.99.1', 53)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await removeNetns([netns]);
      expect(sockets.stillThere()).toBe(false);
    } finally {
      sockets.tcp.close();
      sockets.udp.close();
    }
  });
});
