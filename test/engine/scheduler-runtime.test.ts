/**
 * The framework runtime (engine/scheduler/runtime.ts): the filter runner and runScorePlugins give the
 * same answers whichever path runs them (a slot per plugin for profiles of up to six, a plain loop
 * beyond), never call a plugin that PreFilter/PreScore skipped, and work out the skips again for
 * every new pod.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { unresolvable, unschedulable, type FilterPlugin, type NodeInfo, type PodInfo, type Profile, type ScoreContext, type ScorePlugin } from '#engine/scheduler/framework.ts';
import { filterRunner, runScorePlugins } from '#engine/scheduler/runtime.ts';
import { node, pod } from '../grading/scheduler/make.ts';

const context: ScoreContext = { numAllNodes: 3, nodesWithImage: () => 0 };
const nodes = [node('a'), node('b'), node('c')];

/** A filter that rejects the named nodes, and counts its calls. */
function rejecting(name: string, rejects: string[], skip?: (p: PodInfo) => boolean): FilterPlugin & { calls: number } {
  const plugin = {
    name,
    calls: 0,
    filter: (_p: PodInfo, n: NodeInfo) => {
      plugin.calls++;
      return rejects.includes(n.name) ? unschedulable(`${name} says no`) : null;
    },
    ...(skip ? { skip } : {}),
  };
  return plugin;
}

describe('filterRunner', () => {
  test('filters run in order; the first failure wins and is tagged with its plugin', () => {
    const first = rejecting('First', ['b']);
    const second = rejecting('Second', ['b', 'c']);
    const run = filterRunner({ filters: [first, second], scores: [] });
    const p = pod('p');
    expect(nodes.map((n) => run(p, n))).toEqual([
      null,
      { code: 'Unschedulable', reasons: ['First says no'], plugin: 'First' },
      { code: 'Unschedulable', reasons: ['Second says no'], plugin: 'Second' },
    ]);
    expect(second.calls, 'Second is not asked about b once First said no').toBe(2);
  });

  test('a plugin skipped by PreFilter is never called, and the skip is worked out again for each pod', () => {
    const picky = rejecting('Picky', ['a', 'b', 'c'], (p) => p.pod.metadata.name === 'relaxed');
    const run = filterRunner({ filters: [picky], scores: [] });
    expect(nodes.map((n) => run(pod('relaxed'), n))).toEqual([null, null, null]);
    expect(picky.calls).toBe(0);
    expect(run(pod('strict'), nodes[0]!)?.plugin).toBe('Picky');
    expect(run(pod('relaxed'), nodes[0]!)).toBeNull();
  });

  test('a failure keeps its code: UnschedulableAndUnresolvable stays so', () => {
    const run = filterRunner({ filters: [{ name: 'Taint', filter: () => unresolvable('node(s) had untolerated taint {x: }') }], scores: [] });
    expect(run(pod('p'), nodes[0]!)).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {x: }'], plugin: 'Taint' });
  });

  test("pods nominated to a node with at least the pod's priority count as already there", () => {
    const waiting = pod('waiting', { cpu: '3', priority: 10 });
    const nominator = { nominatedCount: 1, nominatedPods: (name: string) => (name === 'a' ? [waiting] : []) };
    const fits: FilterPlugin = { name: 'Fit', filter: (p, n) => (n.requested.milliCPU + p.requests.milliCPU > n.allocatable.milliCPU ? unschedulable('Insufficient cpu') : null) };
    const run = filterRunner({ filters: [fits], scores: [] }, nominator);
    expect(run(pod('low', { cpu: '2', priority: 5 }), nodes[0]!)?.reasons, 'a lower-priority pod on the node the preemptor waits for').toEqual(['Insufficient cpu']);
    expect(run(pod('high', { cpu: '2', priority: 20 }), nodes[0]!), 'a higher-priority pod does not see it').toBeNull();
    expect(run(pod('low2', { cpu: '2', priority: 5 }), nodes[1]!), 'another node').toBeNull();
  });

  test('profiles of any size give the answers a plain loop would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.subarray(['a', 'b', 'c']), fc.boolean()), { minLength: 0, maxLength: 9 }), (specs) => {
        const plugins = specs.map(([rejects, skipped], i) => rejecting(`P${i}`, rejects, skipped ? () => true : undefined));
        const run = filterRunner({ filters: plugins, scores: [] });
        const p = pod('p');
        for (const n of nodes) {
          const expected = specs.findIndex(([rejects, skipped]) => !skipped && rejects.includes(n.name));
          expect(run(p, n)?.plugin).toBe(expected < 0 ? undefined : `P${expected}`);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('runScorePlugins', () => {
  const scorer = (name: string, byNode: Record<string, number>, skip?: () => boolean): ScorePlugin => ({
    name,
    weight: 1,
    normalize: 'none',
    score: (_p, n) => byNode[n.name]!,
    ...(skip ? { skip } : {}),
  });

  test("every plugin not skipped scores every node, in the profile's order", () => {
    const profile: Profile = {
      filters: [],
      scores: [scorer('A', { a: 1, b: 2, c: 3 }), scorer('Skipped', { a: 0, b: 0, c: 0 }, () => true), scorer('B', { a: 30, b: 20, c: 10 })],
    };
    const out = runScorePlugins(profile, pod('p'), nodes, context);
    expect(out.map((o) => [o.plugin.name, [...o.scores]])).toEqual([
      ['A', [1, 2, 3]],
      ['B', [30, 20, 10]],
    ]);
  });

  test('a skipped plugin is never called', () => {
    const profile: Profile = {
      filters: [],
      scores: [
        {
          ...scorer('Never', {}),
          skip: () => true,
          score: () => {
            throw new Error('a skipped plugin was run');
          },
        },
      ],
    };
    expect(runScorePlugins(profile, pod('p'), nodes, context)).toEqual([]);
  });

  test('the arrays are scratch space: the next call with the profile reuses them, for any node count', () => {
    const profile: Profile = { filters: [], scores: [{ name: 'Len', weight: 1, normalize: 'none', score: (_p, n) => n.name.length }] };
    const first = runScorePlugins(profile, pod('p'), nodes, context)[0]!.scores;
    const second = runScorePlugins(profile, pod('q'), nodes, context)[0]!.scores;
    expect(second).toBe(first);
    expect(runScorePlugins(profile, pod('r'), [node('long-name')], context)[0]!.scores).toEqual([9]);
    expect(runScorePlugins(profile, pod('s'), [], context)[0]!.scores).toEqual([]);
  });

  test('profiles of any size give the scores a plain loop would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.nat(100), { minLength: 3, maxLength: 3 }), fc.boolean()), { minLength: 0, maxLength: 9 }), (specs) => {
        const profile: Profile = { filters: [], scores: specs.map(([raw, skipped], i) => scorer(`S${i}`, { a: raw[0]!, b: raw[1]!, c: raw[2]! }, skipped ? () => true : undefined)) };
        const out = runScorePlugins(profile, pod('p'), nodes, context);
        const expected = specs.map(([raw, skipped], i) => ({ raw, skipped, name: `S${i}` })).filter((s) => !s.skipped);
        expect(out.map((o) => [o.plugin.name, [...o.scores]])).toEqual(expected.map((s) => [s.name, s.raw]));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
