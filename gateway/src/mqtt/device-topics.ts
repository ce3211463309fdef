/**
 * The MQTT topics of spec section 3: `tg/v1/dev/{deviceId}/up` (a device publishes its messages there) and
 * `tg/v1/dev/{deviceId}/down` (it subscribes there for the gateway's notices, schedules and reminders).
 */
import { isDeviceId } from '@trialgate/firmware-protocol';

export const TOPIC_PREFIX = 'tg/v1/dev/';

export function uplinkTopic(deviceId: string): string {
  return `${TOPIC_PREFIX}${deviceId}/up`;
}

/** `topic === uplinkTopic(deviceId)`, without building the topic (it runs for every message). */
export function isUplinkTopicOf(topic: string, deviceId: string): boolean {
  return (
    topic.length === TOPIC_PREFIX.length + deviceId.length + 3 &&
    topic.startsWith(TOPIC_PREFIX) &&
    topic.startsWith(deviceId, TOPIC_PREFIX.length) &&
    topic.endsWith('/up')
  );
}

export function downlinkTopic(deviceId: string): string {
  return `${TOPIC_PREFIX}${deviceId}/down`;
}

export interface DeviceTopic {
  readonly deviceId: string;
  readonly direction: 'up' | 'down';
}

/** Reads a device topic, or null for any other topic (attacker-controlled text: checked, never trusted). */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  if (!topic.startsWith(TOPIC_PREFIX)) return null;
  const rest = topic.slice(TOPIC_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  const deviceId = rest.slice(0, slash);
  const direction = rest.slice(slash + 1);
  if (!isDeviceId(deviceId) || (direction !== 'up' && direction !== 'down')) return null;
  return { deviceId, direction };
}

/**
 * The device a topic or topic filter names, when it names one: `tg/v1/dev/{id}/...` with `id` a device id
 * (not a wildcard). Used to tell "acting as another device" (section 7: its topic) from a merely wrong topic.
 */
export function deviceNamedByTopic(topic: string): string | null {
  if (!topic.startsWith(TOPIC_PREFIX)) return null;
  const rest = topic.slice(TOPIC_PREFIX.length);
  const slash = rest.indexOf('/');
  const deviceId = slash < 0 ? rest : rest.slice(0, slash);
  return isDeviceId(deviceId) ? deviceId : null;
}
