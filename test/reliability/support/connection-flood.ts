/**
 * A bounded connection flood from one address (issue 7, "Overload": 1,000 connection attempts per second): a
 * mix of what an attacker on the site network sends: CONNECTs of unknown devices with garbage tokens, CONNECTs
 * in the name of an enrolled device with a token signed by another key (each costs the gateway a signature
 * check), and sockets that say nothing at all (they hold a connection until the connect timeout). Every
 * socket is closed after `holdMs` at the latest; the outcome of each attempt is counted.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createConnectToken } from '@trialgate/firmware-protocol';
import { generate, parser, type Packet } from 'mqtt-packet';

export interface ConnectionFloodOptions {
  readonly port: number;
  /** The attacker's address (any 127.x.y.z is local on Linux). */
  readonly localAddress: string;
  readonly perSecond: number;
  readonly durationMs: number;
  /** An enrolled device's id, to impersonate with wrongly signed tokens. */
  readonly enrolledDeviceId: string;
  readonly holdMs?: number;
}

export interface ConnectionFloodResult {
  readonly attempts: number;
  /** CONNACK with a refusal code (5: not authorized). */
  readonly refused: number;
  readonly accepted: number;
  /** Closed by the gateway before any CONNACK (shed on accept, or the connect timeout). */
  readonly closedUnanswered: number;
  /** Still open when the flood closed them. */
  readonly heldOpen: number;
  readonly socketErrors: number;
  readonly elapsedMs: number;
}

export async function floodConnections(options: ConnectionFloodOptions): Promise<ConnectionFloodResult> {
  const holdMs = options.holdMs ?? 1500;
  const forged = Array.from({ length: 64 }, () =>
    Buffer.from(createConnectToken({ deviceId: options.enrolledDeviceId, secretKey: randomBytes(32), issuedAtMs: Date.now() })),
  );
  const counts = { attempts: 0, refused: 0, accepted: 0, closedUnanswered: 0, heldOpen: 0, socketErrors: 0 };
  const total = Math.round((options.perSecond * options.durationMs) / 1000);
  const perTick = Math.max(1, Math.round(options.perSecond / 100));
  const open = new Set<Promise<void>>();
  const attempt = (i: number): Promise<void> =>
    new Promise<void>((resolve) => {
      counts.attempts += 1;
      let settled = false;
      const finish = (outcome: keyof typeof counts): void => {
        if (settled) return;
        settled = true;
        counts[outcome] += 1;
        socket.destroy();
        resolve();
      };
      const socket = connect({ port: options.port, host: '127.0.0.1', localAddress: options.localAddress });
      const timer = setTimeout(() => finish('heldOpen'), holdMs);
      socket.on('error', () => {
        clearTimeout(timer);
        finish('socketErrors');
      });
      socket.on('close', () => {
        clearTimeout(timer);
        finish('closedUnanswered');
      });
      const incoming = parser({ protocolVersion: 4 });
      incoming.on('packet', (packet: Packet) => {
        if (packet.cmd !== 'connack') return;
        clearTimeout(timer);
        finish((packet as { returnCode?: number }).returnCode === 0 ? 'accepted' : 'refused');
      });
      socket.on('data', (chunk: Buffer) => incoming.parse(chunk));
      socket.on('connect', () => {
        const kind = i % 4;
        if (kind === 3) return; // says nothing
        const impersonate = kind === 2;
        const clientId = impersonate ? options.enrolledDeviceId : `FLOOD-${i}`;
        socket.write(
          generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clean: true,
            keepalive: 30,
            clientId,
            username: clientId,
            password: impersonate ? (forged[i % forged.length] ?? randomBytes(100)) : randomBytes(100),
          }),
        );
      });
    });

  const begun = performance.now();
  let started = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let k = 0; k < perTick && started < total; k += 1, started += 1) {
        const pending = attempt(started);
        open.add(pending);
        void pending.then(() => open.delete(pending));
      }
      if (started >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await Promise.all(open);
  return { ...counts, elapsedMs: performance.now() - begun };
}
