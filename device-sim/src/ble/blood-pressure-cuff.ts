/** A blood pressure cuff: Blood Pressure service 0x1810, Measurement 0x2A35 by indication, with time stamps. */
import { encodeBloodPressureMeasurement, gattDateTimeOf, ieee11073Number } from '@trialgate/firmware-protocol';
import { HealthPeripheral, type HealthPeripheralOptions } from './health-peripheral.js';

export interface BloodPressureReading {
  readonly systolic: number;
  readonly diastolic: number;
  readonly pulse?: number;
}

export class BloodPressureCuff extends HealthPeripheral {
  constructor(options: HealthPeripheralOptions) {
    super(options);
    this.addService('1810', [{ uuid: '2a35', properties: ['indicate'] }]);
  }

  measure(reading: BloodPressureReading): Uint8Array {
    const map = Math.round((reading.systolic + 2 * reading.diastolic) / 3);
    const value = encodeBloodPressureMeasurement({
      systolic: ieee11073Number(reading.systolic, 0),
      diastolic: ieee11073Number(reading.diastolic, 0),
      meanArterialPressure: ieee11073Number(map, 0),
      ...(this.clockNotSet ? {} : { timeStamp: gattDateTimeOf(this.deviceNow()).dateTime }),
      ...(reading.pulse === undefined ? {} : { pulseRateBpm: ieee11073Number(reading.pulse, 0) }),
    });
    this.send('1810', '2a35', value);
    return value;
  }
}
