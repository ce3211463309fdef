/**
 * What a serial (or BLE message-service) device hears back for one message it sent: a gateway-signed `ack`
 * downlink (downlink/ack-message.ts) carrying the digest of the bytes received, or nothing when the message
 * names no device the gateway could address (its COSE structure is unreadable). Transport-neutral: the BLE
 * message service acknowledges with the same message.
 */
import type { AckData } from '../downlink/ack-message.js';
import type { IngestOutcome } from '../ingest/ingest-message.js';

export interface AddressedAck {
  readonly deviceId: string;
  readonly ack: AckData;
}

export function ackForOutcome(outcome: IngestOutcome, digest: Uint8Array): AddressedAck | null {
  switch (outcome.status) {
    case 'appended':
      return { deviceId: outcome.deviceId, ack: { digest, disposition: 'logged', seq: outcome.seq, index: outcome.index } };
    case 'duplicate':
      return { deviceId: outcome.deviceId, ack: { digest, disposition: 'duplicate', seq: outcome.seq, index: outcome.index } };
    case 'quarantined':
      // The kid could not be read: there is no one to address. The device resends (it got no ack), and a
      // message that never decodes stays in quarantine, where the site sees it.
      if (outcome.deviceId === null) return null;
      return {
        deviceId: outcome.deviceId,
        ack: { digest, disposition: 'quarantined', code: outcome.reason, ...(outcome.seq === null ? {} : { seq: outcome.seq }) },
      };
  }
}
