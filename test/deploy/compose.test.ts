/**
 * docker-compose.yml and the Dockerfile, checked without a container engine (none runs on the build
 * machine): the file parses; every service that runs the `trialgate` image names real subcommands with flags
 * that exist (asked of commander: the program is built from cli/src/program.ts) and only TRIALGATE_*
 * variables that are settings of that subcommand; every path named exists (build context, Dockerfile, build
 * targets, files the Dockerfile copies, every workspace); long-running services have health checks; the
 * gateway publishes the ports it listens on.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ANCHOR_CONFIG_FILE_ENV, ANCHOR_KEY_ENV, ANCHOR_SETTINGS, resolveAnchorConfig } from '@trialgate/anchor-service';
import { createNoteSigner } from '@trialgate/proof-formats';
import { SETTINGS } from '@trialgate/gateway/config';
import { buildProgram } from '../../cli/src/program.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string; readonly target?: string };
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string | null>>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly restart?: string;
}

interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const trialgateServices = services.filter(([, s]) => s.build?.target === 'runtime');
const program = buildProgram();
/** cli's own commander (the root node_modules may hold another version). */
type Command = ReturnType<typeof buildProgram>;

/** The environment variables each subcommand reads (its settings), beyond which nothing TRIALGATE_* may be set. */
const SETTINGS_ENV: Readonly<Record<string, ReadonlySet<string>>> = {
  gateway: new Set([...Object.values(SETTINGS).map((s) => s.env), 'TRIALGATE_CONFIG']),
  anchor: new Set([...Object.values(ANCHOR_SETTINGS).map((s) => s.env), ANCHOR_CONFIG_FILE_ENV, ANCHOR_KEY_ENV]),
};

/** Every `trialgate ...` invocation a service runs, as argument lists without the leading `trialgate`. */
function invocations(service: ComposeService): string[][] {
  const command = service.command ?? [];
  const entrypoint = service.entrypoint ?? ['trialgate'];
  if (entrypoint[0] === 'trialgate') return [[...entrypoint.slice(1), ...command]];
  expect(entrypoint.slice(0, 1)).toEqual(['sh']);
  const script = command.join('\n').replaceAll('$$', '$');
  const found: string[][] = [];
  for (const statement of script.split(/\n|;|&&|\|\|/)) {
    const words = statement.trim().replace(/^exec\s+/, '').split(/\s+/);
    if (words[0] !== 'trialgate') continue;
    const redirect = words.findIndex((w) => w.startsWith('>'));
    found.push(words.slice(1, redirect < 0 ? undefined : redirect));
  }
  return found;
}

/** The subcommand an argument list names, and the flags it passes, checked against commander. */
function resolve(args: readonly string[]): { readonly path: string[]; readonly errors: string[] } {
  let command: Command = program;
  const names: string[] = [];
  const errors: string[] = [];
  let i = 0;
  for (; i < args.length && !(args[i] ?? '').startsWith('-'); i++) {
    const sub = command.commands.find((c) => c.name() === args[i]);
    if (sub === undefined) break;
    command = sub;
    names.push(sub.name());
  }
  if (names.length === 0) errors.push(`"${args[0] ?? ''}" is not a trialgate subcommand`);
  // Options of a nested command (`sim provision`) are parsed by its parent (see cli/src/commands/sim.ts).
  const scopes: Command[] = [];
  for (let c: Command | null = command; c !== null && c !== program; c = c.parent) scopes.push(c);
  for (; i < args.length; i++) {
    const word = args[i] ?? '';
    if (!word.startsWith('--')) {
      if (command.registeredArguments.length === 0) errors.push(`unexpected argument "${word}" for ${names.join(' ')}`);
      continue;
    }
    const option = scopes.flatMap((c) => c.options).find((o) => o.long === word);
    if (option === undefined) {
      errors.push(`${names.join(' ')} has no option ${word}`);
      continue;
    }
    if (option.required) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) errors.push(`${word} of ${names.join(' ')} needs a value`);
      i += 1;
    }
  }
  return { path: names, errors };
}

describe('docker-compose.yml', () => {
  it('parses and runs the whole stack: redis, the chain, the gateway, the anchor worker, the simulator', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['redis', 'anvil', 'gateway', 'anchor', 'sim']));
  });

  it('every trialgate service runs real subcommands with flags that exist', () => {
    const ran = new Set<string>();
    for (const [name, service] of trialgateServices) {
      const calls = invocations(service);
      expect(calls.length, `${name} runs trialgate`).toBeGreaterThan(0);
      for (const args of calls) {
        const { path: sub, errors } = resolve(args);
        expect(errors, `${name}: trialgate ${args.join(' ')}`).toEqual([]);
        ran.add(sub.join(' '));
      }
    }
    expect([...ran].sort()).toEqual(['anchor', 'devices import', 'gateway', 'keys show', 'sim', 'sim provision']);
  });

  it('sets only TRIALGATE_* variables that are settings of the subcommand the service runs', () => {
    for (const [name, service] of trialgateServices) {
      const subcommands = invocations(service).map((args) => resolve(args).path[0] ?? '');
      const allowed = new Set(subcommands.flatMap((sub) => [...(SETTINGS_ENV[sub] ?? [])]));
      for (const variable of Object.keys(service.environment ?? {}).filter((v) => v.startsWith('TRIALGATE_'))) {
        expect(allowed.has(variable), `${name}: ${variable} is a setting of ${subcommands.join(', ')}`).toBe(true);
      }
    }
  });

  it('publishes the ports the gateway listens on (devices: MQTT; sponsors: the HTTP API) and pins the same queue prefix on both ends', () => {
    const gateway = compose.services['gateway'];
    const anchor = compose.services['anchor'];
    const env = gateway?.environment ?? {};
    expect(gateway?.ports).toEqual(expect.arrayContaining([`${env['TRIALGATE_MQTT_PORT']}:${env['TRIALGATE_MQTT_PORT']}`, `${env['TRIALGATE_HTTP_PORT']}:${env['TRIALGATE_HTTP_PORT']}`]));
    expect(env['TRIALGATE_HTTP_HOST']).toBe('0.0.0.0');
    expect(anchor?.environment?.['TRIALGATE_QUEUE_PREFIX']).toBe(env['TRIALGATE_QUEUE_PREFIX']);
    expect(anchor?.environment?.['TRIALGATE_REDIS']).toBe(env['TRIALGATE_REDIS']);
    expect(gateway?.healthcheck?.test.join(' ')).toContain(`:${env['TRIALGATE_HTTP_PORT']}/healthz`);
  });

  it('pins in the anchor worker (@file) the gateway key the gateway-key step publishes, through a volume both mount', () => {
    const anchor = compose.services['anchor'];
    const publish = compose.services['gateway-key'];
    const pinned = /^\$\{TRIALGATE_GATEWAY_KEY:-@(\S+)\}$/.exec(anchor?.environment?.['TRIALGATE_GATEWAY_KEY'] ?? '')?.[1];
    const written = /> *(\S+)\s*$/.exec((publish?.command ?? []).join('\n'))?.[1];
    expect(pinned, 'TRIALGATE_GATEWAY_KEY defaults to @FILE').toBeDefined();
    expect(pinned).toBe(written);
    const volumeAt = (service: ComposeService | undefined, dir: string) => service?.volumes?.find((v) => v.split(':')[1] === dir)?.split(':')[0];
    expect(volumeAt(anchor, path.dirname(pinned ?? ''))).toBeDefined();
    expect(volumeAt(anchor, path.dirname(pinned ?? ''))).toBe(volumeAt(publish, path.dirname(written ?? '')));
    // The anchor worker reads that form itself (no shell around it): a key file as `trialgate keys show` writes it.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-compose-'));
    try {
      const key = createNoteSigner('demo.trial.example/site-001/gw-1', new Uint8Array(32).fill(7)).verifierKey;
      writeFileSync(path.join(dir, path.basename(pinned ?? '')), `${key}\n`);
      const { config } = resolveAnchorConfig({
        flags: { metricsPort: '9464' },
        // The service's environment as compose gives it when .env sets nothing (`${VAR:-default}` -> default).
        env: {
          ...Object.fromEntries(Object.entries(anchor?.environment ?? {}).map(([k, v]) => [k, (v ?? '').replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1')])),
          TRIALGATE_GATEWAY_KEY: `@${path.basename(pinned ?? '')}`,
        },
        cwd: dir,
      });
      expect(config.gatewayKeys).toEqual([key]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(anchor?.entrypoint, 'the anchor worker runs without a shell').toBeUndefined();
  });

  it('has health checks on every long-running service, and dependencies and volumes that exist', () => {
    for (const [name, service] of services) {
      if (service.restart !== 'no' && name !== 'sim') expect(service.healthcheck?.test.length, `${name} health check`).toBeGreaterThan(0);
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(compose.services[dependency], `${name} depends on ${dependency}`).toBeDefined();
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(path.resolve(ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${source}`).toContain(source);
      }
    }
    expect(compose.services['gateway']?.volumes).toEqual(expect.arrayContaining(['gateway-data:/var/lib/trialgate']));
  });
});

describe('Dockerfile', () => {
  const builds = services.flatMap(([, s]) => (s.build === undefined ? [] : [s.build]));
  const dockerfiles = [...new Set(builds.map((b) => path.resolve(ROOT, b.context, b.dockerfile ?? 'Dockerfile')))];

  it('every build context, Dockerfile and target the compose file names exists', () => {
    expect(builds.length).toBeGreaterThan(0);
    for (const build of builds) {
      expect(existsSync(path.resolve(ROOT, build.context)), build.context).toBe(true);
      const dockerfile = readFileSync(path.resolve(ROOT, build.context, build.dockerfile ?? 'Dockerfile'), 'utf8');
      const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
      if (build.target !== undefined) expect(stages, `target ${build.target}`).toContain(build.target);
    }
  });

  it('copies only files that exist, and every workspace of package.json (npm ci needs them all)', () => {
    const workspaces = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    for (const file of dockerfiles) {
      const copied: string[] = [];
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const match = /^(?:COPY|ADD)\s+(.*)$/i.exec(line.trim());
        if (match === null || /--from=/.test(match[1] ?? '')) continue;
        const words = (match[1] ?? '').split(/\s+/).filter((w) => !w.startsWith('--'));
        for (const source of words.slice(0, -1)) {
          expect(existsSync(path.join(path.dirname(file), source)), `${path.basename(file)}: COPY ${source}`).toBe(true);
          copied.push(source.replace(/\/$/, ''));
        }
      }
      expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', ...workspaces]));
    }
  });

  it('keeps host builds and dependencies out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', 'demo-out']));
  });
});
