/**
 * `OpenSerialLine` over the serialport package (13.x): 8 data bits, no parity, 1 stop bit, no flow control,
 * as USB-serial bridges of dispensers use. A PTY (socat) works too, which is how the tests run.
 *
 * serialport emits 'close' with `disconnected: true` when the device goes away (read error EIO/EBADF on an
 * unplugged USB adapter or a closed PTY); every way the port ends reaches `onClose` exactly once. A read can
 * also stay blocked when the other side vanishes (seen with pseudo-terminals), so the path is watched too:
 * when it no longer resolves to the device that was opened (udev removed /dev/ttyUSB0, socat went away),
 * the line counts as unplugged.
 */
import { realpathSync } from 'node:fs';
import type * as SerialportModule from 'serialport';
import type { OpenSerialLine, SerialLineConnection } from './serial-line.js';

// serialport (with its native bindings, about 60 modules) is loaded when a line is first opened, not with the
// gateway: most sites have no serial dispenser, and start-up should stay well under a second (issue 3).
let loading: Promise<typeof SerialportModule> | undefined;

export const openSerialportLine: OpenSerialLine = async (spec) => {
  loading ??= import('serialport');
  const { SerialPort } = await loading;
  return new Promise<SerialLineConnection>((resolve, reject) => {
    const port = new SerialPort({ path: spec.path, baudRate: spec.baudRate, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false, autoOpen: false, lock: true });
    port.open((error) => {
      if (error !== null && error !== undefined) {
        reject(error);
        return;
      }
      let closed = false;
      let closeError: Error | null = null;
      const listeners: ((error: Error | null) => void)[] = [];
      const opened = resolvedPath(spec.path);
      const finish = (): void => {
        if (closed) return;
        closed = true;
        clearInterval(watchdog);
        for (const listener of listeners.splice(0)) listener(closeError);
      };
      const watchdog = setInterval(() => {
        if (opened === null || resolvedPath(spec.path) === opened) return;
        closeError ??= new Error(`${spec.path} no longer names the device that was opened`);
        finish();
        if (port.isOpen) port.close(() => undefined);
      }, 500);
      watchdog.unref();
      port.on('error', (err: Error) => {
        closeError ??= err;
        if (port.isOpen) port.close(() => finish());
        else finish();
      });
      port.on('close', (err: Error | null | undefined) => {
        closeError ??= err ?? null;
        finish();
      });
      resolve({
        readable: port,
        write: (bytes) =>
          new Promise<void>((done, fail) => {
            if (closed || !port.isOpen) {
              fail(new Error('the serial port is closed'));
              return;
            }
            port.write(Buffer.from(bytes), (err) => (err === null || err === undefined ? done() : fail(err)));
          }),
        onClose: (listener) => {
          if (closed) listener(closeError);
          else listeners.push(listener);
        },
        close: () =>
          new Promise<void>((done) => {
            if (closed || !port.isOpen) {
              finish();
              done();
              return;
            }
            port.close(() => {
              finish();
              done();
            });
          }),
      });
    });
  });
};

function resolvedPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
