import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayProbe, parseCheckpointList, type FetchLike } from './gateway-probe.js';

function fakeFetch(routes: Readonly<Record<string, string>>): FetchLike {
  return (url) => {
    const path = url.replace('http://gw', '');
    const body = routes[path];
    return body === undefined ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve({ ok: true, text: () => Promise.resolve(body) });
  };
}

const CHECKPOINTS = JSON.stringify({
  checkpoints: [
    {
      tree_size: 519,
      anchors: [{ chain_id: 31337, state: 'final', tx_hash: '0xab', block_number: 31, superseded_by: null }],
    },
    { tree_size: 470, anchors: [{ chain_id: 31337, state: 'superseded', tx_hash: null, block_number: null, superseded_by: 519 }] },
  ],
});

describe('GatewayProbe', () => {
  it('turns the gateway metrics into a snapshot of the site', async () => {
    const metrics = [
      'trialgate_mqtt_clients 20',
      'trialgate_messages_received_total{transport="mqtt"} 499',
      'trialgate_tree_size 519',
      'trialgate_checkpoints_signed_total 6',
      'trialgate_checkpoint_size 470',
      'trialgate_anchor_results_total{state="submitted"} 3',
      'trialgate_anchor_results_total{state="final"} 2',
      'trialgate_quarantine_records_total 4',
    ].join('\n');
    const probe = new GatewayProbe('http://gw/', fakeFetch({ '/metrics': metrics }), () => 42);
    expect(await probe.snapshot()).toEqual({
      atMs: 42,
      devicesOnline: 20,
      received: 499,
      entries: 519,
      checkpointsSigned: 6,
      checkpointSize: 470,
      anchorsSubmitted: 3,
      anchorsFinal: 2,
      quarantined: 4,
    });
  });

  it('reads checkpoints with anchor states, the tree size and the verifier key; a gateway that does not answer is "not yet"', async () => {
    const probe = new GatewayProbe('http://gw', fakeFetch({
      '/checkpoints?order=desc&limit=5': CHECKPOINTS,
      '/healthz': '{"status":"ok","tree_size":519}',
      '/key': 'demo.trial.example/site-001/gw-1+24655d74+AdrIWnGgIxKoLRuMOEkqzIWC3dC/qwNlZZ0BycVp2zIP\n',
    }));
    expect(await probe.latestCheckpoints()).toEqual([
      { treeSize: 519, anchors: [{ chainId: 31337, state: 'final', txHash: '0xab', blockNumber: 31, supersededBy: null }] },
      { treeSize: 470, anchors: [{ chainId: 31337, state: 'superseded', txHash: null, blockNumber: null, supersededBy: 519 }] },
    ]);
    expect(await probe.treeSize()).toBe(519);
    expect(await probe.verifierKey()).toBe('demo.trial.example/site-001/gw-1+24655d74+AdrIWnGgIxKoLRuMOEkqzIWC3dC/qwNlZZ0BycVp2zIP');
    const down = new GatewayProbe('http://gw', fakeFetch({}));
    expect(await down.snapshot()).toBeNull();
    expect(await down.latestCheckpoints()).toEqual([]);
    expect(await down.treeSize()).toBeNull();
    expect(await down.verifierKey()).toBeNull();
  });

  it('parseCheckpointList never throws on arbitrary or mutated answers and returns only well-formed checkpoints', () => {
    const mutated = fc.tuple(fc.nat({ max: CHECKPOINTS.length }), fc.nat({ max: 20 }), fc.string({ maxLength: 8 }))
      .map(([at, cut, insert]) => CHECKPOINTS.slice(0, at) + insert + CHECKPOINTS.slice(at + cut));
    const json = fc.jsonValue().map((value) => JSON.stringify({ checkpoints: [value, { tree_size: value, anchors: [value] }] }));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), mutated, json), (text) => {
        for (const checkpoint of parseCheckpointList(text)) {
          expect(Number.isSafeInteger(checkpoint.treeSize)).toBe(true);
          for (const anchor of checkpoint.anchors) expect(['submitted', 'included', 'final', 'superseded', 'failed', 'other']).toContain(anchor.state);
        }
      }),
      { numRuns: 500 },
    );
  });
});
