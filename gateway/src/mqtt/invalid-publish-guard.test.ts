import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRefusedPublishTopic } from './invalid-publish-guard.js';

describe('isRefusedPublishTopic', () => {
  it('names the PUBLISH topics aedes 1.2 refuses: empty, wildcards, too many levels', () => {
    expect(isRefusedPublishTopic('', 100)).toBe(true);
    expect(isRefusedPublishTopic('tg/v1/dev/+/up', 100)).toBe(true);
    expect(isRefusedPublishTopic('#', 100)).toBe(true);
    expect(isRefusedPublishTopic('a/b#', 100)).toBe(true);
    expect(isRefusedPublishTopic('a/b/c', 2)).toBe(true);
    expect(isRefusedPublishTopic('a/b', 2)).toBe(false);
    expect(isRefusedPublishTopic('tg/v1/dev/hr-1/up', 100)).toBe(false);
    expect(isRefusedPublishTopic('$SYS/x', 100)).toBe(false); // aedes lets it through to authorizePublish
  });

  it('refuses a topic exactly when it is empty, holds # or +, or has more levels than allowed', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '/', '#', '+', '$', 'é'), maxLength: 12 }), fc.integer({ min: 1, max: 6 }), (topic, max) => {
        const expected = topic === '' || topic.includes('#') || topic.includes('+') || topic.split('/').length > max;
        expect(isRefusedPublishTopic(topic, max)).toBe(expected);
      }),
    );
  });
});
