/**
 * aedes `authenticate`: a device connects with client id = username = its device id and a connect token as
 * password (spec section 3). Accepted only for an enrolled, active device allowed to use MQTT, with a token
 * whose signature verifies under the device's registered key, whose `iat` is within 300 s of the gateway clock,
 * and which was never accepted before (ConnectTokenReplayGuard, durable before the CONNACK). The gateway
 * holds no device secret.
 *
 * Every refusal is answered with CONNACK 5 (not authorized), counted by reason, logged (never the token) and
 * recorded in quarantine: 21 CFR 11.300(d) asks that attempts at unauthorized use be detected and reported.
 */
import { createHash } from 'node:crypto';
import type { AuthenticateError, Client } from 'aedes';
import {
  CONNECT_TOKEN_MAX_SKEW_MS,
  coseSigStructure,
  decodeConnectToken,
  isConnectTokenFresh,
  isDeviceId,
  isTrialgateError,
  type DecodedConnectToken,
} from '@trialgate/firmware-protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { noKeyMessage } from '../ingest/ingest-error.js';
import type { MessageChecker } from '../ingest/message-checker.js';
import type { RegistryLookup } from '../registry/device-registry.js';
import type { ConnectTokenReplayGuard } from './connect-token-replay-guard.js';
import type { MqttMetrics } from './mqtt-metrics.js';

/** A connect token is one COSE_Sign1 of about 120 bytes; anything much larger is not one. */
export const CONNECT_TOKEN_MAX_BYTES = 1024;

export interface ConnectRefusal {
  readonly receivedAtMs: number;
  /** The device the client claimed to be, when its id is a device id. */
  readonly deviceId: string | null;
  readonly reason: string;
  readonly message: string;
  /** SHA-256 of the password bytes, hex: enough to match a replay, and a token is never stored or logged. */
  readonly tokenSha256: string | null;
  readonly remoteAddress: string | null;
}

export interface AuthenticateDependencies {
  readonly registry: RegistryLookup;
  readonly checker: MessageChecker;
  readonly replayGuard: ConnectTokenReplayGuard;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MqttMetrics;
  /** Clients whose CONNECT carried a will (set by preConnect). */
  readonly clientsWithWill: WeakSet<Client>;
  /** Records a refusal in quarantine; must not throw and need not be awaited. */
  readonly recordRefusal: (refusal: ConnectRefusal) => void;
}

type AuthenticateHandler = (
  client: Client,
  username: Readonly<string | undefined>,
  password: Readonly<Buffer | undefined>,
  done: (error: AuthenticateError | null, success: boolean | null) => void,
) => void;

type Decision = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly message: string };

export function createAuthenticate(deps: AuthenticateDependencies): AuthenticateHandler {
  return (client, username, password, done) => {
    const receivedAtMs = deps.clock.now();
    decide(deps, client, username, password, receivedAtMs).then(
      (decision) => {
        const clientId = client.id;
        if (decision.ok) {
          deps.metrics.connectionsAccepted.inc();
          deps.logger.info({ event: 'connected', deviceId: clientId, remote: remoteAddress(client) }, 'device connected');
          done(null, true);
          return;
        }
        deps.metrics.connectionsRefused.inc({ reason: decision.reason });
        deps.logger.warn(
          { event: 'connect_refused', reason: decision.reason, deviceId: isDeviceId(clientId) ? clientId : null, remote: remoteAddress(client) },
          'connection refused',
        );
        deps.recordRefusal({
          receivedAtMs,
          deviceId: isDeviceId(clientId) ? clientId : null,
          reason: decision.reason,
          message: decision.message,
          tokenSha256: password === undefined ? null : createHash('sha256').update(password).digest('hex'),
          remoteAddress: remoteAddress(client),
        });
        done(notAuthorized(), false);
      },
      (error: unknown) => {
        deps.logger.error({ event: 'connect_error', err: error }, 'connection check failed');
        done(notAuthorized(), false);
      },
    );
  };
}

async function decide(
  deps: AuthenticateDependencies,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
  nowMs: number,
): Promise<Decision> {
  const refuse = (reason: string, message: string): Decision => ({ ok: false, reason, message });
  const clientId = client.id;
  if (!isDeviceId(clientId) || username !== clientId) {
    return refuse('E_CONNECT_CLIENT_ID', 'the client id must be a device id and the username must equal it');
  }
  if (deps.clientsWithWill.has(client)) {
    return refuse('E_CONNECT_WILL', 'devices connect without a will message');
  }
  if (password === undefined || password.length === 0) return refuse('E_CONNECT_NO_TOKEN', 'the password must be a connect token');
  if (password.length > CONNECT_TOKEN_MAX_BYTES) return refuse('E_CONNECT_NO_TOKEN', 'the password is too large to be a connect token');

  // Attacker-controlled: the password bytes, sent before anything is authenticated.
  let decoded: DecodedConnectToken;
  try {
    decoded = decodeConnectToken(new Uint8Array(password.buffer, password.byteOffset, password.byteLength), { maxBytes: CONNECT_TOKEN_MAX_BYTES });
  } catch (error) {
    return isTrialgateError(error) ? refuse(error.code, error.message) : refuse('E_TOKEN_SCHEMA', 'not a connect token');
  }
  if (decoded.cose.kid !== clientId) return refuse('E_CONNECT_TOKEN_DEVICE', 'the connect token belongs to another device');

  const device = deps.registry.get(clientId);
  if (device === undefined) return refuse('E_DEVICE_UNKNOWN', `device ${clientId} is not enrolled`);
  if (device.status !== 'active') return refuse(device.status === 'suspended' ? 'E_DEVICE_SUSPENDED' : 'E_DEVICE_RETIRED', `device ${clientId} is ${device.status}`);
  // A connect token is a signature: a device enrolled without a key (issue 6) can never make one.
  if (device.publicKey === null) return refuse('E_DEVICE_NO_KEY', noKeyMessage(clientId));
  if (!device.transports.includes('mqtt')) return refuse('E_DEVICE_TRANSPORT', `device ${clientId} is not allowed to use MQTT`);
  if (!isConnectTokenFresh(decoded.token, nowMs)) {
    return refuse('E_CONNECT_TOKEN_EXPIRED', 'the connect token was issued more than 300 s from the gateway clock');
  }
  const checked = await deps.checker.check({
    kind: 'signature-only',
    kid: clientId,
    publicKey: device.publicKey,
    protectedBytes: decoded.cose.protectedBytes,
    payloadBytes: decoded.cose.payloadBytes,
    signature: decoded.cose.signature,
  });
  if (!checked.ok) return refuse('E_COSE_SIGNATURE', 'the connect token signature does not verify under the registered key');
  const signed = coseSigStructure(decoded.cose.protectedBytes, decoded.cose.payloadBytes);
  const tokenId = createHash('sha256').update(signed).digest();
  let first: boolean;
  try {
    first = await deps.replayGuard.accept(tokenId, decoded.token.iat + CONNECT_TOKEN_MAX_SKEW_MS);
  } catch {
    return refuse('E_CONNECT_UNAVAILABLE', 'the gateway could not record the token; try again');
  }
  if (!first) return refuse('E_CONNECT_TOKEN_REPLAYED', 'this connect token was already used; make a new one for each connection');
  // The registry may have changed while the signature was checked.
  const now = deps.registry.get(clientId);
  if (now === undefined || now.status !== 'active' || !now.transports.includes('mqtt')) {
    return refuse('E_DEVICE_SUSPENDED', `device ${clientId} is no longer active`);
  }
  return { ok: true };
}

function notAuthorized(): AuthenticateError {
  // CONNACK return code 5: "not authorized" (MQTT 3.1.1 section 3.2.2.3), the same for every refusal.
  return Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError;
}

function remoteAddress(client: Client): string | null {
  const conn = client.conn as { remoteAddress?: unknown };
  return typeof conn.remoteAddress === 'string' ? conn.remoteAddress : null;
}
