/**
 * The engine as a library (`import { startCluster } from 'kubelings/engine'`): a mini-Kubernetes
 * in one process for demos, tests and teaching. startCluster() runs the store, the apiserver and
 * any components; KubeClient and Informer talk to it as client-go does.
 */
export { startCluster, type Cluster, type ClusterComponent, type ClusterContext, type ClusterOptions } from './cluster/cluster.ts';
export { startApiServer, type ApiServer, type ApiServerOptions } from './apiserver/server.ts';
export { KubeClient, objectKeyOf, type ClientOptions } from './client/client.ts';
export { Informer, type InformerOptions } from './client/informer.ts';
export { ApiError, isApiError } from './kube/errors.ts';
export { createStore } from './etcd/store.ts';
export { writeKubeconfig, kubeconfigFor } from './cluster/kubeconfig.ts';
export { runControllerManager, controllerManagerComponent } from './controllers/component.ts';
export { SharedInformerFactory, SharedInformer } from './controllers/informers.ts';
export { Indexer, type Lister } from './controllers/indexer.ts';
export { LeaderElector, leaseStoreFor } from './controllers/leader-election.ts';
