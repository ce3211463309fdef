/** Parsing of `trialgate schedule set` arguments; the gateway checks the schedule again (dose-schedule.ts). */

/** `--dose 1@08:00` entries and `--at 08:00` entries (slots 1, 2, ... in order); an error text when unusable. */
export function parseDoseOptions(doses: readonly string[], times: readonly string[]): { slot: number; at: string }[] | string {
  if (doses.length === 0 && times.length === 0) return 'give the doses: --dose <slot@HH:MM> or --at <HH:MM> (repeatable)';
  const out: { slot: number; at: string }[] = [];
  for (const text of doses) {
    const match = /^(\d{1,5})@(\d{2}:\d{2})$/.exec(text.trim());
    if (match === null) return `--dose ${text}: expected <slot>@<HH:MM>, e.g. 1@08:00`;
    out.push({ slot: Number(match[1]), at: match[2] ?? '' });
  }
  times.forEach((at, i) => out.push({ slot: i + 1, at: at.trim() }));
  return out;
}

const UNITS: Readonly<Record<string, number>> = { m: 1, min: 1, h: 60 };

/** `90`, `90m`, `4h`, `1.5h` as whole minutes, or null. */
export function parseMinutes(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(m|min|h)?$/.exec(text.trim().toLowerCase());
  if (match === null) return null;
  const minutes = Number(match[1]) * (UNITS[match[2] ?? 'm'] ?? 1);
  return Number.isInteger(minutes) ? minutes : null;
}

/** `0m,60m` as minutes, or null. An empty text is no reminders. */
export function parseMinutesList(text: string): number[] | null {
  if (text.trim() === '' || text.trim() === 'none') return [];
  const list = text.split(',').map(parseMinutes);
  return list.some((m) => m === null) ? null : (list as number[]);
}
