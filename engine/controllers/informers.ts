/**
 * Shared informers (client-go's SharedInformerFactory): one list+watch per resource, whatever the
 * number of controllers that read it, each feeding an Indexer (indexer.ts) that the controllers'
 * sync functions read through Listers, and fanning the changes out to every registered handler.
 * Built on engine/client/informer.ts, which lists, watches, resumes, and lists again after a 410.
 *
 *   const factory = new SharedInformerFactory(client, { logger });
 *   const pods = factory.forResource<Pod>('pods');
 *   pods.on('add', (pod) => ...);            // register before start()
 *   await factory.start();                   // every informer listed (WaitForCacheSync)
 *   pods.lister.byIndex(NAMESPACE_INDEX, 'default');
 *   factory.stop();
 *
 * Invariants: the indexer is updated before any handler runs, so a handler that enqueues a key
 * and a sync that reads the lister see the same state or a newer one; handlers see each change
 * once, in the server's order.
 */
import type { KubeClient, ResourceRef } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { Clock } from '../etcd/clock.ts';
import type { Logger } from '../cluster/logger.ts';
import type { KubeObject } from '../kube/types.ts';
import { Indexer, type Lister } from './indexer.ts';

type Handlers<T> = {
  add: (object: T) => void;
  update: (old: T, object: T) => void;
  delete: (object: T) => void;
};

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly indexer = new Indexer<T>();
  readonly informer: Informer<T>;

  constructor(client: KubeClient, resource: ResourceRef, options: { logger?: Logger; clock?: Clock }) {
    this.informer = new Informer<T>(client, resource, options);
    // Registered first: the cache is current before any controller's handler runs.
    this.informer.on('add', (o) => this.indexer.upsert(o));
    this.informer.on('update', (_old, o) => this.indexer.upsert(o));
    this.informer.on('delete', (o) => this.indexer.remove(o));
  }

  get lister(): Lister<T> {
    return this.indexer;
  }

  on<K extends keyof Handlers<T>>(event: K, handler: Handlers<T>[K]): this {
    this.informer.on(event, handler);
    return this;
  }

  hasSynced(): boolean {
    return this.informer.hasSynced();
  }
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: { logger?: Logger; clock?: Clock } = {},
  ) {}

  /**
   * The one shared informer of a resource (`pods`, `replicasets`, ...), made on first use. A
   * ResourceInfo picks one version of a kind served at several (autoscaling/v2 autoscalers).
   */
  forResource<T extends KubeObject>(resource: ResourceRef): SharedInformer<T> {
    const key = typeof resource === 'string' ? resource : `${resource.group}/${resource.version}/${resource.resource}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new SharedInformer<KubeObject>(this.client, resource, this.options);
      this.informers.set(key, informer);
    }
    return informer as unknown as SharedInformer<T>;
  }

  /** Starts every informer made so far; resolves once each has listed (WaitForCacheSync). */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.informer.start()));
  }

  stop(): void {
    for (const i of this.informers.values()) i.informer.stop();
  }
}
