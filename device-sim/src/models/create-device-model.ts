import type { Random } from '../random/random.js';
import { BloodPressureCuffModel } from './blood-pressure-cuff-model.js';
import type { DeviceKind } from './device-kind.js';
import type { DeviceModel } from './device-model.js';
import type { DoseSchedule } from './dose-schedule.js';
import { GlucoseMeterModel } from './glucose-meter-model.js';
import { PillDispenserModel } from './pill-dispenser-model.js';
import { ScaleModel } from './scale-model.js';
import type { SubjectProfile } from './subject-profile.js';
import { WearableModel } from './wearable-model.js';

export interface CreateDeviceModelParameters {
  readonly kind: DeviceKind;
  readonly profile: SubjectProfile;
  readonly random: Random;
  readonly doseSchedule?: DoseSchedule;
}

/** The model for a device kind. */
export function createDeviceModel(parameters: CreateDeviceModelParameters): DeviceModel {
  const { kind, profile, random } = parameters;
  switch (kind) {
    case 'wearable':
      return new WearableModel(profile, random);
    case 'bp_cuff':
      return new BloodPressureCuffModel(profile, random);
    case 'glucose_meter':
      return new GlucoseMeterModel(profile, random);
    case 'scale':
      return new ScaleModel(profile, random);
    case 'pill_dispenser':
    case 'blister_pack':
      return new PillDispenserModel(kind, profile, random, parameters.doseSchedule);
  }
}
