/**
 * The feedback of lesson 04's suites against deliberately broken controllers
 * (test/engine/fixtures/controllers/<variant>): each mistake learners really make fails the test
 * that names it, and the grader's output carries the did/expected/got lines and the hint.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('04-controllers', join(import.meta.dirname, 'fixtures', 'controllers'));

const QUEUE = 'the queue: dirty and processing > ';
const RANK = 'which pods go first on scale-down (ActivePodsWithRanks) > ';
const SYNC = 'syncReplicaSet, one sync at a time (recorded actions) > ';

describe('lesson 04 names the mistake', () => {
  test('a queue that drops a key re-added while it is processing loses the change, and says so', async () => {
    const { out, failed } = await gradeVariant('readd-while-processing-lost', '01-workqueue');
    expect(failed).toContain(`${QUEUE}a key added while a worker processes it is not handed out again until done(), then it is`);
    expect(out).toMatch(/did\s+len\(\) after done\(a\): the second add of a was kept\n\s+expected 1\n\s+got\s+0/);
    expect(out).toContain('While a key is processing, add() only marks it dirty; done() puts a dirty key back in the queue');
    expect(
      failed.some((t) => t.startsWith('whatever the workers do')),
      'the property test finds it too',
    ).toBe(true);
  });

  test('a queue that hands a re-added key out while a worker still has it fails the stingy rule and the property', async () => {
    const { out, failed } = await gradeVariant('readd-while-processing-queued', '01-workqueue');
    expect(failed).toContain(`${QUEUE}a key added while a worker processes it is not handed out again until done(), then it is`);
    expect(out).toMatch(/did\s+len\(\) after add\(a\) while a is processing\n\s+expected 0\n\s+got\s+1/);
    expect(out).toMatch(/k\d handed out while a worker still has it/);
  });

  test('forget() that keeps the failure count fails the forget test, with its hint', async () => {
    const { out, failed } = await gradeVariant('forget-keeps-backoff', '01-workqueue');
    expect(failed).toContain("rate limiters > forget() starts an item's backoff over");
    expect(out).toMatch(/did\s+numRequeues\(a\) after forget\n\s+expected 0\n\s+got\s+2/);
    expect(out).toContain("forget must delete the item's failure count");
  });

  test('a bucket that never refills fails the refill test only, showing the waits it gave', async () => {
    const { out, failed } = await gradeVariant('bucket-never-refills', '01-workqueue');
    expect(failed).toEqual(['rate limiters > the bucket refills with the clock, and never holds more than the burst']);
    expect(out).toMatch(/expected \[0,0,0,0,0,0,0,0,0,0,100\]\n\s+got\s+\[100,200,300/);
  });

  test('delayed keys ready together, joined in the order addAfter was called, fail the earliest-first test only', async () => {
    const { out, failed } = await gradeVariant('delayed-keys-in-added-order', '01-workqueue');
    expect(failed).toEqual(['the delaying queue: addAfter > several delayed keys ready at once join earliest first, whatever order they were added in']);
    expect(out).toMatch(/expected \["a","b","c","d"\]\n\s+got\s+\["c","a","d","b"\]/);
    expect(out).toContain('Sort the keys whose time has come by their ready time');
  });

  test('deleting ready pods before pending and not-ready ones fails the ranking tests, naming the pods', async () => {
    const { out, failed } = await gradeVariant('deletes-ready-first', '02-replicaset');
    expect(failed).toContain(`${RANK}a not-ready pod before a ready one`);
    expect(failed).toContain(`${RANK}with several pods, the order of the issue: unassigned, pending, not ready, then ready ones`);
    expect(out).toMatch(/did\s+running not ready vs running ready\n\s+expected not-ready\n\s+got\s+ready/);
    expect(out).toContain('3. not ready < ready: deleting a ready pod loses capacity');
  });

  test('a controller that never adopts fails the adoption test', async () => {
    const { out, failed } = await gradeVariant('never-adopts', '02-replicaset');
    expect(failed).toEqual(['claiming: owner references and adoption (controller_ref_manager.go) > an orphan whose labels match is adopted; one whose labels do not is left alone']);
    expect(out).toContain('No controller: adopt if the selector matches');
  });

  test('counting a terminating pod as active fails isPodActive, naming the case', async () => {
    const { out, failed } = await gradeVariant('counts-terminating', '02-replicaset');
    expect(failed).toEqual(['which pods count > isPodActive: pods that finished or are being deleted do not count']);
    expect(out).toMatch(/did\s+isPodActive\(a Running, being deleted pod\)\n\s+expected false\n\s+got\s+true/);
  });

  test('ignoring expectations creates pods twice: the recorded actions show the extra creates', async () => {
    const { out, failed } = await gradeVariant('ignores-expectations', '02-replicaset');
    expect(failed).toContain(`${SYNC}while earlier creates have not been seen in the informer, it creates nothing more, but still writes the status`);
    expect(out).toMatch(
      /expected \["update replicaset default\/web status"\]\n\s+got\s+\["create pod default\/web-","create pod default\/web-","create pod default\/web-","update replicaset default\/web status"\]/,
    );
    expect(out).toContain('Check ctx.expectations.satisfiedExpectations(key) before creating or deleting');
  });

  test('ignoring a failed adoption counts a vanished orphan: one pod too few is created, and the test says how many', async () => {
    const { out, failed } = await gradeVariant('adoption-errors-ignored', '02-replicaset');
    expect(failed).toContain(`${SYNC}an orphan gone before its adoption is not counted; another adoption error fails the sync`);
    expect(out).toMatch(/did\s+pods created when the orphan vanished before its adoption \(1 of 2 left\)\n\s+expected 1\n\s+got\s+0/);
    expect(out).toContain('Adopting: skip on NotFound, throw anything else; count only the pods adopted');
  });

  test('a Recreate that waits for finished old pods never creates the new ReplicaSet, and the actions show it', async () => {
    const { out, failed } = await gradeVariant('recreate-waits-for-finished-pods', '03-deployment');
    expect(failed).toEqual([
      'syncDeployment, one sync at a time (recorded actions) > Recreate, sync by sync > old pods all Failed or Succeeded: the new ReplicaSet is created with every replica at once',
    ]);
    expect(out).toMatch(/did\s+actions on ReplicaSets\n\s+expected \[\n\s+"create replicaset default\/web-\w+ replicas=2",\n\s+\]\n\s+got\s+\[\]/);
    expect(out).toContain('Finished pods do not hold up a Recreate');
  });

  test('rounding maxUnavailable up fails the fencepost test, with 25% of 10', async () => {
    const { out, failed } = await gradeVariant('unavailable-rounds-up', '03-deployment');
    expect(failed).toContain('fenceposts: maxSurge and maxUnavailable as pods > percentages: maxSurge rounds up, maxUnavailable rounds down');
    expect(out).toMatch(/did\s+resolveFenceposts\('25%', '25%', 10\)\n\s+expected \{"maxSurge":3,"maxUnavailable":2\}\n\s+got\s+\{"maxSurge":3,"maxUnavailable":3\}/);
  });

  test('counting the surge against the old ReplicaSets only fails the new-ReplicaSet test, with the hint that asks', async () => {
    const { out, failed } = await gradeVariant('surge-against-old-only', '03-deployment');
    expect(failed).toContain("how far the new ReplicaSet may grow (NewRSNewReplicas) > the new ReplicaSet's own pods count against the surge too");
    expect(out).toMatch(/did\s+old 8 \+ new 3 = 11, room for 2 more\n\s+expected 5\n\s+got\s+8/);
    expect(out).toContain('Did you add up only the old ReplicaSets?');
  });

  // ── 04-garbage-collector ──
  const ATTEMPT = 'attemptToDeleteItem: one object, its owners looked up live > ';
  const NS = 'the namespace controller > ';

  test('an owner re-created under the same name taken as the same owner fails the classification, showing d as solid', async () => {
    const { out, failed } = await gradeVariant('gc-ignores-owner-uid', '04-garbage-collector');
    expect(failed).toEqual(['classifying owner references (classifyReferences) > an owner found with the same uid is solid; one not found, or found with another uid, is dangling']);
    expect(out).toMatch(
      /did\s+a found \(same uid\), b not found, d found with another uid\n\s+expected \{"solid":\["a"\],"dangling":\["b","d"\],"waiting":\[\]\}\n\s+got\s+\{"solid":\["a","d"\],"dangling":\["b"\]/,
    );
    expect(out).toContain('Compare the uid the reference holds with the uid of what the GET found');
  });

  test('trusting the graph instead of a live GET deletes a dependent whose owner exists, and the actions show the missing GET', async () => {
    const { out, failed } = await gradeVariant('gc-trusts-the-graph', '04-garbage-collector');
    expect(failed).toContain(`${ATTEMPT}an owner the graph has not seen, but the apiserver has, keeps its dependent`);
    expect(out).toMatch(
      /did\s+actions when the owner exists in the apiserver but not in the graph\n\s+expected \["get replicaset default\/web-1","get deployment default\/web"\]\n\s+got\s+\["get replicaset default\/web-1","delete replicaset default\/web-1 propagationPolicy=Background"\]/,
    );
    expect(out).toContain('The graph (the informers) may be behind: only a live GET says an owner is gone');
  });

  test('removing the orphan finalizer although a dependent could not be patched fails the failure test, showing the removal', async () => {
    const { out, failed } = await gradeVariant('orphan-finalizer-despite-failure', '04-garbage-collector');
    expect(failed).toEqual(['orphaning (propagationPolicy Orphan) > a dependent that cannot be patched keeps the finalizer on and fails the sync; one already gone is fine']);
    expect(out).toMatch(
      /expected \{"outcome":"threw","actions":\["patch replicaset default\/web-a ownerReferences=\[\]"\]\}\n\s+got\s+\{"outcome":"returned","actions":\[.*"remove finalizer orphan from deployment default\/web"\]\}/,
    );
    expect(out).toContain('Throw when a patch failed (other than NotFound), before removing the finalizer');
  });

  test('finalizing a namespace while its pods still terminate fails the waiting tests, with the requeue it should have asked for', async () => {
    const { out, failed } = await gradeVariant('namespace-finalized-while-pods-terminate', '04-garbage-collector');
    expect(failed).toContain(`${NS}pods still terminating: NamespaceContentRemaining names them, no finalize, and a look again after grace / 2 + 1 s`);
    expect(failed).toContain(`${NS}objects held by finalizers: NamespaceFinalizersRemaining names the finalizers, and it looks again after 15 / 2 + 1 s`);
    expect(out).toMatch(/did\s+what syncNamespace returned\n\s+expected \{"requeueAfterMs":16000\}\n\s+got\s+\{\}/);
  });

  // ── 05-endpointslices ──
  const POD_EP = 'a pod as an endpoint (podToEndpoint) > ';
  const RECONCILE = 'the reconciler: which slices to create, update and delete > ';

  test('a terminating pod reported ready fails the terminating test, showing the three conditions', async () => {
    const { out, failed } = await gradeVariant('endpoint-ready-while-terminating', '05-endpointslices');
    expect(failed).toEqual([`${POD_EP}a terminating pod stays as an endpoint: serving if Ready, but not ready; not Ready: neither`]);
    expect(out).toMatch(/did\s+a Ready pod being deleted\n\s+expected \{\n\s+"ready": false,\n\s+"serving": true,\n\s+"terminating": true,\n\s+\}\n\s+got\s+\{\n\s+"ready": true,/);
    expect(out).toContain('ready = serving and not terminating');
  });

  test('a named targetPort resolved in the first pod only gives the second pod the wrong number', async () => {
    const { out, failed } = await gradeVariant('named-port-from-first-pod', '05-endpointslices');
    expect(failed).toEqual([`${POD_EP}a named targetPort is looked up in each pod: the same name, two numbers`]);
    expect(out).toMatch(/expected \[\["old",\[8080\]\],\["new",\[9090\]\]\]\n\s+got\s+\[\["old",\[8080\]\],\["new",\[8080\]\]\]/);
    expect(out).toContain("FindPort looks in the pod's own containers");
  });

  test('writing every slice at each sync fails the as-few-writes tests, counting the needless update', async () => {
    const { out, failed } = await gradeVariant('rewrites-every-slice', '05-endpointslices');
    expect(failed).toContain(`${RECONCILE}nothing changed: nothing to write`);
    expect(failed).toContain(`${RECONCILE}one pod gone: only the slice that held it is updated`);
    expect(out).toMatch(/did\s+changes for an up-to-date Service\n\s+expected \{"create":0,"update":0,"delete":0\}\n\s+got\s+\{"create":0,"update":1,"delete":0\}/);
  });

  // ── 06-node-lifecycle ──
  const EVICT = 'when a pod is evicted (the taint manager) > ';

  test('a node late at exactly the grace period (>= for >) fails the boundary test', async () => {
    const { out, failed } = await gradeVariant('late-at-exactly-grace', '06-node-lifecycle');
    expect(failed).toEqual(['node health (tryUpdateNodeHealth) > exactly the grace period since the last heartbeat is still in time; a millisecond more is not']);
    expect(out).toMatch(/did\s+Lease renewed exactly 50 s ago\n\s+expected True KubeletReady\n\s+got\s+Unknown NodeStatusUnknown/);
    expect(out).toContain('now.After(probe + grace): strictly later');
  });

  test('writing the taints afresh at every sync restarts the tolerations: the pod past its 300 s is not evicted', async () => {
    const { out, failed } = await gradeVariant('taint-time-refreshed', '06-node-lifecycle');
    expect(failed).toContain('syncNode, one sync at a time (recorded actions) > a taint already there keeps its timeAdded: 301 s after it, a pod tolerating 300 s is evicted');
    expect(out).toMatch(/expected \["evict pod default\/a"\]\n\s+got\s+\["update node n1 taints=\[node\.kubernetes\.io\/unreachable:NoSchedule, node\.kubernetes\.io\/unreachable:NoExecute\]"\]/);
    expect(out).toContain("Writing the taint again with a new timeAdded would restart every pod's clock");
  });

  test('the latest toleration deciding instead of the earliest fails the earliest-taint test, with both times', async () => {
    const { out, failed } = await gradeVariant('evicts-at-latest-toleration', '06-node-lifecycle');
    expect(failed).toEqual([
      `${EVICT}the earliest taint decides; for each taint the first toleration that matches is the one that counts`,
      `${EVICT}the earliest eviction wins whatever the order of the taints`,
    ]);
    expect(out).toMatch(/expected 1704067820000\n\s+got\s+1704067850000/);
  });

  test('a NoExecute taint without a matching toleration skipped instead of evicting at once', async () => {
    const { out, failed } = await gradeVariant('untolerated-taint-kept', '06-node-lifecycle');
    expect(failed).toEqual([`${EVICT}a NoExecute taint the pod does not tolerate: now; NoSchedule taints do not evict`]);
    expect(out).toMatch(/did\s+no tolerations, unreachable NoExecute\n\s+expected 1704067800000\n\s+got\s+undefined/);
    expect(out).toContain('No matching toleration: evict at once');
  });

  // ── 07-daemonset-statefulset ──
  const PLAN = 'the StatefulSet plan (statefulSetActions) > ';

  test('a DaemonSet that ignores taints places a pod on a NoSchedule node', async () => {
    const { out, failed } = await gradeVariant('daemon-ignores-taints', '07-daemonset-statefulset');
    expect(failed).toContain(
      'which nodes run a daemon pod (NodeShouldRunDaemonPod) > an untolerated NoSchedule taint: no new pod, but one already there stays; an untolerated NoExecute taint: neither',
    );
    expect(out).toMatch(/did\s+taint dedicated=db:NoSchedule\n\s+expected no\/keep\n\s+got\s+run\/keep/);
  });

  test('OrderedReady creating every pod at once fails the ordering tests, listing the extra creates', async () => {
    const { out, failed } = await gradeVariant('statefulset-does-not-wait-ready', '07-daemonset-statefulset');
    expect(failed).toContain(`${PLAN}OrderedReady: web-0 first, and nothing else in that sync`);
    expect(failed).toContain(`${PLAN}web-1 waits for web-0 to be Running and Ready (OrderedReady); Parallel creates the rest at once`);
    expect(out).toMatch(/did\s+a new StatefulSet of 3\n\s+expected \[\n\s+"create 0 \(update\)",\n\s+\]\n\s+got\s+\[\n\s+"create 0 \(update\)",\n\s+"create 1 \(update\)",/);
    expect(out).toContain('OrderedReady is monotonic: create the lowest missing ordinal and stop');
  });

  test('ignoring the partition updates web-0 too', async () => {
    const { out, failed } = await gradeVariant('statefulset-ignores-partition', '07-daemonset-statefulset');
    expect(failed).toEqual([`${PLAN}partition 1: web-0 keeps the old revision, and is recreated at it if it goes`]);
    expect(out).toMatch(/did\s+web-1 and web-2 updated\n\s+expected \[\]\n\s+got\s+\[\n\s+"delete web-0 \(update\)",/);
  });

  // ── 08-cronjob-schedule ──
  const NEXT = 'the next minute a schedule names > ';

  test('both day fields restricted read as day of month only: 0 0 13 * 5 misses the Friday', async () => {
    const { out, failed } = await gradeVariant('cron-day-of-month-only', '08-cronjob-schedule');
    expect(failed).toContain(`${NEXT}day of month and day of week both restricted: either; one of them *: both`);
    expect(failed, 'the property test finds it too').toContain('random schedules agree with a minute-by-minute search');
    expect(out).toMatch(/did\s+0 0 13 \* 5 after the 13th\n\s+expected 2024-03-15T00:00:00Z\n\s+got\s+2024-04-13T00:00:00Z/);
  });

  test('a run exactly at `after` counted as next fails the strictly-after test', async () => {
    const { out, failed } = await gradeVariant('cron-includes-after', '08-cronjob-schedule');
    expect(failed).toContain(`${NEXT}* * * * *: the next whole minute, strictly after`);
    expect(out).toMatch(/did\s+\* \* \* \* \* after 10:00:00\n\s+expected 2024-03-10T10:01:00Z\n\s+got\s+2024-03-10T10:00:00Z/);
  });

  test('5/15 stepped from 0 instead of from 5', async () => {
    const { out, failed } = await gradeVariant('cron-step-from-zero', '08-cronjob-schedule');
    expect(failed).toContain(`${NEXT}lists, ranges and steps: */15, 5/15 (from 5 to the maximum), 1-10/3, 0,30`);
    expect(out).toMatch(/did\s+5\/15 after 10:36\n\s+expected 2024-03-10T10:50:00Z\n\s+got\s+2024-03-10T10:45:00Z/);
    expect(out).toContain("a/n means a, a+n, ... up to the field's maximum");
  });
});
