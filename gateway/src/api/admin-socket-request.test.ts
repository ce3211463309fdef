import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminSocketRequest } from './admin-socket-request.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server on a unix socket in a fresh directory that answers each request with `answer`. */
async function socketServer(answer: (method: string, url: string, body: string) => { status: number; text: string }): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-admin-req-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = path.join(dir, 'admin.sock');
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { status, text } = answer(request.method ?? '', request.url ?? '', Buffer.concat(chunks).toString('utf8'));
      response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return socketPath;
}

describe('adminSocketRequest (the admin and dosing clients)', () => {
  it('sends method, route and JSON body, and resolves with the parsed answer', async () => {
    const socketPath = await socketServer((method, url, body) => ({ status: 200, text: JSON.stringify({ method, url, body }) }));
    const call = adminSocketRequest(socketPath);
    expect(await call('PUT', '/admin/schedules/d-1', '{"a":1}')).toEqual({ method: 'PUT', url: '/admin/schedules/d-1', body: '{"a":1}' });
    expect(await call('GET', '/admin/devices')).toEqual({ method: 'GET', url: '/admin/devices', body: '' });
  });

  it("turns an error answer back into the gateway's TrialgateError, code, message and details", async () => {
    const socketPath = await socketServer(() => ({
      status: 409,
      text: JSON.stringify({ error: { code: 'E_REGISTRY_TRANSITION', message: 'cannot resume', details: { device: 'd-1' } } }),
    }));
    await expect(adminSocketRequest(socketPath)('POST', '/admin/devices/d-1/resume')).rejects.toMatchObject({
      code: 'E_REGISTRY_TRANSITION',
      message: 'cannot resume',
      details: { device: 'd-1' },
    });
  });

  it('says E_ADMIN_RESPONSE for an answer without JSON or without an error body, E_ADMIN_UNREACHABLE without a gateway', async () => {
    const noJson = await socketServer(() => ({ status: 200, text: 'hello' }));
    await expect(adminSocketRequest(noJson)('GET', '/')).rejects.toMatchObject({ code: 'E_ADMIN_RESPONSE', message: 'the gateway answered 200 without JSON' });
    const bare = await socketServer(() => ({ status: 500, text: '{}' }));
    await expect(adminSocketRequest(bare)('GET', '/')).rejects.toMatchObject({ code: 'E_ADMIN_RESPONSE', message: 'the gateway refused the request' });
    const missing = path.join(os.tmpdir(), `tg-no-gateway-${process.pid}.sock`);
    await expect(adminSocketRequest(missing)('GET', '/')).rejects.toMatchObject({ code: 'E_ADMIN_UNREACHABLE' });
  });
});
