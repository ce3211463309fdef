/**
 * `@trialgate/gateway/config`: the configuration alone, so that the CLI can declare the gateway's flags
 * without loading the whole gateway (the broker, storage, worker code) for every command.
 */
export { ConfigError, type ConfigErrorCode } from './config-error.js';
export type { GatewayConfig, LogLevel, MqttTlsListenerConfig, MqttWebSocketListenerConfig } from './gateway-config.js';
export { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './gateway-config.js';
export { SETTINGS, SETTING_KEYS, type SettingKey, type SettingSpec } from './config-settings.js';
export {
  CONFIG_FILE_ENV,
  resolveGatewayConfig,
  type ResolveGatewayConfigParameters,
  type ResolveGatewayConfigReturnType,
  type SettingSource,
} from './resolve-gateway-config.js';
