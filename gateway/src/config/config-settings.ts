/**
 * Every gateway setting, with its three names: a flag (`--mqtt-port`), an environment variable
 * (`TRIALGATE_MQTT_PORT`) and a config-file key (`mqtt.port`). Sites script against these names, so they are
 * kept stable; a new setting is one new row. docs/gateway.md documents the same table.
 *
 * The setting key is the flag's camelCase form, which is what commander hands the CLI for `--mqtt-port`.
 */

export type SettingKind =
  | 'text'
  | 'path'
  | 'origin'
  | 'host'
  | 'port'
  | 'count'
  | 'duration'
  | 'bytes'
  | 'redis-url'
  | 'log-level'
  /** Issue 6: `PATH[:BAUD]`, comma-separated (serial/serial-port-spec.ts). */
  | 'serial-ports'
  /** Issue 6: on or off (on, off, true, false, yes, no, 1, 0). */
  | 'switch'
  /** Issue 7: events per second, `N/s`, `N/min` or a plain number per second; 0 = no limit. */
  | 'rate';

export interface SettingSpec {
  readonly flag: string;
  readonly env: string;
  /** Dotted path in the config file. */
  readonly file: string;
  readonly kind: SettingKind;
  readonly description: string;
}

export const SETTINGS = {
  data: { flag: 'data', env: 'TRIALGATE_DATA', file: 'data', kind: 'path', description: 'data directory (required)' },
  origin: { flag: 'origin', env: 'TRIALGATE_ORIGIN', file: 'origin', kind: 'origin', description: 'log origin, e.g. trial.example/site-042/gw-1 (required)' },
  mqttHost: { flag: 'mqtt-host', env: 'TRIALGATE_MQTT_HOST', file: 'mqtt.host', kind: 'host', description: 'MQTT TCP listener address (default 0.0.0.0)' },
  mqttPort: { flag: 'mqtt-port', env: 'TRIALGATE_MQTT_PORT', file: 'mqtt.port', kind: 'port', description: 'MQTT TCP listener port (default 1883; 0 = any free port)' },
  mqttTlsCert: { flag: 'mqtt-tls-cert', env: 'TRIALGATE_MQTT_TLS_CERT', file: 'mqtt.tls.cert', kind: 'path', description: 'PEM certificate chain; enables the MQTT over TLS listener' },
  mqttTlsKey: { flag: 'mqtt-tls-key', env: 'TRIALGATE_MQTT_TLS_KEY', file: 'mqtt.tls.key', kind: 'path', description: 'PEM private key of that certificate' },
  mqttTlsCa: { flag: 'mqtt-tls-ca', env: 'TRIALGATE_MQTT_TLS_CA', file: 'mqtt.tls.ca', kind: 'path', description: 'PEM CA bundle; when given, every TLS client must present a certificate it signed' },
  mqttTlsHost: { flag: 'mqtt-tls-host', env: 'TRIALGATE_MQTT_TLS_HOST', file: 'mqtt.tls.host', kind: 'host', description: 'MQTT over TLS listener address (default: --mqtt-host)' },
  mqttTlsPort: { flag: 'mqtt-tls-port', env: 'TRIALGATE_MQTT_TLS_PORT', file: 'mqtt.tls.port', kind: 'port', description: 'MQTT over TLS listener port (default 8883)' },
  mqttWsPort: { flag: 'mqtt-ws-port', env: 'TRIALGATE_MQTT_WS_PORT', file: 'mqtt.ws.port', kind: 'port', description: 'MQTT over WebSocket listener port; enables that listener' },
  mqttWsHost: { flag: 'mqtt-ws-host', env: 'TRIALGATE_MQTT_WS_HOST', file: 'mqtt.ws.host', kind: 'host', description: 'MQTT over WebSocket listener address (default: --mqtt-host)' },
  mqttWsPath: { flag: 'mqtt-ws-path', env: 'TRIALGATE_MQTT_WS_PATH', file: 'mqtt.ws.path', kind: 'text', description: 'HTTP path of the WebSocket endpoint (default /mqtt)' },
  httpHost: { flag: 'http-host', env: 'TRIALGATE_HTTP_HOST', file: 'http.host', kind: 'host', description: 'HTTP API address (default 127.0.0.1)' },
  httpPort: { flag: 'http-port', env: 'TRIALGATE_HTTP_PORT', file: 'http.port', kind: 'port', description: 'HTTP API port (default 8080; 0 = any free port)' },
  redis: { flag: 'redis', env: 'TRIALGATE_REDIS', file: 'redis', kind: 'redis-url', description: 'Redis URL for the anchoring hand-off (default: none, checkpoints wait in the outbox)' },
  queuePrefix: { flag: 'queue-prefix', env: 'TRIALGATE_QUEUE_PREFIX', file: 'queuePrefix', kind: 'text', description: "BullMQ key prefix, the same as the anchor service's (default bull)" },
  checkpointInterval: { flag: 'checkpoint-interval', env: 'TRIALGATE_CHECKPOINT_INTERVAL', file: 'checkpoint.interval', kind: 'duration', description: 'sign a checkpoint at least this often when there is something new (default 10s)' },
  checkpointEntries: { flag: 'checkpoint-entries', env: 'TRIALGATE_CHECKPOINT_ENTRIES', file: 'checkpoint.entries', kind: 'count', description: 'sign a checkpoint after this many new entries (default 10000)' },
  clockSkewTolerance: { flag: 'clock-skew-tolerance', env: 'TRIALGATE_CLOCK_SKEW_TOLERANCE', file: 'clockSkewTolerance', kind: 'duration', description: 'device clocks further than this from the gateway are flagged (default 5m)' },
  maxMessageBytes: { flag: 'max-message-bytes', env: 'TRIALGATE_MAX_MESSAGE_BYTES', file: 'maxMessageBytes', kind: 'bytes', description: 'largest device message accepted (default 16KiB)' },
  verifyWorkers: { flag: 'verify-workers', env: 'TRIALGATE_VERIFY_WORKERS', file: 'verifyWorkers', kind: 'count', description: 'signature-verification worker threads (default: the number of cores; 0 = verify on the main thread)' },
  serial: { flag: 'serial', env: 'TRIALGATE_SERIAL', file: 'serial', kind: 'serial-ports', description: 'serial ports of dispensers, PATH[:BAUD] (default baud 115200); the flag is repeatable, the variable and file key take a comma-separated list' },
  ble: { flag: 'ble', env: 'TRIALGATE_BLE', file: 'ble', kind: 'switch', description: 'read BLE health devices and signing devices (needs a Bluetooth adapter; default off)' },
  // Issue 7 (overload limits, docs/gateway.md "Overload"): what one device or one address may cost the gateway.
  deviceRate: { flag: 'device-rate', env: 'TRIALGATE_DEVICE_RATE', file: 'limits.deviceRate', kind: 'rate', description: 'messages per second one device may send before its acknowledgements are delayed (default 200/s; 0 = no limit)' },
  mqttConnectRate: { flag: 'mqtt-connect-rate', env: 'TRIALGATE_MQTT_CONNECT_RATE', file: 'limits.mqttConnectRate', kind: 'rate', description: 'new MQTT connections per second from one remote address, in bursts of up to 10 s worth; more are closed at once (default 200/s; 0 = no limit)' },
  mqttMaxConnecting: { flag: 'mqtt-max-connecting', env: 'TRIALGATE_MQTT_MAX_CONNECTING', file: 'limits.mqttMaxConnecting', kind: 'count', description: 'MQTT connections not yet authenticated, all addresses together; more are closed at once (default 2000; 0 = no limit)' },
  mqttDrainTimeout: { flag: 'mqtt-drain-timeout', env: 'TRIALGATE_MQTT_DRAIN_TIMEOUT', file: 'limits.mqttDrainTimeout', kind: 'duration', description: 'a client that reads nothing of what the gateway sends it for this long is disconnected (default 60s; 0 = never)' },
  logLevel: { flag: 'log-level', env: 'TRIALGATE_LOG_LEVEL', file: 'logLevel', kind: 'log-level', description: 'fatal, error, warn, info, debug, trace or silent (default info)' },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
