/**
 * The feedback of lesson 03's suites against deliberately broken scheduler code
 * (test/engine/fixtures/scheduler/<variant>): each common mistake fails the test that names it, and
 * the grader's output carries the did/expected/got lines and the hint that points at the mistake.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { variantGrader } from '../support/variants.ts';

const gradeVariant = variantGrader('03-scheduler', join(import.meta.dirname, 'fixtures', 'scheduler'));

describe('lesson 03 names the mistake', () => {
  test('summing init containers with the app fails the init-container tests, with the hint that they run one at a time', async () => {
    const { out, failed } = await gradeVariant('init-containers-summed', '01-filters');
    expect(failed).toContain('podRequests: what a pod needs, as Kubernetes sums it > init containers count one at a time: the largest one, not their sum');
    expect(failed.some((t) => t.includes('regular containers run together'))).toBe(false);
    expect(out).toMatch(/expected cpu 700m, memory 0\n\s+got\s+cpu 1300m, memory 0/);
    expect(out).toContain('Two init containers never run at once. Do you take the max, or the sum?');
  });

  test('a toleration without an effect that tolerates nothing fails the empty-effect and empty-key rows, saying what was asked and what came back', async () => {
    const { out, failed } = await gradeVariant('empty-effect-ignored', '02-taints-and-affinity');
    expect(failed).toContain('tolerates: one toleration against one taint > toleration {key1 Equal value1} tolerates taint key1=value1:NoSchedule: an empty effect matches every effect');
    expect(failed.some((t) => t.includes('an empty key with Exists matches every taint'))).toBe(true);
    expect(out).toMatch(/did\s+tolerates\(\{"key":"key1","operator":"Equal","value":"value1"\}, \{"key":"key1","value":"value1","effect":"NoSchedule"\}\)\n\s+expected\s+true\n\s+got\s+false/);
  });

  test('an unsorted "0/N nodes are available" fails the message of the issue, with the hint to count, sort and join', async () => {
    const { out, failed } = await gradeVariant('fit-error-unsorted', '05-schedule-one');
    expect(failed).toContain('fitErrorMessage: "0/N nodes are available" > the message of the issue: one node short of cpu, two control-plane nodes');
    expect(out).toMatch(
      /expected 0\/3 nodes are available: 1 Insufficient cpu, 2 node\(s\) had untolerated taint \{node-role.kubernetes.io\/control-plane: \}\.\n\s+got\s+0\/3 nodes are available: 2 node\(s\) had untolerated taint \{node-role.kubernetes.io\/control-plane: \}, 1 Insufficient cpu\./,
    );
    expect(out).toContain('Count how many nodes gave each reason, write "<count> <reason>", sort, join with ", ", end with "."');
  });

  test('a queue that ignores the move request cycle loses the event that came during scheduling', async () => {
    const { out, failed } = await gradeVariant('queue-loses-events', '04-queue');
    expect(failed).toEqual(['moving unschedulable pods back > an event while a pod is being scheduled is not lost: the pod goes to backoff, not unschedulable']);
    expect(out).toMatch(/did\s+where\(a\): it failed in a cycle during which a node was added\n\s+expected backoff\n\s+got\s+unschedulable/);
    expect(out).toContain('Remember the scheduling cycle of the last move request');
  });

  test('update() as delete + fresh add loses the attempts and skips the backoff, and fails the update tests', async () => {
    const { out, failed } = await gradeVariant('queue-update-as-fresh-add', '04-queue');
    expect(failed).toContain('moving unschedulable pods back > an update to an unschedulable pod still backing off sends it to backoff, with its attempts kept');
    expect(failed).toContain('moving unschedulable pods back > an update to a pod in active or backoff changes it where it waits: same place in line, same backoff, same attempts');
    expect(out).toMatch(/did\s+where\(a\) after update\(a\), 0\.5 s into its 2 s backoff\n\s+expected backoff\n\s+got\s+active\n/);
    expect(out).toContain('Do you keep its attempts and timestamp, or start it over as add() would?');
  });

  test('update() that ignores a pod in active fails the in-place update test: the old pod is popped', async () => {
    const { out, failed } = await gradeVariant('queue-update-ignores-active', '04-queue');
    expect(failed).toEqual(['moving unschedulable pods back > an update to a pod in active or backoff changes it where it waits: same place in line, same backoff, same attempts']);
    expect(out).toMatch(/did\s+cpu request \(milli\) of a as popped: the update\n\s+expected 200\n\s+got\s+0\n/);
    expect(out).toContain('or ignore the update?');
  });

  test('update() that sends an unschedulable pod to active mid-backoff fails the backoff-update test', async () => {
    const { out, failed } = await gradeVariant('queue-update-skips-backoff', '04-queue');
    expect(failed).toEqual(['moving unschedulable pods back > an update to an unschedulable pod still backing off sends it to backoff, with its attempts kept']);
    expect(out).toMatch(/did\s+where\(a\) after update\(a\), 0\.5 s into its 2 s backoff\n\s+expected backoff\n\s+got\s+active\n/);
  });

  test('the 5-minute flush at >= instead of > fails the exactly-5-minutes test', async () => {
    const { out, failed } = await gradeVariant('queue-flush-at-five-minutes', '04-queue');
    expect(failed).toEqual(['moving unschedulable pods back > exactly 5 minutes unschedulable is not yet "more than 5 minutes"']);
    expect(out).toMatch(/did\s+where\(a\) exactly 5 minutes after it failed\n\s+expected unschedulable\n\s+got\s+active\n/);
    expect(out).toContain('is your comparison > or >=?');
  });

  test('a backoff heap ordered by failure time blocks a short backoff behind a long one, and the ordering test says when', async () => {
    const { out, failed } = await gradeVariant('queue-backoff-by-timestamp', '04-queue');
    expect(failed).toContain('backoff > backing-off pods leave in the order their backoffs end, whatever their priority or when they failed');
    expect(failed.some((t) => t.startsWith('whatever happens, each pod waits in at most one queue'))).toBe(true);
    expect(out).toMatch(/did\s+where\(c\) at start\+4\.1 s, when its 1 s backoff \(from 3\.1 s\) has ended and a's 4 s one \(from 3 s\) has not\n\s+expected active\n\s+got\s+backoff\n/);
    expect(out).toContain('the one whose backoff ends first (timestamp + backoffDuration)?');
  });

  test('preempting pods of the same priority fails the strictly-lower test, with its hint', async () => {
    const { out, failed } = await gradeVariant('preempts-equal-priority', '06-preemption');
    expect(failed).toContain('selectVictimsOnNode and preempt > pods of equal or higher priority are never victims');
    expect(out).toContain('Strictly lower priority only');
  });

  test('a scheduling cycle that does not assume overcommits a node when pods arrive at once', async () => {
    const { out, failed } = await gradeVariant('binds-without-assuming', '05-schedule-one');
    expect(failed).toContain('scheduleOne > the pod is assumed at once: the next cycle counts it before its binding finishes');
    expect(failed).toContain('properties of the whole loop > 1,000 pods arriving at once never overcommit a node');
    expect(out).toMatch(/cpu of the pods placed on node-\d+ while 1,000 pods were scheduled and no binding had finished: \d+m of 4000m/);
    expect(out).toContain('Do you assume each pod before the next cycle starts, even though its binding has not finished?');
  });
});
