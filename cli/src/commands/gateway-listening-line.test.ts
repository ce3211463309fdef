import { describe, expect, it } from 'vitest';
import { formatListeningLine, type GatewayListening } from './gateway-listening-line.js';

const base: GatewayListening = {
  origin: 'trial.example/site-042/gw-1',
  mqtt: { tcp: { address: '0.0.0.0', port: 1883 }, tls: null, ws: null },
  http: 'http://127.0.0.1:8080',
  dataRoot: '/var/lib/trialgate',
  logSize: 12,
  serial: [],
  ble: false,
};

describe('the gateway listening line', () => {
  it('names the MQTT listeners, the API, the data directory and the log size', () => {
    expect(formatListeningLine({ ...base, mqtt: { tcp: { address: '::', port: 1883 }, tls: { address: '0.0.0.0', port: 8883 }, ws: { address: '127.0.0.1', port: 8081, path: '/mqtt' } } })).toBe(
      'trialgate gateway trial.example/site-042/gw-1 listening on mqtt://[::]:1883, mqtts://0.0.0.0:8883, ws://127.0.0.1:8081/mqtt; API http://127.0.0.1:8080; data /var/lib/trialgate; log size 12',
    );
  });

  it('also names the serial lines and BLE when they are enabled', () => {
    expect(formatListeningLine({ ...base, serial: [{ path: '/dev/ttyUSB0', baudRate: 115_200 }, { path: '/dev/ttyACM0', baudRate: 9600 }], ble: true })).toBe(
      'trialgate gateway trial.example/site-042/gw-1 listening on mqtt://0.0.0.0:1883, serial /dev/ttyUSB0 (115200 baud), /dev/ttyACM0 (9600 baud), BLE; API http://127.0.0.1:8080; data /var/lib/trialgate; log size 12',
    );
    expect(formatListeningLine({ ...base, ble: true })).toContain('listening on mqtt://0.0.0.0:1883, BLE; API');
  });
});
