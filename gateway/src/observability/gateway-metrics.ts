/**
 * The gateway's Prometheus metrics, created once per process in one registry and served at `GET /metrics`.
 *
 * All gateway components take the `GatewayMetrics` object (or the registry, to add their own metrics), so
 * the names below are defined in one place. Names follow Prometheus conventions (`_total` counters, base
 * units: seconds, bytes).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Messages received from devices, before any check (label `transport`). Incremented by ingestion. */
  readonly messagesReceived: Counter<'transport'>;
  /** Messages refused and quarantined (label `reason`: the error code). Incremented by ingestion. */
  readonly messagesRejected: Counter<'reason'>;
  /** Retransmissions acknowledged without appending (same device, seq and bytes). */
  readonly messagesDuplicate: Counter;
  /** Entries durably appended to the log. */
  readonly entriesAppended: Counter;
  /** Records durably written to the quarantine store. */
  readonly quarantineRecords: Counter;
  /** Duration of each group commit's fsync. */
  readonly fsyncSeconds: Histogram;
  /** Entries per group commit. */
  readonly groupCommitEntries: Histogram;
  /** Duration of each checkpoint of the state database's WAL (label `thread`: checkpointer or main; wal-checkpointer.ts). */
  readonly walCheckpointSeconds: Histogram<'thread'>;
  /** Storage failures (label `code`: E_STORAGE_...). */
  readonly storageErrors: Counter<'code'>;
  /** Entries in the log (= the tree size). */
  readonly treeSize: Gauge;
  /** The tree size of the latest signed checkpoint. */
  readonly checkpointSize: Gauge;
  /** Checkpoints signed since start. */
  readonly checkpointsSigned: Counter;
  /** Checkpoints in the outbox not yet handed to the anchor queue. */
  readonly anchorOutboxBacklog: Gauge;
  /** Seconds since the oldest checkpoint not covered by a final anchor was signed (0 if all are). */
  readonly anchoringLagSeconds: Gauge;
  /** Entries not yet covered by a final anchor. */
  readonly anchoringLagEntries: Gauge;
  /** Anchor results received from the anchor service (label `state`). */
  readonly anchorResults: Counter<'state'>;
  /** HTTP API requests (labels `route`, `status`). */
  readonly httpRequests: Counter<'route' | 'status'>;
}

export interface CreateGatewayMetricsOptions {
  /** Process metrics (resident memory, CPU, event loop lag, ...); default true. */
  readonly defaultMetrics?: boolean;
  /** An existing registry to add to; default a new one. */
  readonly registry?: Registry;
}

export function createGatewayMetrics(options: CreateGatewayMetricsOptions = {}): GatewayMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'trialgate_' });
  const registers = [registry];
  return {
    registry,
    messagesReceived: new Counter({
      name: 'trialgate_messages_received_total',
      help: 'Messages received from devices, before any check',
      labelNames: ['transport'] as const,
      registers,
    }),
    messagesRejected: new Counter({
      name: 'trialgate_messages_rejected_total',
      help: 'Messages refused and quarantined, by reason code',
      labelNames: ['reason'] as const,
      registers,
    }),
    messagesDuplicate: new Counter({
      name: 'trialgate_messages_duplicate_total',
      help: 'Retransmissions acknowledged without appending',
      registers,
    }),
    entriesAppended: new Counter({
      name: 'trialgate_entries_appended_total',
      help: 'Entries durably appended to the log',
      registers,
    }),
    quarantineRecords: new Counter({
      name: 'trialgate_quarantine_records_total',
      help: 'Records durably written to the quarantine store',
      registers,
    }),
    fsyncSeconds: new Histogram({
      name: 'trialgate_storage_fsync_seconds',
      help: 'Duration of each group commit fsync',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    groupCommitEntries: new Histogram({
      name: 'trialgate_storage_group_commit_entries',
      help: 'Entries and quarantine records per group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
      registers,
    }),
    walCheckpointSeconds: new Histogram({
      name: 'trialgate_storage_wal_checkpoint_seconds',
      help: 'Duration of each checkpoint of the state database write-ahead log, by the thread that ran it',
      labelNames: ['thread'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    storageErrors: new Counter({
      name: 'trialgate_storage_errors_total',
      help: 'Storage failures, by error code',
      labelNames: ['code'] as const,
      registers,
    }),
    treeSize: new Gauge({ name: 'trialgate_tree_size', help: 'Entries in the log (the tree size)', registers }),
    checkpointSize: new Gauge({
      name: 'trialgate_checkpoint_size',
      help: 'Tree size of the latest signed checkpoint',
      registers,
    }),
    checkpointsSigned: new Counter({
      name: 'trialgate_checkpoints_signed_total',
      help: 'Checkpoints signed since start',
      registers,
    }),
    anchorOutboxBacklog: new Gauge({
      name: 'trialgate_anchor_outbox_backlog',
      help: 'Checkpoints waiting in the outbox to be handed to the anchor queue',
      registers,
    }),
    anchoringLagSeconds: new Gauge({
      name: 'trialgate_anchoring_lag_seconds',
      help: 'Seconds since the oldest checkpoint not covered by a final anchor was signed',
      registers,
    }),
    anchoringLagEntries: new Gauge({
      name: 'trialgate_anchoring_lag_entries',
      help: 'Entries not yet covered by a final anchor',
      registers,
    }),
    anchorResults: new Counter({
      name: 'trialgate_anchor_results_total',
      help: 'Anchor state changes received from the anchor service, by state',
      labelNames: ['state'] as const,
      registers,
    }),
    httpRequests: new Counter({
      name: 'trialgate_http_requests_total',
      help: 'HTTP API requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
  };
}
