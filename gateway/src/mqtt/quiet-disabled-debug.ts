/**
 * Disabled `debug` loggers that cost nothing. mqtt-packet (aedes' parser and writer) calls its `debug`
 * loggers about twenty times per PUBLISH and PUBACK; when they are disabled, each call still builds its
 * arguments array and reads the `enabled` getter: measured in bench/suites/ingest.ts, a tenth of the main
 * thread's allocation per reading and about 3 % of the gateway's CPU per reading.
 *
 * This module replaces the `debug` package's factory, as CommonJS modules that load after it see it
 * (mqtt-packet creates its loggers when aedes first loads it), by one that returns the real logger when its
 * namespace is enabled at that moment (DEBUG=mqtt-packet:* at start-up works as before) and otherwise a
 * function that does nothing. What is lost: turning those namespaces on later, from inside the process
 * (`debug.enable()`), does not reach loggers created while they were off. Import it before aedes (first in
 * the gateway's index and in mqtt-broker.ts). If `debug` is not where or what is expected, nothing changes.
 */
import { createRequire } from 'node:module';

interface DebugFactory {
  (namespace: string): { readonly enabled: boolean };
}

function silence(): void {
  try {
    // The `debug` that mqtt-packet (through aedes) resolves, wherever the package manager put it.
    const fromAedes = createRequire(createRequire(import.meta.url).resolve('aedes'));
    const fromPacket = createRequire(fromAedes.resolve('mqtt-packet'));
    const file = fromPacket.resolve('debug');
    const factory = fromPacket(file) as unknown;
    const cached = fromPacket.cache[file];
    if (cached === undefined || typeof factory !== 'function' || (factory as { quiet?: boolean }).quiet === true) return;
    const original = factory as DebugFactory;
    const nothing = Object.assign((): void => undefined, { enabled: false, namespace: '', extend: (): unknown => nothing, log: (): void => undefined, destroy: (): boolean => true });
    const quiet = Object.assign((namespace: string) => {
      const logger = original(namespace);
      return logger.enabled ? logger : nothing;
    }, factory, { quiet: true });
    cached.exports = quiet;
  } catch {
    // Not the layout this expects: the loggers stay as they are.
  }
}

silence();
