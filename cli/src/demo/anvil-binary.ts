/**
 * Where anvil is: the platform binary that the npm package @foundry-rs/anvil installs (a dev dependency of
 * the repository), spawned directly rather than through the package's node wrapper, so that stopping the
 * child stops the chain. (The test helpers in anchor-service/testing resolve it the same way; production code
 * does not import test modules.)
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function findAnvilBinary(): string | null {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platform = process.platform === 'win32' ? 'win32' : process.platform;
  try {
    const manifest = require.resolve(`@foundry-rs/anvil-${platform}-${arch}/package.json`);
    const binary = path.join(path.dirname(manifest), 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(binary)) return binary;
  } catch {
    // Not installed for this platform: look on PATH below.
  }
  return findOnPath('anvil');
}

/** The first executable file `name` on PATH, or null. */
export function findOnPath(name: string, pathVariable = process.env['PATH'] ?? ''): string | null {
  for (const dir of pathVariable.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
