/**
 * What the kubelet gives each container of the Service network, as pure functions:
 * - the service environment variables (engine/kubelet/service-env.ts), with upstream's cases from
 *   pkg/kubelet/envvars/envvars_test.go (TestFromServices) and pkg/kubelet/kubelet_pods_test.go
 *   (TestMakeEnvironmentVariables: enableServiceLinks false keeps only the `kubernetes` Service
 *   of the default namespace; a Service of the pod's namespace named kubernetes wins);
 * - the pod's DNS settings (engine/kubelet/pod-dns.ts), as pkg/kubelet/network/dns/dns_test.go
 *   (ClusterFirst search list, hostNetwork falling back to Default, None with dnsConfig);
 * - the names the built-in resolver tries (engine/images/programs/resolver.ts), as glibc with ndots.
 */
import { describe, expect, test } from 'vitest';
import { candidates, dnsSettings } from '#engine/images/programs/resolver.ts';
import { clusterDnsPort, podDnsEnv } from '#engine/kubelet/pod-dns.ts';
import { serviceEnvVars } from '#engine/kubelet/service-env.ts';
import type { Pod, Service } from '#engine/kube/types.ts';

const svc = (namespace: string, name: string, spec: Record<string, unknown>): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec }) as Service;
const pod = (namespace: string, spec: Record<string, unknown> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace }, spec: { containers: [], ...spec } }) as Pod;

describe('service environment variables', () => {
  const services = [
    svc('default', 'kubernetes', { clusterIP: '127.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    svc('shop', 'foo-bar', { clusterIP: '1.2.3.4', ports: [{ name: 'http', port: 8083, protocol: 'TCP' }] }),
    svc('shop', 'abc-123', {
      clusterIP: '5.6.7.8',
      ports: [
        { name: 'u-d-p', port: 8081, protocol: 'UDP' },
        { name: 't', port: 8082, protocol: 'TCP' },
      ],
    }),
    svc('shop', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    svc('shop', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
    svc('other', 'elsewhere', { clusterIP: '9.9.9.9', ports: [{ port: 80, protocol: 'TCP' }] }),
  ];

  test('every Service of the namespace with a ClusterIP, with the docker-link variables (envvars_test.go)', () => {
    const env = serviceEnvVars(pod('shop'), services);
    expect(env).toEqual({
      KUBERNETES_SERVICE_HOST: '127.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://127.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://127.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '127.96.0.1',
      FOO_BAR_SERVICE_HOST: '1.2.3.4',
      FOO_BAR_SERVICE_PORT: '8083',
      FOO_BAR_SERVICE_PORT_HTTP: '8083',
      FOO_BAR_PORT: 'tcp://1.2.3.4:8083',
      FOO_BAR_PORT_8083_TCP: 'tcp://1.2.3.4:8083',
      FOO_BAR_PORT_8083_TCP_PROTO: 'tcp',
      FOO_BAR_PORT_8083_TCP_PORT: '8083',
      FOO_BAR_PORT_8083_TCP_ADDR: '1.2.3.4',
      ABC_123_SERVICE_HOST: '5.6.7.8',
      ABC_123_SERVICE_PORT: '8081',
      ABC_123_SERVICE_PORT_U_D_P: '8081',
      ABC_123_SERVICE_PORT_T: '8082',
      ABC_123_PORT: 'udp://5.6.7.8:8081',
      ABC_123_PORT_8081_UDP: 'udp://5.6.7.8:8081',
      ABC_123_PORT_8081_UDP_PROTO: 'udp',
      ABC_123_PORT_8081_UDP_PORT: '8081',
      ABC_123_PORT_8081_UDP_ADDR: '5.6.7.8',
      ABC_123_PORT_8082_TCP: 'tcp://5.6.7.8:8082',
      ABC_123_PORT_8082_TCP_PROTO: 'tcp',
      ABC_123_PORT_8082_TCP_PORT: '8082',
      ABC_123_PORT_8082_TCP_ADDR: '5.6.7.8',
    });
  });

  test('enableServiceLinks: false keeps only the kubernetes Service of the default namespace', () => {
    expect(Object.keys(serviceEnvVars(pod('shop', { enableServiceLinks: false }), services)).filter((k) => !k.startsWith('KUBERNETES_'))).toEqual([]);
    expect(serviceEnvVars(pod('shop', { enableServiceLinks: false }), services).KUBERNETES_SERVICE_HOST).toBe('127.96.0.1');
  });

  test("a Service named kubernetes in the pod's namespace wins over the default namespace's", () => {
    const env = serviceEnvVars(pod('shop'), [...services, svc('shop', 'kubernetes', { clusterIP: '1.1.1.1', ports: [{ port: 80, protocol: 'TCP' }] })]);
    expect(env.KUBERNETES_SERVICE_HOST).toBe('1.1.1.1');
  });
});

describe("a pod's DNS settings", () => {
  const cluster = { ip: '127.96.0.10', port: 53, domain: 'cluster.local' };
  test('ClusterFirst (the default): cluster DNS, search from the namespace, ndots:5', () => {
    expect(podDnsEnv(pod('shop'), cluster)).toEqual({
      KUBELINGS_DNS_NAMESERVERS: '127.96.0.10:53',
      KUBELINGS_DNS_SEARCH: 'shop.svc.cluster.local svc.cluster.local cluster.local',
      KUBELINGS_DNS_OPTIONS: 'ndots:5',
    });
  });
  test("the port cluster DNS really listens on (10053 where ports below 1024 can't be bound)", () => {
    expect(podDnsEnv(pod('default'), { ...cluster, port: 10053 }).KUBELINGS_DNS_NAMESERVERS).toBe('127.96.0.10:10053');
  });
  test('kernel mode: port 53 of the ClusterIP always (kube-proxy DNATs it); loopback mode remaps where ports below 1024 cannot be bound', () => {
    const remap = { mode: 'remap' as const, offset: 10000, reason: '' };
    const bind = { mode: 'bind' as const, offset: 10000, reason: '' };
    expect([clusterDnsPort(remap, true), clusterDnsPort(bind, true)]).toEqual([53, 53]);
    expect([clusterDnsPort(remap, false), clusterDnsPort(bind, false)]).toEqual([10053, 53]);
  });
  test("Default, and ClusterFirst with hostNetwork: nothing (the machine's resolver); ClusterFirstWithHostNet keeps the cluster's", () => {
    expect(podDnsEnv(pod('shop', { dnsPolicy: 'Default' }), cluster)).toEqual({});
    expect(podDnsEnv(pod('shop', { hostNetwork: true }), cluster)).toEqual({});
    expect(podDnsEnv(pod('shop', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster).KUBELINGS_DNS_NAMESERVERS).toBe('127.96.0.10:53');
  });
  test('None takes dnsConfig alone; dnsConfig adds to ClusterFirst, options override by name', () => {
    const dnsConfig = { nameservers: ['127.0.0.53'], searches: ['example.com'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] };
    expect(podDnsEnv(pod('shop', { dnsPolicy: 'None', dnsConfig }), cluster)).toEqual({
      KUBELINGS_DNS_NAMESERVERS: '127.0.0.53:53',
      KUBELINGS_DNS_SEARCH: 'example.com',
      KUBELINGS_DNS_OPTIONS: 'ndots:2 edns0',
    });
    expect(podDnsEnv(pod('shop', { dnsConfig }), cluster)).toEqual({
      KUBELINGS_DNS_NAMESERVERS: '127.96.0.10:53 127.0.0.53:53',
      KUBELINGS_DNS_SEARCH: 'shop.svc.cluster.local svc.cluster.local cluster.local example.com',
      KUBELINGS_DNS_OPTIONS: 'ndots:2 edns0',
    });
  });
});

describe('the names the built-in resolver tries', () => {
  const settings = dnsSettings({ KUBELINGS_DNS_NAMESERVERS: '127.96.0.10:53', KUBELINGS_DNS_SEARCH: 'shop.svc.cluster.local svc.cluster.local cluster.local', KUBELINGS_DNS_OPTIONS: 'ndots:5' })!;
  test('fewer dots than ndots: each search domain first, then the name', () => {
    expect(candidates('web', settings)).toEqual(['web.shop.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
  });
  test('a final dot: the name alone; ndots reached: the name first', () => {
    expect(candidates('web.shop.svc.cluster.local.', settings)).toEqual(['web.shop.svc.cluster.local']);
    expect(candidates('a.b.c.d.e.f', settings)[0]).toBe('a.b.c.d.e.f');
  });
  test("no nameserver in the environment: the machine's resolver (dnsPolicy Default)", () => {
    expect(dnsSettings({})).toBeUndefined();
  });
});
