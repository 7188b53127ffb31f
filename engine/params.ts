/**
 * Every tunable of kubelings in one place, one comment each (after xv6's param.h).
 * Change a value here, never inline; tests that depend on one import it from here.
 */

/** Grader: wall-clock deadline for one exercise's hidden suite, in milliseconds. */
export const GRADE_DEADLINE_MS = 10_000;

/** Grader: how long a single async test may wait before it counts as hung (vitest's testTimeout), in milliseconds. */
export const GRADER_TEST_TIMEOUT_MS = 5_000;

/** Grader: console output of one run kept and shown; the rest is counted but dropped, in bytes. */
export const CONSOLE_KEEP_BYTES = 64 * 1024;

/** Grader: console output past which a run is stopped as "printed too much", in bytes. */
export const CONSOLE_FLOOD_BYTES = 8 * 1024 * 1024;

/** Grader: how long before the deadline the child's CPU use is sampled, to tell a wait from a loop, in ms. */
export const GRADE_IDLE_WINDOW_MS = 2_000;

/** `kubelings grade --submission`: largest exercise file taken from a submission, in bytes. */
export const SUBMISSION_FILE_MAX_BYTES = 512 * 1024;

/** Grader: extra time allowed for the test runner itself to start, in milliseconds. */
export const GRADE_STARTUP_ALLOWANCE_MS = 15_000;

/** Watch mode: quiet period after the last file event before re-grading, in milliseconds. */
export const WATCH_DEBOUNCE_MS = 150;

/**
 * Warm grader (tui/grader/warm-server.js): how long the grader a check leaves running waits for
 * the next check before it ends, in milliseconds. Long enough to cover a learner's edit, short
 * enough that a finished session leaves nothing running for long.
 */
export const WARM_GRADER_IDLE_MS = 15 * 60_000;

/** Progress: version of the `.kubelings/progress.json` format this code reads and writes. */
export const PROGRESS_VERSION = 1;

/** Lock files (progress): a lock older than this is stale whoever holds it; no update takes that long. */
export const LOCK_STALE_MS = 5_000;

/** Lock files (progress): how long to wait for a lock before giving up and saying so, in ms. */
export const LOCK_WAIT_MS = 8_000;

/** TUI "see it live": output lines kept in the pane (older ones are dropped, and the pane says so). */
export const LIVE_OUTPUT_MAX_LINES = 5_000;

/** TUI "see it live": output is gathered this long before the screen is drawn again, in ms. */
export const LIVE_OUTPUT_FLUSH_MS = 25;

/** TUI: how often the progress file is polled for changes made by another kubelings process, in ms. */
export const PROGRESS_POLL_MS = 500;

/** TUI: how often the live screen re-reads the cluster's health (cluster.pid, components.json), in milliseconds. */
export const CLUSTER_HEALTH_POLL_MS = 1_000;

/** TUI "see it live": after SIGTERM to a stopped command's process group, SIGKILL after this, in ms. */
export const LIVE_STOP_GRACE_MS = 2_000;

// ── A real etcd started for the cross-checks (engine/etcd/etcd-server.ts) ───────────────────────

/** Real etcd: how long a started etcd has to answer /health before the start is given up. */
export const ETCD_READY_TIMEOUT_MS = 15_000;

/** Real etcd: how often /health is asked while it starts. */
export const ETCD_READY_POLL_MS = 50;

// ── Scheduler (lesson 03) ────────────────────────────────────────────────────────────────────────

/** Scheduler: first backoff after a failed attempt (kube-scheduler's podInitialBackoffSeconds = 1). */
export const SCHEDULER_INITIAL_BACKOFF_MS = 1_000;

/** Scheduler: backoff doubles per attempt up to this (kube-scheduler's podMaxBackoffSeconds = 10). */
export const SCHEDULER_MAX_BACKOFF_MS = 10_000;

/** Scheduler: a pod left this long among the unschedulable is retried anyway (upstream: 5 minutes). */
export const SCHEDULER_MAX_UNSCHEDULABLE_MS = 5 * 60_000;

/** Scheduler: how often the runner flushes the unschedulable leftovers (upstream: every 30 s). */
export const SCHEDULER_FLUSH_UNSCHEDULABLE_EVERY_MS = 30_000;

/** Scheduler: percentageOfNodesToScore; 0 means adaptive (50% less 1% per 125 nodes, at least 5%). */
export const SCHEDULER_PERCENTAGE_OF_NODES_TO_SCORE = 0;

/** Scheduler: never look at fewer feasible nodes than this (upstream minFeasibleNodesToFind). */
export const SCHEDULER_MIN_FEASIBLE_NODES_TO_FIND = 100;

/** Scheduler: the adaptive percentage never drops below this (minFeasibleNodesPercentageToFind). */
export const SCHEDULER_MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/** Scheduler: cpu a container without a cpu request counts as, for scoring only (100m). */
export const SCHEDULER_DEFAULT_MILLI_CPU_REQUEST = 100;

/** Scheduler: memory a container without a memory request counts as, for scoring only (200Mi). */
export const SCHEDULER_DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Scheduler: how often the runner moves pods whose backoff has ended back to the active queue (upstream: every 1 s). */
export const SCHEDULER_FLUSH_BACKOFF_EVERY_MS = 1_000;

/** Scheduler: the pause after a scheduling cycle threw, before the next one (a bug must not spin the CPU). */
export const SCHEDULER_RETRY_AFTER_ERROR_MS = 1_000;

/** Scheduler and hollow nodes: how often a closing writer looks whether its writes in flight have ended. */
export const WRITES_DRAIN_POLL_MS = 10;

/** Scheduler: bindings in flight at once (each is one POST to pods/<name>/binding; upstream: no limit). */
export const SCHEDULER_MAX_BINDINGS_IN_FLIGHT = 256;

/** Event recorder (scheduler, controllers): events waiting to be written before new ones are dropped with a warning. */
export const EVENT_RECORDER_BACKLOG = 1_000;

/** Event recorder: event writes in flight at once. */
export const EVENT_RECORDER_WRITERS = 4;

/** Event recorder: distinct events remembered for counting repeats (as upstream's EventCorrelator does); past this the memory starts afresh. */
export const EVENT_RECORDER_KEYS_KEPT = 10_000;

// ── Hollow nodes (lesson 03) ─────────────────────────────────────────────────────────────────────

/** Hollow nodes: capacity of each node unless `--node-cpu` etc. say otherwise. */
export const HOLLOW_NODE_CAPACITY = { cpu: '4', memory: '16Gi', pods: '110' } as const;

/** Hollow nodes: node Lease duration (kubelet's nodeLeaseDurationSeconds = 40). */
export const HOLLOW_LEASE_DURATION_SECONDS = 40;

/** Hollow nodes: each Lease is renewed this often (kubelet renews at a quarter of the duration). */
export const HOLLOW_LEASE_RENEW_MS = 10_000;

/** Hollow nodes: each node's Ready condition heartbeat is rewritten this often (kubelet: 5 min unless changed; kwok: 20 s). */
export const HOLLOW_STATUS_REPORT_MS = 60_000;

/** Hollow nodes: API writes in flight at once, across all hollow nodes (heartbeats and pod status). */
export const HOLLOW_MAX_WRITES_IN_FLIGHT = 32;

/** Hollow nodes: how often the heartbeat loop looks which leases and statuses are due (each has its own period). */
export const HOLLOW_HEARTBEAT_TICK_MS = 250;

/** etcd store: the smallest lease TTL granted, in seconds (etcd 3.4 raises shorter TTLs to this). */
export const LEASE_MIN_TTL_SECONDS = 2;

/** etcd store: how often the lease runner looks for expired leases, in milliseconds. */
export const LEASE_TICK_MS = 250;

/** etcd store: at most this many bytes of WAL records go to disk in one write+fsync (group commit). */
export const WAL_MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * etcd store: a snapshot is taken (and older log files dropped) after this many log entries; etcd's
 * default --snapshot-count. Taking one stops the store while its state is written (JSON), so rarer
 * is smoother; more entries to replay make a restart slower.
 */
export const SNAPSHOT_EVERY_ENTRIES = 100_000;

/**
 * etcd store: snapshots kept on disk, with the log after the oldest of them, so that recovery can
 * fall back to an older one when the newest is damaged (etcd keeps 5: --max-snapshots, --max-wals).
 */
export const SNAPSHOTS_KEPT = 2;

/**
 * etcd store: a compaction takes a snapshot at once when at least this many log entries were
 * written since the last one, so that the history it dropped leaves the disk too (older snapshots
 * and log segments go); fewer, and the next regular snapshot does it.
 */
export const SNAPSHOT_AFTER_COMPACTION_MIN_ENTRIES = 1_000;

// ── API server (lesson 02) ───────────────────────────────────────────────────────────────────────

/** API server: the port `cluster up` listens on unless `--port` says otherwise (the real apiserver's 6443). */
export const APISERVER_DEFAULT_PORT = 6443;

/** API server: the largest request body accepted, in bytes (the real apiserver's 3 MiB limit). */
export const APISERVER_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** API server: how long the cluster CA is valid, in days (kubeadm's 10 years). */
export const CA_VALIDITY_DAYS = 3650;

/** API server: how long a serving certificate is valid, in days (kubeadm's one year). */
export const SERVING_VALIDITY_DAYS = 365;

/** API server: `cluster up` makes a new serving certificate (or CA) when it expires within this many days. */
export const RENEW_BEFORE_DAYS = 30;

/** API server: changes kept per resource in the watch cache; a watch from further back gets 410 Expired. */
export const WATCH_CACHE_CAPACITY = 1000;

/** API server: how often a watch that asked for bookmarks (allowWatchBookmarks) gets one, in ms (real: ~1 min). */
export const WATCH_BOOKMARK_INTERVAL_MS = 60_000;

/** API server: a watch without timeoutSeconds is closed after this long, in seconds (real: --min-request-timeout 1800). */
export const WATCH_DEFAULT_TIMEOUT_SECONDS = 1800;

/** API server: a watcher whose unsent output passes this many bytes is closed (the real apiserver drops slow watchers too). */
export const WATCH_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * API server: how long a list or watch at a resourceVersion the watch cache has not applied yet
 * waits for it, in ms; then 504 "Too large resource version" (real: the cacher's blockTimeout, 3 s).
 */
export const CACHE_FRESHNESS_WAIT_MS = 3_000;

/**
 * API server: how long a list without resourceVersion (a consistent read) waits for the watch cache
 * to reach the store's current revision, in ms, before it reads the store instead. The cache is
 * normally behind by less than a millisecond; it stays behind only when something else writes to
 * the store outside /registry/ (real: the cacher waits up to 3 s, helped by etcd progress notifies).
 */
export const CONSISTENT_LIST_WAIT_MS = 250;

/**
 * API server: how often the compactor compacts the store, in ms (kube-apiserver's
 * --etcd-compaction-interval, 5 min); 0 turns compaction off. The first tick only notes the revision
 * (upstream does not compact on bootstrap), so the first compaction comes one interval later.
 */
export const COMPACTION_INTERVAL_MS = 5 * 60_000;

/**
 * API server: how much history each compaction keeps, counted in compaction intervals: a tick
 * compacts up to the revision the store was at this many ticks ago. Upstream's compactor keeps one
 * (it compacts to the revision seen at the previous tick: about 5 minutes of history).
 */
export const COMPACTION_HISTORY_INTERVALS = 1;

/** API server: after the watch cache lost its store watch (etcd went away, or compacted past it), it lists again after this, in ms (upstream: 1 s). */
export const CACHER_RELIST_DELAY_MS = 1_000;

/**
 * API server: a request's headers must arrive within this, and a new connection that sends nothing
 * (or does not finish its TLS handshake) is closed after it, in ms (kube-apiserver's http.Server
 * ReadHeaderTimeout, 32 s, "just shy of requestTimeoutUpperBound": k8s.io/apiserver
 * pkg/server/secure_serving.go; Go's net/http bounds the TLS handshake by it too).
 */
export const APISERVER_HEADER_TIMEOUT_MS = 32_000;

/** API server: a keep-alive connection without a request for this long is closed, in ms (http.Server IdleTimeout, 90 s, same file). */
export const APISERVER_IDLE_TIMEOUT_MS = 90_000;

/**
 * API server: a request that is not long-running (not a watch, log, exec, attach, portforward or
 * proxy) is answered 504 Timeout after this, in ms (--request-timeout, default 1m0s:
 * pkg/server/config.go, filters/timeout.go). Watches end by their own timeoutSeconds instead.
 */
export const APISERVER_REQUEST_TIMEOUT_MS = 60_000;

/** API server: reading requests (GET, HEAD) in flight at once, watches not counted; more get 429 (--max-requests-inflight 400). */
export const APISERVER_MAX_REQUESTS_INFLIGHT = 400;

/** API server: mutating requests in flight at once; more get 429 with Retry-After: 1 (--max-mutating-requests-inflight 200). */
export const APISERVER_MAX_MUTATING_REQUESTS_INFLIGHT = 200;

/**
 * API server: open connections served normally, watches included (each watch holds one). Not an
 * upstream flag: Go accepts until the fd limit, and a daemon at its fd limit cannot open its own
 * files. Large enough for 1,000 watchers plus load (the apiserver benchmark); lowered when the
 * process's fd limit is smaller (see APISERVER_RESERVED_FDS).
 */
export const APISERVER_MAX_CONNECTIONS = 4_096;

/**
 * API server: file descriptors kept free for the store, the log and the rest. Connections past
 * APISERVER_MAX_CONNECTIONS get a 429 Status until this few fds are left; only past that are they
 * refused unanswered (where the fd limit cannot be read: past twice APISERVER_MAX_CONNECTIONS).
 */
export const APISERVER_RESERVED_FDS = 256;

/** API server: a limit being hit (connections past the cap, refused ones) is logged at most this often, in ms. */
export const APISERVER_LIMIT_WARNING_EVERY_MS = 10_000;

/** API server: TCP keep-alive probes on an idle connection start after this, in ms, so a vanished client's watch ends (upstream: 3 min). */
export const APISERVER_TCP_KEEPALIVE_MS = 3 * 60_000;

/** API server: the Service ClusterIP range (--service-cluster-ip-range) in loopback mode; inside 127/8 so every address is local. */
export const SERVICE_CLUSTER_IP_RANGE = '127.96.0.0/16';

/**
 * API server: the Service ClusterIP range in kernel mode (`cluster up --network kernel`), kubeadm's
 * default 10.96.0.0/12 narrowed to a /16: these addresses exist only in the nftables rules kube-proxy
 * writes inside the cluster's node namespaces, never on the machine.
 */
export const KERNEL_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

/** API server: the NodePort range (--service-node-port-range). */
export const SERVICE_NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;

/** API server: the Kubernetes version it reports on /version; the kubectl dispatcher picks its kubectl by `minor`. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubelings' } as const;

/** `cluster up`: how long to wait for the control plane to answer /readyz before giving up, in ms (KUBELINGS_CLUSTER_READY_TIMEOUT_MS overrides it: the test suite's busy machine needs more). */
export const CLUSTER_READY_TIMEOUT_MS = 30_000;

/** `cluster up`: logs of earlier runs kept beside cluster.log (cluster.log.1 is the last run's); older ones are deleted. */
export const CLUSTER_LOGS_KEPT = 5;

/** `cluster up`/`status`: how long one question to the apiserver (/readyz, the node list) may take, in ms. */
export const CLUSTER_PROBE_TIMEOUT_MS = 2_000;

/** `cluster down`: how long to wait for a clean exit after SIGTERM before SIGKILL, in ms. */
export const CLUSTER_STOP_TIMEOUT_MS = 10_000;

/** Supervisor (`cluster up`): first wait before restarting a component process that exited, in ms (doubled each crash). */
export const SUPERVISOR_BACKOFF_INITIAL_MS = 1_000;

/** Supervisor: the longest wait between restarts of a component that keeps crashing, in ms. */
export const SUPERVISOR_BACKOFF_MAX_MS = 30_000;

/** Supervisor: a component that stayed up this long before exiting is restarted after the first wait again, in ms. */
export const SUPERVISOR_BACKOFF_RESET_MS = 60_000;

/** Supervisor: a component process says it is alive this often (over its IPC channel), in ms. */
export const SUPERVISOR_HEARTBEAT_MS = 1_000;

/** Supervisor: a component silent for this long is reported "not responding" (busy loop?) in cluster status, in ms. */
export const SUPERVISOR_UNRESPONSIVE_MS = 10_000;

/** Supervisor: how long `cluster up` waits for each component process to start before writing cluster.json anyway, in ms. */
export const SUPERVISOR_START_WAIT_MS = 20_000;

/** Supervisor: after SIGTERM, how long a component process gets to stop before SIGKILL, in ms (below CLUSTER_STOP_TIMEOUT_MS). */
export const SUPERVISOR_STOP_TIMEOUT_MS = 4_000;

/** Supervisor: a component's log (logs/NAME.log) is moved to NAME.log.old once it reaches this size within a run, in bytes (so each holds at most about twice this). */
export const COMPONENT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** `node stop|start`: how often the hollow-nodes process looks at .kubelings/stopped-nodes.json, in ms. */
export const NODE_CONTROL_POLL_MS = 250;

/** Informer (engine/client): first wait before re-watching after a failure, doubled up to the max, in ms. */
export const INFORMER_BACKOFF_INITIAL_MS = 200;

/** Informer (engine/client): longest wait between re-watch attempts, in ms. */
export const INFORMER_BACKOFF_MAX_MS = 10_000;

// ── Controllers (lesson 04) ──────────────────────────────────────────────────────────────────────

/** Workqueue: the per-item backoff starts here (client-go's DefaultControllerRateLimiter: 5 ms)... */
export const WORKQUEUE_BASE_DELAY_MS = 5;

/** Workqueue: ...and doubles per failure up to this (1,000 s). */
export const WORKQUEUE_MAX_DELAY_MS = 1_000_000;

/** Workqueue: the overall token bucket refills at this many items a second (10 qps)... */
export const WORKQUEUE_BUCKET_QPS = 10;

/** Workqueue: ...and holds at most this many tokens (burst 100). */
export const WORKQUEUE_BUCKET_BURST = 100;

/** Controllers: an expectation not met after this long is given up on (upstream ExpectationsTimeout, 5 min). */
export const CONTROLLER_EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/** ReplicaSet controller: most pods created or deleted in one sync (upstream BurstReplicas = 500). */
export const REPLICASET_BURST_REPLICAS = 500;

/** ReplicaSet controller: the first slow-start batch (upstream SlowStartInitialBatchSize = 1). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/** Controllers: workers per controller (kube-controller-manager's --concurrent-replicaset-syncs and --concurrent-deployment-syncs, 5). */
export const CONTROLLER_WORKERS = 5;

/** Deployment controller: a key that keeps failing is dropped after this many retries (upstream maxRetries = 15). */
export const DEPLOYMENT_MAX_RETRIES = 15;

/** Leader election: how long a Lease is valid without renewal (--leader-elect-lease-duration, 15 s). */
export const LEADER_ELECTION_LEASE_DURATION_MS = 15_000;

/** Leader election: the leader gives up if it has not renewed for this long (--leader-elect-renew-deadline, 10 s). */
export const LEADER_ELECTION_RENEW_DEADLINE_MS = 10_000;

/** Leader election: how often candidates try to acquire and the leader renews (--leader-elect-retry-period, 2 s). */
export const LEADER_ELECTION_RETRY_PERIOD_MS = 2_000;

/** Leader election: the Lease the controller-managers compete for, in kube-system. */
export const LEADER_ELECTION_LEASE_NAME = 'kube-controller-manager';

// ── Container runtime and pod network (lesson 05) ────────────────────────────────────────────────

/**
 * Pod network: every real node's pod addresses come from here, one /24 per node (node i gets
 * 127.(64 + i/256).(i%256).0/24). Inside 127/8 so that every address is local without root, and
 * clear of the Service range (127.96.0.0/16) and of the hollow nodes' pod ranges (127.128.0.0/9).
 */
export const POD_NETWORK_CIDR = '127.64.0.0/12';

/** Pod network: the prefix length of each node's share of POD_NETWORK_CIDR (the node's podCIDR). */
export const POD_NODE_CIDR_MASK = 24;

/** Pod network: the CNI network name, also the folder of its address files (host-local's layout). */
export const POD_NETWORK_NAME = 'kubelings';

/**
 * Pod network without root: a built-in image asked to listen on a port below 1024 listens on that
 * port plus this offset instead (80 → 10080), and the runtime reports the mapping, when the runtime
 * may not bind low ports itself (see engine/cri/ports.ts).
 */
export const LOW_PORT_REMAP_OFFSET = 10_000;

/** Container logs: a log file is rotated once it reaches this size (kubelet --container-log-max-size 10Mi). */
export const CONTAINER_LOG_MAX_SIZE_BYTES = 10 * 1024 * 1024;

/** Container logs: log files kept per container, the live one included (kubelet --container-log-max-files 5). */
export const CONTAINER_LOG_MAX_FILES = 5;

/** Container logs: how often the log manager checks sizes (kubelet --container-log-monitor-interval 10s). */
export const CONTAINER_LOG_MONITOR_INTERVAL_MS = 10_000;

/** Container logs: a longer line is cut into partial (P) records of this size (containerd's max_container_log_line_size). */
export const CONTAINER_LOG_MAX_LINE_BYTES = 16 * 1024;

/** Container logs: a follower (`kubectl logs -f`) looks for new lines this often (kubelet force-checks every 1 s). */
export const CONTAINER_LOG_FOLLOW_POLL_MS = 100;

/** Runtime: ExecSync keeps at most this much of each of stdout and stderr (the CRI's 16 MB cap, CVE-2022-1708). */
export const EXEC_SYNC_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Runtime: after SIGKILL, how long StopContainer waits for the process to be gone before it fails, in ms. */
export const CONTAINER_KILL_WAIT_MS = 10_000;

/** Runtime: after a container's main process exits, how long its output pipes may stay open (held by a stray child), in ms. */
export const CONTAINER_OUTPUT_DRAIN_MS = 2_000;

/** Runtime: the CFS period for cpu limits, in microseconds (the kubelet's quotaPeriod, 100 ms). */
export const CGROUP_CPU_PERIOD_US = 100_000;

// ── Controllers, lesson 04's exercises 04-08 ─────────────────────────────────────────────────────

/** Garbage collector: a virtual owner node (named but not seen by an informer) is looked at again after this long, in ms. */
export const GC_VIRTUAL_NODE_RECHECK_MS = 5_000;

/** Namespace controller: how long to wait (s) for objects that still carry finalizers before looking again at / 2 + 1 s (upstream finalizerEstimateSeconds, 15). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** Namespace controller: a namespace being deleted is first looked at after this delay (upstream namespaceDeletionGracePeriod, 5 s). */
export const NAMESPACE_DELETION_DELAY_MS = 5_000;

/** EndpointSlice controller: most endpoints in one slice (--max-endpoints-per-slice, 100). */
export const ENDPOINTSLICE_MAX_ENDPOINTS = 100;

/** Node lifecycle: a node whose Lease and heartbeat are older than this is Unknown (--node-monitor-grace-period: 50 s since 1.32, 40 s before; kubernetes#126287). */
export const NODE_MONITOR_GRACE_PERIOD_MS = 50_000;

/** Node lifecycle: every node is looked at this often (--node-monitor-period, 5 s). */
export const NODE_MONITOR_PERIOD_MS = 5_000;

/**
 * Node lifecycle, scaled down for the live demo and the tests (`cluster up --node-monitor-grace-period 10s`
 * sets any value): a silent node is Unknown after 10 s instead of 50 s, looked at every second.
 */
export const NODE_MONITOR_GRACE_PERIOD_DEMO_MS = 10_000;
export const NODE_MONITOR_PERIOD_DEMO_MS = 1_000;

/** Admission (DefaultTolerationSeconds): how long every pod tolerates not-ready and unreachable (--default-*-toleration-seconds, 300). */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** DaemonSet controller: most pods created or deleted in one sync (upstream BurstReplicas, 250). */
export const DAEMONSET_BURST_REPLICAS = 250;

/** Pod GC: a pod bound to a node that no longer exists is deleted after the node has been gone this long (upstream's 40 s quarantine). */
export const POD_GC_ORPHAN_QUARANTINE_MS = 40_000;

/** Pod GC: how often it looks for pods bound to nodes that are gone (upstream gcCheckPeriod, 20 s). */
export const POD_GC_PERIOD_MS = 20_000;

/** Job controller: the first wait before a failed pod is replaced, doubling per failure (upstream DefaultJobPodFailureBackOff, 10 s)... */
export const JOB_POD_FAILURE_BACKOFF_MS = 10_000;

/** Job controller: ...up to this (MaxJobPodFailureBackOff, 10 min). */
export const JOB_POD_FAILURE_BACKOFF_MAX_MS = 10 * 60_000;

/** Job controller: backoffLimit when a Job does not say (the apiserver's default, 6). */
export const JOB_DEFAULT_BACKOFF_LIMIT = 6;

/** CronJob controller: a CronJob that missed more start times than this gets the TooManyMissedTimes Event (upstream 100). */
export const CRONJOB_MAX_MISSED_SCHEDULES = 100;

/** CronJob controller: history kept when the CronJob does not say (successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1). */
export const CRONJOB_SUCCESSFUL_HISTORY = 3;
export const CRONJOB_FAILED_HISTORY = 1;

/** Hollow nodes: the annotation that makes a hollow pod finish successfully this long after it started (`5s`, `1m`), as kwok's stages do. */
export const HOLLOW_COMPLETE_AFTER_ANNOTATION = 'kubelings.dev/complete-after';

/** Hollow nodes: the annotation that makes a hollow pod fail (exit code 1) this long after it started. */
export const HOLLOW_FAIL_AFTER_ANNOTATION = 'kubelings.dev/fail-after';

/** Eviction: retries of a pod read or a budget write that conflicted (upstream EvictionsRetry: 20 steps). */
export const EVICTION_RETRIES = 20;

/** Eviction: a budget whose disruptedPods map holds more pods than this refuses evictions (upstream MaxDisruptedPodSize = 2000). */
export const EVICTION_MAX_DISRUPTED_PODS = 2000;

/** Disruption controller: an eviction not followed by the pod's deletion within this long stops counting (upstream DeletionTimeout, 2 min). */
export const DISRUPTION_DELETION_TIMEOUT_MS = 2 * 60_000;

/** ResourceQuota admission: a namespace found with no quota in a live read is trusted to have none for this long (upstream's liveTTL, 30 s). */
export const QUOTA_LIVE_LOOKUP_TTL_MS = 30_000;

/** Field manager: manager identifiers remembered (built once per manager, operation, version, subresource); past this many the memo starts over. */
export const FIELD_MANAGER_IDENTIFIER_MEMO = 1024;

// ── Kubelet (lesson 05): the agent around the learner's pod logic ────────────────────────────────

/** Kubelet: the port its HTTPS API listens on (--port, 10250); 0 picks a free one (tests, several nodes on one machine). */
export const KUBELET_PORT = 10250;

/** Kubelet: its node Lease's leaseDurationSeconds (--node-lease-duration-seconds, 40). */
export const KUBELET_NODE_LEASE_DURATION_SECONDS = 40;

/** Kubelet: the Lease is renewed at this fraction of its duration (upstream renewIntervalFraction, 0.25: every 10 s). */
export const KUBELET_LEASE_RENEW_FRACTION = 0.25;

/** Kubelet: how often the node status is computed and, if it changed, posted (--node-status-update-frequency, 10 s). */
export const KUBELET_NODE_STATUS_UPDATE_MS = 10_000;

/** Kubelet: an unchanged node status is posted anyway this often (--node-status-report-frequency, 5 min). */
export const KUBELET_NODE_STATUS_REPORT_MS = 5 * 60_000;

/** Kubelet: every pod worker syncs again this long after its last sync, changed or not (--sync-frequency, 1 min). */
export const KUBELET_SYNC_FREQUENCY_MS = 60_000;

/** Kubelet: a pod worker whose sync failed tries again after this long (upstream's pod worker backOffPeriod, 10 s). */
export const KUBELET_SYNC_ERROR_BACKOFF_MS = 10_000;

/** Kubelet: how often the PLEG lists the runtime's containers to notice exits (upstream relist period, 1 s). */
export const KUBELET_PLEG_RELIST_MS = 1_000;

/** Kubelet: a pod worker that finished syncing and has a backoff or probe due is woken this long after it (the smallest step of its timers). */
export const KUBELET_WAKE_MIN_MS = 50;

/** Kubelet: the most pods a node runs (--max-pods, 110). */
export const KUBELET_MAX_PODS = 110;

/** Kubelet: a status write that conflicts is retried with a fresh read this many times (the status manager retries on its next sync). */
export const KUBELET_STATUS_CONFLICT_RETRIES = 5;

/** Kubelet: a probe's HTTP answer is read up to this many bytes (upstream maxRespBodyLength, 10 KiB). */
export const KUBELET_PROBE_MAX_BODY_BYTES = 10 * 1024;

/** Kubelet: how long `stop()` gives the runtime to end every container (SIGKILL after), in seconds. */
export const KUBELET_SHUTDOWN_GRACE_SECONDS = 0;

/** Kubelet: a pod whose container waits out an ImagePullBackOff (or a CrashLoopBackOff whose end cannot be read from its Backoff) is synced again this often (upstream requeues after its 10 s backOffPeriod); a CrashLoopBackOff otherwise wakes its pod when it ends. */
export const KUBELET_BACKOFF_RECHECK_MS = 1_000;

/** Kubelet: a crashing container's first restart delay (CrashLoopBackOff; upstream backOffPeriod, 10 s). */
export const KUBELET_CONTAINER_BACKOFF_INITIAL_MS = 10_000;

/** Kubelet: the longest restart delay (upstream MaxContainerBackOff, 300 s); a container quiet for twice this starts over. */
export const KUBELET_CONTAINER_BACKOFF_MAX_MS = 300_000;

// ── The kubelet's streaming server (engine/kubelet/stream) ──────────────────────────────────────

/** Streaming sessions (exec, attach, port-forward) one kubelet holds at once; more get 429 (upstream's CRI streaming server has none, but a loopback kubelet must not let one client exhaust its descriptors). */
export const KUBELET_MAX_STREAM_SESSIONS = 64;
/** A streaming session with no traffic either way for this long is closed (upstream kubelet --streaming-connection-idle-timeout, default 4 h; shorter here, as a learner's forgotten `kubectl exec` should not hold a process for hours). */
export const KUBELET_STREAM_IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** Largest WebSocket message a streaming session accepts (kubectl sends stdin in 32 KiB pieces). */
export const KUBELET_STREAM_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest SPDY frame a port-forward session accepts (kubectl sends data frames of at most 32 KiB; a bigger length is a broken or hostile peer). */
export const KUBELET_SPDY_MAX_FRAME_BYTES = 1024 * 1024;
/** Output bytes waiting to go to a slow client before the command's output is paused. */
export const KUBELET_STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/** metrics-server: every kubelet's /stats/summary is scraped this often (metrics-server --metric-resolution, 15 s). */
export const METRICS_RESOLUTION_MS = 15_000;

/** metrics-server: one scrape of one kubelet is abandoned after this long, connect to last byte (its --kubelet-request-timeout default is 10 s; below the resolution so scrapes never pile up). */
export const METRICS_SCRAPE_TIMEOUT_MS = 10_000;

/** metrics-server: a /stats/summary larger than this is refused as garbage (a real one for 110 pods is well under 1 MiB). */
export const METRICS_SUMMARY_MAX_BYTES = 8 * 1024 * 1024;

/** metrics-server: a node or pod whose newest point is older than this is no longer served (metrics-server keeps a point for 2 resolutions and a bit). */
export const METRICS_STALE_AFTER_MS = 2 * METRICS_RESOLUTION_MS + 5_000;

/** HPA controller: every autoscaler is reconciled this often (--horizontal-pod-autoscaler-sync-period, 15 s). */
export const HPA_SYNC_PERIOD_MS = 15_000;

/** HPA controller: a usage ratio within this of 1.0 changes nothing (--horizontal-pod-autoscaler-tolerance, 0.1). */
export const HPA_TOLERANCE = 0.1;

/** HPA controller: a scale-down takes the highest recommendation of this window (--horizontal-pod-autoscaler-downscale-stabilization, 5 min). */
export const HPA_DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

/** HPA controller: a pod younger than this may still be warming up; its CPU counts only once Ready with a fresh sample (--horizontal-pod-autoscaler-cpu-initialization-period, 5 min). */
export const HPA_CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;

/** HPA controller: a pod that turned unready within this of its start is taken as never ready yet (--horizontal-pod-autoscaler-initial-readiness-delay, 30 s). */
export const HPA_INITIAL_READINESS_DELAY_MS = 30_000;

/** HPA controller without spec.behavior: a scale-up goes to at most max(2 x current, 4) replicas at once (scaleUpLimitFactor, scaleUpLimitMinimum). */
export const HPA_SCALE_UP_LIMIT_FACTOR = 2;
export const HPA_SCALE_UP_LIMIT_MINIMUM = 4;

/** Load generator (engine/metrics/load-generator.ts): never more than this many requests a second, nor longer than this, whatever is asked. */
export const LOAD_GENERATOR_MAX_RPS = 200;
export const LOAD_GENERATOR_MAX_DURATION_MS = 5 * 60_000;

/** Pod network, kernel mode: the longest one `ip` command may run before it counts as failed. */
export const NET_OPS_COMMAND_TIMEOUT_MS = 10_000;

/** Kernel mode: the longest one `nft -f` (one ruleset transaction, up to thousands of rules) may run before it counts as failed. */
export const NFT_COMMAND_TIMEOUT_MS = 30_000;

/** Kernel mode: the nftables table (family ip) kube-proxy programs in a node's network namespace. */
export const KERNEL_PROXY_TABLE = 'kubelings-proxy';

/** Kernel mode: how often `cluster up`'s kube-proxy checks that its node's namespace is still the one it programs (a restarted kubelet makes it anew), in ms. */
export const KERNEL_PROXY_NETNS_CHECK_MS = 2_000;

/** Kernel mode: how long the NetworkPolicy enforcer gathers changes (policies, pods, namespaces) before it recompiles and reloads its table. */
export const NETPOL_SYNC_DELAY_MS = 100;

/** Kernel mode: how soon the NetworkPolicy enforcer tries again after a load failed (or while its node's namespace is not there yet), in ms. */
export const NETPOL_SYNC_RETRY_MS = 1_000;

/** Kernel mode: how often the NetworkPolicy enforcer checks that its table is still loaded (gone with a namespace made anew, or flushed by hand), in ms; one `nft list tables` each time. */
export const NETPOL_TABLE_CHECK_MS = 5_000;

/** Pod network: the most a CNI plugin program reads from stdin (a network config is a few KB). */
export const PLUGIN_STDIN_LIMIT_BYTES = 1024 * 1024;

/**
 * Pod network, kernel mode (engine/cni/netns-layout.ts): the pod addresses, one /24 per node of a
 * cluster (node i gets 10.244.i.0/24, flannel's default range). They exist only inside the
 * network namespaces the cluster makes, never in the machine's own.
 */
export const KERNEL_POD_NETWORK_CIDR = '10.244.0.0/16';

/** Pod network, kernel mode: the simulated LAN the nodes share (inside the cluster's underlay namespace only); node i is .(10 + i). */
export const KERNEL_NODE_NETWORK_CIDR = '10.250.0.0/24';

/** Pod network, kernel mode: how long the node's relay may take to connect to a pod address before the dial fails. */
export const KERNEL_RELAY_CONNECT_TIMEOUT_MS = 10_000;

/** Pod network, kernel mode: the longest request line the relay reads (`255.255.255.255:65535` is 21 bytes). */
export const KERNEL_RELAY_REQUEST_LIMIT_BYTES = 64;

/** Pod network, kernel mode: how long after a relay ended unasked (killed) the kubelet starts it again. */
export const KERNEL_RELAY_RESTART_DELAY_MS = 1_000;

/** Pod network, kernel mode: how long the relay gets to end after its stdin closed, before SIGKILL. */
export const KERNEL_RELAY_STOP_TIMEOUT_MS = 5_000;

/** Pod network, kernel mode: how long the kubelet waits for its node's relay to listen after starting it. */
export const KERNEL_RELAY_START_TIMEOUT_MS = 30_000;

/** Pod network, kernel mode: how long binding a socket inside a namespace may take (the helper program starts with tsx: seconds on a loaded machine). */
export const NETNS_LISTEN_TIMEOUT_MS = 30_000;

/** Cluster DNS, kernel mode: how often it checks that each node's namespace, where it listens, is still the one it bound in (a restarted node makes a new one), besides watching /run/netns, which tells it at once. */
export const CLUSTER_DNS_NETNS_CHECK_MS = 2_000;

/** Cluster DNS, kernel mode: how long a node's server whose namespace was removed keeps answering while kube-proxy learns its endpoint is not ready (kubeadm's Corefile: `health { lameduck 5s }`). */
export const CLUSTER_DNS_LAMEDUCK_MS = 5_000;

/** Cluster DNS, kernel mode: the first wait before binding again in a node's namespace that refused (its address not added yet), doubled up to NETWORK_LISTEN_RETRY_MS. */
export const CLUSTER_DNS_BIND_RETRY_FIRST_MS = 500;

// ── kube-proxy and cluster DNS (engine/proxy/) ─────────────────────────────────────────────────

/** kube-proxy: sessionAffinity ClientIP's timeout when sessionAffinityConfig does not say (upstream DefaultClientIPServiceAffinitySeconds, 3 h). */
export const SERVICE_AFFINITY_DEFAULT_TIMEOUT_SECONDS = 10_800;

/** kube-proxy: two syncs start at least this far apart, in ms (--nftables-min-sync-period / --iptables-min-sync-period, default 1 s). */
export const KUBE_PROXY_MIN_SYNC_PERIOD_MS = 1_000;

/** kube-proxy: a full sync at least this often, in ms, even without changes (upstream proxyutil.FullSyncPeriod, 1 h). */
export const KUBE_PROXY_FULL_SYNC_PERIOD_MS = 3_600_000;

/** Userspace proxy: endpoints tried for one connection before it is reset (upstream's userspace mode tried each in turn). */
export const USERSPACE_PROXY_CONNECT_ATTEMPTS = 3;

/** Userspace proxy: how long one connection attempt to an endpoint may take, in ms, before the next endpoint is tried. */
export const USERSPACE_PROXY_CONNECT_TIMEOUT_MS = 2_000;

/** Cluster DNS: the cluster domain (kubelet --cluster-domain, CoreDNS's kubernetes plugin zone). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** Cluster DNS: the TTL of every record, in seconds (CoreDNS kubernetes plugin's `ttl`, default 5). */
export const CLUSTER_DNS_TTL_SECONDS = 5;

/** Cluster DNS: a TCP connection with no complete query for this long is closed, in ms (CoreDNS: 10 s read timeout). */
export const CLUSTER_DNS_TCP_IDLE_MS = 10_000;

/** Cluster DNS: a UDP answer larger than this (without EDNS0) is truncated (TC) so the client retries over TCP (RFC 1035: 512 bytes). */
export const CLUSTER_DNS_UDP_MAX_BYTES = 512;

/** Ingress controller: the IngressClass spec.controller the engine's controller answers to. */
export const INGRESS_CONTROLLER_NAME = 'kubelings.dev/ingress-controller';

// ── Cloud controller manager and its simulated cloud (LoadBalancer Services) ─────────────────────

/**
 * Simulated cloud: LoadBalancer addresses come from here. Inside 127/8 so each is local without
 * root, and clear of the pod network (127.64.0.0/12), the Service range (127.96.0.0/16), the node
 * addresses tests use (127.88-127.89) and the hollow nodes' ranges (127.128.0.0/9).
 */
export const LOAD_BALANCER_ADDRESS_POOL = '127.112.0.0/16';

/** Service controller: a failed sync of a Service is retried after this, doubled per failure (upstream minRetryDelay, 5 s)... */
export const SERVICE_LB_RETRY_MIN_MS = 5_000;

/** Service controller: ...up to this (upstream maxRetryDelay, 300 s). */
export const SERVICE_LB_RETRY_MAX_MS = 300_000;

/** Service controller: workers syncing Services at once (cloud-controller-manager --concurrent-service-syncs, 1). */
export const SERVICE_LB_WORKERS = 1;

/** Simulated cloud: how long one connection attempt from a load balancer to a node's NodePort may take, in ms. */
export const LOAD_BALANCER_BACKEND_CONNECT_TIMEOUT_MS = 2_000;

/** Simulated cloud: a node that refused a connection is skipped for this long (a failed health check), in ms, unless every node is. */
export const LOAD_BALANCER_BACKEND_UNHEALTHY_MS = 5_000;

/** Simulated cloud: addresses tried for a new load balancer when the first ones are held by another program (another cluster's cloud on this machine). */
export const LOAD_BALANCER_ADDRESS_ATTEMPTS = 16;

/** Ingress controller: the IngressClass `cluster up` creates for it (and marks the default class). */
export const INGRESS_CLASS_NAME = 'kubelings';

/**
 * Ingress controller: the loopback address it answers on under `cluster up`: port 80 +
 * LOW_PORT_REMAP_OFFSET (10080) always, and port 80 too where ports below 1024 can be bound
 * (engine/cri/ports.ts). Outside the pod network (127.64.0.0/12) and the Service range (127.96.0.0/16).
 */
export const INGRESS_CONTROLLER_HOST = '127.97.0.1';

/** Ingress controller: the port it asks for (what a browser assumes for http://). */
export const INGRESS_CONTROLLER_PORT = 80;

/** Cluster DNS: the port of the kube-dns Service (DNS's own); served on 53 + LOW_PORT_REMAP_OFFSET where low ports cannot be bound. */
export const CLUSTER_DNS_PORT = 53;

/** kube-proxy, cluster DNS: how long a component waits for its node, or the apiserver's Service, to show up at start, in ms. */
export const NETWORK_COMPONENT_START_WAIT_MS = 60_000;

/** kube-proxy: how often it looks again for its node's address while the kubelet registers it, in ms. */
export const NETWORK_COMPONENT_POLL_MS = 250;

/** Cluster DNS, Ingress controller: an address another process holds (another cluster on this machine) is tried again this often, in ms. */
export const NETWORK_LISTEN_RETRY_MS = 5_000;

/** Runtime: how long a terminal's resize looks for the pty of a command script(1) is still starting (engine/cri/terminal.ts). */
export const TERMINAL_RESIZE_WAIT_MS = 2_000;

/** Runtime: how often, meanwhile, it looks again. */
export const TERMINAL_RESIZE_RETRY_MS = 50;
