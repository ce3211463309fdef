import type { Random } from '../random/random.js';
import { DeviceStatusModel } from './device-status-model.js';
import type { DeviceKind } from './device-kind.js';
import type { DeviceModel } from './device-model.js';
import { DailyRoutine, type RoutineSlot } from './daily-routine.js';
import type { Reading } from './reading.js';
import type { SubjectProfile } from './subject-profile.js';

/**
 * The shared shape of devices a subject uses a few times a day (cuff, glucose meter, scale): a daily routine
 * of measurements plus status reports. Subclasses only say what one measurement reads.
 */
export abstract class SpotMeasurementModel implements DeviceModel {
  abstract readonly kind: DeviceKind;
  protected readonly profile: SubjectProfile;
  protected readonly random: Random;
  private readonly slots: readonly RoutineSlot[];
  private status: DeviceStatusModel | undefined;
  private routine: DailyRoutine | undefined;
  private nextStatusMs = 0;
  private readonly queued: Reading[] = [];

  protected constructor(profile: SubjectProfile, random: Random, slots: readonly RoutineSlot[]) {
    this.profile = profile;
    this.random = random;
    this.slots = slots;
  }

  advance(toMs: number): Reading[] {
    if (this.routine === undefined) return [this.start(toMs)];
    for (let event = this.routine.takeDue(toMs); event !== undefined; event = this.routine.takeDue(toMs)) {
      this.queued.push(...this.measure(event.atMs, event.label));
    }
    while (this.nextStatusMs <= toMs) {
      this.queued.push(this.statusModel().report(this.nextStatusMs));
      this.nextStatusMs += this.statusModel().nextIntervalMs();
    }
    this.queued.sort((a, b) => a.t - b.t);
    const dueCount = this.queued.findIndex((reading) => reading.t > toMs);
    return this.queued.splice(0, dueCount === -1 ? this.queued.length : dueCount);
  }

  sample(atMs: number): Reading {
    if (this.routine === undefined) return this.start(atMs);
    return this.measure(atMs, 'on demand')[0] ?? this.statusModel().report(atMs);
  }

  onDownlink(): void {
    // Spot-measurement devices take no orders from the gateway yet.
  }

  /**
   * The readings of one measurement session at `atMs` (a cuff may take a second reading two minutes later;
   * readings after `atMs` are held back until their time comes).
   */
  protected abstract measure(atMs: number, label: string): Reading[];

  private statusModel(): DeviceStatusModel {
    this.status ??= new DeviceStatusModel(this.kind, this.random.fork());
    return this.status;
  }

  private start(atMs: number): Reading {
    this.routine = new DailyRoutine(this.profile, this.random.fork(), this.slots, atMs);
    this.nextStatusMs = atMs + this.statusModel().nextIntervalMs();
    return this.statusModel().report(atMs, 'boot');
  }
}
