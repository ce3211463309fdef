/**
 * The anchor service's Prometheus metrics, registered on a registry passed in (exposed at GET /metrics by
 * `startMetricsServer`, or merged into a host process's registry). Every series carries `chain_id`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AnchorMetrics {
  /** Results posted to gateways, by state (submitted, included, final, superseded, failed). */
  readonly results: Counter<'chain_id' | 'state'>;
  /** JSON-RPC calls that failed (endpoint down, HTTP or JSON-RPC error, timeout), by method. */
  readonly rpcErrors: Counter<'chain_id' | 'method'>;
  /** Anchoring problems by error code (E_ANCHORING_INSUFFICIENT_FUNDS, E_ANCHORING_FEE_CEILING, ...). */
  readonly failures: Counter<'chain_id' | 'code'>;
  /** Stuck transactions replaced with the same nonce and higher fees. */
  readonly replacements: Counter<'chain_id'>;
  /** Included anchors dropped by a reorg before finality (and anchored again). */
  readonly reorgs: Counter<'chain_id'>;
  /** The anchoring address's balance in wei (a float: Prometheus values are doubles). */
  readonly balance: Gauge<'chain_id' | 'address'>;
  /** Checkpoint jobs not yet done: waiting, delayed, prioritized and active. */
  readonly backlog: Gauge;
  /** Age of the oldest checkpoint this worker holds that is neither final nor superseded on the chain. */
  readonly lag: Gauge<'chain_id'>;
  /** From the checkpoint's enqueueing to its anchor being final. */
  readonly timeToFinal: Histogram<'chain_id'>;
}

export function createAnchorMetrics(registry: Registry): AnchorMetrics {
  const registers = [registry];
  return {
    results: new Counter({ name: 'trialgate_anchor_results_total', help: 'Anchor results posted, by state', labelNames: ['chain_id', 'state'], registers }),
    rpcErrors: new Counter({ name: 'trialgate_anchor_rpc_errors_total', help: 'Failed JSON-RPC calls, by method', labelNames: ['chain_id', 'method'], registers }),
    failures: new Counter({ name: 'trialgate_anchor_failures_total', help: 'Anchoring problems, by error code', labelNames: ['chain_id', 'code'], registers }),
    replacements: new Counter({ name: 'trialgate_anchor_replacements_total', help: 'Stuck anchor transactions replaced with higher fees', labelNames: ['chain_id'], registers }),
    reorgs: new Counter({ name: 'trialgate_anchor_reorgs_total', help: 'Included anchors dropped by a reorg before finality', labelNames: ['chain_id'], registers }),
    balance: new Gauge({ name: 'trialgate_anchor_balance_wei', help: 'Balance of the anchoring address, in wei', labelNames: ['chain_id', 'address'], registers }),
    backlog: new Gauge({ name: 'trialgate_anchor_queue_backlog', help: 'Checkpoint jobs waiting, delayed or active', registers }),
    lag: new Gauge({ name: 'trialgate_anchor_lag_seconds', help: 'Age of the oldest checkpoint not yet anchored to finality', labelNames: ['chain_id'], registers }),
    timeToFinal: new Histogram({
      name: 'trialgate_anchor_time_to_final_seconds',
      help: 'From a checkpoint being enqueued to its anchor being final',
      labelNames: ['chain_id'],
      buckets: [1, 5, 15, 60, 180, 600, 1200, 1800, 3600, 7200, 21_600],
      registers,
    }),
  };
}
