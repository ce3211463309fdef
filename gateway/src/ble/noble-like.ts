/**
 * What the gateway uses of @abandonware/noble: its `Noble` instance and the `Peripheral`, `Service` and
 * `Characteristic` classes (types only: importing the package's runtime opens the HCI socket, see
 * load-noble.ts).
 */
import type { Characteristic, Peripheral, Service } from '@abandonware/noble';

export type { Characteristic, Peripheral, Service };

export type AdapterState = 'unknown' | 'resetting' | 'unsupported' | 'unauthorized' | 'poweredOff' | 'poweredOn';

export interface NobleLike {
  /** Reading it initialises the bindings (noble.js). */
  readonly state: AdapterState;
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  on(event: 'stateChange', listener: (state: AdapterState) => void): unknown;
  on(event: 'discover', listener: (peripheral: Peripheral) => void): unknown;
  on(event: 'warning', listener: (message: string) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}
