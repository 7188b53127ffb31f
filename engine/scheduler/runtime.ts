/**
 * The framework runtime (pkg/scheduler/framework/runtime): runs a profile's plugins for one pod.
 * `filterRunner` is RunFilterPluginsWithNominatedPods for one node; `runScorePlugins` is the first
 * half of RunScorePlugins (PreScore, then Score on every node); normalising, weighing and summing
 * are prioritizeNodes' job (exercise 03).
 *
 * Why it is written this way: a call site that has seen more than four different functions is
 * "megamorphic", and V8 then calls through it without inlining, some 15 ns a call on this machine.
 * A loop `for (plugin of plugins) plugin.score(pod, node)` is exactly such a site. So each plugin of
 * a profile gets a call site of its own (a slot: up to six filters and six scores, the default
 * profile's size; bigger profiles take a plain loop), PreFilter/PreScore "Skip" is decided once per
 * pod and only switches slots off, and scoring goes node by node (as upstream's does), so every
 * node is read once for all the plugins. None of this changes an answer.
 *
 * Invariants: a plugin whose skip(pod) is true is never called for that pod; filters run in the
 * profile's order and stop at the first failure, which comes back tagged with its plugin's name;
 * runScorePlugins returns the plugins that were not skipped, in the profile's order, each with one
 * raw score per node (scores[i] belongs to nodes[i]); those arrays are the runner's scratch space,
 * which the caller may change and which the next call with the same profile overwrites.
 */
import type { FilterFailure, FilterPlugin, FilterRunner, FilterVerdict, NodeInfo, PodInfo, Profile, ScoreContext, ScorePlugin } from './framework.ts';
import { addPod, cloneNodeInfo } from './nodeinfo.ts';

// ── Filter ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Where pods nominated by preemption are found. Those with a priority at least the pod's are counted
 * as already on their node, so that a preemptor's place is kept for it.
 */
export interface Nominator {
  /** How many pods are nominated anywhere (read on every node, so a field, not a call). */
  readonly nominatedCount: number;
  nominatedPods(nodeName: string): readonly PodInfo[];
}

const NO_NOMINATIONS: Nominator = { nominatedCount: 0, nominatedPods: () => [] };

/** The failure with the plugin that gave it (a new object of one shape, never a spread copy). */
function tagged(verdict: FilterFailure, plugin: FilterPlugin): FilterFailure {
  return { code: verdict.code, reasons: verdict.reasons, plugin: plugin.name };
}

const SLOTS = 6;
const NEVER_FILTER: FilterPlugin = { name: '', filter: () => null };

/** A FilterRunner for a profile: PreFilter once per pod, then the filters in order on each node. */
export function filterRunner(profile: Profile, nominator: Nominator = NO_NOMINATIONS): FilterRunner {
  const plugins = profile.filters;
  if (plugins.length > SLOTS) return loopedFilters(plugins, nominator);
  const p0 = plugins[0] ?? NEVER_FILTER,
    p1 = plugins[1] ?? NEVER_FILTER,
    p2 = plugins[2] ?? NEVER_FILTER;
  const p3 = plugins[3] ?? NEVER_FILTER,
    p4 = plugins[4] ?? NEVER_FILTER,
    p5 = plugins[5] ?? NEVER_FILTER;
  const f0 = p0.filter,
    f1 = p1.filter,
    f2 = p2.filter,
    f3 = p3.filter,
    f4 = p4.filter,
    f5 = p5.filter;
  // PreFilter: which slots run for this pod, worked out once when a different pod comes along.
  let lastPod: PodInfo | undefined;
  let on0 = false,
    on1 = false,
    on2 = false,
    on3 = false,
    on4 = false,
    on5 = false;
  const runs = (i: number, pod: PodInfo) => i < plugins.length && !plugins[i]!.skip?.(pod);
  const preFilter = (pod: PodInfo) => {
    lastPod = pod;
    on0 = runs(0, pod);
    on1 = runs(1, pod);
    on2 = runs(2, pod);
    on3 = runs(3, pod);
    on4 = runs(4, pod);
    on5 = runs(5, pod);
  };
  return function runFilterPlugins(pod, node) {
    if (pod !== lastPod) preFilter(pod);
    if (nominator.nominatedCount !== 0) node = withNominatedPods(nominator, pod, node);
    let v: FilterVerdict;
    if (on0 && (v = f0(pod, node)) !== null) return tagged(v, p0);
    if (on1 && (v = f1(pod, node)) !== null) return tagged(v, p1);
    if (on2 && (v = f2(pod, node)) !== null) return tagged(v, p2);
    if (on3 && (v = f3(pod, node)) !== null) return tagged(v, p3);
    if (on4 && (v = f4(pod, node)) !== null) return tagged(v, p4);
    if (on5 && (v = f5(pod, node)) !== null) return tagged(v, p5);
    return null;
  };
}

/** More than six filters: one call site for all of them (slower, never the default profile). */
function loopedFilters(plugins: readonly FilterPlugin[], nominator: Nominator): FilterRunner {
  let lastPod: PodInfo | undefined;
  let active: readonly FilterPlugin[] = [];
  return (pod, node) => {
    if (pod !== lastPod) {
      lastPod = pod;
      active = plugins.filter((p) => !p.skip?.(pod));
    }
    if (nominator.nominatedCount !== 0) node = withNominatedPods(nominator, pod, node);
    for (const plugin of active) {
      const v = plugin.filter(pod, node);
      if (v !== null) return tagged(v, plugin);
    }
    return null;
  };
}

/** The node as the pod must see it: with the nominated pods of at least its priority counted. */
function withNominatedPods(nominator: Nominator, pod: PodInfo, node: NodeInfo): NodeInfo {
  const waiting = nominator.nominatedPods(node.name);
  if (waiting.length === 0) return node;
  const ahead = waiting.filter((p) => p.key !== pod.key && p.priority >= pod.priority && !node.pods.some((q) => q.key === p.key));
  if (ahead.length === 0) return node;
  const withNominated = cloneNodeInfo(node);
  for (const p of ahead) addPod(withNominated, p);
  return withNominated;
}

// ── Score ─────────────────────────────────────────────────────────────────────────────────────────

/** One score plugin's raw scores: scores[i] is what it gave nodes[i]. */
export interface PluginScores {
  readonly plugin: ScorePlugin;
  /** The framework's scratch space, reused by the next runScorePlugins with this profile: use it now. */
  readonly scores: number[];
}

type ScoreRun = (pod: PodInfo, nodes: readonly NodeInfo[], context: ScoreContext, columns: readonly number[][]) => void;

interface ScoreRunner {
  readonly run: ScoreRun;
  /** One column per plugin of the profile, as long as the node list of the last call. */
  readonly columns: number[][];
}

const runners = new WeakMap<readonly ScorePlugin[], ScoreRunner>();
/** The column of a plugin that PreScore skipped: never written. */
const SKIPPED: number[] = [];

/**
 * PreScore and Score (framework.RunScorePlugins, before normalising): every plugin that PreScore
 * does not skip scores every node. Returns the raw scores per plugin, in the profile's order.
 * The arrays are kept for the next call (allocating five arrays of 5,000 numbers per pod costs more
 * than scoring a node), so read them, or change them, before the next call.
 */
export function runScorePlugins(profile: Profile, pod: PodInfo, nodes: readonly NodeInfo[], context: ScoreContext): PluginScores[] {
  const plugins = profile.scores;
  let runner = runners.get(plugins);
  if (!runner) {
    runner = { run: plugins.length <= SLOTS ? slottedScores(plugins) : loopedScores(plugins), columns: plugins.map(() => []) };
    runners.set(plugins, runner);
  }
  const n = nodes.length;
  const out: PluginScores[] = [];
  const columns: number[][] = [];
  for (let p = 0; p < plugins.length; p++) {
    const plugin = plugins[p]!;
    if (plugin.skip?.(pod)) {
      columns.push(SKIPPED);
      continue;
    }
    if (runner.columns[p]!.length !== n) runner.columns[p] = new Array<number>(n).fill(0);
    const scores = runner.columns[p]!;
    columns.push(scores);
    out.push({ plugin, scores });
  }
  if (out.length > 0) runner.run(pod, nodes, context, columns);
  return out;
}

const NEVER_SCORE: ScorePlugin['score'] = () => 0;

/** Up to six score plugins, node by node, each called from a line of its own. */
function slottedScores(plugins: readonly ScorePlugin[]): ScoreRun {
  const s0 = plugins[0]?.score ?? NEVER_SCORE,
    s1 = plugins[1]?.score ?? NEVER_SCORE,
    s2 = plugins[2]?.score ?? NEVER_SCORE;
  const s3 = plugins[3]?.score ?? NEVER_SCORE,
    s4 = plugins[4]?.score ?? NEVER_SCORE,
    s5 = plugins[5]?.score ?? NEVER_SCORE;
  const n = plugins.length;
  return function scoreSlots(pod, nodes, context, columns) {
    const c0 = n > 0 ? columns[0]! : SKIPPED,
      c1 = n > 1 ? columns[1]! : SKIPPED,
      c2 = n > 2 ? columns[2]! : SKIPPED;
    const c3 = n > 3 ? columns[3]! : SKIPPED,
      c4 = n > 4 ? columns[4]! : SKIPPED,
      c5 = n > 5 ? columns[5]! : SKIPPED;
    const on0 = c0 !== SKIPPED,
      on1 = c1 !== SKIPPED,
      on2 = c2 !== SKIPPED,
      on3 = c3 !== SKIPPED,
      on4 = c4 !== SKIPPED,
      on5 = c5 !== SKIPPED;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (on0) c0[i] = s0(pod, node, context);
      if (on1) c1[i] = s1(pod, node, context);
      if (on2) c2[i] = s2(pod, node, context);
      if (on3) c3[i] = s3(pod, node, context);
      if (on4) c4[i] = s4(pod, node, context);
      if (on5) c5[i] = s5(pod, node, context);
    }
  };
}

function loopedScores(plugins: readonly ScorePlugin[]): ScoreRun {
  return (pod, nodes, context, columns) => {
    for (let p = 0; p < plugins.length; p++) {
      const column = columns[p]!;
      if (column === SKIPPED) continue;
      const score = plugins[p]!.score;
      for (let i = 0; i < nodes.length; i++) column[i] = score(pod, nodes[i]!, context);
    }
  };
}
