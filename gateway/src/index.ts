export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type * from './storage/gateway-log.js';
export type * from './storage/log-projection.js';
export { MemoryGatewayLog } from './storage/memory-gateway-log.js';
export { StorageError, isStorageError, type StorageErrorCode } from './storage/storage-error.js';
export type { QuarantineFilter, QuarantineQuery } from './storage/quarantine-query.js';
export { MAX_ENTRY_BYTES } from './storage/storage-limits.js';
export { createLogger, componentLogger, silentLogger, type CreateLoggerOptions, type Logger } from './observability/logger.js';
export { redactLogFields, isSensitiveFieldName } from './observability/redact-log-fields.js';
export {
  createGatewayMetrics,
  type CreateGatewayMetricsOptions,
  type GatewayMetrics,
} from './observability/gateway-metrics.js';
