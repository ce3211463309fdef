import { signNote, openNote, type OpenedNote } from '../note/signed-note.js';
import type { NoteSigner } from '../note/note-signer.js';
import type { NoteVerifier } from '../note/note-verifier.js';
import { formatCheckpointBody, parseCheckpointBody, type Checkpoint } from './checkpoint-body.js';

/** A checkpoint signed as a C2SP note by the log's key (whose name SHOULD be the origin, tlog-checkpoint). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpointBody(checkpoint), signers);
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * Verifies the note's signatures first and only then parses its text (C2SP signed-note: the text "MUST be
 * ignored unless the note is signed by a trusted key"). Throws the note's or the body's typed errors.
 */
export function openCheckpoint(noteText: string, verifiers: readonly NoteVerifier[]): OpenedCheckpoint {
  const note = openNote(noteText, verifiers);
  return { checkpoint: parseCheckpointBody(note.text), note };
}
