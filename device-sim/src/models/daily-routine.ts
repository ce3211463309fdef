import { chance, normal, type Random } from '../random/random.js';
import { localMidnightUtc, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../time/local-time.js';
import type { SubjectProfile } from './subject-profile.js';

/** One habitual measurement of the day: "20 minutes after waking", "an hour before bed", "at 12:30". */
export interface RoutineSlot {
  readonly label: string;
  /** Hours after waking (`from: 'wake'`), before sleep (`from: 'sleep'`, counted backwards) or local clock hour. */
  readonly hour: number;
  readonly from: 'wake' | 'sleep' | 'clock';
  /** Standard deviation of the actual time, minutes. */
  readonly jitterMinutes: number;
  /** Chance the measurement is done at all that day. */
  readonly probability: number;
}

export interface RoutineEvent {
  readonly atMs: number;
  readonly label: string;
}

/**
 * Spot measurements a subject takes by habit (a cuff morning and evening, a meter before meals, a scale after
 * waking): generated a local day at a time, in time order, with a jittered time and the odd skipped day.
 */
export class DailyRoutine {
  private readonly profile: SubjectProfile;
  private readonly random: Random;
  private readonly slots: readonly RoutineSlot[];
  private pending: RoutineEvent[] = [];
  private nextDayMs: number;

  constructor(profile: SubjectProfile, random: Random, slots: readonly RoutineSlot[], startMs: number) {
    this.profile = profile;
    this.random = random;
    this.slots = slots;
    this.nextDayMs = localMidnightUtc(startMs, profile.utcOffsetMinutes);
    this.skipBefore(startMs);
  }

  /** The next event at or before `toMs`, removed from the routine; undefined if none is due. */
  takeDue(toMs: number): RoutineEvent | undefined {
    this.fill(toMs);
    const first = this.pending[0];
    if (first === undefined || first.atMs > toMs) return undefined;
    this.pending.shift();
    return first;
  }

  private skipBefore(startMs: number): void {
    this.fill(startMs);
    this.pending = this.pending.filter((event) => event.atMs > startMs);
  }

  private fill(toMs: number): void {
    while (this.nextDayMs <= toMs + MS_PER_DAY) {
      const day: RoutineEvent[] = [];
      for (const slot of this.slots) {
        const jitter = normal(this.random, 0, slot.jitterMinutes) * MS_PER_MINUTE;
        if (!chance(this.random, slot.probability)) continue;
        const baseHour =
          slot.from === 'wake'
            ? this.profile.wakeHour + slot.hour
            : slot.from === 'sleep'
              ? this.profile.sleepHour - slot.hour
              : slot.hour;
        day.push({ atMs: Math.round(this.nextDayMs + baseHour * MS_PER_HOUR + jitter), label: slot.label });
      }
      day.sort((a, b) => a.atMs - b.atMs);
      this.pending.push(...day);
      this.nextDayMs += MS_PER_DAY;
    }
  }
}
