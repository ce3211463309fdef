/**
 * The anchoring side of a site for the outage scenarios: a real `trialgate anchor` process (built CLI) on a
 * given Redis and queue prefix, posting to a JSON-RPC endpoint (anvil, or the fault proxy in front of it),
 * with the gateway's key pinned; and the gateway API's view of anchors.
 */
import { startCli, type CliDaemon } from '../../e2e/cli-processes.js';
import type { GatewayProcess } from './gateway-process.js';
import { waitFor } from './reliability-run.js';

export interface AnchorWorkerOptions {
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly rpcUrl: string;
  readonly gatewayKey: string;
  /** anvil's development key (a published test key). */
  readonly privateKey: string;
}

export async function startAnchorWorker(options: AnchorWorkerOptions): Promise<CliDaemon> {
  const worker = startCli(
    [
      'anchor', '--redis', options.redisUrl, '--queue-prefix', options.queuePrefix, '--rpc', options.rpcUrl, '--chain-id', '31337',
      '--gateway-key', options.gatewayKey, '--min-interval', '1s', '--poll-interval', '250ms', '--log-level', 'warn',
    ],
    { env: { TRIALGATE_ANCHOR_KEY: options.privateKey } },
  );
  await waitFor(() => worker.output().includes('anchoring from'), 60_000, 'the anchor worker started', 200);
  return worker;
}

interface CheckpointView {
  readonly tree_size: number;
  readonly anchors: readonly { readonly state: string }[];
}

/** The largest tree size whose checkpoint has a final anchor, as the gateway knows it (0 when none). */
export async function largestFinalAnchor(gateway: GatewayProcess): Promise<number> {
  const list = await gateway.getJson<{ checkpoints: CheckpointView[] }>('/checkpoints?order=desc&limit=50');
  return Math.max(0, ...list.checkpoints.filter((c) => c.anchors.some((a) => a.state === 'final')).map((c) => c.tree_size));
}

/** The size of the latest signed checkpoint (0 when none). */
export async function latestCheckpointSize(gateway: GatewayProcess): Promise<number> {
  const health = await gateway.getJson<{ checkpoint_size: number | null }>('/healthz');
  return health.checkpoint_size ?? 0;
}
