import type { BundleVerificationReport, Verdict } from './verification-report.js';

export interface SummaryInput {
  readonly verdict: Verdict;
  readonly counts: BundleVerificationReport['counts'];
  readonly failures: number;
  readonly inconclusive: number;
  readonly anchorsPending: number;
  readonly notChecked: readonly string[];
  readonly anchorDescription?: string;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function plural(value: number, one: string, many = `${one}s`): string {
  return `${n(value)} ${value === 1 ? one : many}`;
}

/**
 * The first line of `trialgate verify`, for a sponsor's data manager: what was verified, then, after
 * semicolons, which checks were not run (spec section 8: "saying plainly which checks were not run").
 *   valid:        1,204 entries from 12 devices verified against 3 checkpoints; anchors not checked: no --rpc given
 *   invalid:      INVALID: 2 checks failed; 1,202 of 1,204 entries from 12 devices verified against 3 of 3 checkpoints
 *   inconclusive: INCONCLUSIVE: 1 check could not be completed (anchor not final yet); ...
 */
export function summarizeVerification(input: SummaryInput): string {
  const { counts } = input;
  const parts: string[] = [];
  if (input.verdict === 'valid') {
    parts.push(
      `${plural(counts.entriesVerified, 'entry', 'entries')} from ${plural(counts.devices, 'device')} verified against ${plural(counts.checkpointsVerified, 'checkpoint')}`,
    );
  } else {
    const head =
      input.verdict === 'invalid'
        ? `INVALID: ${plural(input.failures, 'check')} failed`
        : `INCONCLUSIVE: ${plural(input.inconclusive, 'check')} could not be completed${input.anchorsPending > 0 ? ' (an anchor is not final yet or the chain did not answer)' : ''}`;
    parts.push(
      `${head}; ${n(counts.entriesVerified)} of ${plural(counts.entries, 'entry', 'entries')} from ${plural(counts.devices, 'device')} verified against ${n(counts.checkpointsVerified)} of ${plural(counts.checkpoints, 'checkpoint')}`,
    );
  }
  if (counts.anchorsVerified > 0) {
    parts.push(`${plural(counts.anchorsVerified, 'anchor')} verified final on ${input.anchorDescription ?? 'chain'}`);
  }
  for (const line of input.notChecked) {
    // Only the short head of each note goes on the summary line; the report lists them in full.
    const colon = line.indexOf(': ');
    parts.push(colon > 0 && line.startsWith('anchors not checked') ? line : colon > 0 ? line.slice(0, colon) : line);
  }
  return parts.join('; ');
}
