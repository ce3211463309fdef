/**
 * Ingestion's metrics: the shared ones of `GatewayMetrics` (received, rejected by reason, duplicates) plus
 * the flags raised, the time from receipt to a durable decision and the two stages that make most of it,
 * added to the same registry.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';

export interface IngestMetrics {
  readonly received: GatewayMetrics['messagesReceived'];
  readonly rejected: GatewayMetrics['messagesRejected'];
  readonly duplicates: GatewayMetrics['messagesDuplicate'];
  /** Flags raised on appended messages, by flag code. */
  readonly flagged: Counter<'flag'>;
  /** Seconds from receipt to the durable decision (appended, duplicate or quarantined), by outcome. */
  readonly decisionSeconds: Histogram<'outcome'>;
  /**
   * Seconds of the two waits inside a decision, by stage: `check` (a worker thread's payload and signature check,
   * queueing included) and `append` (the group commit: the fsync and the commits queued before it). Where
   * PUBACK latency goes (issue 3); the rest of a decision is the main thread's own work.
   */
  readonly stageSeconds: Histogram<'stage'>;
}

/** From a millisecond (a quiet gateway) to seconds (a full disk, an overload). */
const DECISION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createIngestMetrics(metrics: GatewayMetrics): IngestMetrics {
  const registry = metrics.registry;
  return {
    received: metrics.messagesReceived,
    rejected: metrics.messagesRejected,
    duplicates: metrics.messagesDuplicate,
    flagged: existing<Counter<'flag'>>(registry, 'trialgate_messages_flagged_total') ??
      new Counter({
        name: 'trialgate_messages_flagged_total',
        help: 'Flags raised on appended device messages (never a reason to refuse), by flag code',
        labelNames: ['flag'] as const,
        registers: [registry],
      }),
    decisionSeconds: existing<Histogram<'outcome'>>(registry, 'trialgate_ingest_decision_seconds') ??
      new Histogram({
        name: 'trialgate_ingest_decision_seconds',
        help: 'Seconds from receipt of a device message to its durable decision, by outcome',
        labelNames: ['outcome'] as const,
        buckets: DECISION_BUCKETS_SECONDS,
        registers: [registry],
      }),
    stageSeconds: existing<Histogram<'stage'>>(registry, 'trialgate_ingest_stage_seconds') ??
      new Histogram({
        name: 'trialgate_ingest_stage_seconds',
        help: 'Seconds a device message waits for its check on a worker thread (stage="check") and for its group commit (stage="append")',
        labelNames: ['stage'] as const,
        buckets: DECISION_BUCKETS_SECONDS,
        registers: [registry],
      }),
  };
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}
