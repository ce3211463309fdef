import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
import {
  coseSigStructure as coseSig,
  createEd25519Verifier,
  decodeConnectToken,
  isConnectTokenFresh,
} from '@trialgate/firmware-protocol';

export interface ReceivedPublish {
  readonly clientId: string;
  readonly topic: string;
  readonly bytes: Uint8Array;
}

export interface TestBrokerOptions {
  /** Listen on this port (a restart reuses the previous one); 0 picks a free one. */
  readonly port?: number;
  /**
   * When given, behave like the gateway at its edge (spec sections 3 and 7): only these devices connect, with
   * a fresh connect token signed by their key; a device publishing anywhere but its own uplink is disconnected.
   */
  readonly registry?: ReadonlyMap<string, Uint8Array>;
}

/**
 * A plain aedes broker on 127.0.0.1 for integration tests, standing in for the gateway until it exists. It
 * records every PUBLISH it accepted, in order, and can be stopped and started again on the same port.
 */
export class TestBroker {
  readonly received: ReceivedPublish[] = [];
  readonly refusedConnects: string[] = [];
  readonly closedForTopic: { clientId: string; topic: string }[] = [];
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly options: TestBrokerOptions;
  port = 0;

  private constructor(options: TestBrokerOptions) {
    this.options = options;
    this.port = options.port ?? 0;
  }

  static async start(options: TestBrokerOptions = {}): Promise<TestBroker> {
    const broker = new TestBroker(options);
    await broker.restart();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port. */
  async restart(): Promise<void> {
    const aedes = await Aedes.createBroker();
    const registry = this.options.registry;
    if (registry !== undefined) {
      aedes.authenticate = (client: Client, username: string | undefined, password: Buffer | undefined, done) => {
        const key = registry.get(client.id);
        let ok = false;
        try {
          if (key !== undefined && username === client.id && password !== undefined) {
            const { cose, token } = decodeConnectToken(new Uint8Array(password));
            ok = cose.kid === client.id && isConnectTokenFresh(token, Date.now()) &&
              createEd25519Verifier(key).verify(coseSig(cose.protectedBytes, cose.payloadBytes), cose.signature);
          }
        } catch {
          ok = false;
        }
        if (!ok) this.refusedConnects.push(client.id);
        done(null, ok);
      };
      aedes.authorizePublish = (client, packet, done) => {
        const id = client?.id ?? '';
        if (packet.topic !== `tg/v1/dev/${id}/up`) {
          this.closedForTopic.push({ clientId: id, topic: packet.topic });
          done(new Error('not your uplink'));
          return;
        }
        done(null);
      };
    }
    aedes.on('publish', (packet, client) => {
      if (client === null || client === undefined) return;
      this.received.push({ clientId: client.id, topic: packet.topic, bytes: new Uint8Array(packet.payload as Buffer) });
    });
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
    this.aedes = aedes;
    this.server = server;
  }

  /** Stops accepting and cuts every connection, as a crashed or restarting broker would. */
  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.server = undefined;
    this.aedes = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (aedes !== undefined) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }

  /** Sends `bytes` to a device's downlink topic. */
  publishDownlink(deviceId: string, bytes: Uint8Array): Promise<void> {
    const aedes = this.aedes;
    if (aedes === undefined) return Promise.reject(new Error('broker stopped'));
    return new Promise<void>((resolve, reject) =>
      aedes.publish(
        { cmd: 'publish', topic: `tg/v1/dev/${deviceId}/down`, payload: Buffer.from(bytes), qos: 1, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  /** Waits until `predicate` holds (polling every 10 ms) or throws after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
