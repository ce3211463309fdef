/**
 * Security suite, HTTP API (issue 7; docs/SECURITY.md "HTTP API"), against the real gateway's API on a free
 * port, with tokens made the way `trialgate tokens create/revoke` makes them (a second connection to the
 * running gateway's state database).
 *
 * - Entries, proofs, exports and admin routes: 401 (with `WWW-Authenticate: Bearer`) without a valid token,
 *   for a malformed, unknown or revoked one, or one offered anywhere but the Authorization header; 403 for a
 *   valid token of another scope. Checkpoints, the key, health and metrics stay public.
 * - A token revoked on the running gateway is refused at once.
 * - No request target (dot segments, doubled or trailing slashes, percent-encoding, case, absolute form)
 *   reaches health data without a token.
 * - Tokens are stored only as their SHA-256, and a presented token reaches the store only as its SHA-256.
 *
 * gateway/src/api/http-api.test.ts covers the same status codes on the bare API server (unit level).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { ApiTokenStore, openTokenStore, systemClock, type StateDatabase } from '@trialgate/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodingsOf, findSecrets } from './secret-needles.js';
import { publishOutcome, removeDataDir, startSecurityGateway, type SecurityGateway } from './security-gateway.js';

let g: SecurityGateway;
let tokens: { read: string; export: string; admin: string; revoked: string; readId: string };

beforeAll(async () => {
  g = await startSecurityGateway();
  const device = await g.enroll('sec-api-1');
  const client = await g.connect(device);
  for (let seq = 1; seq <= 6; seq++) expect(await publishOutcome(client, 'tg/v1/dev/sec-api-1/up', device.message(seq))).toBe('acked');
  await client.endAsync();
  await g.gateway.checkpointer.checkpointNow();
  const opened = openTokenStore(g.dataDir);
  try {
    const read = opened.tokens.create({ scopes: ['read'], label: 'sponsor reader' });
    const revoked = opened.tokens.create({ scopes: ['read', 'export', 'admin'] });
    opened.tokens.revoke(revoked.id);
    tokens = {
      read: read.token,
      readId: read.id,
      export: opened.tokens.create({ scopes: ['export'] }).token,
      admin: opened.tokens.create({ scopes: ['admin'] }).token,
      revoked: revoked.token,
    };
  } finally {
    opened.close();
  }
}, 60_000);

afterAll(async () => {
  await g.stop();
  removeDataDir(g.dataDir);
});

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request: the target goes out exactly as written (fetch would normalise dot segments). */
function request(target: string, headers: Readonly<Record<string, string>> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(g.httpUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers: { connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Every protected route with the scope it needs. */
const PROTECTED: readonly (readonly [string, 'read' | 'export' | 'admin'])[] = [
  ['/entries/0', 'read'],
  ['/entries?start=0&limit=3', 'read'],
  ['/proofs/inclusion?index=1', 'read'],
  ['/proofs/consistency?from=1', 'read'],
  ['/export', 'export'],
  ['/export?device=sec-api-1', 'export'],
  ['/admin/devices', 'admin'],
  ['/admin/devices/sec-api-1', 'admin'],
  ['/admin/quarantine', 'admin'],
  ['/admin/quarantine/counts', 'admin'],
  ['/admin/schedules', 'admin'],
];

const PUBLIC = ['/checkpoint', '/checkpoints', '/key', '/healthz', '/metrics'];

describe('security: HTTP API tokens and scopes', () => {
  it('answers 401 on every protected route without a valid bearer token in the Authorization header', async () => {
    const unknown = `tgt_${randomBytes(32).toString('base64url')}`;
    const refusals: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from(`x:${tokens.admin}`).toString('base64')}` },
      { authorization: `Token ${tokens.admin}` },
      { authorization: `Bearer ${tokens.admin}x` },
      { authorization: `Bearer ${tokens.admin.slice(0, -1)}` },
      { authorization: `Bearer ${tokens.admin.slice(4)}` },
      { authorization: `Bearer ${unknown}` },
      { authorization: `Bearer ${tokens.revoked}` },
      { authorization: `Bearer ${tokens.admin}, Bearer ${tokens.admin}` },
      { cookie: `token=${tokens.admin}` },
      { 'x-api-key': tokens.admin },
    ];
    for (const [route] of PROTECTED) {
      for (const headers of refusals) {
        for (const method of ['GET', 'HEAD']) {
          const answer = await request(route, headers, method);
          expect(answer.status, `${method} ${route} ${JSON.stringify(headers)}`).toBe(401);
          expect(answer.headers['www-authenticate']).toContain('Bearer');
        }
      }
      // A token in the query string (RFC 6750 section 2.3 allows it; it would end up in access logs) is ignored.
      const separator = route.includes('?') ? '&' : '?';
      expect((await request(`${route}${separator}access_token=${tokens.admin}`)).status, `${route} with access_token`).toBe(401);
    }
  });

  it('answers 403 to a valid token of another scope, 200 to the right scope, and admin grants everything', async () => {
    const byScope = { read: tokens.read, export: tokens.export, admin: tokens.admin } as const;
    for (const [route, needed] of PROTECTED) {
      for (const [scope, token] of Object.entries(byScope)) {
        const answer = await request(route, bearer(token));
        const allowed = scope === needed || scope === 'admin';
        expect(answer.status, `${route} with a ${scope} token`).toBe(allowed ? 200 : 403);
        if (!allowed) expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'E_API_FORBIDDEN' } });
        if (allowed) expect(answer.headers['cache-control']).toBe('no-store');
      }
    }
  });

  it('takes the auth scheme in any case (RFC 9110 section 11.1), the token itself exactly', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      expect((await request('/entries/0', { authorization: `${scheme} ${tokens.read}` })).status, scheme).toBe(200);
    }
    expect((await request('/entries/0', { authorization: `Bearer ${tokens.read.toUpperCase()}` })).status).toBe(401);
  });

  it('serves checkpoints, the key, health and metrics to anyone, whatever Authorization says', async () => {
    for (const route of PUBLIC) {
      expect((await request(route)).status, route).toBe(200);
      expect((await request(route, { authorization: 'Bearer tgt_nonsense' })).status, route).toBe(200);
    }
    const latest = await request('/checkpoint');
    expect(latest.body.startsWith(`${g.gateway.origin}\n`)).toBe(true);
    const size = g.gateway.checkpointer.latest()?.treeSize ?? 0;
    expect((await request(`/checkpoints/${size}`)).status).toBe(200);
  });

  it('refuses a token revoked on the running gateway from the next request on', async () => {
    const opened = openTokenStore(g.dataDir);
    const created = opened.tokens.create({ scopes: ['read'] });
    try {
      expect((await request('/entries/0', bearer(created.token))).status).toBe(200);
      expect(opened.tokens.revoke(created.id)).toBe(true);
      expect((await request('/entries/0', bearer(created.token))).status).toBe(401);
    } finally {
      opened.close();
    }
  });

  it('lets no request target reach health data without a token (dot segments, slashes, encodings, case)', async () => {
    const variants = (route: string): string[] => {
      const [pathname = route, query] = route.split('?');
      const q = query === undefined ? '' : `?${query}`;
      const trimmed = pathname.slice(1);
      const encoded = pathname.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
      return [
        `/${pathname}${q}`,
        `${pathname}/${q}`,
        `${pathname.replace('/', '//')}${q}`,
        `/./${trimmed}${q}`,
        `/checkpoint/../${trimmed}${q}`,
        `/key/..%2f${trimmed}${q}`,
        `${encoded}${q}`,
        `${pathname.toUpperCase()}${q}`,
        `http://127.0.0.1${pathname}${q}`,
        `http://evil.example${pathname}${q}`,
        `${pathname};x=1${q}`,
        `${pathname}%00${q}`,
        `${pathname}${q}#frag`,
      ];
    };
    const targets = PROTECTED.flatMap(([route]) => variants(route));
    const dataMarkers = ['"entries"', '"leaf_hash"', '"proof"', 'tg-proof-bundle', '"public_key"', '"devices"', '"reason"'];
    const check = async (target: string, method: string): Promise<void> => {
      const answer = await request(target, {}, method);
      expect([400, 401, 404, 405], `${method} ${target}`).toContain(answer.status);
      for (const marker of dataMarkers) expect(answer.body, `${method} ${target}`).not.toContain(marker);
    };
    for (const target of targets) await check(target, 'GET');
    // And arbitrary mixtures of them.
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'), fc.string({ maxLength: 6 }), async (target, method, junk) => {
        const mixed = `${target.split('#')[0] ?? target}${encodeURIComponent(junk)}`;
        await check(mixed, method);
      }),
      { numRuns: 150 },
    );
  });
});

describe('security: the local admin socket and the key file', () => {
  it('keep to the gateway\'s user: the socket (which takes no token) in a 0700 directory, the key file 0600', () => {
    const socket = g.gateway.addresses.adminSocket;
    expect(socket).not.toBeNull();
    expect(statSync(path.dirname(socket ?? '')).mode & 0o777).toBe(0o700);
    expect(statSync(socket ?? '').mode & 0o077).toBe(0);
    expect(statSync(path.join(g.gateway.store.layout.root, 'gateway.key')).mode & 0o777).toBe(0o600);
  });
});

describe('security: how tokens are kept and compared', () => {
  it('stores only the SHA-256 of each token: no file of the data directory holds a token in any encoding', () => {
    const db = new Database(g.gateway.store.layout.stateDatabase, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
      const digests = rows.map((row) => Buffer.from(row['token_sha256'] as Uint8Array).toString('hex'));
      for (const token of [tokens.read, tokens.export, tokens.admin, tokens.revoked]) {
        expect(digests).toContain(createHash('sha256').update(token, 'utf8').digest('hex'));
      }
      // The columns are the id, the digest, scopes, label and times: nothing else that could hold a token.
      expect(Object.keys(rows[0] ?? {}).sort()).toEqual(['created_at_ms', 'id', 'label', 'revoked_at_ms', 'scopes', 'token_sha256']);
    } finally {
      db.close();
    }
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        const stat = statSync(file, { throwIfNoEntry: false });
        if (stat?.isDirectory() === true) walk(file);
        else if (stat?.isFile() === true) files.push(file);
      }
    };
    walk(g.dataDir);
    expect(files.length).toBeGreaterThan(3);
    const needles = [tokens.read, tokens.export, tokens.admin, tokens.revoked].flatMap((token, i) =>
      encodingsOf(`api token ${i}`, Buffer.from(token.slice(4), 'base64url')).concat([{ label: `api token ${i} as text`, needle: token }]),
    );
    for (const file of files) {
      const found = findSecrets(readFileSync(file).toString('latin1'), needles);
      expect(found, file).toEqual([]);
    }
  });

  it('compares a presented token only as its SHA-256 digest (timing tells nothing about a stored token)', () => {
    // The store over a recording proxy of the running gateway's state database: whatever SQL runs, the only
    // value derived from the presented token is its 32-byte digest (an index lookup compares digests, whose
    // timing leaks at most a digest prefix, and a token cannot be derived from its digest).
    const seen: unknown[] = [];
    const real = g.gateway.store.db;
    const recording = new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'prepare') {
          return (sql: string) => {
            const statement = target.prepare(sql);
            return new Proxy(statement, {
              get(s, p, r) {
                const value: unknown = Reflect.get(s, p, r);
                if (typeof value !== 'function') return value;
                return (...args: unknown[]) => {
                  seen.push(sql, ...args);
                  return (value as (...a: unknown[]) => unknown).apply(s, args);
                };
              },
            });
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as StateDatabase;
    const store = new ApiTokenStore(recording, systemClock);
    for (const presented of [tokens.read, `tgt_${randomBytes(32).toString('base64url')}`]) {
      seen.length = 0;
      store.authenticate(presented);
      const digest = createHash('sha256').update(presented, 'utf8').digest();
      const values = seen.filter((v) => typeof v !== 'string' || !/^\s*SELECT/i.test(v));
      expect(values).toEqual([digest]);
      expect(JSON.stringify(seen)).not.toContain(presented.slice(4));
    }
    expect(store.authenticate(tokens.read)?.id).toBe(tokens.readId);
  });
});
