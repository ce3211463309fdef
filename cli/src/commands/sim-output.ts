/**
 * Text output of `trialgate sim`: the progress line and the final summary. Pure functions of the numbers, so
 * the format is tested without a broker.
 */
import type { SimulationProgress, SimulationResult } from '@trialgate/device-sim';

const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

export function formatSimProgress(progress: SimulationProgress): string {
  return (
    `[${(progress.elapsedMs / 1000).toFixed(0).padStart(4)} s] ` +
    `${progress.devicesOnline}/${progress.devices} online, ` +
    `${progress.delivered} acked of ${progress.produced} (${progress.recentRate.toFixed(0)}/s), ` +
    `${progress.pending} pending` +
    (progress.faultsInjected > 0 ? `, ${progress.faultsInjected} faults` : '')
  );
}

export function formatSimSummary(result: SimulationResult): string {
  const lines: string[] = [];
  const seconds = result.elapsedMs / 1000;
  lines.push(`devices:        ${result.devices} (${result.mode} mode)`);
  lines.push(`duration:       ${seconds.toFixed(1)} s`);
  lines.push(`readings:       ${result.produced} produced, ${result.delivered} acknowledged, ${result.pending} pending`);
  const offered = result.offeredRate === undefined ? '' : ` (offered ${result.offeredRate}/s)`;
  lines.push(`achieved rate:  ${result.achievedRate.toFixed(1)} acknowledged/s${offered}`);
  const l = result.latency;
  lines.push(
    l.count === 0
      ? 'PUBACK latency: no acknowledgements'
      : `PUBACK latency: p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (n=${l.count})`,
  );
  lines.push(
    `connections:    ${result.connections.connects} connects, ${result.connections.disconnects} disconnects, ` +
      `${result.connections.failures} failed attempts, ${result.resent} resends`,
  );
  const faults = Object.entries(result.faults);
  if (faults.length > 0) lines.push(`faults:         ${faults.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const notices = Object.entries(result.notices);
  if (notices.length > 0) lines.push(`notices:        ${notices.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (result.downlink.verified + result.downlink.rejected > 0) {
    lines.push(`downlink:       ${result.downlink.verified} verified, ${result.downlink.rejected} ignored`);
  }
  return `${lines.join('\n')}\n`;
}

/** `500`, `500/s` or `500/S`: readings per second. */
export function parseRate(text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:\/\s*s)?\s*$/i.exec(text);
  const value = match === null ? NaN : Number(match[1]);
  if (!(value > 0)) throw new RangeError(`--rate: expected a positive number of readings per second, like 500/s, got "${text}"`);
  return value;
}

/** A positive integer option. */
export function parsePositiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: expected a positive integer, got "${text}"`);
  return value;
}

/** A positive number of seconds, as ms. */
export function parseSeconds(name: string, text: string): number {
  const value = Number(text.replace(/s$/i, ''));
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name}: expected a positive number of seconds, got "${text}"`);
  return Math.round(value * 1000);
}
