import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceNamedByTopic, downlinkTopic, parseDeviceTopic, uplinkTopic } from './device-topics.js';

describe('device topics', () => {
  it('name and read the uplink and downlink of spec section 3', () => {
    expect(uplinkTopic('hr-1')).toBe('tg/v1/dev/hr-1/up');
    expect(downlinkTopic('hr-1')).toBe('tg/v1/dev/hr-1/down');
    expect(parseDeviceTopic('tg/v1/dev/hr-1/up')).toEqual({ deviceId: 'hr-1', direction: 'up' });
    expect(parseDeviceTopic('tg/v1/dev/+/up')).toBeNull();
    expect(parseDeviceTopic('tg/v1/dev/hr-1/up/x')).toBeNull();
    expect(deviceNamedByTopic('tg/v1/dev/hr-2/anything')).toBe('hr-2');
    expect(deviceNamedByTopic('tg/v1/dev/#')).toBeNull();
    expect(deviceNamedByTopic('other/hr-2')).toBeNull();
  });

  it('never throw on arbitrary topic text (attacker-controlled)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (topic) => {
        parseDeviceTopic(topic);
        deviceNamedByTopic(`tg/v1/dev/${topic}`);
      }),
    );
  });
});
