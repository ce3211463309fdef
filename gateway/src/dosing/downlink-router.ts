/**
 * Where a downlink message for a device goes: over the first transport the device is allowed (registry) that
 * can reach it now (MQTT: connected and subscribed to its downlink topic; serial: its line is open; BLE:
 * connected with the message service). Each transport adds its route when it starts.
 */
import type { DeviceRecord, DeviceTransport } from '../registry/device-record.js';

export interface DownlinkRoute {
  readonly transport: DeviceTransport;
  canReach(deviceId: string): boolean;
  /** Hands the signed bytes to the transport; rejects when it cannot. */
  send(deviceId: string, bytes: Uint8Array): Promise<void>;
}

export class DownlinkRouter {
  private readonly routes: DownlinkRoute[] = [];

  add(route: DownlinkRoute): void {
    this.routes.push(route);
  }

  routeFor(device: Pick<DeviceRecord, 'id' | 'transports'>): DownlinkRoute | null {
    for (const route of this.routes) {
      if (device.transports.includes(route.transport) && route.canReach(device.id)) return route;
    }
    return null;
  }
}
