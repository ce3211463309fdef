import type { FindingSubject } from './verification-report.js';

/** A subject in words, for a data manager reading the report. */
export function describeSubject(subject: FindingSubject): string {
  switch (subject.kind) {
    case 'bundle':
      return 'bundle';
    case 'device':
      return `device ${subject.deviceId} (devices[${subject.position}])`;
    case 'checkpoint':
      return `checkpoint ${subject.position}`;
    case 'consistency':
      return `consistency between checkpoints ${subject.fromCheckpoint} and ${subject.toCheckpoint}`;
    case 'anchor':
      return `anchor ${subject.position} of checkpoint ${subject.checkpoint}`;
    case 'entry':
      return `entry ${subject.position} (log index ${subject.index}${subject.deviceId === undefined || subject.deviceId === '' ? '' : `, device ${subject.deviceId}`})`;
  }
}
