/**
 * The gateway's resolved configuration: plain data, validated once where it enters (resolve-gateway-config.ts),
 * then trusted by the rest of the gateway.
 */
import type { SerialPortSpec } from '../serial/serial-port-spec.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface MqttTlsListenerConfig {
  readonly host: string;
  readonly port: number;
  /** PEM files: the server certificate chain and its private key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM file of CAs whose client certificates are requested (optional; the connect token still decides). */
  readonly caFile: string | null;
}

export interface MqttWebSocketListenerConfig {
  readonly host: string;
  readonly port: number;
  /** The HTTP path the WebSocket upgrade is served on. */
  readonly path: string;
}

/**
 * Issue 7: what one device, one address or one slow client may cost the gateway (docs/gateway.md,
 * "Overload"). Nothing over a limit is acknowledged and lost, and nothing is dropped silently (spec section 7):
 * a device over its rate gets its PUBACKs later (back-pressure), a connection over the limits is closed before
 * anything is read from it, and both are counted and logged.
 */
export interface GatewayLimits {
  /** Messages per second one device may send before its messages wait (0: no limit). */
  readonly deviceRatePerSecond: number;
  /** New MQTT connections per second from one remote address, in bursts of up to 10 s worth (0: no limit). */
  readonly mqttConnectRatePerSecond: number;
  /** MQTT connections that have not yet been authenticated, all addresses together (0: no limit). */
  readonly mqttMaxConnecting: number;
  /** A client whose socket takes nothing of what the gateway writes for this long is disconnected (0: never). */
  readonly mqttDrainTimeoutMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  // A wearable sends about one reading a minute; 200/s leaves room for any store-and-forward replay and for
  // the ingest benchmark's devices (bench/suites/ingest.ts), and still keeps one device from taking the gateway.
  deviceRatePerSecond: 200,
  mqttConnectRatePerSecond: 200,
  mqttMaxConnecting: 2000,
  // aedes 1.2's own default.
  mqttDrainTimeoutMs: 60_000,
};

export interface GatewayConfig {
  /** The data directory: the log, the state database, the gateway key. */
  readonly dataDir: string;
  /** The log origin (spec section 5), the first line of every checkpoint, e.g. `trial.example/site-042/gw-1`. */
  readonly origin: string;
  readonly mqtt: {
    readonly host: string;
    /** 0 picks a free port (tests); the port actually bound is reported by the running gateway. */
    readonly port: number;
    readonly tls: MqttTlsListenerConfig | null;
    readonly ws: MqttWebSocketListenerConfig | null;
  };
  readonly http: { readonly host: string; readonly port: number };
  /** Redis for the anchoring hand-off (BullMQ); null: checkpoints stay in the outbox until one is configured. */
  readonly redisUrl: string | null;
  /** BullMQ key prefix of the anchoring queues; the anchor service uses the same. */
  readonly queuePrefix: string;
  readonly checkpoint: {
    /** A checkpoint is signed when this much time has passed since the last one and there is something new... */
    readonly intervalMs: number;
    /** ...or as soon as this many entries were appended since the last one. */
    readonly maxEntries: number;
  };
  /** A device clock further than this from the gateway's is flagged (not rejected). */
  readonly clockSkewToleranceMs: number;
  /** Largest device message accepted, in bytes (the COSE_Sign1 as received). */
  readonly maxMessageBytes: number;
  /** Worker threads that verify device signatures. */
  readonly verifyWorkers: number;
  readonly logLevel: LogLevel;
  /** Issue 6: serial ports of dispensers (`--serial PATH[:BAUD]`); none when absent. */
  readonly serial?: readonly SerialPortSpec[];
  /** Issue 6: read BLE devices (`--ble`). */
  readonly ble?: boolean;
  /** Issue 7: overload limits; `DEFAULT_GATEWAY_LIMITS` when absent. */
  readonly limits?: GatewayLimits;
}
