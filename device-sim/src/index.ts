// The public API of @trialgate/device-sim: simulated trial-site devices (spec sections 2-3), fleets, load and
// fault runs. docs/simulator.md describes the models, faults and options.

export { SimError, type SimErrorCode } from './errors/sim-error.js';

// Ports: randomness and time
export { createRandom, type Random } from './random/random.js';
export {
  createManualClock,
  createScaledClock,
  performanceNow,
  systemClock,
  type Clock,
  type ManualClock,
  type Monotonic,
  type ScaledClockParameters,
} from './time/clock.js';

// Device models
export { DEVICE_KINDS, isDeviceKind, isDoseDevice, type DeviceKind } from './models/device-kind.js';
export type { DeviceModel, DownlinkEvent } from './models/device-model.js';
export type { DoseEventKind, Reading, ReadingType, ReadingValue } from './models/reading.js';
export { createDeviceModel, type CreateDeviceModelParameters } from './models/create-device-model.js';
export {
  createSubjectProfile,
  DEFAULT_ADHERENCE,
  type AdherenceProfile,
  type SubjectProfile,
} from './models/subject-profile.js';
export { DEFAULT_DOSE_SCHEDULE, ON_TIME_MINUTES, type DoseSchedule } from './models/dose-schedule.js';
export { PACK_CAPACITY, PillDispenserModel, type AdherenceTally } from './models/pill-dispenser-model.js';
export { WearableModel } from './models/wearable-model.js';
export { BloodPressureCuffModel } from './models/blood-pressure-cuff-model.js';
export { GlucoseMeterModel } from './models/glucose-meter-model.js';
export { ScaleModel } from './models/scale-model.js';

// GS1 kit ids
export { gs1CheckDigit, hasValidGs1CheckDigit } from './gs1/gs1-check-digit.js';
export { createGtin14, createKitId, formatGs1KitId, parseGs1KitId, type Gs1KitId } from './gs1/gs1-kit-id.js';

// Fleets and provisioning
export { createDeviceIdentity, type DeviceIdentity } from './identity/device-identity.js';
export { createFleet, type CreateFleetParameters, type Fleet } from './fleet/fleet.js';
export { sameFleet } from './fleet/same-fleet.js';
export { allocateKinds, DEFAULT_DEVICE_MIX, parseDeviceMix, type DeviceMix } from './fleet/device-mix.js';
export { formatRegistryImport, registryImportLines, type RegistryImportLine } from './fleet/registry-import.js';
export { FLEET_FILE, loadFleet, parseFleetFile, REGISTRY_IMPORT_FILE, saveFleet } from './fleet/fleet-store.js';

// Devices on the wire
export { DeviceSigner, devicePayload, encodeDevicePayload } from './device/device-message.js';
export { downlinkTopic, uplinkTopic } from './device/mqtt-topics.js';
export type { DeviceStore } from './device/device-store.js';
export type { DeviceResumeState, OutboxMessage } from './device/outbox-message.js';
export { MemoryDeviceStore } from './device/memory-device-store.js';
export { FileDeviceStore, OUTBOX_JOURNAL_FILE, type FileDeviceStoreOptions } from './device/file-device-store.js';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './device/reconnect-backoff.js';
export {
  SimDevice,
  type RawPublishOutcome,
  type SimDeviceEvents,
  type SimDeviceOptions,
  type SimDeviceState,
} from './device/sim-device.js';

// Downlink from the gateway
export { parseGatewayKey, type GatewayKey } from './downlink/gateway-key.js';
export { decodeDownlinkMessage, DOWNLINK_MAX_BYTES, type DownlinkMessage } from './downlink/downlink-message.js';
export { signDownlinkMessage, type SignDownlinkMessageParameters } from './downlink/sign-downlink-message.js';

// Faults
export { FAULT_EXPECTATIONS, FAULT_KINDS, isFaultKind, type ExpectedOutcome, type FaultKind } from './faults/fault-kind.js';
export { DEFAULT_OVERSIZE_BYTES } from './faults/fault-messages.js';

// Runs
export { startSimulation, Simulation } from './sim/start-simulation.js';
export type {
  OutageProfile,
  SimulationOptions,
  SimulationProgress,
  SimulationResult,
} from './sim/simulation-options.js';
export type { LatencySummary } from './sim/latency-stats.js';
export { sha256Hex, writeMessageRecords, type MessageOutcome, type MessageRecord } from './sim/message-record.js';
export { createSimLogger } from './sim/sim-logger.js';

// Serial and BLE devices (issue 6: docs/serial.md, docs/ble.md)
export { DOWNLINK_ACK_TYPE, signDownlinkAck, type DownlinkAck } from './serial/downlink-ack-message.js';
export { DispenserProtocol, type DispenserEvents, type DispenserProtocolOptions, type ReminderView } from './serial/dispenser-protocol.js';
export { SerialDispenser, type SerialDispenserOptions } from './serial/serial-dispenser.js';
export { SimBleBindings, type SimAdapterState, type SimBleBindingsOptions } from './ble/sim-ble-bindings.js';
export { SimPeripheral, type CharacteristicProperty, type SimCharacteristic, type SimPeripheralOptions } from './ble/sim-peripheral.js';
export { HealthPeripheral, type HealthPeripheralOptions } from './ble/health-peripheral.js';
export { HeartRateStrap } from './ble/heart-rate-strap.js';
export { BloodPressureCuff, type BloodPressureReading } from './ble/blood-pressure-cuff.js';
export { PulseOximeter } from './ble/pulse-oximeter.js';
export { SigningBleDevice, type SigningBleDeviceOptions } from './ble/signing-ble-device.js';
export { BleMessageCollector, fragmentBleMessage, MESSAGE_DOWNLINK, MESSAGE_SERVICE, MESSAGE_UPLINK } from './ble/ble-message-fragments.js';
