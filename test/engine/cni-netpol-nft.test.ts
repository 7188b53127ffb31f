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

test('malformed compiled rules are refused before nft sees them, naming the rule (a podIP or cidr that would be nft text of its own)', () => {
  const one = (r: Partial<CompiledPodRules>) => () => renderNetpolTable([rules[0]!, { podIp: '10.1.0.9', direction: 'ingress', allow: [], ...r } as CompiledPodRules]);
  expect(one({ podIp: '10.1.0.9 accept' })).toThrow('compiled rule 1 ("10.1.0.9 accept" "ingress"): "10.1.0.9 accept" is not an IPv4 address');
  expect(one({ podIp: '10.1.0.9\nflush ruleset' })).toThrow('is not an IPv4 address');
  expect(one({ direction: 'forward' as 'ingress' })).toThrow('direction is neither ingress nor egress');
  expect(one({ podIp: '10.1.0.2' })).toThrow('compiled rule 1 ("10.1.0.2" "ingress"): this pod and direction came before');
  expect(one({ allow: [{ peers: [{ cidr: '0.0.0.0/0 } accept; {', except: [] }] }] })).toThrow('is not a CIDR block');
  expect(one({ allow: [{ peers: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16 }'] }] }] })).toThrow('is not a CIDR block');
  expect(one({ allow: [{ ports: [{ protocol: 'TCP', from: 8080, to: 70000 }] }] })).toThrow('port range 8080-70000 is not within 1-65535');
  expect(one({ allow: [{ ports: [{ protocol: 'TCP', from: 90, to: 80 }] }] })).toThrow('low end first');
  expect(one({ allow: [{ ports: [{ protocol: 'ICMP' as 'TCP', from: 1, to: 1 }] }] })).toThrow('protocol "ICMP" is not TCP, UDP or SCTP');
  expect(one({ allow: [{ ports: [{ protocol: 'UDP', from: 53, to: 53 }] }] })(), 'a well-formed rule').toContain('udp dport 53 return');
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
