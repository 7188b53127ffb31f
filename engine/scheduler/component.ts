/**
 * The scheduler as a cluster component (`kubelings cluster up` runs it): informers on pods and nodes
 * through the apiserver, the runner (runner.ts) around the scheduler component chosen by the door
 * (the learner's or the reference), and the apiserver calls it makes: POST pods/<name>/binding,
 * PATCH pods/<name>/status (PodScheduled=False), Events, and DELETE for preemption victims.
 *
 * Events are best effort, as upstream's broadcaster: a bounded backlog, a few writes at a time,
 * repeats of the same reason and message for the same pod counted on one Event (count, lastTimestamp).
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { KUBE_SCHEDULER } from '../apiserver/auth.ts';
import type { ClusterComponent, ClusterContext } from '../cluster/cluster.ts';
import { loadComponent } from '../impl.ts';
import type { KubeObject } from '../kube/types.ts';
import { SchedulerRunner, SCHEDULER_NAME, type SchedulerApi } from './runner.ts';
import type { Node, Pod } from '../kube/types.ts';
import { EVENT_RECORDER_BACKLOG, EVENT_RECORDER_KEYS_KEPT, EVENT_RECORDER_WRITERS, WRITES_DRAIN_POLL_MS } from '../params.ts';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** core/v1 Events from default-scheduler, correlated and written in the background. */
export class EventRecorder {
  private readonly backlog: (() => Promise<unknown>)[] = [];
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private writers = 0;
  private stopped = false;
  dropped = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly log: (message: string) => void,
  ) {}

  /** An Event about `object` (a Pod unless its apiVersion and kind say otherwise). */
  record(object: Pick<KubeObject, 'metadata'> & { apiVersion?: string; kind?: string }, type: 'Normal' | 'Warning', reason: string, message: string, action: string): void {
    const namespace = object.metadata.namespace ?? 'default';
    const key = `${object.metadata.uid ?? object.metadata.name}/${type}/${reason}/${message}`;
    const earlier = this.seen.get(key);
    if (earlier) {
      earlier.count++;
      const count = earlier.count;
      this.enqueue(() => this.client.patch('events', earlier.name, { count, lastTimestamp: now() }, { namespace: earlier.namespace, type: 'merge' }));
      return;
    }
    const name = `${object.metadata.name}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`;
    if (this.seen.size > EVENT_RECORDER_KEYS_KEPT) this.seen.clear();
    this.seen.set(key, { name, namespace, count: 1 });
    const at = now();
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion ?? 'v1',
        kind: object.kind ?? 'Pod',
        name: object.metadata.name,
        namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      action,
      reportingComponent: this.component,
      reportingInstance: `${this.component}-kubelings`,
    };
    this.enqueue(() => this.client.create('events', event, { namespace }));
  }

  private enqueue(write: () => Promise<unknown>): void {
    if (this.stopped) return;
    if (this.backlog.length >= EVENT_RECORDER_BACKLOG) {
      this.dropped++;
      return;
    }
    this.backlog.push(write);
    this.pump();
  }

  private pump(): void {
    while (this.writers < EVENT_RECORDER_WRITERS && this.backlog.length > 0) {
      const write = this.backlog.shift()!;
      this.writers++;
      write()
        .catch((error: Error) => {
          if (!this.stopped) this.log(`event not recorded: ${error.message}`);
        })
        .finally(() => {
          this.writers--;
          this.pump();
        });
    }
  }

  /** Drops what is queued and waits for the writes under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.backlog.length = 0;
    await this.flush();
  }

  /** Resolves once every queued write has been sent. */
  async flush(): Promise<void> {
    while (this.writers > 0 || this.backlog.length > 0) await new Promise((r) => setTimeout(r, WRITES_DRAIN_POLL_MS));
  }
}

export function schedulerApi(client: KubeClient, events: EventRecorder): SchedulerApi {
  return {
    bind: async (pod, nodeName) => {
      await client.bind({ namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid }, nodeName);
    },
    patchPodStatus: async (pod, status) => {
      await client.patch('pods', pod.metadata.name ?? '', { status }, { namespace: pod.metadata.namespace, subresource: 'status', type: 'strategic' });
    },
    recordEvent: (pod, type, reason, message) => events.record(pod, type, reason, message, reason === 'Scheduled' ? 'Binding' : reason === 'Preempted' ? 'Preempting' : 'Scheduling'),
    deletePod: async (pod) => {
      await client.delete('pods', pod.metadata.name ?? '', { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
    },
  };
}

export interface RunningScheduler {
  runner: SchedulerRunner;
  events: EventRecorder;
  stop(): Promise<void>;
}

/** Starts the scheduler against a cluster: informers first, then the loop. */
export async function runScheduler(ctx: Pick<ClusterContext, 'client' | 'logger'>, options: { percentageOfNodesToScore?: number } = {}): Promise<RunningScheduler> {
  const component = await loadComponent('scheduler');
  let stopping = false;
  const log = (message: string) => {
    if (!stopping) ctx.logger.warn(message);
  };
  const events = new EventRecorder(ctx.client, SCHEDULER_NAME, log);
  const runner = new SchedulerRunner({ component, api: schedulerApi(ctx.client, events), percentageOfNodesToScore: options.percentageOfNodesToScore, log });
  const nodes = new Informer<Node>(ctx.client, 'nodes', { logger: ctx.logger });
  nodes.on('add', (n) => runner.onNode('ADDED', n));
  nodes.on('update', (_old, n) => runner.onNode('MODIFIED', n));
  nodes.on('delete', (n) => runner.onNode('DELETED', n));
  const pods = new Informer<Pod>(ctx.client, 'pods', { logger: ctx.logger });
  pods.on('add', (p) => runner.onPod('ADDED', p));
  pods.on('update', (_old, p) => runner.onPod('MODIFIED', p));
  pods.on('delete', (p) => runner.onPod('DELETED', p));
  await nodes.start();
  await pods.start();
  runner.start();
  return {
    runner,
    events,
    stop: async () => {
      stopping = true;
      pods.stop();
      nodes.stop();
      await runner.stop();
      await events.stop();
    },
  };
}

/** The cluster component; `flags.percentageOfNodesToScore` passes through. */
export function schedulerComponent(flags: Record<string, unknown> = {}): ClusterComponent {
  return {
    name: 'kube-scheduler',
    user: KUBE_SCHEDULER,
    async start(ctx) {
      const percentage = flags.percentageOfNodesToScore === undefined ? undefined : Number(flags.percentageOfNodesToScore);
      const running = await runScheduler(ctx, { percentageOfNodesToScore: percentage });
      return { stop: () => running.stop() };
    },
  };
}
