/**
 * Reading the quarantine store back (spec section 7: every rejection is kept and listable). Both `GatewayLog`
 * adapters implement it; `trialgate quarantine list` and the admin API use it.
 */
import type { QuarantineRecord } from './gateway-log.js';

export interface QuarantineFilter {
  readonly reason?: string;
  readonly claimedDeviceId?: string;
  readonly transport?: string;
  /** Inclusive lower bound on `receivedAtMs`. */
  readonly fromMs?: number;
  /** Exclusive upper bound on `receivedAtMs`. */
  readonly toMs?: number;
  /** Only records with `id` greater than this (paging). */
  readonly afterId?: number;
  /** At most this many records (default 100, at most 10,000), in increasing `id` order. */
  readonly limit?: number;
}

export const QUARANTINE_LIST_DEFAULT_LIMIT = 100;
export const QUARANTINE_LIST_MAX_LIMIT = 10_000;

export interface QuarantineQuery {
  listQuarantine(filter?: QuarantineFilter): QuarantineRecord[];
  /** Number of quarantine records per reason code. */
  countQuarantineByReason(): Record<string, number>;
}

export function quarantineListLimit(filter: QuarantineFilter): number {
  const limit = filter.limit ?? QUARANTINE_LIST_DEFAULT_LIMIT;
  return Math.max(0, Math.min(QUARANTINE_LIST_MAX_LIMIT, Math.floor(limit)));
}

export function matchesQuarantineFilter(record: QuarantineRecord, filter: QuarantineFilter): boolean {
  if (filter.reason !== undefined && record.reason !== filter.reason) return false;
  if (filter.claimedDeviceId !== undefined && record.claimedDeviceId !== filter.claimedDeviceId) return false;
  if (filter.transport !== undefined && record.transport !== filter.transport) return false;
  if (filter.fromMs !== undefined && record.receivedAtMs < filter.fromMs) return false;
  if (filter.toMs !== undefined && record.receivedAtMs >= filter.toMs) return false;
  if (filter.afterId !== undefined && record.id <= filter.afterId) return false;
  return true;
}
