/**
 * NetworkPolicy enforcement for `kubelings cluster up --network kernel`, as cluster components:
 * `netpol-enforcer-node-<i>`, one per real node, each an OS process of its own under the
 * supervisor (its log logs/netpol-enforcer-node-<i>.log), running ./netpol-kernel.ts's enforcer
 * against node i's network namespace kln-<tag>-n<i>: it watches NetworkPolicies, Pods and
 * Namespaces and loads the rules of that node's pods as table inet kubelings-netpol, compiled by
 * the cni code the door picks (the learner's 03-network-policy with `--impl mine` once it passes,
 * the reference otherwise), as Calico's Felix or kube-router's policy controller run per node.
 *
 * Who it is: system:serviceaccount:kube-system:kubelings-netpol. What it needs of the apiserver
 * (the ClusterRole an RBAC-enforcing apiserver would bind to it, as calico-node's): get, list and
 * watch on pods, namespaces and networking.k8s.io networkpolicies; nothing else, no writes.
 *
 * Not started in loopback mode (nothing to filter there: `explain netpol` says so), nor without a
 * real node. The kubelet makes the node's namespace: the enforcer waits for it (and loads again when
 * a restarted kubelet makes it anew). Its stop() removes the table; `cluster down` removes the
 * namespaces with everything in them, so no table outlives the cluster even after a kill -9.
 */
import { ALL_AUTHENTICATED, type UserInfo } from '../apiserver/auth.ts';
import type { ClusterComponent } from '../cluster/cluster.ts';
import { kernelClusterTag } from '../kubelet/kernel-node.ts';
import { realNodeCount, REAL_NODE_PREFIX } from '../kubelet/component.ts';
import { nodeNetnsName } from './netns-layout.ts';
import { startNetpolEnforcer } from './netpol-kernel.ts';

/** The component names start with this, then the node's name. */
export const NETPOL_ENFORCER_PREFIX = 'netpol-enforcer-';

/** The enforcer's identity (a service account in kube-system, as a CNI's policy agent runs). */
export const NETPOL_ENFORCER_USER: UserInfo = {
  username: 'system:serviceaccount:kube-system:kubelings-netpol',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', ALL_AUTHENTICATED],
};

/** One enforcer per real node in kernel mode; none otherwise. */
export function netpolEnforcerComponents(flags: Record<string, unknown>): ClusterComponent[] {
  if (flags.network !== 'kernel') return [];
  return Array.from({ length: realNodeCount(flags) }, (_, i) => {
    const nodeName = `${REAL_NODE_PREFIX}${i}`;
    return {
      name: `${NETPOL_ENFORCER_PREFIX}${nodeName}`,
      user: NETPOL_ENFORCER_USER,
      async start(ctx) {
        const netns = nodeNetnsName(kernelClusterTag(ctx.options), i);
        ctx.logger.info(`NetworkPolicy for the pods of ${nodeName}: table inet kubelings-netpol in ${netns}`);
        return startNetpolEnforcer(ctx.client, { netns, nodeName, logger: ctx.logger });
      },
    } satisfies ClusterComponent;
  });
}
