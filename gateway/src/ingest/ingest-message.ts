/**
 * What a transport (MQTT, serial, BLE) hands to the ingestion pipeline, and what it gets back. Plain data,
 * transport-neutral: the transport decides what an outcome means on its wire (PUBACK, a serial ack frame, a
 * BLE write-back; a notice on the downlink; closing the connection).
 */
import type { DeviceTransport } from '../registry/device-record.js';
import type { EntryFlag } from './entry-flags.js';

export interface IngestMessage {
  readonly transport: DeviceTransport;
  /** Exactly the bytes received (the COSE_Sign1), kept as they are (spec section 4: `original`). */
  readonly bytes: Uint8Array;
  /** The gateway's clock when the message arrived. */
  readonly receivedAtMs: number;
  /**
   * The device the transport itself authenticated (MQTT: the client, by its connect token), or null when the
   * transport cannot tell (a serial line): then only the kid names the sender.
   */
  readonly senderDeviceId: string | null;
  /** Where it came from: the MQTT topic, the serial port, the BLE address. For the quarantine record. */
  readonly source: string;
}

export type IngestOutcome = IngestAppended | IngestDuplicate | IngestQuarantined;

/** A new entry, durable in the log: acknowledge. */
export interface IngestAppended {
  readonly status: 'appended';
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
  /** Remarks about the reading (spec section 2 "flagged"; device clock skew): never a reason to refuse. */
  readonly flags: readonly EntryFlag[];
}

/** The same device, seq and bytes are already logged at `index` (a retransmission): acknowledge again. */
export interface IngestDuplicate {
  readonly status: 'duplicate';
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
}

/** Refused and durably quarantined (spec section 7). */
export interface IngestQuarantined {
  readonly status: 'quarantined';
  /** The reason code (E_...). */
  readonly reason: string;
  /** A message a device maker understands; sent back in the notice, never logged (it may quote the payload). */
  readonly message: string;
  /** The device the message claims to come from, if it could be read. */
  readonly deviceId: string | null;
  /** The device's seq, when it could be read. */
  readonly seq: number | null;
  /**
   * An attempt to act as another device (its topic, its kid, its `dev`): the transport closes the connection
   * instead of acknowledging (spec section 7).
   */
  readonly impersonation: boolean;
  readonly quarantineId: number;
}

/** A refusal decided by a transport or the pipeline, before it is quarantined. */
export interface IngestRejection {
  readonly reason: string;
  readonly message: string;
  readonly deviceId: string | null;
  readonly seq: number | null;
  readonly impersonation: boolean;
  readonly details?: Readonly<Record<string, unknown>>;
}
