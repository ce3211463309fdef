/**
 * What the demo reads from the running gateway's HTTP API (docs/gateway.md, sponsor routes; none needs a
 * token): the metrics for the live display, the checkpoints with their anchor states to know when the final
 * checkpoint's anchor is final, and the verifier key.
 * The answers are parsed defensively (shape checked, unknown fields ignored): a wrong answer is "not yet".
 */
import { parseMetricSamples, sumMetric } from './prometheus-text.js';

export interface SiteSnapshot {
  readonly atMs: number;
  readonly devicesOnline: number;
  /** Device messages received, before any check. */
  readonly received: number;
  /** Entries in the log (the tree size). */
  readonly entries: number;
  readonly checkpointsSigned: number;
  /** Tree size of the latest checkpoint. */
  readonly checkpointSize: number;
  /** Anchor results the gateway received from the anchor worker. */
  readonly anchorsSubmitted: number;
  readonly anchorsFinal: number;
  readonly quarantined: number;
}

export type AnchorState = 'submitted' | 'included' | 'final' | 'superseded' | 'failed' | 'other';

export interface CheckpointAnchor {
  readonly chainId: number;
  readonly state: AnchorState;
  readonly txHash: string | null;
  readonly blockNumber: number | null;
  readonly supersededBy: number | null;
}

export interface CheckpointState {
  readonly treeSize: number;
  readonly anchors: readonly CheckpointAnchor[];
}

export type FetchLike = (url: string, init?: { readonly signal?: AbortSignal }) => Promise<{ readonly ok: boolean; text(): Promise<string> }>;

const REQUEST_TIMEOUT_MS = 3000;

export class GatewayProbe {
  readonly #base: string;
  readonly #fetch: FetchLike;
  readonly #now: () => number;

  constructor(apiUrl: string, fetchImpl: FetchLike = fetch, now: () => number = Date.now) {
    this.#base = apiUrl.replace(/\/$/, '');
    this.#fetch = fetchImpl;
    this.#now = now;
  }

  /** Null when the gateway did not answer. */
  async snapshot(): Promise<SiteSnapshot | null> {
    const text = await this.#get('/metrics');
    if (text === null) return null;
    const samples = parseMetricSamples(text);
    return {
      atMs: this.#now(),
      devicesOnline: sumMetric(samples, 'trialgate_mqtt_clients'),
      received: sumMetric(samples, 'trialgate_messages_received_total'),
      entries: sumMetric(samples, 'trialgate_tree_size'),
      checkpointsSigned: sumMetric(samples, 'trialgate_checkpoints_signed_total'),
      checkpointSize: sumMetric(samples, 'trialgate_checkpoint_size'),
      anchorsSubmitted: sumMetric(samples, 'trialgate_anchor_results_total', { state: 'submitted' }),
      anchorsFinal: sumMetric(samples, 'trialgate_anchor_results_total', { state: 'final' }),
      quarantined: sumMetric(samples, 'trialgate_quarantine_records_total'),
    };
  }

  /** The newest checkpoints first; empty when the gateway did not answer. */
  async latestCheckpoints(limit = 5): Promise<CheckpointState[]> {
    const text = await this.#get(`/checkpoints?order=desc&limit=${limit}`);
    return text === null ? [] : parseCheckpointList(text);
  }

  /** The log size the gateway reports (`/healthz`), or null. */
  async treeSize(): Promise<number | null> {
    const text = await this.#get('/healthz');
    if (text === null) return null;
    try {
      const size = (JSON.parse(text) as { tree_size?: unknown }).tree_size;
      return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : null;
    } catch {
      return null;
    }
  }

  /** The gateway's verifier key (spec section 5), as it serves it at `/key`. */
  async verifierKey(): Promise<string | null> {
    const text = await this.#get('/key');
    const key = text?.trim() ?? '';
    return /^[\x21-\x7e]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(key) ? key : null;
  }

  async #get(path: string): Promise<string | null> {
    try {
      const response = await this.#fetch(`${this.#base}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) return null;
      return await response.text();
    } catch {
      return null;
    }
  }
}

/** Attacker-controlled (mildly: a local HTTP answer): `{"checkpoints": [...]}` of the gateway's API. */
export function parseCheckpointList(text: string): CheckpointState[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const list = isRecord(parsed) ? parsed['checkpoints'] : undefined;
  if (!Array.isArray(list)) return [];
  const result: CheckpointState[] = [];
  for (const item of list as unknown[]) {
    if (!isRecord(item) || !isCount(item['tree_size'])) continue;
    const anchors: CheckpointAnchor[] = [];
    for (const anchor of Array.isArray(item['anchors']) ? (item['anchors'] as unknown[]) : []) {
      if (!isRecord(anchor) || !isCount(anchor['chain_id'])) continue;
      anchors.push({
        chainId: anchor['chain_id'],
        state: anchorState(anchor['state']),
        txHash: typeof anchor['tx_hash'] === 'string' ? anchor['tx_hash'] : null,
        blockNumber: isCount(anchor['block_number']) ? anchor['block_number'] : null,
        supersededBy: isCount(anchor['superseded_by']) ? anchor['superseded_by'] : null,
      });
    }
    result.push({ treeSize: item['tree_size'], anchors });
  }
  return result;
}

function anchorState(value: unknown): AnchorState {
  return value === 'submitted' || value === 'included' || value === 'final' || value === 'superseded' || value === 'failed' ? value : 'other';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
