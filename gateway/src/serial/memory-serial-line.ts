/**
 * An in-memory serial line for tests: the gateway's end is an `OpenSerialLine`; the test holds the device's
 * end (`deviceWrite`, `fromGateway`) and can unplug it and plug it back (`unplug`, `plugIn`).
 */
import { PassThrough } from 'node:stream';
import type { OpenSerialLine, SerialLineConnection } from './serial-line.js';

export class MemorySerialLine {
  /** Bytes the gateway wrote, as the device receives them. */
  readonly fromGateway: Uint8Array[] = [];
  private plugged = true;
  private current: { readonly toGateway: PassThrough; readonly close: (error: Error | null) => void } | null = null;
  opens = 0;

  readonly open: OpenSerialLine = () => {
    if (!this.plugged) return Promise.reject(new Error('ENOENT: no such file or directory (unplugged)'));
    this.opens += 1;
    const toGateway = new PassThrough();
    const listeners: ((error: Error | null) => void)[] = [];
    let closed = false;
    const close = (error: Error | null): void => {
      if (closed) return;
      closed = true;
      if (this.current?.toGateway === toGateway) this.current = null;
      toGateway.end();
      for (const listener of listeners.splice(0)) listener(error);
    };
    this.current = { toGateway, close };
    const connection: SerialLineConnection = {
      readable: toGateway,
      write: (bytes) => {
        if (closed) return Promise.reject(new Error('closed'));
        this.fromGateway.push(bytes.slice());
        return Promise.resolve();
      },
      onClose: (listener) => {
        if (closed) listener(null);
        else listeners.push(listener);
      },
      close: () => {
        close(null);
        return Promise.resolve();
      },
    };
    return Promise.resolve(connection);
  };

  get isOpen(): boolean {
    return this.current !== null;
  }

  /** The device writes bytes on the line (dropped when nothing is open, as on a real line). */
  deviceWrite(bytes: Uint8Array): void {
    this.current?.toGateway.write(Buffer.from(bytes));
  }

  unplug(): void {
    this.plugged = false;
    this.current?.close(new Error('EIO: device disconnected'));
  }

  plugIn(): void {
    this.plugged = true;
  }
}
