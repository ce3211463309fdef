/**
 * The sponsor routes of the HTTP API (docs/http-api.md): the latest checkpoint and the checkpoint list with
 * anchor states (public), entries and proofs (scope `read`), export (scope `export`), health and metrics.
 *
 * Query parameters are attacker-controlled: every number is parsed strictly (decimal digits, a safe integer,
 * within the log) before it is used.
 */
import { encodeBase64 } from '@trialgate/proof-formats';
import type { AnchorStore, StoredAnchor } from '../anchoring/anchor-store.js';
import type { StoredCheckpoint } from '../checkpoints/checkpoint-store.js';
import type { DeviceKeySource } from '../export/device-key-source.js';
import { exportBundle, parseExportTime } from '../export/export-bundle.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { LogView } from '../storage/log-view.js';
import { ApiError } from './api-error.js';
import { json, text, type ApiRoute } from './api-route.js';
import { readEntryForApi } from './entry-reading.js';

export interface SponsorRouteDependencies {
  readonly view: LogView;
  readonly anchors: AnchorStore;
  readonly metrics: GatewayMetrics;
  /** The gateway's verifier key (spec section 5). */
  readonly gatewayKey: string;
  /** For the clock-skew flag of entries (the gateway's `--clock-skew-tolerance`). */
  readonly clockSkewToleranceMs: number;
  /** More to say in `/healthz` (the broker's state, the outbox backlog, ...). */
  readonly health?: () => Readonly<Record<string, unknown>>;
  readonly deviceKeys?: DeviceKeySource;
}

export const MAX_ENTRIES_PER_PAGE = 1000;

export function createSponsorRoutes(deps: SponsorRouteDependencies): ApiRoute[] {
  const view = deps.view;
  return [
    {
      method: 'GET',
      path: '/checkpoint',
      scope: null,
      handle: () => {
        const latest = view.checkpoints.latest();
        if (latest === null) throw new ApiError('E_API_NOT_FOUND', 'no checkpoint has been signed yet');
        return text(latest.note);
      },
    },
    {
      method: 'GET',
      path: '/key',
      scope: null,
      handle: () => text(`${deps.gatewayKey}\n`),
    },
    {
      method: 'GET',
      path: '/checkpoints',
      scope: null,
      handle: ({ url }) => {
        const after = optionalInteger(url, 'after');
        const limit = Math.min(optionalInteger(url, 'limit') ?? 100, 1000);
        const newestFirst = url.searchParams.get('order') === 'desc';
        const list = view.checkpoints.list({
          ...(after === undefined ? {} : newestFirst ? { beforeSize: after } : { afterSize: after }),
          descending: newestFirst,
          limit,
        });
        return json({ checkpoints: list.map((c) => checkpointJson(c, deps.anchors.forCheckpoint(c.treeSize))) });
      },
    },
    {
      method: 'GET',
      path: '/checkpoints/:size',
      scope: null,
      handle: ({ params }) => {
        const size = integer(params['size'], 'size');
        const checkpoint = view.checkpoints.get(size);
        if (checkpoint === null) throw new ApiError('E_API_NOT_FOUND', `no checkpoint of size ${size}`);
        return json(checkpointJson(checkpoint, deps.anchors.forCheckpoint(size)));
      },
    },
    {
      method: 'GET',
      path: '/healthz',
      scope: null,
      handle: () => {
        const latest = view.checkpoints.latest();
        return json({
          status: 'ok',
          origin: view.origin,
          tree_size: view.size(),
          checkpoint_size: latest?.treeSize ?? null,
          checkpoint_signed_at: latest === null ? null : new Date(latest.signedAtMs).toISOString(),
          ...deps.health?.(),
        });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      scope: null,
      handle: async () => text(await deps.metrics.registry.metrics(), deps.metrics.registry.contentType),
    },
    {
      method: 'GET',
      path: '/entries/:index',
      scope: 'read',
      handle: ({ params }) => {
        const index = withinLog(view, integer(params['index'], 'index'));
        return json(readEntryForApi(index, view.readEntry(index), view.tree.leafHash(index), deps.clockSkewToleranceMs));
      },
    },
    {
      method: 'GET',
      path: '/entries',
      scope: 'read',
      handle: ({ url }) => {
        const size = view.size();
        const start = optionalInteger(url, 'start') ?? 0;
        const limit = Math.min(optionalInteger(url, 'limit') ?? 100, MAX_ENTRIES_PER_PAGE);
        const end = Math.min(size, start + limit);
        const entries = [];
        if (start < end) {
          const indexed: { index: number; bytes: Uint8Array }[] = [];
          view.forEachEntry(start, end, (index, bytes) => indexed.push({ index, bytes: bytes.slice() }));
          for (const { index, bytes } of indexed) {
            entries.push(readEntryForApi(index, bytes, view.tree.leafHash(index), deps.clockSkewToleranceMs));
          }
        }
        return json({ tree_size: size, start, entries, next: end < size ? end : null });
      },
    },
    {
      method: 'GET',
      path: '/proofs/inclusion',
      scope: 'read',
      handle: ({ url }) => {
        const index = integer(url.searchParams.get('index') ?? undefined, 'index');
        const treeSize = optionalInteger(url, 'tree_size') ?? view.checkpoints.latest()?.treeSize ?? view.size();
        if (treeSize > view.size()) throw new ApiError('E_API_NOT_FOUND', `tree size ${treeSize} is beyond the log`);
        if (index >= treeSize) throw new ApiError('E_API_BAD_REQUEST', `index ${index} is not in a tree of size ${treeSize}`);
        const checkpoint = view.checkpoints.get(treeSize);
        return json({
          index,
          tree_size: treeSize,
          leaf_hash: encodeBase64(view.tree.leafHash(index)),
          proof: view.tree.inclusionProof(index, treeSize).map((h) => encodeBase64(h)),
          checkpoint: checkpoint?.note ?? null,
        });
      },
    },
    {
      method: 'GET',
      path: '/proofs/consistency',
      scope: 'read',
      handle: ({ url }) => {
        const from = integer(url.searchParams.get('from') ?? undefined, 'from');
        const to = optionalInteger(url, 'to') ?? view.checkpoints.latest()?.treeSize ?? view.size();
        if (to > view.size()) throw new ApiError('E_API_NOT_FOUND', `tree size ${to} is beyond the log`);
        // RFC 9162 section 2.1.4: a proof from size 0 does not exist; a proof needs 0 < from <= to.
        if (from === 0 || from > to) throw new ApiError('E_API_BAD_REQUEST', 'a consistency proof needs 0 < from <= to');
        return json({
          from_size: from,
          to_size: to,
          proof: view.tree.consistencyProof(from, to).map((h) => encodeBase64(h)),
          from_checkpoint: view.checkpoints.get(from)?.note ?? null,
          to_checkpoint: view.checkpoints.get(to)?.note ?? null,
        });
      },
    },
    {
      method: 'GET',
      path: '/export',
      scope: 'export',
      handle: async ({ url, response }) => {
        const devices = url.searchParams.getAll('device');
        const from = url.searchParams.get('from');
        const to = url.searchParams.get('to');
        const selection = {
          ...(devices.length > 0 ? { devices } : {}),
          ...(from === null ? {} : { fromMs: parseExportTime(from, 'from') }),
          ...(to === null ? {} : { toMs: parseExportTime(to, 'to') }),
        };
        if (view.checkpoints.latest() === null) throw new ApiError('E_API_NOT_FOUND', 'no checkpoint has been signed yet');
        response.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': 'attachment; filename="trialgate-bundle.json"',
          'cache-control': 'no-store',
        });
        await exportBundle({
          view,
          gatewayKey: deps.gatewayKey,
          out: response,
          ...selection,
          ...(deps.deviceKeys === undefined ? {} : { deviceKeys: deps.deviceKeys }),
        });
        response.end();
        return { kind: 'handled' };
      },
    },
  ];
}

function checkpointJson(checkpoint: StoredCheckpoint, anchors: readonly StoredAnchor[]): Record<string, unknown> {
  return {
    tree_size: checkpoint.treeSize,
    root_hash: encodeBase64(checkpoint.rootHash),
    signed_at: new Date(checkpoint.signedAtMs).toISOString(),
    note: checkpoint.note,
    anchors: anchors.map((a) => ({
      chain_id: a.chainId,
      state: a.state,
      tx_hash: a.txHash,
      from: a.from,
      block_number: a.blockNumber,
      block_hash: a.blockHash,
      superseded_by: a.supersededBy,
      error: a.error,
      observed_at: new Date(a.observedAtMs).toISOString(),
    })),
  };
}

/** Attacker-controlled: a path or query value; decimal digits only, a safe integer. */
function integer(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,16}$/.test(value)) {
    throw new ApiError('E_API_BAD_REQUEST', `${name} must be a non-negative integer`, { details: { parameter: name } });
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new ApiError('E_API_BAD_REQUEST', `${name} is too large`);
  return number;
}

function optionalInteger(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  return value === null ? undefined : integer(value, name);
}

function withinLog(view: LogView, index: number): number {
  if (index >= view.size()) throw new ApiError('E_API_NOT_FOUND', `no entry ${index}: the log holds ${view.size()}`);
  return index;
}

