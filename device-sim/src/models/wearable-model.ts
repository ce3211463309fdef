import { chance, clamp, integerBetween, normal, roundTo, type Random } from '../random/random.js';
import { MS_PER_MINUTE } from '../time/local-time.js';
import { ActivityBouts } from './activity-bouts.js';
import { circadianPhase, isAsleep } from './circadian-rhythm.js';
import { DeviceStatusModel } from './device-status-model.js';
import type { DeviceModel } from './device-model.js';
import { PeriodicSchedule } from './periodic-schedule.js';
import type { Reading } from './reading.js';
import type { SubjectProfile } from './subject-profile.js';

/** Cadences of a wrist wearable (simulated time). */
export const WEARABLE_INTERVALS = {
  heartRateMs: 1 * MS_PER_MINUTE,
  spo2Ms: 10 * MS_PER_MINUTE,
  bodyTempMs: 15 * MS_PER_MINUTE,
  stepsMs: 15 * MS_PER_MINUTE,
} as const;

type Stream = 'status' | 'heart_rate' | 'spo2' | 'body_temp' | 'steps';
const SAMPLE_ROTATION: readonly Exclude<Stream, 'status'>[] = ['heart_rate', 'heart_rate', 'spo2', 'body_temp', 'steps'];

/**
 * A wrist wearable: heart rate (a day-night rhythm, lower in sleep, raised during activity bouts), SpO2
 * (slightly lower in sleep, with rare dips), skin-corrected body temperature (circadian, peaking in the late
 * afternoon) and step counts per 15-minute interval (from the same activity bouts).
 */
export class WearableModel implements DeviceModel {
  readonly kind = 'wearable' as const;
  private readonly profile: SubjectProfile;
  private readonly random: Random;
  private readonly status: DeviceStatusModel;
  private readonly schedule = new PeriodicSchedule<Stream>();
  private bouts: ActivityBouts | undefined;
  private started = false;
  private sampleIndex = 0;
  private lastStepsMs = 0;

  constructor(profile: SubjectProfile, random: Random) {
    this.profile = profile;
    this.random = random;
    this.status = new DeviceStatusModel('wearable', random.fork());
  }

  advance(toMs: number): Reading[] {
    if (!this.started) return [this.start(toMs)];
    const out: Reading[] = [];
    for (let due = this.schedule.earliestDue(toMs); due !== undefined; due = this.schedule.earliestDue(toMs)) {
      out.push(this.measure(due.name, due.atMs));
    }
    return out;
  }

  sample(atMs: number): Reading {
    if (!this.started) return this.start(atMs);
    const stream = SAMPLE_ROTATION[this.sampleIndex++ % SAMPLE_ROTATION.length] ?? 'heart_rate';
    return this.reading(stream, atMs);
  }

  onDownlink(): void {
    // A wearable has nothing to act on yet (no schedule or reminder is addressed to it).
  }

  private start(atMs: number): Reading {
    this.started = true;
    this.bouts = new ActivityBouts(this.profile, this.random.fork(), atMs);
    this.lastStepsMs = atMs;
    this.schedule.set('status', atMs + this.status.nextIntervalMs());
    this.schedule.set('heart_rate', atMs + WEARABLE_INTERVALS.heartRateMs);
    this.schedule.set('spo2', atMs + WEARABLE_INTERVALS.spo2Ms);
    this.schedule.set('body_temp', atMs + WEARABLE_INTERVALS.bodyTempMs);
    this.schedule.set('steps', atMs + WEARABLE_INTERVALS.stepsMs);
    return this.status.report(atMs, 'boot');
  }

  private measure(stream: Stream, atMs: number): Reading {
    const interval =
      stream === 'status'
        ? this.status.nextIntervalMs()
        : stream === 'heart_rate'
          ? WEARABLE_INTERVALS.heartRateMs
          : stream === 'spo2'
            ? WEARABLE_INTERVALS.spo2Ms
            : stream === 'body_temp'
              ? WEARABLE_INTERVALS.bodyTempMs
              : WEARABLE_INTERVALS.stepsMs;
    this.schedule.set(stream, atMs + interval);
    return stream === 'status' ? this.status.report(atMs) : this.reading(stream, atMs);
  }

  private reading(stream: Exclude<Stream, 'status'>, atMs: number): Reading {
    switch (stream) {
      case 'heart_rate':
        return this.heartRate(atMs);
      case 'spo2':
        return this.spo2(atMs);
      case 'body_temp':
        return this.bodyTemp(atMs);
      case 'steps':
        return this.steps(atMs);
    }
  }

  /** Expected heart rate at an instant, before measurement noise. */
  heartRateMean(atMs: number): number {
    const p = this.profile;
    const asleep = isAsleep(p, atMs);
    const rhythm = 4 * circadianPhase(p, atMs, 16);
    const sleepDrop = asleep ? -9 : 0;
    const intensity = this.bouts?.intensityAt(atMs) ?? 0;
    const exercise = intensity * (p.maxHeartRate - p.restingHeartRate) * 0.65;
    return p.restingHeartRate + rhythm + sleepDrop + exercise + (asleep ? 0 : 5);
  }

  private heartRate(atMs: number): Reading {
    const bpm = Math.round(clamp(normal(this.random, this.heartRateMean(atMs), 2.5), 35, 210));
    // Some straps also report beat-to-beat (RR) intervals; a few of them with the beat's natural variability.
    if (chance(this.random, 0.3)) {
      const beats = integerBetween(this.random, 2, 4);
      const rr = Array.from({ length: beats }, () => Math.round(clamp(normal(this.random, 60_000 / bpm, 25), 250, 2000)));
      return { t: atMs, type: 'heart_rate', data: { bpm, rr_ms: rr } };
    }
    return { t: atMs, type: 'heart_rate', data: { bpm } };
  }

  private spo2(atMs: number): Reading {
    const asleep = isAsleep(this.profile, atMs);
    let pct = normal(this.random, this.profile.spo2Baseline - (asleep ? 0.8 : 0), 0.6);
    // A brief desaturation now and then (apnea in sleep, a loose sensor awake).
    if (chance(this.random, asleep ? 0.04 : 0.01)) pct -= normal(this.random, 5, 1.5);
    const pulse = Math.round(clamp(normal(this.random, this.heartRateMean(atMs), 3), 35, 210));
    return { t: atMs, type: 'spo2', data: { pct: roundTo(clamp(pct, 80, 100), 1), pulse_bpm: pulse } };
  }

  private bodyTemp(atMs: number): Reading {
    const intensity = this.bouts?.intensityAt(atMs) ?? 0;
    const celsius = normal(
      this.random,
      this.profile.bodyTempBaseline + 0.3 * circadianPhase(this.profile, atMs, 17) + 0.4 * intensity,
      0.08,
    );
    return { t: atMs, type: 'body_temp', data: { celsius: roundTo(clamp(celsius, 35, 39.5), 2) } };
  }

  /** Steps since the previous report: integrated minute by minute from the activity bouts. */
  private steps(atMs: number): Reading {
    const fromMs = Math.min(this.lastStepsMs, atMs);
    const intervalS = Math.max(1, Math.round((atMs - fromMs) / 1000));
    let count = 0;
    for (let minute = fromMs; minute < atMs; minute += MS_PER_MINUTE) {
      if (isAsleep(this.profile, minute)) continue;
      const intensity = this.bouts?.intensityAt(minute) ?? 0;
      // Pottering about the house, or walking at up to 130 steps per minute in a bout.
      const perMinute = intensity > 0 ? 40 + 90 * intensity : 6;
      count += Math.max(0, normal(this.random, perMinute, perMinute * 0.2));
    }
    this.lastStepsMs = atMs;
    return { t: atMs, type: 'steps', data: { count: Math.round(count), interval_s: intervalS } };
  }
}
