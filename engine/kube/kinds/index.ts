/**
 * Every kind the apiserver serves: one line per kind, each naming the file that defines it
 * (see types.ts for what a definition holds, and the README's "Adding a kind"). Order does not
 * matter: engine/kube/resources.ts sorts them as discovery lists them (the core group first, then
 * groups, versions and resources alphabetically).
 */
export { BINDINGS } from './core/binding.ts';
export { CONFIG_MAPS } from './core/configmap.ts';
export { ENDPOINTS } from './core/endpoints.ts';
export { EVENTS } from './core/event.ts';
export { LIMIT_RANGES } from './core/limitrange.ts';
export { NAMESPACES } from './core/namespace.ts';
export { NODES } from './core/node.ts';
export { PERSISTENT_VOLUME_CLAIMS } from './core/persistentvolumeclaim.ts';
export { PERSISTENT_VOLUMES } from './core/persistentvolume.ts';
export { PODS } from './core/pod.ts';
export { POD_TEMPLATES } from './core/podtemplate.ts';
export { REPLICATION_CONTROLLERS } from './core/replicationcontroller.ts';
export { RESOURCE_QUOTAS } from './core/resourcequota.ts';
export { SECRETS } from './core/secret.ts';
export { SERVICE_ACCOUNTS } from './core/serviceaccount.ts';
export { SERVICES } from './core/service.ts';
export { CONTROLLER_REVISIONS } from './apps/controllerrevision.ts';
export { DAEMON_SETS } from './apps/daemonset.ts';
export { DEPLOYMENTS } from './apps/deployment.ts';
export { REPLICA_SETS } from './apps/replicaset.ts';
export { STATEFUL_SETS } from './apps/statefulset.ts';
export { LOCAL_SUBJECT_ACCESS_REVIEWS } from './authorization/localsubjectaccessreview.ts';
export { SELF_SUBJECT_ACCESS_REVIEWS } from './authorization/selfsubjectaccessreview.ts';
export { SELF_SUBJECT_RULES_REVIEWS } from './authorization/selfsubjectrulesreview.ts';
export { SUBJECT_ACCESS_REVIEWS } from './authorization/subjectaccessreview.ts';
export { HORIZONTAL_POD_AUTOSCALERS } from './autoscaling/horizontalpodautoscaler.ts';
export { HORIZONTAL_POD_AUTOSCALERS_V1 } from './autoscaling/horizontalpodautoscaler-v1.ts';
export { CRON_JOBS } from './batch/cronjob.ts';
export { JOBS } from './batch/job.ts';
export { LEASES } from './coordination/lease.ts';
export { ENDPOINT_SLICES } from './discovery/endpointslice.ts';
export { INGRESS_CLASSES } from './networking/ingressclass.ts';
export { INGRESSES } from './networking/ingress.ts';
export { NETWORK_POLICIES } from './networking/networkpolicy.ts';
export { POD_DISRUPTION_BUDGETS } from './policy/poddisruptionbudget.ts';
export { CLUSTER_ROLE_BINDINGS } from './rbac/clusterrolebinding.ts';
export { CLUSTER_ROLES } from './rbac/clusterrole.ts';
export { ROLE_BINDINGS } from './rbac/rolebinding.ts';
export { ROLES } from './rbac/role.ts';
export { PRIORITY_CLASSES } from './scheduling/priorityclass.ts';
export { STORAGE_CLASSES } from './storage/storageclass.ts';
