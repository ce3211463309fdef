/**
 * The stored bytes of a log entry (spec section 4): `[1, receivedAtMs, transport, deviceId, contentType,
 * original]` as CBOR with preferred (shortest) heads.
 *
 * Interim: proof-formats will export `encodeLogEntry`; until then this encodes with firmware-protocol's
 * `encodeCbor`, which writes exactly the spec's shape. Replace the body with a re-export once it lands.
 */
import { encodeCbor } from '@trialgate/firmware-protocol';
import { LOG_ENTRY_VERSION, type LogEntry } from '@trialgate/proof-formats';

export function entryBytes(entry: LogEntry): Uint8Array {
  return encodeCbor([
    LOG_ENTRY_VERSION,
    entry.receivedAtMs,
    entry.transport,
    entry.deviceId,
    entry.contentType,
    entry.original,
  ]);
}
