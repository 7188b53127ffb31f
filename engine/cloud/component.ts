/**
 * cloud-controller-manager as a cluster component (`kubelings cluster up` runs it in a process of
 * its own, logs/cloud-controller-manager.log): shared informers on Services and Nodes, and the
 * service controller (service-controller.ts) driving the simulated cloud (simulated-cloud.ts), whose
 * load balancers listen in this process. Upstream's cloud-controller-manager also runs the node,
 * node-lifecycle and route controllers; a simulated cloud has no instances or routes to report,
 * so only the service controller runs here.
 *
 * Why engine/cloud and not engine/controllers: upstream keeps this binary and its controllers
 * apart from kube-controller-manager (k8s.io/cloud-provider), with a cloud behind an interface;
 * here too the cloud is swappable (tests inject a fake one) and nothing in it is a lesson exercise.
 *
 * Stopping deletes every load balancer of this cloud (the listeners live in this process); a
 * restarted manager re-creates them from the Services, each at the address its status shows.
 */
import { ALL_AUTHENTICATED, type UserInfo } from '../apiserver/auth.ts';
import type { ClusterComponent, ClusterContext } from '../cluster/cluster.ts';
import { SharedInformerFactory } from '../controllers/informers.ts';
import { loadComponent } from '../impl.ts';
import { EventRecorder } from '../scheduler/component.ts';
import type { LoadBalancerCloud } from './cloud.ts';
import { newServiceController, type ServiceController, type ServiceControllerDeps } from './service-controller.ts';
import { kernelClusterTag } from '../kubelet/kernel-node.ts';
import { kernelCloudNetwork } from './kernel-nodes.ts';
import { SimulatedCloud } from './simulated-cloud.ts';

export const CLOUD_CONTROLLER_MANAGER_NAME = 'cloud-controller-manager';
/** Who it is to the apiserver (upstream's RBAC names its ClusterRole system:cloud-controller-manager). */
export const CLOUD_CONTROLLER_MANAGER_USER: UserInfo = { username: 'system:cloud-controller-manager', groups: [ALL_AUTHENTICATED] };

export interface CloudControllerManagerOptions extends Pick<ServiceControllerDeps, 'retryMinMs' | 'retryMaxMs' | 'clusterName'> {
  /** The cloud (default: a SimulatedCloud that logs to the component's log). */
  cloud?: LoadBalancerCloud & { close?(): Promise<void> };
}

export interface RunningCloudControllerManager {
  readonly cloud: LoadBalancerCloud;
  readonly controller: ServiceController;
  stop(): Promise<void>;
}

export async function runCloudControllerManager(ctx: Pick<ClusterContext, 'client' | 'logger' | 'clock'>, options: CloudControllerManagerOptions = {}): Promise<RunningCloudControllerManager> {
  const controllers = await loadComponent('controllers');
  let stopping = false;
  const recorder = new EventRecorder(ctx.client, 'service-controller', (m) => {
    if (!stopping) ctx.logger.warn(m);
  });
  const cloud = options.cloud ?? new SimulatedCloud({ log: (line) => ctx.logger.info(line) });
  const informers = new SharedInformerFactory(ctx.client, { logger: ctx.logger, clock: ctx.clock });
  const controller = newServiceController({ ...options, controllers, informers, client: ctx.client, cloud, recorder, clock: ctx.clock, logger: ctx.logger });
  await informers.start();
  controller.start();
  ctx.logger.info('service controller started', { cloud: cloud.providerName });
  return {
    cloud,
    controller,
    async stop() {
      stopping = true;
      informers.stop();
      await controller.stop();
      await recorder.stop();
      await (cloud as { close?(): Promise<void> }).close?.();
    },
  };
}

/** The cluster component; in kernel mode its load balancers reach the nodes' eth0 through the underlay (kernel-nodes.ts). */
export function cloudControllerManagerComponent(): ClusterComponent {
  return {
    name: CLOUD_CONTROLLER_MANAGER_NAME,
    user: CLOUD_CONTROLLER_MANAGER_USER,
    async start(ctx) {
      const log = (line: string) => ctx.logger.info(line);
      const network = ctx.options.flags?.network === 'kernel' ? kernelCloudNetwork(kernelClusterTag(ctx.options), log) : undefined;
      const cloud = network ? new SimulatedCloud({ log, nodeAddress: network.nodeAddress, dial: network.dial }) : undefined;
      const running = await runCloudControllerManager(ctx, cloud ? { cloud } : {});
      return {
        async stop() {
          await running.stop();
          await network?.close();
        },
      };
    },
  };
}
