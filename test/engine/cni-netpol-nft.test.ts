/**
 * The nftables rendering of compiled NetworkPolicy rules (engine/cni/netpol-nft.ts): its text for
 * a deny-all and an allow, and, as root with nft installed, that nft accepts and loads it inside a
 * network namespace this test creates (kubelings-nft-<pid>, deleted after; nothing is loaded on
 * the host).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, expect, test } from 'vitest';
import { renderNetpolTable } from '#engine/cni/netpol-nft.ts';
import type { CompiledPodRules } from '#engine/cni/exercises.ts';

const rules: CompiledPodRules[] = [
  {
    podIp: '10.1.0.2',
    direction: 'ingress',
    allow: [
      {
        peers: [
          { cidr: '10.1.0.4/32', except: [] },
          { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] },
        ],
        ports: [{ protocol: 'TCP', from: 8080, to: 8090 }],
      },
    ],
  },
  { podIp: '10.1.0.3', direction: 'egress', allow: [] },
];

test('a chain per isolated pod and direction: established traffic, each peer and port range (return: the other end still decides), then drop', () => {
  const text = renderNetpolTable(rules);
  expect(text).toContain('    ip daddr 10.1.0.2 jump ingress-10-1-0-2\n    ip saddr 10.1.0.3 jump egress-10-1-0-3\n');
  expect(text).toContain(
    '  chain ingress-10-1-0-2 {\n    ct state established,related accept\n    ip saddr 10.1.0.4/32 tcp dport 8080-8090 return\n    ip saddr 10.0.0.0/16 ip saddr != { 10.0.5.0/24 } tcp dport 8080-8090 return\n    drop\n  }',
  );
  expect(text).toContain('  chain egress-10-1-0-3 {\n    ct state established,related accept\n    drop\n  }');
});

const ns = `kubelings-nft-${process.pid}`;
const canLoad =
  process.getuid?.() === 0 &&
  (() => {
    try {
      execFileSync('nft', ['--version']);
      return true;
    } catch {
      return false;
    }
  })();
afterAll(() => {
  if (canLoad) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
});

test.skipIf(!canLoad)(`nft loads the table in a namespace of its own, twice (it replaces itself)${canLoad ? '' : ' (skipped: needs root and nft)'}`, () => {
  execFileSync('ip', ['netns', 'add', ns]);
  const text = renderNetpolTable(rules);
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: text });
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: text });
  const listed = execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'inet', 'kubelings-netpol'], { encoding: 'utf8' });
  expect(listed).toContain('chain ingress-10-1-0-2');
  expect(listed).toMatch(/ip saddr 10\.0\.0\.0\/16 ip saddr != 10\.0\.5\.0\/24 tcp dport 8080-8090 return/);
  expect(execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }), "the host's tables").not.toContain('kubelings-netpol');
});
