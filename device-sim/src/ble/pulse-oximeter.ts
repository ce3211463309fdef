/**
 * A pulse oximeter: Pulse Oximeter service 0x1822, PLX Spot-Check 0x2A5E by indication (with a time stamp,
 * and flags bit 4 "device clock is not set" when its clock never was), PLX Continuous 0x2A5F by notification.
 */
import { encodePlxContinuousMeasurement, encodePlxSpotCheckMeasurement, gattDateTimeOf, ieee11073Number } from '@trialgate/firmware-protocol';
import { HealthPeripheral, type HealthPeripheralOptions } from './health-peripheral.js';

export class PulseOximeter extends HealthPeripheral {
  constructor(options: HealthPeripheralOptions) {
    super(options);
    this.addService('1822', [
      { uuid: '2a5e', properties: ['indicate'] },
      { uuid: '2a5f', properties: ['notify'] },
    ]);
  }

  spotCheck(spo2: number, pulse: number): Uint8Array {
    const value = encodePlxSpotCheckMeasurement({
      spo2: ieee11073Number(spo2, 0),
      pulseRateBpm: ieee11073Number(pulse, 0),
      // A clock that is not set still stamps (from its power-on time): flags bit 4 says so.
      timeStamp: this.clockNotSet ? { year: 2000, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 } : gattDateTimeOf(this.deviceNow()).dateTime,
      deviceClockNotSet: this.clockNotSet,
    });
    this.send('1822', '2a5e', value);
    return value;
  }

  continuous(spo2: number, pulse: number): Uint8Array {
    const value = encodePlxContinuousMeasurement({ normal: { spo2: ieee11073Number(spo2, 0), pulseRateBpm: ieee11073Number(pulse, 0) } });
    this.send('1822', '2a5f', value);
    return value;
  }
}
