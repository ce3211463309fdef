/**
 * A registered device as the registry holds it (spec section 1). Plain data; no direct identifier of a
 * person anywhere: `subject` is the trial's pseudonymous subject id.
 */

/** The transports a device may be allowed to use; `admin` is the gateway's own and never a device's. */
export type DeviceTransport = 'mqtt' | 'ble' | 'serial';

export const DEVICE_TRANSPORTS: readonly DeviceTransport[] = ['mqtt', 'ble', 'serial'];

export type DeviceStatus = 'active' | 'suspended' | 'retired';

/**
 * How a BLE device is recognised when it advertises (issue 6): its Bluetooth device address (lower-case
 * `aa:bb:cc:dd:ee:ff`) and/or the local name it advertises. Set with the `set-ble` registry change.
 */
export interface BleIdentity {
  readonly address: string | null;
  readonly name: string | null;
}

export interface DeviceRecord {
  readonly id: string;
  readonly kind: string;
  /**
   * The current Ed25519 public key, 32 bytes; null for a device enrolled without one (issue 6: a standard BLE
   * health device cannot sign). Spec section 1 asks a key of "every device that signs"; a device without one
   * is never accepted where a signature is needed (MQTT connect tokens, COSE messages on any transport), and
   * the registry allows it only the transport `ble`, whose `gatt:*` values the gateway attests.
   */
  readonly publicKey: Uint8Array | null;
  readonly transports: readonly DeviceTransport[];
  readonly status: DeviceStatus;
  /** Pseudonymous subject id, or null when not assigned. */
  readonly subject: string | null;
  /** Log index and gateway time of the enrolment entry. */
  readonly enrolledIndex: number;
  readonly enrolledAtMs: number;
  /** Log index and gateway time of the latest change. */
  readonly updatedIndex: number;
  readonly updatedAtMs: number;
  /** Log index from which the current key (or the lack of one) is valid: the enrolment or the latest rotation. */
  readonly keySinceIndex: number;
  /** BLE address and/or advertised name (`set-ble`); absent when none was set. */
  readonly ble?: BleIdentity;
}

/** One key a device held, and the log range in which it was current (`untilIndex` exclusive, null: still). */
export interface DeviceKeyPeriod {
  readonly publicKey: Uint8Array;
  readonly sinceIndex: number;
  readonly untilIndex: number | null;
}
