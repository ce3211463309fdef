/** A chest strap: Heart Rate service 0x180D, Heart Rate Measurement 0x2A37 by notification. */
import { encodeHeartRateMeasurement } from '@trialgate/firmware-protocol';
import { HealthPeripheral, type HealthPeripheralOptions } from './health-peripheral.js';

export class HeartRateStrap extends HealthPeripheral {
  constructor(options: HealthPeripheralOptions) {
    super(options);
    this.addService('180d', [{ uuid: '2a37', properties: ['notify'] }]);
  }

  /** One measurement: the bytes sent (or stored, when no central listens). */
  measure(bpm: number, rrIntervals1024: readonly number[] = []): Uint8Array {
    const value = encodeHeartRateMeasurement({ heartRateBpm: bpm, sensorContact: 'detected', rrIntervals1024 });
    this.send('180d', '2a37', value);
    return value;
  }
}
