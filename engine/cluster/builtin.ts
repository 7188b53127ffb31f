/**
 * The components `kubelings cluster up` runs beside the store and the apiserver, in start order.
 * Each lesson that brings a component adds one line here (the scheduler, hollow nodes,
 * controllers, ...). A factory receives the cluster's flags (from `cluster up --nodes 3 ...`) and
 * returns the components to run, or none (for example no hollow nodes without --nodes).
 */
import type { ClusterComponent } from './cluster.ts';
import { hollowNodesComponent } from '../hollow/component.ts';
import { schedulerComponent } from '../scheduler/component.ts';
import { controllerManagerComponent } from '../controllers/component.ts';
import { kubeletComponents } from '../kubelet/component.ts';
import { cloudControllerManagerComponent } from '../cloud/component.ts';
import { serviceNetworkComponents } from '../proxy/components.ts';
import { netpolEnforcerComponents } from '../cni/netpol-component.ts';

export type ComponentFactory = (flags: Record<string, unknown>) => ClusterComponent[];

export const BUILTIN_COMPONENTS: ComponentFactory[] = [
  // One line per component, e.g.: (flags) => [schedulerComponent(flags)],
  (flags) => hollowNodesComponent(flags),
  (flags) => [schedulerComponent(flags)],
  (flags) => [controllerManagerComponent(flags)],
  () => [cloudControllerManagerComponent()],
  (flags) => kubeletComponents(flags),
  // kube-proxy on each real node, cluster DNS, the Ingress controller (loopback mode: engine/proxy/components.ts).
  (flags) => serviceNetworkComponents(flags),
  // NetworkPolicy in nftables, one enforcer per real node (kernel mode only: engine/cni/netpol-component.ts).
  (flags) => netpolEnforcerComponents(flags),
];

/** Every component the built-in factories make for these flags. */
export function builtinComponents(flags: Record<string, unknown>): ClusterComponent[] {
  return BUILTIN_COMPONENTS.flatMap((make) => make(flags));
}
