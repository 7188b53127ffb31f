/**
 * The kernel backend's guard (engine/proxy/kernel/nftables-backend.ts, checkRule): rules become nft
 * commands, so a rule whose text could not be a Service port's (a quote or newline in a name, an
 * address that is not one, a port out of range: a learner's bug) is refused with a message naming
 * the rule, before anything runs. No root needed: the namespace named here does not exist, so
 * reaching nft would fail with nft's message instead. The reference rules of a few Services pass.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import type { ProxyRule } from '#engine/proxy/exercises.ts';
import { checkRule, NftablesProxyBackend } from '#engine/proxy/kernel/nftables-backend.ts';
import { ep, service, slice } from '../grading/services/make.ts';

const services = await loadComponent('services');
const good = services.serviceRules(
  [
    service('web', { clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080 }] }),
    service('sticky', { clusterIP: '10.96.0.11', sessionAffinity: 'ClientIP', affinityTimeoutSeconds: 60 }),
    service('dns', { clusterIP: '10.96.0.12', ports: [{ protocol: 'UDP', port: 53 }] }),
  ],
  [slice('web', [ep('10.199.0.10')]), slice('sticky', [ep('10.199.0.11')]), slice('dns', [ep('10.199.0.12')], { ports: [{ protocol: 'UDP', port: 53 }] })],
  'node-1',
);

describe('rules are checked before they reach nft', () => {
  test('the rules of a NodePort, a ClientIP-affinity and an unnamed UDP port pass', () => {
    expect(good.length, 'rules made').toBe(3);
    for (const r of good) expect(() => checkRule(r), r.servicePortName).not.toThrow();
  });

  const web = good.find((r) => r.service === 'default/web')!;
  const cases: [string, Partial<ProxyRule>, RegExp][] = [
    ['a quote in the name', { servicePortName: 'default/web:http" ; flush ruleset ; "' }, /servicePortName must be/],
    ['a newline in the name', { servicePortName: 'default/web:http\ndelete table inet kubelings-netpol' }, /servicePortName must be/],
    ['a servicePortName of another Service', { servicePortName: 'default/other:http' }, /the Service's own namespace\/name/],
    ['a clusterIP that is not an address', { clusterIP: '10.96.0.10; flush ruleset' }, /clusterIP .* is not an IPv4 address/],
    ['port 0', { port: 0 }, /port and nodePort must be whole numbers from 1 to 65535/],
    ['nodePort 70000', { nodePort: 70_000 }, /port and nodePort must be/],
    ['protocol in lower case', { protocol: 'tcp' as ProxyRule['protocol'] }, /protocol must be TCP, UDP or SCTP/],
    ['a fractional affinity timeout', { affinityTimeoutSeconds: 1.5 }, /affinityTimeoutSeconds must be a whole number/],
    ['an endpoint address with a command in it', { internalEndpoints: [{ ...web.internalEndpoints[0]!, ip: '10.199.0.10:80 ; flush ruleset' }] }, /endpoint .* needs an IPv4 address/],
    ['an endpoint without a port', { internalEndpoints: [{ ...web.internalEndpoints[0]!, port: undefined as unknown as number }] }, /endpoint .* needs an IPv4 address and a port/],
  ];
  for (const [what, change, message] of cases) {
    test(`refused: ${what}`, () => {
      const backend = new NftablesProxyBackend({ netns: 'kl-no-such-netns', clusterCIDR: '10.199.0.0/24' });
      expect(() => backend.apply({ full: true, upsert: [{ ...web, ...change }], remove: [] })).toThrow(message);
      expect(backend.stats(), 'nothing was sent to nft').toEqual({ full: 0, partial: 0, failed: 0 });
    });
  }

  test('a namespace or table name that is not a plain name is refused', () => {
    expect(() => new NftablesProxyBackend({ netns: 'kl-x', table: 'a b' })).toThrow('is not an nftables table name');
    expect(() => new NftablesProxyBackend({ netns: '../../proc/1/ns/net' }).apply({ full: true, upsert: [], remove: [] })).toThrow('is not a network namespace name');
  });
});
