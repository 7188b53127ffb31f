/**
 * Server-side printing: the Table responses `kubectl get` asks for (Accept ...;as=Table;g=meta.k8s.io),
 * with the columns of the real apiserver's printers (k8s.io/kubernetes pkg/printers/internalversion),
 * so that `kubectl get pods` prints NAME READY STATUS RESTARTS AGE and `-o wide` adds IP and NODE.
 * Columns with priority 1 appear only with `-o wide`. Kinds without a printer get NAME and AGE.
 *
 * Pure: each row is computed from the object and `now` (milliseconds), nothing else.
 */
import type { ResourceInfo } from '../kube/resources.ts';
import type { Condition, Deployment, KubeObject, Node, Pod, Service, StringMap, Table, TableColumn, TableRow } from '../kube/types.ts';
import type { LabelSelector } from '../objects/types.ts';

type Cell = string | number | boolean;
type Printer = { columns: [name: string, type: string, priority?: number][]; row(o: KubeObject, now: number): Cell[] };

/** apimachinery's duration.HumanDuration: 5s, 2m30s, 10m, 3h4m, 2d5h, 400d, 3y20d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** translateTimestampSince: the age of a timestamp, or <unknown>. */
export function since(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

const age = (o: KubeObject, now: number) => since(o.metadata.creationTimestamp, now);
const none = (s: string | undefined | null) => (s ? s : '<none>');

function formatLabels(labels: StringMap | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** metav1.FormatLabelSelector: app=web,tier in (a,b). */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

type Template = { spec?: { containers?: { name: string; image?: string }[] } };
const containers = (t: Template | undefined) => (t?.spec?.containers ?? []).map((c) => c.name).join(',');
const images = (t: Template | undefined) => (t?.spec?.containers ?? []).map((c) => c.image ?? '').join(',');

function podRow(pod: Pod, now: number): Cell[] {
  const status = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  let reason: string = status.phase ?? '';
  if (status.reason) reason = status.reason;
  let restarts = 0;
  let lastRestart: number | undefined;
  let ready = 0;
  const total = (spec.containers ?? []).length;

  let initializing = false;
  (status.initContainerStatuses ?? []).forEach((c, i) => {
    restarts += c.restartCount ?? 0;
    const term = c.state?.terminated;
    if (term && term.exitCode === 0) return;
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      initializing = true;
    } else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
      initializing = true;
    } else if (!c.state?.running || !c.ready) {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
      initializing = true;
    }
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...(status.containerStatuses ?? [])].reverse()) {
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished) lastRestart = Math.max(lastRestart ?? 0, Date.parse(finished));
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (state.running && c.ready) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCondition = (status.conditions ?? []).find((c) => c.type === 'Ready');
      reason = readyCondition?.status === 'True' ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartCell = lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  const ip = status.podIPs?.[0]?.ip ?? status.podIP;
  const gates = (spec.readinessGates as { conditionType: string }[] | undefined) ?? [];
  const gatesCell = gates.length
    ? `${gates.filter((g) => (status.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`
    : '<none>';
  return [pod.metadata.name ?? '', `${ready}/${total}`, reason, restartCell, age(pod, now), none(ip), none(spec.nodeName), none(status.nominatedNodeName), gatesCell];
}

function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c: Condition) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '<none>';
  }
  return '<unknown>';
}

function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const n = (v: unknown) => (typeof v === 'number' ? v : 0);

function jobStatus(job: Any): string {
  const conditions: Condition[] = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (has('Failed')) return 'Failed';
  if (has('Complete')) return 'Complete';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobDuration(job: Any, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

function endpointsCell(ep: Any): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    for (const address of subset.addresses ?? []) {
      const ports = subset.ports?.length ? subset.ports : [{}];
      for (const p of ports) all.push(p.port ? `${address.ip}:${p.port}` : address.ip);
    }
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

function bindingSubjects(b: Any, kind: string): string {
  const names = (b.subjects ?? []).filter((s: Any) => s.kind === kind).map((s: Any) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name));
  return names.length ? names.join(', ') : '';
}

const NAME: [string, string] = ['Name', 'string'];
const AGE: [string, string] = ['Age', 'string'];

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [NAME, ['Ready', 'string'], ['Status', 'string'], ['Restarts', 'string'], AGE, ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1]],
    row: (o, now) => podRow(o as Pod, now),
  },
  nodes: {
    columns: [NAME, ['Status', 'string'], ['Roles', 'string'], AGE, ['Version', 'string'], ['Internal-IP', 'string', 1], ['External-IP', 'string', 1], ['OS-Image', 'string', 1], ['Kernel-Version', 'string', 1], ['Container-Runtime', 'string', 1]],
    row: (o, now) => {
      const node = o as Node;
      const info = node.status?.nodeInfo ?? {};
      const address = (type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
      const unknown = (s: string | undefined) => s || '<unknown>';
      return [o.metadata.name ?? '', nodeStatus(node), nodeRoles(node), age(o, now), info.kubeletVersion ?? '', address('InternalIP'), address('ExternalIP'), unknown(info.osImage), unknown(info.kernelVersion), unknown(info.containerRuntimeVersion)];
    },
  },
  services: {
    columns: [NAME, ['Type', 'string'], ['Cluster-IP', 'string'], ['External-IP', 'string'], ['Port(s)', 'string'], AGE, ['Selector', 'string', 1]],
    row: (o, now) => {
      const svc = o as Service;
      return [o.metadata.name ?? '', svc.spec?.type ?? 'ClusterIP', none(svc.spec?.clusterIP), serviceExternalIP(svc), servicePorts(svc), age(o, now), formatLabels(svc.spec?.selector)];
    },
  },
  deployments: {
    columns: [NAME, ['Ready', 'string'], ['Up-to-date', 'string'], ['Available', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const d = o as Deployment;
      const s = d.status ?? {};
      return [o.metadata.name ?? '', `${n(s.readyReplicas)}/${n(d.spec?.replicas)}`, n(s.updatedReplicas), n(s.availableReplicas), age(o, now), containers(d.spec?.template), images(d.spec?.template), formatSelector(d.spec?.selector)];
    },
  },
  replicasets: {
    columns: [NAME, ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const r = o as Any;
      return [o.metadata.name ?? '', n(r.spec?.replicas), n(r.status?.replicas), n(r.status?.readyReplicas), age(o, now), containers(r.spec?.template), images(r.spec?.template), formatSelector(r.spec?.selector)];
    },
  },
  statefulsets: {
    columns: [NAME, ['Ready', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1]],
    row: (o, now) => {
      const s = o as Any;
      return [o.metadata.name ?? '', `${n(s.status?.readyReplicas)}/${n(s.spec?.replicas)}`, age(o, now), containers(s.spec?.template), images(s.spec?.template)];
    },
  },
  daemonsets: {
    columns: [NAME, ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Node Selector', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const d = o as Any;
      const s = d.status ?? {};
      return [o.metadata.name ?? '', n(s.desiredNumberScheduled), n(s.currentNumberScheduled), n(s.numberReady), n(s.updatedNumberScheduled), n(s.numberAvailable), formatLabels(d.spec?.template?.spec?.nodeSelector), age(o, now), containers(d.spec?.template), images(d.spec?.template), formatSelector(d.spec?.selector)];
    },
  },
  jobs: {
    columns: [NAME, ['Status', 'string'], ['Completions', 'string'], ['Duration', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const j = o as Any;
      const completions = j.spec?.completions !== undefined ? `${n(j.status?.succeeded)}/${j.spec.completions}` : `${n(j.status?.succeeded)}/1 of ${n(j.spec?.parallelism ?? 1)}`;
      return [o.metadata.name ?? '', jobStatus(j), completions, jobDuration(j, now), age(o, now), containers(j.spec?.template), images(j.spec?.template), formatSelector(j.spec?.selector)];
    },
  },
  cronjobs: {
    columns: [NAME, ['Schedule', 'string'], ['Timezone', 'string'], ['Suspend', 'boolean'], ['Active', 'integer'], ['Last Schedule', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    row: (o, now) => {
      const c = o as Any;
      const template = c.spec?.jobTemplate?.spec?.template;
      return [o.metadata.name ?? '', c.spec?.schedule ?? '', c.spec?.timeZone ?? '<none>', Boolean(c.spec?.suspend), (c.status?.active ?? []).length, c.status?.lastScheduleTime ? since(c.status.lastScheduleTime, now) : '<none>', age(o, now), containers(template), images(template), formatSelector(c.spec?.jobTemplate?.spec?.selector)];
    },
  },
  configmaps: {
    columns: [NAME, ['Data', 'integer'], AGE],
    row: (o, now) => [o.metadata.name ?? '', Object.keys((o as Any).data ?? {}).length + Object.keys((o as Any).binaryData ?? {}).length, age(o, now)],
  },
  secrets: {
    columns: [NAME, ['Type', 'string'], ['Data', 'integer'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).type ?? 'Opaque', Object.keys((o as Any).data ?? {}).length, age(o, now)],
  },
  namespaces: {
    columns: [NAME, ['Status', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).status?.phase ?? 'Active', age(o, now)],
  },
  serviceaccounts: {
    columns: [NAME, ['Secrets', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(((o as Any).secrets ?? []).length), age(o, now)],
  },
  endpoints: {
    columns: [NAME, ['Endpoints', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', endpointsCell(o as Any), age(o, now)],
  },
  endpointslices: {
    columns: [NAME, ['AddressType', 'string'], ['Ports', 'string'], ['Endpoints', 'string'], AGE],
    row: (o, now) => {
      const s = o as Any;
      const ports = (s.ports ?? []).map((p: Any) => p.port).filter((p: unknown) => p !== undefined);
      const addresses = (s.endpoints ?? []).flatMap((e: Any) => e.addresses ?? []);
      const shown = addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
      return [o.metadata.name ?? '', s.addressType ?? '', ports.length ? ports.join(',') : '<unset>', addresses.length ? shown : '<unset>', age(o, now)];
    },
  },
  events: {
    columns: [['Last Seen', 'string'], ['Type', 'string'], ['Reason', 'string'], ['Object', 'string'], ['Subobject', 'string', 1], ['Source', 'string', 1], ['Message', 'string'], ['First Seen', 'string', 1], ['Count', 'string', 1], ['Name', 'string', 1]],
    row: (o, now) => {
      const e = o as Any;
      const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp;
      const first = e.firstTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp;
      const involved = e.involvedObject ?? {};
      const source = e.source?.component ? [e.source.component, e.source.host].filter(Boolean).join(', ') : e.reportingComponent ?? '';
      return [since(last, now), e.type ?? '', e.reason ?? '', `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`, involved.fieldPath ?? '', source, String(e.message ?? '').trim(), since(first, now), String(e.series?.count ?? e.count ?? 1), o.metadata.name ?? ''];
    },
  },
  persistentvolumes: {
    columns: [NAME, ['Capacity', 'string'], ['Access Modes', 'string'], ['Reclaim Policy', 'string'], ['Status', 'string'], ['Claim', 'string'], ['StorageClass', 'string'], ['VolumeAttributesClass', 'string'], ['Reason', 'string'], AGE, ['VolumeMode', 'string', 1]],
    row: (o, now) => {
      const p = o as Any;
      const claim = p.spec?.claimRef ? `${p.spec.claimRef.namespace}/${p.spec.claimRef.name}` : '';
      return [o.metadata.name ?? '', p.spec?.capacity?.storage ?? '', accessModes(p.spec?.accessModes), p.spec?.persistentVolumeReclaimPolicy ?? '', p.status?.phase ?? '', claim, p.spec?.storageClassName ?? '', p.spec?.volumeAttributesClassName ?? '<unset>', p.status?.reason ?? '', age(o, now), p.spec?.volumeMode ?? 'Filesystem'];
    },
  },
  persistentvolumeclaims: {
    columns: [NAME, ['Status', 'string'], ['Volume', 'string'], ['Capacity', 'string'], ['Access Modes', 'string'], ['StorageClass', 'string'], ['VolumeAttributesClass', 'string'], AGE, ['VolumeMode', 'string', 1]],
    row: (o, now) => {
      const p = o as Any;
      const bound = p.spec?.volumeName;
      return [o.metadata.name ?? '', p.status?.phase ?? '', bound ?? '', bound ? p.status?.capacity?.storage ?? '' : '', bound ? accessModes(p.status?.accessModes) : '', p.spec?.storageClassName ?? '', p.spec?.volumeAttributesClassName ?? '<unset>', age(o, now), p.spec?.volumeMode ?? 'Filesystem'];
    },
  },
  storageclasses: {
    columns: [NAME, ['Provisioner', 'string'], ['ReclaimPolicy', 'string'], ['VolumeBindingMode', 'string'], ['AllowVolumeExpansion', 'string'], AGE],
    row: (o, now) => {
      const s = o as Any;
      const isDefault = s.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
      return [`${o.metadata.name}${isDefault ? ' (default)' : ''}`, s.provisioner ?? '', s.reclaimPolicy ?? 'Delete', s.volumeBindingMode ?? 'Immediate', String(Boolean(s.allowVolumeExpansion)), age(o, now)];
    },
  },
  priorityclasses: {
    columns: [NAME, ['Value', 'integer'], ['Global-Default', 'boolean'], AGE, ['PreemptionPolicy', 'string']],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).value ?? 0, Boolean((o as Any).globalDefault), age(o, now), (o as Any).preemptionPolicy ?? 'PreemptLowerPriority'],
  },
  leases: {
    columns: [NAME, ['Holder', 'string'], AGE],
    row: (o, now) => [o.metadata.name ?? '', (o as Any).spec?.holderIdentity ?? '', age(o, now)],
  },
  roles: { columns: [NAME, ['Created At', 'string']], row: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''] },
  clusterroles: { columns: [NAME, ['Created At', 'string']], row: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''] },
  rolebindings: {
    columns: [NAME, ['Role', 'string'], AGE, ['Users', 'string', 1], ['Groups', 'string', 1], ['ServiceAccounts', 'string', 1]],
    row: (o, now) => {
      const b = o as Any;
      return [o.metadata.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(o, now), bindingSubjects(b, 'User'), bindingSubjects(b, 'Group'), bindingSubjects(b, 'ServiceAccount')];
    },
  },
};
PRINTERS.clusterrolebindings = PRINTERS.rolebindings!;

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

const DEFAULT_PRINTER: Printer = { columns: [NAME, ['Created At', 'date']], row: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''] };

function printerFor(info: ResourceInfo): Printer {
  return (info.group === '' || ['apps', 'batch', 'discovery.k8s.io', 'coordination.k8s.io', 'storage.k8s.io', 'rbac.authorization.k8s.io'].includes(info.group) ? PRINTERS[info.resource] : undefined) ?? DEFAULT_PRINTER;
}

/** The column definitions of a resource's Table. */
export function tableColumns(info: ResourceInfo): TableColumn[] {
  return printerFor(info).columns.map(([name, type, priority]) => ({
    name,
    type,
    format: name === 'Name' ? 'name' : '',
    description: '',
    priority: priority ?? 0,
  }));
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** PartialObjectMetadata of an object, as a Table row carries it by default. */
function partial(o: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** One row of a resource's Table. */
export function tableRow(info: ResourceInfo, object: KubeObject, now: number, include: IncludeObject = 'Metadata'): TableRow {
  const row: TableRow = { cells: printerFor(info).row(object, now) };
  if (include === 'Metadata') row.object = partial(object);
  else if (include === 'Object') row.object = object;
  return row;
}

/** A whole Table: the columns (unless `withColumns` is false, as in later watch events) and one row per object. */
export function toTable(info: ResourceInfo, objects: KubeObject[], now: number, options: { resourceVersion?: string; continue?: string; remainingItemCount?: number; include?: IncludeObject; withColumns?: boolean } = {}): Table {
  const metadata: Table['metadata'] = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.withColumns === false ? [] : tableColumns(info),
    rows: objects.map((o) => tableRow(info, o, now, options.include)),
  };
}
