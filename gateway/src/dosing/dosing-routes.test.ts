import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { createDosingClient } from './dosing-client.js';
import { createLocalDosingOperations } from './dosing-operations.js';
import { chainAdminRoutes, createDosingRoutes } from './dosing-routes.js';
import { dosingKit } from './dosing-test-kit.js';

describe('dosing admin routes over a socket', () => {
  it('set, list, show and clear schedules; refuse bad input with its code', async () => {
    const kit = dosingKit();
    await kit.enroll('disp-1', ['serial']);
    const routes = chainAdminRoutes(createDosingRoutes(createLocalDosingOperations({ admin: kit.dosingAdmin, store: kit.store })), async (_req, res) => {
      res.writeHead(404).end('{}');
      return true;
    });
    const socket = path.join(mkdtempSync(path.join(os.tmpdir(), 'tg-dosing-')), 'admin.sock');
    const server = createServer((req, res) => void routes(req, res, { by: 'cli' }));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const client = createDosingClient(socket);
      const set = await client.setSchedule('disp-1', { tz: 'Europe/Berlin', window_min: 120, doses: [{ slot: 2, at: '20:00' }, { slot: 1, at: '08:00' }] }, 'cli');
      expect(set.schedule).toMatchObject({ device: 'disp-1', version: 1, tz: 'Europe/Berlin', window_min: 120, remind_min: [0, 60], by: 'cli', sent: null });
      expect(set.schedule.doses).toStrictEqual([{ slot: 1, at: '08:00' }, { slot: 2, at: '20:00' }]);
      expect((await client.listSchedules()).map((s) => s.device)).toStrictEqual(['disp-1']);
      const shown = await client.showSchedule('disp-1');
      expect(shown.history).toHaveLength(1);
      expect((await client.clearSchedule('disp-1', 'cli')).schedule).toMatchObject({ version: 2, doses: [] });
      const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'none', (e: unknown) => (isTrialgateError(e) ? e.code : 'other'));
      expect(await codeOf(client.setSchedule('disp-1', { doses: [{ slot: 1, at: '8:00' }] }, 'cli'))).toBe('E_DOSING_INVALID');
      expect(await codeOf(client.setSchedule('nobody', { doses: [] }, 'cli'))).toBe('E_DOSING_UNKNOWN_DEVICE');
      expect(await codeOf(client.showSchedule('nobody'))).toBe('E_DOSING_UNKNOWN_DEVICE');
    } finally {
      server.close();
    }
  });
});
