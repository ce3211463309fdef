import { decodeDevicePayload } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { encodeDevicePayload } from '../device/device-message.js';
import { createRandom } from '../random/random.js';
import { MS_PER_DAY } from '../time/local-time.js';
import { createDeviceModel } from './create-device-model.js';
import { DEVICE_KINDS } from './device-kind.js';
import { createSubjectProfile } from './subject-profile.js';

describe('every model', () => {
  for (const kind of DEVICE_KINDS) {
    it(`${kind}: ten days of readings and load-mode samples all encode under the spec's payload schema, unflagged`, () => {
      const random = createRandom(31);
      const model = createDeviceModel({ kind, profile: createSubjectProfile(random.fork()), random: random.fork() });
      const start = Date.UTC(2026, 0, 1);
      let count = 0;
      for (let t = start; t <= start + 10 * MS_PER_DAY; t += 7 * 60_000 + 13) {
        const readings = [...model.advance(t), model.sample(t)];
        for (const reading of readings) {
          const bytes = encodeDevicePayload('SIM-X-0001', ++count, reading);
          const decoded = decodeDevicePayload(bytes);
          expect(decoded.payload.t).toBe(reading.t);
          expect(decoded.flags.map((f) => f.code), JSON.stringify(reading)).toEqual([]);
        }
      }
      expect(count).toBeGreaterThan(2_000);
    });
  }
});
