import { Type, type Static } from '@sinclair/typebox';

/** The remediation strategies; `none` only observes. */
export const STRATEGIES = ['restart', 'reschedule', 'scale', 'rollback', 'none'] as const;
export type Strategy = (typeof STRATEGIES)[number];

const strategy = (defaultValue: Strategy, description: string) =>
  Type.Union(
    STRATEGIES.map((s) => Type.Literal(s)),
    { default: defaultValue, description },
  );

const query = (defaultValue: string, description: string) => Type.String({ default: defaultValue, description });

/**
 * `vigil heal`: the Kubernetes self-healing controller. Disabled by default;
 * `vigil heal` runs it whatever `enabled` says, `vigil run` starts it only
 * when `heal.enabled` is true.
 */
export const healConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Run the self-healing controller inside `vigil run` (the `vigil heal` command runs it regardless).' }),
    dryRun: Type.Boolean({ default: false, description: 'Plan and record actions (events, audit, metrics) without changing the cluster.' }),
    kubeconfig: Type.String({
      default: '',
      description: 'Kubeconfig file; empty: in-cluster service account when running in a pod, else $KUBECONFIG or ~/.kube/config.',
    }),
    namespaces: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Watch only these namespaces; empty watches all.' }),
    intervalMs: Type.Integer({ minimum: 1000, default: 30_000, description: 'How often the controller re-plans from its watched state.' }),
    notReadyAfterMs: Type.Integer({ minimum: 0, default: 300_000, description: 'A pod that stays not Ready longer than this is unhealthy.' }),
    maxRestarts: Type.Integer({ minimum: 0, default: 5, description: 'A pod whose containers restarted more than this in total is unhealthy.' }),
    rescheduleAfterRestarts: Type.Integer({
      minimum: 0,
      default: 3,
      description: 'Restarts above which a restart becomes a reschedule (delete, and cordon the node when it holds several failing pods).',
    }),
    defaultMaxReplicas: Type.Integer({ minimum: 1, default: 10, description: 'Scale ceiling when the workload has no `healing.io/max-replicas` annotation.' }),
    strategies: Type.Object(
      {
        failed: strategy('restart', 'Pod phase Failed.'),
        crashLoop: strategy('restart', 'A container waiting in CrashLoopBackOff.'),
        restarts: strategy('restart', 'Restart count above maxRestarts (becomes reschedule above rescheduleAfterRestarts).'),
        notReady: strategy('restart', 'Not Ready longer than notReadyAfterMs.'),
        cpu: strategy('scale', 'CPU usage above the ratio of its limit (Prometheus).'),
        memory: strategy('restart', 'Memory usage above the ratio of its limit (Prometheus).'),
        down: strategy('restart', 'Prometheus target down (`up == 0`).'),
        latency: strategy('scale', 'Request latency above the threshold (Prometheus).'),
      },
      { additionalProperties: false, default: {}, description: 'Default strategy per condition; a workload annotation `healing.io/strategy` overrides it.' },
    ),
    safety: Type.Object(
      {
        maxRetries: Type.Integer({ minimum: 1, default: 3, description: 'Actions per target before the controller gives up on it.' }),
        retryWindowMs: Type.Integer({
          minimum: 0,
          default: 3_600_000,
          description: 'Actions older than this no longer count toward maxRetries.',
        }),
        cooldownMs: Type.Integer({ minimum: 0, default: 300_000, description: 'Minimum time between two actions on the same target.' }),
        maxPodsPercent: Type.Number({
          minimum: 0,
          maximum: 100,
          default: 10,
          description: 'At most this share of the watched pods under remediation at once (at least one).',
        }),
        maxNodesPercent: Type.Number({
          minimum: 0,
          maximum: 100,
          default: 20,
          description: 'At most this share of the nodes cordoned by the controller at once (at least one while the cluster has 2+ nodes).',
        }),
        remediationWindowMs: Type.Integer({
          minimum: 0,
          default: 300_000,
          description: 'A target counts as "under remediation" for this long after an action (for the cluster-wide limits).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    prometheus: Type.Object(
      {
        url: Type.String({ default: '', description: 'Prometheus base URL (http://prometheus:9090); empty disables the metric conditions.' }),
        timeoutMs: Type.Integer({ minimum: 100, default: 5000, description: 'Per-query timeout.' }),
        cpuRatio: Type.Number({ minimum: 0, default: 0.9, description: 'Pod CPU usage / limit above this is unhealthy.' }),
        memoryRatio: Type.Number({ minimum: 0, default: 0.95, description: 'Pod memory working set / limit above this is unhealthy.' }),
        latencySeconds: Type.Number({ minimum: 0, default: 30, description: 'Pod request latency above this is unhealthy.' }),
        nodeCpuRatio: Type.Number({ minimum: 0, default: 0.9, description: 'Node CPU busy share above this is unhealthy.' }),
        nodeMemoryRatio: Type.Number({ minimum: 0, default: 0.9, description: 'Node memory used share above this is unhealthy.' }),
        queries: Type.Object(
          {
            cpu: query(
              'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=""}[2m])) / sum by (namespace, pod) (kube_pod_container_resource_limits{resource="cpu"})',
              'Pod CPU usage as a share of its limit; result labels namespace, pod.',
            ),
            memory: query(
              'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""}) / sum by (namespace, pod) (kube_pod_container_resource_limits{resource="memory"})',
              'Pod memory as a share of its limit; result labels namespace, pod.',
            ),
            down: query('up{namespace!="", pod!=""} == 0', 'Scrape targets down; result labels namespace, pod.'),
            latency: query(
              'histogram_quantile(0.99, sum by (namespace, pod, le) (rate(http_request_duration_seconds_bucket[5m])))',
              'Pod request latency in seconds; result labels namespace, pod.',
            ),
            nodeCpu: query(
              '1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[2m]))',
              'Node CPU busy share; result label node.',
            ),
            nodeMemory: query(
              '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
              'Node memory used share; result label node.',
            ),
          },
          { additionalProperties: false, default: {}, description: 'PromQL per condition; an empty query disables that condition.' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    leaderElection: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Act only while holding the Lease (several replicas, one acts).' }),
        namespace: Type.String({ default: 'vigil', description: 'Namespace of the Lease.' }),
        name: Type.String({ default: 'vigil-heal', description: 'Name of the Lease.' }),
        identity: Type.String({ default: '', description: 'This replica\'s identity; empty: $POD_NAME, else the host name and pid.' }),
        leaseDurationMs: Type.Integer({ minimum: 1000, default: 15_000, description: 'A leader that has not renewed for this long loses the Lease.' }),
        renewIntervalMs: Type.Integer({ minimum: 500, default: 5000, description: 'How often the leader renews (and followers try to acquire).' }),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object(
      {
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 9464, description: '`vigil heal` serves /metrics and /healthz here; 0 disables.' }),
        host: Type.String({ default: '0.0.0.0', description: 'Listen address of the metrics server.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type HealConfig = Static<typeof healConfigSchema>;
