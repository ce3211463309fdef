/**
 * The few names the `trialgate sim` command needs to declare its options (help texts, the fault list),
 * without loading the simulator (mqtt.js and the device models): `@trialgate/device-sim/names`. The CLI
 * loads the package itself only when a sim command runs (issue 3: CLI start-up well under a second).
 */
export { FAULT_KINDS, isFaultKind, type FaultKind } from './faults/fault-kind.js';
export { FLEET_FILE, REGISTRY_IMPORT_FILE } from './fleet/fleet-store.js';
