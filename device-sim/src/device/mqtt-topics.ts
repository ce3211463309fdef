/** Spec section 3: a device publishes on its uplink and subscribes to its downlink, nothing else. */
export function uplinkTopic(deviceId: string): string {
  return `tg/v1/dev/${deviceId}/up`;
}

export function downlinkTopic(deviceId: string): string {
  return `tg/v1/dev/${deviceId}/down`;
}
