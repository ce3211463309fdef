/**
 * Where anvil, the local EVM chain, is: the platform binary that the npm package @foundry-rs/anvil installs (a
 * dev dependency of the repository), else the first `anvil` on PATH (a container image links it there). The
 * binary is spawned directly rather than through the package's node wrapper, so that stopping the child stops
 * the chain. One lookup for the test helpers (proof-formats/testing, anchor-service/testing), `trialgate demo`
 * and the benchmarks; proof-formats is the lowest package that needs it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The anvil binary to spawn, or null when neither the npm package nor PATH has one. */
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

/** The first file `name` in the directories of `pathVariable` (PATH by default), or null. */
export function findOnPath(name: string, pathVariable = process.env['PATH'] ?? ''): string | null {
  for (const dir of pathVariable.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
