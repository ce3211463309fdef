/**
 * The serial port as the transport sees it (a port, so tests can use an in-memory line and production the
 * serialport package): open a path, read bytes, write bytes, learn when the line goes away.
 */
import type { Readable } from 'node:stream';
import type { SerialPortSpec } from './serial-port-spec.js';

export interface SerialLineConnection {
  /** Bytes as they arrive. Ends (or errors) when the line goes away. */
  readonly readable: Readable;
  /** Resolves once the bytes are handed to the operating system. Rejects when the line is gone. */
  write(bytes: Uint8Array): Promise<void>;
  /** Called once, when the line closed for any reason (unplugged, read error, `close()`). */
  onClose(listener: (error: Error | null) => void): void;
  close(): Promise<void>;
}

/** Opens a line; rejects when the port cannot be opened (not plugged in, no permission). */
export type OpenSerialLine = (spec: SerialPortSpec) => Promise<SerialLineConnection>;
