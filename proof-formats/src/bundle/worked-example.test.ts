import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkpointDigestHex } from '../checkpoint/checkpoint-digest.js';
import { toHex } from '../encoding/bytes.js';
import { createNoteSigner } from '../note/note-signer.js';
import { IncrementalTree } from '../tree/incremental-tree.js';
import { MemoryTreeHashStore } from '../tree/memory-tree-hash-store.js';
import { leafHash } from '../tree/tree-hashing.js';
import { verifyBundleText } from './verify-bundle.js';

/** The worked example of docs/proof-formats.md, kept as data for sponsors' verifiers (vectors/). */
const vectorsDir = new URL('../../vectors/', import.meta.url);
const example = JSON.parse(readFileSync(new URL('worked-example.json', vectorsDir), 'utf8')) as {
  gateway_secret_key_hex: string;
  gateway_key: string;
  entries_hex: string[];
  leaf_hashes_hex: string[];
  roots_hex: Record<string, string>;
  inclusion_proof_1_of_3_hex: string[];
  consistency_proof_2_to_3_hex: string[];
  checkpoint_3_note: string;
  checkpoint_3_digest_hex: string;
};

describe('the worked example (proof-formats/vectors)', () => {
  it('reproduces every documented hash, proof, key and digest', () => {
    const entries = example.entries_hex.map((hex) => new Uint8Array(Buffer.from(hex, 'hex')));
    expect(entries.map((e) => toHex(leafHash(e)))).toEqual(example.leaf_hashes_hex);
    const tree = IncrementalTree.open(new MemoryTreeHashStore());
    tree.appendEntries(entries);
    expect(toHex(tree.root(2))).toBe(example.roots_hex['2']);
    expect(toHex(tree.root(3))).toBe(example.roots_hex['3']);
    expect(tree.inclusionProof(1, 3).map(toHex)).toEqual(example.inclusion_proof_1_of_3_hex);
    expect(tree.consistencyProof(2, 3).map(toHex)).toEqual(example.consistency_proof_2_to_3_hex);
    const gateway = createNoteSigner('trial.example/site-042/gw-1', new Uint8Array(Buffer.from(example.gateway_secret_key_hex, 'hex')));
    expect(gateway.verifierKey).toBe(example.gateway_key);
    expect(checkpointDigestHex(example.checkpoint_3_note)).toBe(`0x${example.checkpoint_3_digest_hex.replace(/^0x/, '')}`);
  });

  it('the example bundle verifies, anchors not checked', async () => {
    const report = await verifyBundleText(readFileSync(new URL('worked-example.bundle.json', vectorsDir)), {
      anchorsNotCheckedReason: 'no --rpc given',
      trustedGatewayKey: example.gateway_key,
    });
    expect(report.summary).toBe('3 entries from 2 devices verified against 2 checkpoints; device keys of 1 device not cross-checked; anchors not checked: no --rpc given');
    expect(report.exitCode).toBe(0);
  });
});
