/**
 * A pseudo-terminal pair made by socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`), with stable
 * symlinks, so that the gateway and a simulated device each open one end like a serial port. `kill()` ends socat
 * (both ends vanish: an unplugged cable); `start()` again makes a new pair behind the same links (replugged).
 * Only the socat process this helper started is ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

export class SocatPtyPair {
  readonly gatewayEnd: string;
  readonly deviceEnd: string;
  private child: ChildProcess | null = null;

  constructor(dir: string) {
    this.gatewayEnd = path.join(dir, 'tty-gateway');
    this.deviceEnd = path.join(dir, 'tty-device');
  }

  async start(): Promise<void> {
    rmSync(this.gatewayEnd, { force: true });
    rmSync(this.deviceEnd, { force: true });
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.gatewayEnd}`, `pty,raw,echo=0,link=${this.deviceEnd}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    this.child = child;
    const until = Date.now() + 5000;
    while (!(existsSync(this.gatewayEnd) && existsSync(this.deviceEnd))) {
      if (Date.now() > until || child.exitCode !== null) throw new Error('socat did not create the pseudo-terminal pair (is socat installed?)');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
