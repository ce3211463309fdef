import { chance, clamp, normal, uniform, type Random } from '../random/random.js';
import { MS_PER_MINUTE } from '../time/local-time.js';
import { ON_TIME_MINUTES } from './dose-schedule.js';
import type { AdherenceProfile } from './subject-profile.js';

export type DoseOutcome = 'on_time' | 'late' | 'missed';

export interface DosePlan {
  readonly outcome: DoseOutcome;
  /** When the dose is taken; undefined for a missed dose. */
  readonly takeAtMs: number | undefined;
}

/**
 * Whether and when a subject takes one scheduled dose. On time: within 30 minutes (most within 10). Late:
 * between 45 minutes and the end of the window. Missed: not at all, unless a reminder changes their mind.
 */
export function planDose(
  random: Random,
  adherence: AdherenceProfile,
  scheduledMs: number,
  windowMinutes: number,
): DosePlan {
  const draw = random.next();
  if (draw < adherence.onTime) {
    const delay = clamp(Math.abs(normal(random, 0, 10)), 0, ON_TIME_MINUTES - 1);
    return { outcome: 'on_time', takeAtMs: Math.round(scheduledMs + delay * MS_PER_MINUTE) };
  }
  if (draw < adherence.onTime + adherence.late) {
    const delay = uniform(random, ON_TIME_MINUTES + 15, Math.max(ON_TIME_MINUTES + 16, windowMinutes - 1));
    return { outcome: 'late', takeAtMs: Math.round(scheduledMs + delay * MS_PER_MINUTE) };
  }
  return { outcome: 'missed', takeAtMs: undefined };
}

/**
 * What a reminder at `reminderAtMs` does to a dose not yet taken: with the subject's `reminderResponse`
 * chance, the dose is taken 2-30 minutes after the reminder (if that is still inside the window); otherwise
 * the plan stands. A dose already planned sooner is left alone.
 */
export function respondToReminder(
  random: Random,
  adherence: AdherenceProfile,
  currentTakeAtMs: number | undefined,
  reminderAtMs: number,
  windowEndMs: number,
): number | undefined {
  if (!chance(random, adherence.reminderResponse)) return currentTakeAtMs;
  const takeAt = Math.round(reminderAtMs + uniform(random, 2, 30) * MS_PER_MINUTE);
  if (takeAt >= windowEndMs) return currentTakeAtMs;
  return currentTakeAtMs === undefined ? takeAt : Math.min(currentTakeAtMs, takeAt);
}
