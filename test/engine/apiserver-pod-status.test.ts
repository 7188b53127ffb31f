/**
 * The address checks of a pod status write, as upstream makes them
 * (pkg/apis/core/validation/validation.go ValidatePodStatusUpdate → validatePodIPs, validateHostIPs;
 * cases after TestPodIPsValidation and TestHostIPsValidation in validation_test.go; the podIP /
 * podIPs reconciliation of pkg/apis/core/v1/conversion.go Convert_v1_PodStatus_To_core_PodStatus).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Pod } from '#engine/kube/types.ts';
import { startTestServer, type TestServer } from './apiserver-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({});
});
afterAll(async () => server?.close());

async function writeStatus(name: string, status: Record<string, unknown>): Promise<{ code: number; body: any }> {
  const path = `/api/v1/namespaces/default/pods/${name}`;
  const pod = (await (await server.fetch(path)).json()) as Pod;
  const res = await server.fetch(`${path}/status`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...pod, status: { ...pod.status, ...status } }) });
  return { code: res.status, body: await res.json() };
}

describe('a pod status write: its addresses', () => {
  beforeAll(async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'addr' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    const res = await server.fetch('/api/v1/namespaces/default/pods', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pod) });
    expect(res.status).toBe(201);
  });

  const good: [string, Record<string, unknown>][] = [
    ['podIP alone', { podIP: '10.244.0.5' }],
    ['podIP and podIPs agreeing', { podIP: '10.244.0.6', podIPs: [{ ip: '10.244.0.6' }] }],
    ['dual stack, IPv4 first', { podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }, { ip: 'fd00::7' }] }],
    ['dual stack, IPv6 first', { podIP: 'fd00::8', podIPs: [{ ip: 'fd00::8' }, { ip: '10.244.0.8' }] }],
    ['hostIPs dual stack', { hostIP: '10.0.0.1', hostIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] }],
    ['a loopback pod address (loopback mode)', { podIP: '127.1.0.9', podIPs: [{ ip: '127.1.0.9' }] }],
  ];
  for (const [title, status] of good) {
    test(`accepted: ${title}`, async () => {
      const { code, body } = await writeStatus('addr', status);
      expect(code, JSON.stringify(body)).toBe(200);
    });
  }

  const bad: [string, Record<string, unknown>, string[]][] = [
    ['podIP not an address', { podIP: 'abc' }, ['status.podIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    // podIP wins over a different podIPs[0] (the conversion), so a bad podIPs[0] behind a good podIP is not looked at.
    [
      'podIPs[0] not an address, no podIP',
      { podIP: '', podIPs: [{ ip: '300.1.1.1' }] },
      ['status.podIPs[0]: Invalid value: "300.1.1.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ],
    [
      'two IPv4 addresses',
      { podIP: '10.244.0.1', podIPs: [{ ip: '10.244.0.1' }, { ip: '10.244.0.2' }] },
      ['status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.244.0.1"}, core.PodIP{IP:"10.244.0.2"}}: may specify no more than one IP for each IP family'],
    ],
    [
      'the same address twice',
      { podIP: '10.244.0.1', podIPs: [{ ip: '10.244.0.1' }, { ip: '10.244.0.1' }] },
      [
        'status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.244.0.1"}, core.PodIP{IP:"10.244.0.1"}}: may specify no more than one IP for each IP family',
        'status.podIPs[1]: Duplicate value: core.PodIP{IP:"10.244.0.1"}',
      ],
    ],
    [
      'three addresses',
      { podIP: '10.244.0.1', podIPs: [{ ip: '10.244.0.1' }, { ip: 'fd00::1' }, { ip: 'fd00::2' }] },
      ['status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.244.0.1"}, core.PodIP{IP:"fd00::1"}, core.PodIP{IP:"fd00::2"}}: may specify no more than one IP for each IP family'],
    ],
    ['hostIPs not an address', { hostIP: 'node-1', hostIPs: [{ ip: 'node-1' }] }, ['status.hostIPs[0]: Invalid value: "node-1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ];
  for (const [title, status, messages] of bad) {
    test(`422: ${title}`, async () => {
      const { code, body } = await writeStatus('addr', status);
      expect([code, body.reason], JSON.stringify(body)).toEqual([422, 'Invalid']);
      expect(body.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`)).toEqual(messages);
      expect(body.message).toBe(`Pod "addr" is invalid: ${messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`}`);
    });
  }
});
