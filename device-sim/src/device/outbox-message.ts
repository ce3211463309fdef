/** A signed device message stored before it is sent, kept until the broker acknowledges it (PUBACK). */
export interface OutboxMessage {
  readonly deviceId: string;
  readonly seq: number;
  /** The COSE_Sign1 bytes, sent again unchanged on every retry (the gateway acknowledges a retransmission). */
  readonly bytes: Uint8Array;
}

/** What a device store hands back after a restart, per device. */
export interface DeviceResumeState {
  /** The highest seq ever assigned (0 when none): the next message gets `lastSeq + 1`. */
  readonly lastSeq: number;
  /** Messages assigned a seq and not yet acknowledged, in seq order: replayed first on reconnect. */
  readonly pending: readonly OutboxMessage[];
}
