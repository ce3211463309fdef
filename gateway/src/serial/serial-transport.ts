/**
 * Every `--serial` line of the gateway, and downlink routing to serial devices: a downlink message for a
 * device goes out on the line where that device's messages were most recently logged.
 */
import type { Logger } from 'pino';
import type { TimerPort } from '../checkpoints/timer-port.js';
import type { Clock } from '../clock.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { BackoffPolicy, RandomSource } from './reopen-backoff.js';
import { SerialError } from './serial-error.js';
import type { OpenSerialLine } from './serial-line.js';
import { SerialLink } from './serial-link.js';
import type { SerialPortSpec } from './serial-port-spec.js';

export interface SerialTransportDependencies {
  readonly ports: readonly SerialPortSpec[];
  readonly openLine: OpenSerialLine;
  readonly pipeline: Pick<IngestPipeline, 'ingest' | 'reject'>;
  readonly signer: DownlinkSigner;
  readonly clock: Clock;
  readonly timers: TimerPort;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly maxMessageBytes: number;
  readonly backoff?: BackoffPolicy;
  /** A device can be reached on a serial line (it was seen, or its line reopened): send what waits for it. */
  readonly onReachable?: (deviceId: string) => void;
}

export class SerialTransport {
  readonly links: readonly SerialLink[];

  constructor(deps: SerialTransportDependencies) {
    this.links = deps.ports.map((spec) => {
      const link: SerialLink = new SerialLink({
        spec,
        openLine: deps.openLine,
        pipeline: deps.pipeline,
        signer: deps.signer,
        clock: deps.clock,
        timers: deps.timers,
        random: deps.random,
        logger: deps.logger,
        maxMessageBytes: deps.maxMessageBytes,
        ...(deps.backoff === undefined ? {} : { backoff: deps.backoff }),
        onDeviceSeen: (deviceId) => deps.onReachable?.(deviceId),
        onOpen: () => {
          for (const deviceId of link.devices.keys()) deps.onReachable?.(deviceId);
        },
      });
      return link;
    });
  }

  start(): void {
    for (const link of this.links) link.start();
  }

  /** The open line where the device was seen last, if any. */
  linkOf(deviceId: string): SerialLink | undefined {
    let best: SerialLink | undefined;
    let bestAt = -Infinity;
    for (const link of this.links) {
      const at = link.devices.get(deviceId);
      if (at !== undefined && at > bestAt) {
        best = link;
        bestAt = at;
      }
    }
    return best;
  }

  canReach(deviceId: string): boolean {
    return this.linkOf(deviceId)?.isOpen === true;
  }

  /** Sends signed downlink bytes to a device; E_SERIAL_NOT_OPEN when its line is unknown or down. */
  async send(deviceId: string, bytes: Uint8Array): Promise<void> {
    const link = this.linkOf(deviceId);
    if (link === undefined) {
      throw new SerialError('E_SERIAL_NOT_OPEN', `device ${deviceId} has not been seen on any serial line yet`, { details: { deviceId } });
    }
    await link.send(bytes);
  }

  async stopAccepting(): Promise<void> {
    await Promise.all(this.links.map((link) => link.stopAccepting()));
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((link) => link.close()));
  }
}
