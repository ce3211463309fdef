import { exponential, uniform, type Random } from '../random/random.js';
import { MS_PER_HOUR, MS_PER_MINUTE } from '../time/local-time.js';
import { isAsleep } from './circadian-rhythm.js';
import type { SubjectProfile } from './subject-profile.js';

export interface ActivityBout {
  readonly startMs: number;
  readonly endMs: number;
  /** 0..1: a stroll is about 0.3, a brisk walk 0.6, a run 0.9. */
  readonly intensity: number;
}

/**
 * Bouts of activity while the subject is awake: a Poisson process of starts, each bout 10-60 minutes long.
 * Bouts are generated lazily in time order, so the result does not depend on how often the model is
 * advanced (a 1 s step and a 1 h step see the same bouts).
 */
export class ActivityBouts {
  private readonly profile: SubjectProfile;
  private readonly random: Random;
  private readonly bouts: ActivityBout[] = [];
  private cursorMs: number;

  constructor(profile: SubjectProfile, random: Random, startMs: number) {
    this.profile = profile;
    this.random = random;
    this.cursorMs = startMs;
  }

  /** Intensity in [0, 1] at `atMs`: 0 outside bouts. */
  intensityAt(atMs: number): number {
    this.generateUntil(atMs);
    // Bouts older than an hour before the query are no longer needed: queries move forward in time.
    while (this.bouts.length > 0 && (this.bouts[0]?.endMs ?? Infinity) < atMs - MS_PER_HOUR) this.bouts.shift();
    for (const bout of this.bouts) {
      if (bout.startMs <= atMs && atMs < bout.endMs) return bout.intensity;
    }
    return 0;
  }

  private generateUntil(atMs: number): void {
    const wakingHours = (this.profile.sleepHour - this.profile.wakeHour + 24) % 24;
    const meanGapMs = (wakingHours * MS_PER_HOUR) / this.profile.activityBoutsPerDay;
    while (this.cursorMs <= atMs) {
      const startMs = this.cursorMs + exponential(this.random, meanGapMs);
      const durationMs = uniform(this.random, 10, 60) * MS_PER_MINUTE;
      const intensity = uniform(this.random, 0.25, 0.95);
      // Nobody goes for a run in their sleep: a start drawn in the sleep window is dropped.
      if (!isAsleep(this.profile, startMs)) this.bouts.push({ startMs, endMs: startMs + durationMs, intensity });
      this.cursorMs = startMs + durationMs;
    }
  }
}
