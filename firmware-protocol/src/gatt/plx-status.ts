import { readBitField, type GattBitField } from './gatt-bit-field.js';

/** PLX Measurement Status (16 bits, bits 0-4 reserved), Pulse Oximeter Service. */
export function plxMeasurementStatus(raw: number): GattBitField {
  return readBitField(raw, 16, {
    5: 'measurement-ongoing',
    6: 'early-estimated-data',
    7: 'validated-data',
    8: 'fully-qualified-data',
    9: 'data-from-measurement-storage',
    10: 'data-for-demonstration',
    11: 'data-for-testing',
    12: 'calibration-ongoing',
    13: 'measurement-unavailable',
    14: 'questionable-measurement-detected',
    15: 'invalid-measurement-detected',
  });
}

/** PLX Device and Sensor Status (24 bits, bits 16-23 reserved), Pulse Oximeter Service. */
export function plxDeviceAndSensorStatus(raw: number): GattBitField {
  return readBitField(raw, 24, {
    0: 'extended-display-update-ongoing',
    1: 'equipment-malfunction-detected',
    2: 'signal-processing-irregularity-detected',
    3: 'inadequate-signal-detected',
    4: 'poor-signal-detected',
    5: 'low-perfusion-detected',
    6: 'erratic-signal-detected',
    7: 'nonpulsatile-signal-detected',
    8: 'questionable-pulse-detected',
    9: 'signal-analysis-ongoing',
    10: 'sensor-interference-detected',
    11: 'sensor-unconnected-to-user',
    12: 'unknown-sensor-connected',
    13: 'sensor-displaced',
    14: 'sensor-malfunctioning',
    15: 'sensor-disconnected',
  });
}
