import { describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from '../config/resolve-gateway-config.js';

const base = { data: '/srv/data', origin: 'trial.example/site-1/gw-1' };

describe('--serial and --ble settings', () => {
  it('read serial ports from the flag (several, joined by the CLI), the environment or the file, and the BLE switch', () => {
    const fromFlag = resolveGatewayConfig({ flags: { ...base, serial: '/dev/ttyUSB0,/dev/ttyACM0:9600', ble: 'on' }, env: {}, cwd: '/', cores: 2 }).config;
    expect(fromFlag.serial).toStrictEqual([
      { path: '/dev/ttyUSB0', baudRate: 115200 },
      { path: '/dev/ttyACM0', baudRate: 9600 },
    ]);
    expect(fromFlag.ble).toBe(true);
    const fromEnv = resolveGatewayConfig({ flags: base, env: { TRIALGATE_SERIAL: '/dev/ttyS1:57600', TRIALGATE_BLE: 'off' }, cwd: '/', cores: 2 }).config;
    expect(fromEnv.serial).toStrictEqual([{ path: '/dev/ttyS1', baudRate: 57600 }]);
    expect(fromEnv.ble).toBeUndefined();
    const none = resolveGatewayConfig({ flags: base, env: {}, cwd: '/', cores: 2 }).config;
    expect(none.serial).toBeUndefined();
  });

  it('refuses an unusable port list or switch with E_CONFIG_INVALID', () => {
    expect(() => resolveGatewayConfig({ flags: { ...base, serial: '/dev/ttyUSB0:1234' }, env: {}, cwd: '/', cores: 2 })).toThrow(/--serial/);
    expect(() => resolveGatewayConfig({ flags: { ...base, serial: '/dev/a,/dev/a' }, env: {}, cwd: '/', cores: 2 })).toThrow(/twice/);
    expect(() => resolveGatewayConfig({ flags: { ...base, ble: 'maybe' }, env: {}, cwd: '/', cores: 2 })).toThrow(/on or off/);
  });
});
