// First: disabled debug loggers of aedes' MQTT parser cost nothing (mqtt/quiet-disabled-debug.ts).
import './mqtt/quiet-disabled-debug.js';
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

// Configuration (docs/gateway.md)
export { ConfigError, type ConfigErrorCode } from './config/config-error.js';
export type { GatewayConfig, LogLevel, MqttTlsListenerConfig, MqttWebSocketListenerConfig } from './config/gateway-config.js';
export { SETTINGS, SETTING_KEYS, type SettingKey, type SettingSpec } from './config/config-settings.js';
export {
  CONFIG_FILE_ENV,
  resolveGatewayConfig,
  type ResolveGatewayConfigParameters,
  type ResolveGatewayConfigReturnType,
  type SettingSource,
} from './config/resolve-gateway-config.js';

// Device registry (spec section 1; registry entries, spec section 4)
export { DEVICE_TRANSPORTS, type DeviceKeyPeriod, type DeviceRecord, type DeviceStatus, type DeviceTransport } from './registry/device-record.js';
export { RegistryError, isRegistryError, type RegistryErrorCode } from './registry/registry-error.js';
export {
  REGISTRY_CHANGE_VERSION,
  decodeRegistryChange,
  encodeRegistryChange,
  type RegistryChange,
  type RegistryChangeBody,
  type RegistryOp,
} from './registry/registry-change.js';
export { decodeRegistryEntry, registryEntry } from './registry/registry-entry.js';
export { applyRegistryChange, KEYLESS_DEVICE_TRANSPORTS } from './registry/apply-registry-change.js';
export { DeviceRegistry, type RegistryChangeListener, type RegistryLookup } from './registry/device-registry.js';
export { registryProjection, REGISTRY_PROJECTION_NAME } from './registry/registry-projection.js';
export { RegistryStore, type ListDevicesFilter, type RegistryChangeSummary } from './registry/registry-store.js';
export {
  DEFAULT_DEVICE_TRANSPORTS,
  DEFAULT_KEYLESS_DEVICE_TRANSPORTS,
  defaultTransportsFor,
  RegistryAdmin,
  type EnrollDeviceInput,
  type ImportDevicesOutcome,
  type RegistryChangeOutcome,
} from './registry/registry-admin.js';
export { parseDeviceImport, type DeviceImportLine, type DeviceImportProblem } from './registry/parse-device-import.js';
export { decodePublicKeyText, encodePublicKeyText } from './registry/public-key-text.js';

// Ingestion (transport-neutral: MQTT here, serial and BLE reuse it)
export { IngestPipeline, type IngestPipelineDependencies } from './ingest/ingest-pipeline.js';
export type { IngestAppended, IngestDuplicate, IngestMessage, IngestOutcome, IngestQuarantined, IngestRejection } from './ingest/ingest-message.js';
export { IngestError, type IngestErrorCode } from './ingest/ingest-error.js';
export { createIngestMetrics, type IngestMetrics } from './ingest/ingest-metrics.js';
export { clockSkewFlag, entryFlags, type EntryFlag, type EntryFlagCode, type EntryFlagOptions } from './ingest/entry-flags.js';
export {
  checkMessage,
  type MessageCheckFailed,
  type MessageCheckKind,
  type MessageCheckPassed,
  type MessageCheckRequest,
  type MessageCheckResult,
} from './ingest/message-check.js';
export type { MessageChecker } from './ingest/message-checker.js';
export { createInlineMessageChecker } from './ingest/inline-message-checker.js';
export { WorkerCheckPool, type WorkerCheckPoolOptions } from './ingest/worker-check-pool.js';

// Downlink (docs/device-downlink.md)
export type { DownlinkSigner } from './downlink/downlink-signer.js';
export { DOWNLINK_VERSION, openDownlinkMessage, signDownlinkMessage, type DownlinkMessage, type DownlinkType, type EncodeDownlinkParameters } from './downlink/downlink-message.js';
export { DownlinkError, type DownlinkErrorCode } from './downlink/downlink-error.js';
export { NOTICE_MESSAGE_MAX_LENGTH, openNotice, signNotice, type NoticeData, type NoticeDisposition, type SignNoticeParameters } from './downlink/notice.js';

// MQTT broker
export { TOPIC_PREFIX, deviceNamedByTopic, downlinkTopic, parseDeviceTopic, uplinkTopic, type DeviceTopic } from './mqtt/device-topics.js';
export { startMqttBroker, type MqttBroker, type MqttBrokerDependencies } from './mqtt/mqtt-broker.js';
export type { MqttListenerAddresses, MqttListenerOptions } from './mqtt/mqtt-listeners.js';
export { createMqttMetrics, type MqttMetrics } from './mqtt/mqtt-metrics.js';
export { ConnectTokenReplayGuard } from './mqtt/connect-token-replay-guard.js';
export { MqttError, type MqttErrorCode } from './mqtt/mqtt-error.js';
export type { DeviceNotifier } from './mqtt/authorize-publish.js';

// Admin (CLI `devices`, `quarantine`; admin routes)
export {
  createLocalAdminOperations,
  type AdminOperations,
  type DeviceChangeRequest,
  type DeviceChangeView,
  type DeviceDetailsView,
  type DeviceView,
  type EnrollDeviceRequest,
  type ListDevicesRequest,
  type ListQuarantineRequest,
  type QuarantineView,
} from './api/admin-operations.js';
export { ADMIN_ROUTE_PREFIX, createAdminRoutes, type AdminRouteContext, type AdminRouteHandler } from './api/admin-routes.js';
export { adminSocketPath, startAdminSocket, type AdminSocket } from './api/admin-socket.js';
export { createAdminClient } from './api/admin-client.js';
export { openAdmin, type OpenAdminOptions, type OpenedAdmin } from './api/admin-open.js';

// The gateway process (composition root)
export {
  CONNECT_TOKENS_FILE,
  startGateway,
  type GatewayAddresses,
  type GatewayContext,
  type GatewayExtension,
  type RunningGateway,
  type StartGatewayDependencies,
} from './gateway.js';
export {
  openLogStore,
  dataDirectoryLayout,
  type DataDirectoryLayout,
  type LogStore,
  type OpenLogStoreOptions,
  type RecoveryReport,
} from './storage/log-store.js';
export { DurableGatewayLog, DEFAULT_GROUP_COMMIT_LIMITS, type GroupCommitLimits } from './storage/durable-gateway-log.js';
export type { TreeReader } from './storage/tree-reader.js';
export { coseSeqClaimOf, type SeqClaimOf } from './storage/seq-claim-of-entry.js';
export { acquireDataDirectoryLock, isDataDirectoryLocked, type DataDirectoryLock } from './storage/data-directory-lock.js';
export type { StateDatabase } from './storage/state-database.js';
export { nodeFileSystem, type StorageFileSystem } from './storage/storage-file-system.js';
export { auditStoredLogReport, type AuditProblem, type AuditReport } from './storage/log-audit.js';
export { CheckpointStore, type StoredCheckpoint, type CheckpointListOptions } from './checkpoints/checkpoint-store.js';
export {
  Checkpointer,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_CHECKPOINT_MAX_ENTRIES,
  type CheckpointerOptions,
} from './checkpoints/checkpointer.js';
export { CheckpointError, type CheckpointErrorCode } from './checkpoints/checkpoint-error.js';
export { systemTimers, type TimerPort } from './checkpoints/timer-port.js';
export { loadOrCreateGatewayKey, loadGatewayKey, GATEWAY_KEY_FILE, type GatewayKey } from './keys/gateway-key.js';
export { KeyError, type KeyErrorCode } from './keys/key-error.js';
export { startAnchoringHandOff, type AnchoringHandOff, type AnchoringHandOffOptions } from './anchoring/anchoring-hand-off.js';
export { AnchorStore, type StoredAnchor } from './anchoring/anchor-store.js';
export { AnchoringError, type AnchoringErrorCode } from './anchoring/anchoring-error.js';
export type { CheckpointQueue } from './anchoring/checkpoint-queue.js';
export { startHttpApi, type HttpApi, type HttpApiOptions } from './api/http-api-server.js';
export { startGatewayApi, type StartGatewayApiOptions } from './api/gateway-api.js';
export { createSponsorRoutes, type SponsorRouteDependencies } from './api/sponsor-routes.js';
export { json, text, type ApiMount, type ApiReply, type ApiRequestContext, type ApiRoute } from './api/api-route.js';
export {
  API_SCOPES,
  ApiTokenStore,
  isApiScope,
  scopeAllows,
  type ApiScope,
  type ApiTokenInfo,
  type CreatedApiToken,
} from './api/api-tokens.js';
export { ApiError, httpStatusOf, type ApiErrorCode } from './api/api-error.js';
export { readEntryForApi, type EntryReading } from './api/entry-reading.js';
export { openLogView, liveLogView, type LogView, type OpenLogViewOptions } from './storage/log-view.js';
export {
  exportBundle,
  exportBundleToFile,
  parseExportTime,
  type ExportBundleOptions,
  type ExportSelection,
  type ExportSummary,
} from './export/export-bundle.js';
export { ExportError, type ExportErrorCode } from './export/export-error.js';
export { registryDeviceKeys, type DeviceKeySource, type ExportDevice } from './export/device-key-source.js';
export { openTokenStore } from './api/token-store-file.js';

// Serial, BLE and dosing (issue 6: docs/serial.md, docs/ble.md, docs/dosing.md)
export { ACK_DISPOSITIONS, messageDigest, openAck, signAck, type AckData, type AckDisposition, type SignAckParameters } from './downlink/ack-message.js';
export { DOSE_TIME_PATTERN, MAX_SCHEDULED_DOSES, openSchedule, signSchedule, type ScheduleData, type ScheduledDose } from './downlink/schedule-message.js';
export { openReminder, signReminder, type ReminderData } from './downlink/reminder-message.js';
export { SerialError, type SerialErrorCode } from './serial/serial-error.js';
export { DEFAULT_SERIAL_BAUD_RATE, parseSerialPortSpec, parseSerialPortSpecs, STANDARD_BAUD_RATES, type SerialPortSpec } from './serial/serial-port-spec.js';
export type { OpenSerialLine, SerialLineConnection } from './serial/serial-line.js';
export { openSerialportLine } from './serial/serialport-line.js';
export { SerialLink, type SerialLinkDependencies, type SerialLinkState } from './serial/serial-link.js';
export { SerialTransport, type SerialTransportDependencies } from './serial/serial-transport.js';
export { backoffDelayMs, DEFAULT_REOPEN_BACKOFF, type BackoffPolicy, type RandomSource } from './serial/reopen-backoff.js';
export { BleError, isBleError, type BleErrorCode } from './ble/ble-error.js';
export type { AdapterState, NobleLike } from './ble/noble-like.js';
export { createNobleWithBindings, loadHciNoble } from './ble/load-noble.js';
export { dashedUuid, MEASUREMENT_CHARACTERISTICS, MESSAGE_DOWNLINK_UUID, MESSAGE_SERVICE_UUID, MESSAGE_UPLINK_UUID, nobleUuid, SCAN_SERVICE_UUIDS } from './ble/ble-uuids.js';
export { fragmentMessage, MIN_FRAGMENT_SIZE } from './ble/ble-fragment.js';
export { MessageReassembler, type ReassemblyResult } from './ble/ble-reassembler.js';
export { BleOperationQueue, withTimeout } from './ble/ble-operation-queue.js';
export { RegistryBleDirectory, type BleDeviceDirectory, type RegistryForBle } from './ble/ble-device-directory.js';
export { clockOffsetLogEntry, clockOffsetOf, currentTimeAsUtcMs, decodeClockOffsetEntry, type ClockOffsetRecord } from './ble/clock-offset-entry.js';
export { gattEntryFlags, type GattEntryFlag, type GattFlagCode } from './ble/gatt-entry-flags.js';
export { BleCentral, DEFAULT_BLE_TIMEOUTS, type BleCentralDependencies, type BleTimeouts } from './ble/ble-central.js';
export { DosingError, type DosingErrorCode } from './dosing/dosing-error.js';
export { checkDoseSchedule, DEFAULT_REMIND_MIN, DEFAULT_WINDOW_MIN, dosesBetween, EARLY_TAKE_MIN, type DoseSchedule, type DoseScheduleSpec, type DueDose } from './dosing/dose-schedule.js';
export { decodeDosingEntry, DOSING_EVENTS, dosingLogEntry, encodeDosingEntry, type DosingEntry, type DosingEvent } from './dosing/dosing-entry.js';
export { DOWNLINK_ACK_TYPE, readDownlinkAck, type DownlinkAckPayload } from './dosing/downlink-ack-payload.js';
export { dosingProjection, DOSING_PROJECTION_NAME } from './dosing/dosing-projection.js';
export { DosingStore, type StoredDeviceAck, type StoredDoseEvent, type StoredDownlink } from './dosing/dosing-store.js';
export { DownlinkRouter, type DownlinkRoute } from './dosing/downlink-router.js';
export { createMqttDownlinkRoute, type MqttDownlinkRoute } from './dosing/mqtt-downlink-route.js';
export { DosingAdmin, type ScheduleChangeOutcome, type ScheduleInput } from './dosing/dosing-admin.js';
export { DosingService, type DosingServiceDependencies } from './dosing/dosing-service.js';
export {
  createLocalDosingOperations,
  type DosingOperations,
  type DownlinkView,
  type ScheduleChangeView,
  type ScheduleDetailsView,
  type ScheduleView,
  type SetScheduleRequest,
} from './dosing/dosing-operations.js';
export { chainAdminRoutes, createDosingRoutes, SCHEDULE_ROUTE_PREFIX } from './dosing/dosing-routes.js';
export { createDosingClient } from './dosing/dosing-client.js';
export { openDosing, type OpenedDosing } from './dosing/dosing-open.js';
