/** Errors of the BLE transport (docs/ble.md). Reassembly codes are also quarantine reasons. */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type BleErrorCode =
  /** No Bluetooth adapter (the HCI socket cannot be opened: EAFNOSUPPORT, ENODEV, EPERM, ...). */
  | 'E_BLE_NO_ADAPTER'
  /** The adapter did not become ready (powered off, unauthorized, unsupported) in time. */
  | 'E_BLE_ADAPTER_STATE'
  /** A BLE step (connect, discovery, read, subscribe, write) did not finish in time. */
  | 'E_BLE_TIMEOUT'
  /** The peripheral disconnected while a step was running. */
  | 'E_BLE_DISCONNECTED'
  /** The peripheral lacks a service or characteristic it needs, or an operation failed. */
  | 'E_BLE_OPERATION'
  /** A message-service fragment that does not continue the message being reassembled (docs/ble.md). */
  | 'E_BLE_FRAGMENT'
  /** A message-service message longer than the gateway accepts. */
  | 'E_BLE_MESSAGE_TOO_LARGE'
  /** A message still incomplete when its reassembly time ran out. */
  | 'E_BLE_REASSEMBLY_TIMEOUT'
  /** A message cut short by a disconnect: quarantined as far as it came, never logged. */
  | 'E_BLE_INCOMPLETE';

export class BleError extends TrialgateError<BleErrorCode> {
  override readonly name = 'BleError';

  constructor(code: BleErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}

export function isBleError(value: unknown, code?: BleErrorCode): value is BleError {
  return value instanceof BleError && (code === undefined || value.code === code);
}
