import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedSequencer, type SequencerTicket } from './keyed-sequencer.js';

describe('KeyedSequencer: a ticket is ready exactly when every earlier ticket of its key is released', () => {
  it('holds a ticket back behind an earlier one even when a ticket between them was released early', async () => {
    const sequencer = new KeyedSequencer();
    const a1 = sequencer.enter('a');
    const a2 = sequencer.enter('a');
    const a3 = sequencer.enter('a');
    let a3Ready = false;
    void a3.ready.then(() => {
      a3Ready = true;
    });
    a2.release();
    await new Promise((r) => setTimeout(r, 1));
    expect([a1.isReady, a2.isReady, a3.isReady, a3Ready]).toEqual([true, false, false, false]);
    a1.release();
    await new Promise((r) => setTimeout(r, 1));
    expect([a3.isReady, a3Ready]).toEqual([true, true]);
    a3.release();
    a3.release();
    expect(sequencer.activeKeys).toBe(0);
  });

  it('gives the first ticket of an idle key a ready promise that is already settled (no waiting)', async () => {
    const sequencer = new KeyedSequencer();
    const ticket = sequencer.enter('x');
    expect(ticket.isReady).toBe(true);
    await ticket.ready;
    ticket.release();
    expect(sequencer.activeKeys).toBe(0);
  });

  it('agrees with a model on random interleavings of enters and releases over a few keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.record({ op: fc.constant('enter' as const), key: fc.constantFrom('a', 'b', 'c') }), fc.record({ op: fc.constant('release' as const), pick: fc.nat() })), {
          maxLength: 60,
        }),
        async (steps) => {
          const sequencer = new KeyedSequencer();
          const out: { key: string; ticket: SequencerTicket; released: boolean; resolved: boolean }[] = [];
          for (const step of steps) {
            if (step.op === 'enter') {
              const entry = { key: step.key, ticket: sequencer.enter(step.key), released: false, resolved: false };
              void entry.ticket.ready.then(() => {
                entry.resolved = true;
              });
              out.push(entry);
            } else {
              const open = out.filter((e) => !e.released);
              const chosen = open[step.pick % Math.max(1, open.length)];
              if (chosen === undefined) continue;
              chosen.released = true;
              chosen.ticket.release();
            }
            await Promise.resolve();
            await Promise.resolve();
            out.forEach((entry, i) => {
              // The model: ready iff every earlier ticket of the same key is released.
              const expected = out.slice(0, i).every((earlier) => earlier.key !== entry.key || earlier.released);
              expect(entry.ticket.isReady || entry.released).toBe(expected || entry.released);
              if (!entry.released) expect(entry.resolved).toBe(expected);
            });
          }
          for (const entry of out) entry.ticket.release();
          expect(sequencer.activeKeys).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
