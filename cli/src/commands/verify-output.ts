import type { BundleVerificationReport, Finding } from '@trialgate/proof-formats';

/** How many findings of one kind the text output lists before it says how many more `--json` holds. */
export const MAX_LISTED_FINDINGS = 100;

function listFindings(title: string, marker: string, findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  const lines = [`${title} (${findings.length.toLocaleString('en-US')}):`];
  for (const f of findings.slice(0, MAX_LISTED_FINDINGS)) lines.push(`  ${marker} ${f.where}: ${f.message} [${f.code}]`);
  if (findings.length > MAX_LISTED_FINDINGS) {
    lines.push(`  ... and ${(findings.length - MAX_LISTED_FINDINGS).toLocaleString('en-US')} more (--json lists all)`);
  }
  return lines;
}

/**
 * The text output of `trialgate verify`, for a sponsor's data manager: the summary line first, then each
 * failure naming the entry or checkpoint and what failed, then what could not be completed, what was not
 * checked, warnings, seq gaps and the checkpoints with their anchors.
 */
export function formatVerificationReport(report: BundleVerificationReport): string[] {
  if (report.verdict === 'unusable') return [`${report.summary} [${report.failures[0]?.code ?? 'E_BUNDLE'}]`];
  const lines = [report.summary];
  lines.push(...listFindings('Failures', 'FAIL', report.failures));
  lines.push(...listFindings('Could not be completed', 'WAIT', report.inconclusive));
  if (report.notChecked.length > 0) {
    lines.push('Not checked:');
    for (const note of report.notChecked) lines.push(`  - ${note}`);
  }
  lines.push(...listFindings('Warnings', 'NOTE', report.warnings));
  if (report.seqGaps.length > 0) {
    lines.push('Sequence gaps (reported, not a failure: a bundle may hold a selection):');
    for (const gap of report.seqGaps.slice(0, MAX_LISTED_FINDINGS)) {
      lines.push(`  - device ${gap.deviceId}: ${gap.missing.toLocaleString('en-US')} missing between seq ${gap.afterSeq} and ${gap.beforeSeq}`);
    }
    if (report.seqGaps.length > MAX_LISTED_FINDINGS) lines.push(`  ... and ${report.seqGaps.length - MAX_LISTED_FINDINGS} more (--json lists all)`);
  }
  if (report.checkpoints.length > 0) {
    lines.push('Checkpoints:');
    for (const c of report.checkpoints) {
      const head = c.verified ? `size ${(c.treeSize ?? 0).toLocaleString('en-US')}, root ${c.rootHash ?? ''}` : 'FAILED';
      lines.push(`  ${c.position}: ${head}`);
      for (const a of c.anchors) {
        const time = a.blockTime === undefined ? '' : `, block time ${a.blockTime}`;
        const message = a.message === undefined ? '' : ` (${a.message})`;
        lines.push(`     anchor ${a.position}: chain ${a.chainId} tx ${a.txHash} block ${a.blockNumber}: ${a.status}${message}${time}`);
      }
    }
  }
  return lines;
}
