import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../registry/device-registry.js';
import { RegistryAdmin } from '../registry/registry-admin.js';
import { registryProjection } from '../registry/registry-projection.js';
import { RegistryStore } from '../registry/registry-store.js';
import { MemoryGatewayLog } from '../storage/memory-gateway-log.js';
import { createLocalAdminOperations } from './admin-operations.js';
import { createAdminRoutes } from './admin-routes.js';

let server: Server;
let base = '';

beforeAll(async () => {
  const log = new MemoryGatewayLog();
  const db = new Database(':memory:');
  registryProjection.migrate(db);
  log.onCommitted((entries) => db.transaction(() => registryProjection.apply(db, entries))());
  const registry = new DeviceRegistry(log, []);
  const routes = createAdminRoutes(
    createLocalAdminOperations({ admin: new RegistryAdmin({ log, registry, clock: { now: () => 1 } }), store: new RegistryStore(db), quarantine: log }),
  );
  server = createServer((request, response) => {
    void routes(request, response, { by: 'test' }).then((handled) => {
      if (!handled) response.writeHead(418).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('admin routes (attacker-controlled when mounted on the HTTP API)', () => {
  it('answer arbitrary paths, methods and bodies with JSON and a 4xx, never a 500', async () => {
    // '.' and '..' segments are resolved away by the URL parser before the request is sent.
    const segment = fc
      .oneof(fc.constantFrom('devices', 'import', 'quarantine', 'counts', 'suspend', 'rotate-key', 'assign', 'set-transports', 'hr-1', '%ZZ'), fc.string({ maxLength: 12 }))
      .filter((s) => s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 })),
        fc.string({ maxLength: 40 }),
        async (parts, method, body, query) => {
          const path = `/admin/${parts.map((p) => encodeURIComponent(p)).join('/')}?${encodeURIComponent(query)}=${encodeURIComponent(query)}`;
          const response = await fetch(`${base}${path}`, { method, ...(method === 'GET' ? {} : { body }) });
          expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
          expect(response.status, `${method} ${path}`).toBeLessThan(500);
          const json = (await response.json()) as unknown;
          if (response.status >= 400) expect(json).toMatchObject({ error: { code: expect.stringMatching(/^E_[A-Z_]+$/) as unknown } });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('enrol through POST /admin/devices and refuse malformed enrolments with 400', async () => {
    const bad = await fetch(`${base}/admin/devices`, { method: 'POST', body: JSON.stringify({ id: 'x', public_key: 'AAAA', kind: 'wearable' }) });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${base}/admin/devices/nope/suspend`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });
});
