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
}
