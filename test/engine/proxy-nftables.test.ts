/**
 * The rules shown as kube-proxy's nftables ruleset (engine/proxy/nftables-render.ts): the lines
 * upstream's TestOverallNFTablesRules (pkg/proxy/nftables/proxier_test.go) expects for a ClusterIP
 * with endpoints, a Service without endpoints (reject), a Local NodePort without a local endpoint
 * (drop), ClientIP affinity sets, and a ruleset that `nft -c -f` (the real nftables parser, in check
 * mode: nothing is loaded) accepts. That last test needs nft and root, and says so when skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { chainHash, renderNftables } from '#engine/proxy/nftables-render.ts';
import { ep, service, slice } from '../grading/services/make.ts';

const s = await loadComponent('services');
const rules = s.serviceRules(
  [
    service('web', { clusterIP: '127.96.0.10' }),
    service('empty', { clusterIP: '127.96.0.11' }),
    service('sticky', { clusterIP: '127.96.0.12', sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 60 }),
    service('edge', { clusterIP: '127.96.0.13', type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] }),
  ],
  [slice('web', [ep('127.64.0.5'), ep('127.64.1.7')]), slice('sticky', [ep('127.64.0.8')]), slice('edge', [ep('127.64.0.9', { node: 'node-2' })])],
  'node-1',
);
const text = renderNftables(rules);
const web = `service-${chainHash('default/web/tcp/http')}-default/web/tcp/http`;

describe('the nftables rendering', () => {
  test('chain names carry 8 base32 characters of the SHA-256 of their base', () => {
    expect(chainHash('default/web/tcp/http'), 'hash of default/web/tcp/http').toMatch(/^[A-Z2-7]{8}$/);
    expect(chainHash('a'), 'hash of "a"').not.toBe(chainHash('b'));
  });

  test('a ClusterIP with two endpoints: its service-ips element, masquerade mark, numgen over both, DNAT per endpoint', () => {
    expect(text, 'the ruleset').toContain(`127.96.0.10 . tcp . 80 : goto ${web},`);
    expect(text, 'the ruleset').toContain('ip daddr 127.96.0.10 tcp dport 80 ip saddr != 127.64.0.0/12 jump mark-for-masquerade');
    expect(text, 'the ruleset').toMatch(
      /numgen random mod 2 vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-default\/web\/tcp\/http__127\.64\.0\.5\/8080, 1 : goto endpoint-[A-Z2-7]{8}-default\/web\/tcp\/http__127\.64\.1\.7\/8080 \}/,
    );
    expect(text, 'the ruleset').toContain('meta l4proto tcp dnat to 127.64.1.7:8080');
  });

  test('no endpoints: rejected through no-endpoint-services; a Local NodePort without a local endpoint: dropped', () => {
    expect(text, 'the ruleset').toContain('127.96.0.11 . tcp . 80 comment "default/empty:http" : goto reject-chain,');
    expect(text, 'the ruleset').toContain('tcp . 30080 comment "default/edge:http" : drop,');
  });

  test('ClientIP affinity: a timeout set per endpoint, checked before numgen, updated in the endpoint chain', () => {
    expect(text, 'the ruleset').toMatch(/set affinity-[A-Z2-7]{8}-default\/sticky\/tcp\/http__127\.64\.0\.8\/8080 \{\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 60s/);
    expect(text, 'the ruleset').toMatch(/ip saddr @affinity-[A-Z2-7]{8}-default\/sticky\/tcp\/http__127\.64\.0\.8\/8080 goto endpoint-/);
    expect(text, 'the ruleset').toMatch(/update @affinity-[A-Z2-7]{8}-default\/sticky\/tcp\/http__127\.64\.0\.8\/8080 \{ ip saddr \}/);
  });

  const nft = spawnSync('nft', ['--version']).status === 0 && process.getuid?.() === 0;
  test.skipIf(!nft)('nft -c -f accepts the ruleset (check mode: nothing is loaded) [needs nft and root]', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelings-nft-'));
    try {
      const file = join(dir, 'rules.nft');
      writeFileSync(file, renderNftables(rules, { table: 'kubelings-check' }));
      const run = spawnSync('nft', ['-c', '-f', file], { encoding: 'utf8' });
      expect(run.stderr, 'nft -c -f: its complaints').toBe('');
      expect(run.status, 'nft -c -f exit status').toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
