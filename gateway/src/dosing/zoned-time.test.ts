import { describe, expect, it } from 'vitest';
import { checkDoseSchedule, dosesBetween } from './dose-schedule.js';
import { instantOfLocalTime, localDateTimeOf, utcOffsetMinutes } from './zoned-time.js';

describe('zoned time', () => {
  it('reads offsets and local times in IANA zones', () => {
    expect(utcOffsetMinutes(Date.UTC(2025, 0, 15), 'Europe/Berlin')).toBe(60);
    expect(utcOffsetMinutes(Date.UTC(2025, 6, 15), 'Europe/Berlin')).toBe(120);
    expect(utcOffsetMinutes(Date.UTC(2025, 6, 15), 'America/New_York')).toBe(-240);
    expect(localDateTimeOf(Date.UTC(2025, 6, 15, 6, 0), 'Europe/Berlin')).toMatchObject({ hours: 8, minutes: 0, day: 15 });
  });

  it('maps local times to instants, including across daylight saving changes', () => {
    expect(instantOfLocalTime('Europe/Berlin', 2025, 1, 15, 8, 0)).toBe(Date.UTC(2025, 0, 15, 7, 0));
    expect(instantOfLocalTime('Europe/Berlin', 2025, 7, 15, 8, 0)).toBe(Date.UTC(2025, 6, 15, 6, 0));
    // 2025-03-30 02:30 does not exist in Berlin (02:00 -> 03:00): 03:30 CEST = 01:30 UTC.
    expect(instantOfLocalTime('Europe/Berlin', 2025, 3, 30, 2, 30)).toBe(Date.UTC(2025, 2, 30, 1, 30));
    // 2025-10-26 02:30 exists twice: the first one, CEST = 00:30 UTC.
    expect(instantOfLocalTime('Europe/Berlin', 2025, 10, 26, 2, 30)).toBe(Date.UTC(2025, 9, 26, 0, 30));
    expect(instantOfLocalTime('UTC', 2025, 10, 26, 2, 30)).toBe(Date.UTC(2025, 9, 26, 2, 30));
  });

  it('lists the doses of a schedule between two instants, 08:00 local on both sides of a DST change', () => {
    const schedule = checkDoseSchedule({ tz: 'Europe/Berlin', doses: [{ slot: 2, at: '20:00' }, { slot: 1, at: '08:00' }] });
    expect(schedule.doses.map((d) => d.slot)).toStrictEqual([1, 2]);
    const doses = dosesBetween(schedule, Date.UTC(2025, 2, 29, 0, 0), Date.UTC(2025, 2, 31, 0, 0));
    expect(doses.map((d) => new Date(d.scheduled).toISOString())).toStrictEqual([
      '2025-03-29T07:00:00.000Z',
      '2025-03-29T19:00:00.000Z',
      '2025-03-30T06:00:00.000Z',
      '2025-03-30T18:00:00.000Z',
    ]);
    expect(doses[0]?.windowEnd).toBe(Date.UTC(2025, 2, 29, 11, 0));
  });

  it('refuses unusable schedules with E_DOSING_INVALID', () => {
    expect(() => checkDoseSchedule({ tz: 'Mars/Olympus', doses: [] })).toThrow(/unknown time zone/);
    expect(() => checkDoseSchedule({ doses: [{ slot: 1, at: '25:00' }] })).toThrow(/HH:MM/);
    expect(() => checkDoseSchedule({ windowMin: 60, remindMin: [90], doses: [] })).toThrow(/inside the window/);
    expect(() => checkDoseSchedule({ doses: [{ slot: 1, at: '08:00' }, { slot: 1, at: '08:00' }] })).toThrow(/twice/);
    expect(checkDoseSchedule({ windowMin: 30, doses: [] }).remindMin).toStrictEqual([0]);
  });
});
