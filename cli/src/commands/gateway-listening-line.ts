/**
 * The one human line `trialgate gateway` writes on standard error once it listens: where devices connect (the
 * MQTT listeners, the serial lines and BLE when enabled), the API, the data directory and the log size.
 */
import type { RunningGateway } from '@trialgate/gateway';

interface ListenerAddress {
  readonly address: string;
  readonly port: number;
}

/** What the line says, as plain data. */
export interface GatewayListening {
  readonly origin: string;
  readonly mqtt: { readonly tcp: ListenerAddress; readonly tls: ListenerAddress | null; readonly ws: (ListenerAddress & { readonly path: string }) | null };
  readonly http: string;
  readonly dataRoot: string;
  readonly logSize: number;
  /** `--serial` lines (empty: none). */
  readonly serial: readonly { readonly path: string; readonly baudRate: number }[];
  /** `--ble`: the BLE central runs. */
  readonly ble: boolean;
}

export function gatewayListening(gateway: RunningGateway): GatewayListening {
  return {
    origin: gateway.origin,
    mqtt: gateway.addresses.mqtt,
    http: gateway.addresses.http,
    dataRoot: gateway.store.layout.root,
    logSize: gateway.store.log.size(),
    serial: gateway.config.serial ?? [],
    ble: gateway.devices.ble !== null,
  };
}

export function formatListeningLine(listening: GatewayListening): string {
  const { tcp, tls, ws } = listening.mqtt;
  const parts = [`mqtt://${hostPort(tcp.address, tcp.port)}`];
  if (tls !== null) parts.push(`mqtts://${hostPort(tls.address, tls.port)}`);
  if (ws !== null) parts.push(`ws://${hostPort(ws.address, ws.port)}${ws.path}`);
  if (listening.serial.length > 0) parts.push(`serial ${listening.serial.map((line) => `${line.path} (${line.baudRate} baud)`).join(', ')}`);
  if (listening.ble) parts.push('BLE');
  return `trialgate gateway ${listening.origin} listening on ${parts.join(', ')}; API ${listening.http}; data ${listening.dataRoot}; log size ${listening.logSize}`;
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
