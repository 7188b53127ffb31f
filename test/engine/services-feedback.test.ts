/**
 * The feedback of lesson 07's suites against deliberately broken services components
 * (test/engine/fixtures/services/<variant>): each mistake learners really make fails the test that
 * names it, and the grader's output carries the did/expected/got lines and the hint.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('07-services', join(import.meta.dirname, 'fixtures', 'services'));

describe('lesson 07 names the mistake', () => {
  test('terminating endpoints used while ready ones exist', async () => {
    const { out, failed } = await gradeVariant('terminating-while-ready', '01-service-rules');
    expect(failed).toContain('ready, serving and terminating endpoints > terminating endpoints are not used while a ready one is left');
    expect(out).toMatch(
      /did\s+endpoints of: \.5 terminating \(serving\), \.6 ready, \.7 terminating \(serving\)\n\s+expected \[\n\s+"127\.64\.0\.6:8080",\n\s+\]\n\s+got\s+\[\n\s+"127\.64\.0\.5:8080",/,
    );
    expect(out).toContain('Should new connections go to it while others are ready?');
  }, 60_000);

  test('affinity that ignores its timeout', async () => {
    const { out, failed } = await gradeVariant('affinity-ignores-timeout', '01-service-rules');
    expect(failed).toEqual(['session affinity > ClientIP with a timeout: the rule carries it']);
    expect(out).toMatch(/expected 60\n\s+got\s+10800/);
  }, 60_000);

  test('a NodePort with externalTrafficPolicy Local sending to remote endpoints', async () => {
    const { out, failed } = await gradeVariant('nodeport-local-sends-remote', '01-service-rules');
    expect(failed).toContain("NodePorts and traffic policies > externalTrafficPolicy Local: node-port traffic only to this node's endpoints; ClusterIP traffic still to all");
    expect(out).toContain('externalEndpoints on node-1 (endpoints on node-1, node-2, node-2)');
  }, 60_000);

  test('slice ports matched by the targetPort number', async () => {
    const { out, failed } = await gradeVariant('ports-by-number', '01-service-rules');
    expect(failed).toContain("a ClusterIP Service > a named targetPort: the slice port is matched by the Service port's name, not by a number");
    expect(out).toContain("which field of the slice port is the same as the Service port's?");
  }, 60_000);

  test('a full resync for every change', async () => {
    const { out, failed } = await gradeVariant('full-resync-every-time', '02-proxier');
    expect(failed).toContain("full and partial syncs > a change to one Service's endpoints sends that Service's rule only");
    expect(out).toMatch(/did\s+the sync after web's slice gained 127\.64\.0\.9\n\s+expected \[\[false,.*\n\s+got\s+\[\[true,/);
  }, 60_000);

  test('a sync for every event, without the minimum period', async () => {
    const { out, failed } = await gradeVariant('sync-per-event', '02-proxier');
    expect(failed).toContain("the sync loop's timing (BoundedFrequencyRunner) > changes within minSyncPeriod wait for it and go in one sync");
    expect(out).toMatch(/nextSyncAt\(\) after a sync at 0 and a change at 100 ms \(minSyncPeriod 1 s\)\n\s+expected 1000\n\s+got\s+0/);
  }, 60_000);

  test('NODATA answered as NXDOMAIN', async () => {
    const { out, failed } = await gradeVariant('nodata-as-nxdomain', '03-cluster-dns');
    expect(failed).toContain('Services by name > a name that exists, asked for another type, is NODATA (NOERROR, no answer), not NXDOMAIN');
    expect(out).toContain('Does web.shop.svc.cluster.local exist?');
  }, 60_000);

  test('a search list that tries the bare name first', async () => {
    const { failed } = await gradeVariant('search-name-first', '03-cluster-dns');
    expect(failed).toContain('search paths (resolv.conf: search <ns>.svc.<zone> svc.<zone> <zone>, ndots:5) > a short name is tried with each search domain first, the name itself last');
  }, 60_000);

  test('Prefix /foo matching /foobar', async () => {
    const { out, failed } = await gradeVariant('prefix-as-string', '04-ingress');
    expect(failed).toContain('paths > Prefix matches by path elements: /foo matches /foo, /foo/ and /foo/bar, not /foobar');
    expect(out).toContain('Split both on "/" and compare elements');
  }, 60_000);
});
