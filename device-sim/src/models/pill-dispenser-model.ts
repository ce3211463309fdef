import { formatGs1KitId, createKitId } from '../gs1/gs1-kit-id.js';
import { chance, uniform, type Random } from '../random/random.js';
import { MS_PER_MINUTE } from '../time/local-time.js';
import { planDose, respondToReminder, type DoseOutcome } from './adherence-model.js';
import { DeviceStatusModel } from './device-status-model.js';
import type { DeviceModel, DownlinkEvent } from './device-model.js';
import { DEFAULT_DOSE_SCHEDULE, scheduledDosesAfter, type DoseSchedule } from './dose-schedule.js';
import type { Reading } from './reading.js';
import type { SubjectProfile } from './subject-profile.js';

/** Doses a dispenser's carousel or a blister pack holds: 14 days of twice-daily doses. */
export const PACK_CAPACITY = 28;

interface PlannedDose {
  readonly scheduledMs: number;
  readonly slot: number;
  readonly outcome: DoseOutcome;
  takeAtMs: number | undefined;
  readonly windowEndMs: number;
  /** A compartment opened without taking the dose (checking, fumbling), before the scheduled time. */
  readonly openedAtMs: number | undefined;
  /** A pack (re)load just before this dose's time, with its kit id. */
  readonly packLoad: { readonly atMs: number; readonly kit: string } | undefined;
  readonly tamperAtMs: number | undefined;
  reminded: boolean;
  /** Events already reported, so a dose's events are emitted once each. */
  readonly emitted: Set<string>;
}

/** Counts for tests and the demo: how the subject actually behaved, reminders included. */
export interface AdherenceTally {
  planned: Record<DoseOutcome, number>;
  taken: number;
  takenOnTime: number;
  takenLate: number;
  missed: number;
  remindersReceived: number;
  /** Doses that were going to be missed or taken later and were taken soon after a reminder. */
  takenAfterReminder: number;
  openedWithoutDose: number;
  packsLoaded: number;
}

/**
 * A connected pill dispenser (`pill_dispenser`) or a smart blister pack (`blister_pack`) following a dose
 * schedule (spec section 2, `dose_event`): each dose is taken on time, late or missed as the subject's
 * adherence profile draws it; a compartment is now and then opened without a dose; a new pack or kit is loaded
 * (with its GS1 kit id) when the previous one is used up; a reminder from the gateway makes a pending dose
 * more likely to be taken.
 */
export class PillDispenserModel implements DeviceModel {
  readonly kind: 'pill_dispenser' | 'blister_pack';
  readonly tally: AdherenceTally = {
    planned: { on_time: 0, late: 0, missed: 0 },
    taken: 0,
    takenOnTime: 0,
    takenLate: 0,
    missed: 0,
    remindersReceived: 0,
    takenAfterReminder: 0,
    openedWithoutDose: 0,
    packsLoaded: 0,
  };
  private readonly profile: SubjectProfile;
  private readonly random: Random;
  private readonly schedule: DoseSchedule;
  private readonly status: DeviceStatusModel;
  private doses: PlannedDose[] = [];
  private upcoming: Generator<number, never> | undefined;
  private nextStatusMs = 0;
  private nextSlot = 1;
  private startedAtMs: number | undefined;
  private readonly pendingSamples: Reading[] = [];

  constructor(
    kind: 'pill_dispenser' | 'blister_pack',
    profile: SubjectProfile,
    random: Random,
    schedule: DoseSchedule = DEFAULT_DOSE_SCHEDULE,
  ) {
    this.kind = kind;
    this.profile = profile;
    this.random = random;
    this.schedule = schedule;
    this.status = new DeviceStatusModel(kind, random.fork());
  }

  advance(toMs: number): Reading[] {
    if (this.startedAtMs === undefined) return this.start(toMs);
    this.planUntil(toMs);
    const out: Reading[] = [];
    for (const dose of this.doses) out.push(...this.dueEvents(dose, toMs));
    while (this.nextStatusMs <= toMs) {
      out.push(this.status.report(this.nextStatusMs));
      this.nextStatusMs += this.status.nextIntervalMs();
    }
    this.doses = this.doses.filter((dose) => !this.isResolved(dose));
    return out.sort((a, b) => a.t - b.t);
  }

  sample(atMs: number): Reading {
    if (this.pendingSamples.length === 0) this.pendingSamples.push(...this.advance(atMs));
    return this.pendingSamples.shift() ?? this.status.report(atMs);
  }

  onDownlink(event: DownlinkEvent, atMs: number): void {
    if (event.type !== 'reminder') return;
    this.tally.remindersReceived++;
    // The reminder format is not fixed yet (issue 6): it may name the dose by `scheduled` (ms) or `slot`;
    // without either, it is about the earliest dose still open.
    const scheduled = typeof event.data['scheduled'] === 'number' ? event.data['scheduled'] : undefined;
    const slot = typeof event.data['slot'] === 'number' ? event.data['slot'] : undefined;
    const open = this.doses.filter(
      (dose) => dose.scheduledMs <= atMs && atMs < dose.windowEndMs && !dose.emitted.has('taken'),
    );
    const dose =
      open.find((d) => (scheduled !== undefined && d.scheduledMs === scheduled) || (slot !== undefined && d.slot === slot)) ??
      (scheduled === undefined && slot === undefined ? open[0] : undefined);
    if (dose === undefined || dose.reminded) return;
    dose.reminded = true;
    const before = dose.takeAtMs;
    dose.takeAtMs = respondToReminder(this.random, this.profile.adherence, before, atMs, dose.windowEndMs);
    if (dose.takeAtMs !== before) this.tally.takenAfterReminder++;
  }

  private start(atMs: number): Reading[] {
    this.startedAtMs = atMs;
    this.upcoming = scheduledDosesAfter(this.schedule, atMs, this.profile.utcOffsetMinutes);
    this.nextStatusMs = atMs + this.status.nextIntervalMs();
    this.tally.packsLoaded++;
    return [
      this.status.report(atMs, 'boot'),
      { t: atMs, type: 'dose_event', data: { event: 'pack_loaded', kit: this.newKit(atMs) } },
    ];
  }

  /** Plans every dose whose events could fall before `toMs` (opening happens up to 2 h early). */
  private planUntil(toMs: number): void {
    const upcoming = this.upcoming;
    if (upcoming === undefined) return;
    const last = this.doses.at(-1);
    let lastPlanned = last?.scheduledMs ?? -Infinity;
    while (lastPlanned <= toMs + 3 * 60 * MS_PER_MINUTE) {
      const scheduledMs = upcoming.next().value;
      lastPlanned = scheduledMs;
      let packLoad: PlannedDose['packLoad'];
      if (this.nextSlot > PACK_CAPACITY) {
        // The previous pack is used up: the subject (or a nurse) loads the next one before this dose.
        this.nextSlot = 1;
        const atMs = Math.round(scheduledMs - uniform(this.random, 30, 180) * MS_PER_MINUTE);
        packLoad = { atMs, kit: this.newKit(atMs) };
        this.tally.packsLoaded++;
      }
      const plan = planDose(this.random, this.profile.adherence, scheduledMs, this.schedule.windowMinutes);
      this.tally.planned[plan.outcome]++;
      const opened = chance(this.random, this.profile.adherence.openWithoutDose)
        ? Math.round(scheduledMs - uniform(this.random, 10, 110) * MS_PER_MINUTE)
        : undefined;
      const tamper = chance(this.random, 0.002)
        ? Math.round(scheduledMs + uniform(this.random, 60, 300) * MS_PER_MINUTE)
        : undefined;
      this.doses.push({
        scheduledMs,
        slot: this.nextSlot++,
        outcome: plan.outcome,
        takeAtMs: plan.takeAtMs,
        windowEndMs: scheduledMs + this.schedule.windowMinutes * MS_PER_MINUTE,
        openedAtMs: opened,
        packLoad,
        tamperAtMs: tamper,
        reminded: false,
        emitted: new Set(),
      });
    }
  }

  private dueEvents(dose: PlannedDose, toMs: number): Reading[] {
    const out: Reading[] = [];
    const emit = (key: string, atMs: number | undefined, data: Record<string, string | number>): void => {
      // Events before the device started belong to no one (a dose planned just before boot).
      if (atMs === undefined || atMs > toMs || dose.emitted.has(key)) return;
      dose.emitted.add(key);
      if (atMs < (this.startedAtMs ?? 0)) return;
      out.push({ t: atMs, type: 'dose_event', data });
    };
    if (dose.packLoad !== undefined) emit('pack', dose.packLoad.atMs, { event: 'pack_loaded', kit: dose.packLoad.kit });
    if (dose.openedAtMs !== undefined && !dose.emitted.has('opened') && dose.openedAtMs <= toMs) {
      this.tally.openedWithoutDose++;
      emit('opened', dose.openedAtMs, { event: 'compartment_opened', slot: dose.slot });
    }
    const takeAt = dose.takeAtMs;
    if (takeAt !== undefined && takeAt < dose.windowEndMs && takeAt <= toMs && !dose.emitted.has('taken')) {
      this.tally.taken++;
      if (takeAt - dose.scheduledMs < 30 * MS_PER_MINUTE) this.tally.takenOnTime++;
      else this.tally.takenLate++;
      emit('taken', takeAt, { event: 'taken', slot: dose.slot, scheduled: dose.scheduledMs });
    }
    if (!dose.emitted.has('taken') && dose.windowEndMs <= toMs && !dose.emitted.has('missed')) {
      this.tally.missed++;
      emit('missed', dose.windowEndMs, { event: 'missed', slot: dose.slot, scheduled: dose.scheduledMs });
    }
    if (dose.tamperAtMs !== undefined) emit('tamper', dose.tamperAtMs, { event: 'tamper', slot: dose.slot });
    return out;
  }

  private isResolved(dose: PlannedDose): boolean {
    const doseDone = dose.emitted.has('taken') || dose.emitted.has('missed');
    const tamperDone = dose.tamperAtMs === undefined || dose.emitted.has('tamper');
    return doseDone && tamperDone;
  }

  private newKit(atMs: number): string {
    return formatGs1KitId(createKitId(this.random, atMs, this.kind === 'blister_pack' ? '20002' : '10001'));
  }
}
