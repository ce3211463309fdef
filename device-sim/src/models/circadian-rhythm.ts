import { localHourOfDay } from '../time/local-time.js';
import type { SubjectProfile } from './subject-profile.js';

/** True between the subject's local sleep hour and wake hour (the window may cross midnight). */
export function isAsleep(profile: SubjectProfile, utcMs: number): boolean {
  const hour = localHourOfDay(utcMs, profile.utcOffsetMinutes);
  return profile.sleepHour > profile.wakeHour
    ? hour >= profile.sleepHour || hour < profile.wakeHour
    : hour >= profile.sleepHour && hour < profile.wakeHour;
}

/**
 * The day-night rhythm as a cosine in [-1, 1] peaking at `peakHour` local time. Core body temperature peaks
 * in the late afternoon and bottoms out before dawn; resting heart rate follows it.
 */
export function circadianPhase(profile: SubjectProfile, utcMs: number, peakHour: number): number {
  const hour = localHourOfDay(utcMs, profile.utcOffsetMinutes);
  return Math.cos((2 * Math.PI * (hour - peakHour)) / 24);
}
