import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '@trialgate/firmware-protocol';
import {
  decodeBase64,
  leafHash,
  verifyBundleText,
  verifyConsistencyProof,
  verifyInclusionProof,
} from '@trialgate/proof-formats';
import { AnchorStore } from '../anchoring/anchor-store.js';
import { Checkpointer } from '../checkpoints/checkpointer.js';
import { loadOrCreateGatewayKey } from '../keys/gateway-key.js';
import { createGatewayMetrics } from '../observability/gateway-metrics.js';
import { silentLogger } from '../observability/logger.js';
import { openLogStore, type LogStore } from '../storage/log-store.js';
import { liveLogView } from '../storage/log-view.js';
import { readingEntry, testDeviceSecret } from '../storage/testing/test-messages.js';
import { ApiTokenStore } from './api-tokens.js';
import { startHttpApi, type HttpApi } from './http-api-server.js';
import { createSponsorRoutes } from './sponsor-routes.js';

const ORIGIN = 'trial.example/site-4/gw';
let store: LogStore;
let api: HttpApi;
let tokens: { read: string; export: string; admin: string; revoked: string };
let verifierKey: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-api-'));
  store = openLogStore({ dataDir, origin: ORIGIN });
  const key = loadOrCreateGatewayKey({ dataDir, origin: ORIGIN });
  verifierKey = key.verifierKey;
  const checkpointer = new Checkpointer({
    origin: ORIGIN,
    log: store.log,
    tree: store.tree,
    checkpoints: store.checkpoints,
    key,
    clock: { now: () => 1_800_000_000_000 },
  });
  for (let seq = 1; seq <= 20; seq++) {
    const r = readingEntry('wearable-1', seq);
    await store.log.append(r.entry, r.claim);
    if (seq % 8 === 0) await checkpointer.checkpointNow();
  }
  const store_ = new ApiTokenStore(store.db, { now: () => 1 });
  tokens = {
    read: store_.create({ scopes: ['read'] }).token,
    export: store_.create({ scopes: ['export'] }).token,
    admin: store_.create({ scopes: ['admin'] }).token,
    revoked: '',
  };
  const revoked = store_.create({ scopes: ['read'] });
  store_.revoke(revoked.id);
  tokens.revoked = revoked.token;
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  metrics.messagesRejected.inc({ reason: 'E_COSE_SIGNATURE' });
  api = await startHttpApi({
    port: 0,
    tokens: store_,
    logger: silentLogger(),
    metrics,
    routes: createSponsorRoutes({
      view: liveLogView(store),
      anchors: new AnchorStore(store.db, ORIGIN),
      metrics,
      gatewayKey: verifierKey,
      clockSkewToleranceMs: 300_000,
      deviceKeys: (id) => ({ kind: 'wearable', publicKeys: [ed25519PublicKey(testDeviceSecret(id))] }),
    }),
    mounts: [
      {
        prefix: '/admin/',
        scope: 'admin',
        handle: (request, response, token) => {
          if (request.url !== '/admin/ping') return Promise.resolve(false);
          response.writeHead(200, { 'content-type': 'text/plain' }).end(`pong ${token.id}`);
          return Promise.resolve(true);
        },
      },
    ],
  });
  return async () => {
    await api.close();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
});


async function get(pathname: string, token?: string): Promise<Response> {
  return fetch(`${api.url}${pathname}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
}

describe('HTTP API', () => {
  it('serves the latest signed checkpoint and the verifier key publicly, as text', async () => {
    const response = await get('/checkpoint');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toBe(store.checkpoints.latest()?.note);
    expect(await (await get('/key')).text()).toBe(`${verifierKey}\n`);
  });

  it('lists checkpoints with their anchor states, publicly', async () => {
    const body = (await (await get('/checkpoints')).json()) as { checkpoints: { tree_size: number; anchors: unknown[] }[] };
    expect(body.checkpoints.map((c) => c.tree_size)).toEqual([8, 16]);
    expect(body.checkpoints[0]?.anchors).toEqual([]);
    const desc = (await (await get('/checkpoints?order=desc&limit=1')).json()) as { checkpoints: { tree_size: number }[] };
    expect(desc.checkpoints.map((c) => c.tree_size)).toEqual([16]);
    expect((await get('/checkpoints/8')).status).toBe(200);
    expect((await get('/checkpoints/9')).status).toBe(404);
  });

  it('answers 401 without a valid token and 403 without the scope, on every protected route', async () => {
    for (const route of ['/entries/0', '/entries', '/proofs/inclusion?index=0', '/proofs/consistency?from=8', '/export']) {
      const none = await get(route);
      expect(none.status, route).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('E_API_UNAUTHENTICATED');
      expect((await get(route, 'tgt_not-a-token')).status, route).toBe(401);
      expect((await get(route, tokens.revoked)).status, route).toBe(401);
    }
    expect((await get('/entries/0', tokens.export)).status).toBe(403);
    expect((await get('/export', tokens.read)).status).toBe(403);
    expect((await get('/admin/ping', tokens.read)).status).toBe(403);
    expect((await get('/admin/ping')).status).toBe(401);
    expect(await (await get('/admin/ping', tokens.admin)).text()).toMatch(/^pong /);
    expect((await get('/admin/unknown', tokens.admin)).status).toBe(404);
  });

  it('serves an entry decoded for reading, with its flags and leaf hash', async () => {
    const response = await get('/entries/3', tokens.read);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      index: 3,
      device_id: 'wearable-1',
      content_type: 'cose-sign1',
      transport: 'mqtt',
      decoded: { kid: 'wearable-1', payload: { seq: 4, type: 'heart_rate', data: { bpm: 70 } } },
      decode_error: null,
    });
    expect(Array.isArray(body['flags'])).toBe(true);
    expect(body['leaf_hash']).toBe(Buffer.from(leafHash(store.log.readEntry(3))).toString('base64'));
    expect((await get('/entries/20', tokens.read)).status).toBe(404);
    expect((await get('/entries/abc', tokens.read)).status).toBe(400);
    const page = (await (await get('/entries?start=18&limit=5', tokens.admin)).json()) as { entries: { index: number }[]; next: number | null };
    expect(page.entries.map((e) => e.index)).toEqual([18, 19]);
    expect(page.next).toBeNull();
  });

  it('serves inclusion and consistency proofs that verify against the checkpoints', async () => {
    const inclusion = (await (await get('/proofs/inclusion?index=5&tree_size=16', tokens.read)).json()) as {
      proof: string[];
      leaf_hash: string;
      checkpoint: string;
    };
    expect(inclusion.checkpoint).toBe(store.checkpoints.get(16)?.note);
    verifyInclusionProof({
      index: 5,
      size: 16,
      leafHash: leafHash(store.log.readEntry(5)),
      proof: inclusion.proof.map((h) => decodeBase64(h, 'proof hash')),
      root: store.checkpoints.get(16)?.rootHash ?? new Uint8Array(),
    });
    const consistency = (await (await get('/proofs/consistency?from=8&to=16', tokens.read)).json()) as { proof: string[] };
    verifyConsistencyProof({
      fromSize: 8,
      toSize: 16,
      proof: consistency.proof.map((h) => decodeBase64(h, 'proof hash')),
      fromRoot: store.checkpoints.get(8)?.rootHash ?? new Uint8Array(),
      toRoot: store.checkpoints.get(16)?.rootHash ?? new Uint8Array(),
    });
    expect((await get('/proofs/consistency?from=0&to=16', tokens.read)).status).toBe(400);
    expect((await get('/proofs/inclusion?index=16&tree_size=16', tokens.read)).status).toBe(400);
    expect((await get('/proofs/inclusion?index=1&tree_size=99', tokens.read)).status).toBe(404);
  });

  it('streams an export that verifies', async () => {
    const response = await get('/export?device=wearable-1', tokens.export);
    expect(response.status).toBe(200);
    const text = await response.text();
    const report = await verifyBundleText(text, { trustedGatewayKey: verifierKey });
    expect(report.verdict).toBe('valid');
    expect(JSON.parse(text)).toMatchObject({ origin: ORIGIN });
  });

  it('serves health and Prometheus metrics publicly; unknown routes and methods get typed errors', async () => {
    expect(await (await get('/healthz')).json()).toMatchObject({ status: 'ok', origin: ORIGIN, tree_size: 20, checkpoint_size: 16 });
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('trialgate_messages_rejected_total{reason="E_COSE_SIGNATURE"} 1');
    expect(metrics).toContain('trialgate_http_requests_total');
    expect((await get('/nope')).status).toBe(404);
    expect((await fetch(`${api.url}/checkpoint`, { method: 'POST' })).status).toBe(405);
  });

  it('answers arbitrary paths, queries and authorization headers with a typed status, never a 500', async () => {
    const segment = fc.oneof(
      fc.constantFrom('entries', 'proofs', 'inclusion', 'consistency', 'checkpoints', 'export', 'admin', 'checkpoint', '0', '19', '-1', '1e3', '%00', '..'),
      fc.string({ maxLength: 12 }).map((t) => encodeURIComponent(t)),
      fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
    );
    const query = fc.array(
      fc.tuple(fc.constantFrom('index', 'tree_size', 'from', 'to', 'start', 'limit', 'after', 'order', 'device'), fc.oneof(fc.nat().map(String), fc.string({ maxLength: 8 }))),
      { maxLength: 3 },
    );
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(`Bearer ${tokens.read}`, `Bearer ${tokens.admin}`, 'Bearer', 'Basic abc', `bearer ${tokens.read}`),
      fc.string({ maxLength: 40 }).filter((t) => /^[\x20-\x7e]*$/.test(t)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 3 }), query, authorization, async (segments, params, auth) => {
        const search = new URLSearchParams(params).toString();
        const response = await fetch(`${api.url}/${segments.join('/')}${search === '' ? '' : `?${search}`}`, {
          ...(auth === undefined ? {} : { headers: { authorization: auth } }),
        });
        await response.arrayBuffer();
        expect([200, 400, 401, 403, 404, 405]).toContain(response.status);
      }),
      { numRuns: 300 },
    );
  });
});
