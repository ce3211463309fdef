/**
 * Reads a gateway config file, JSON or YAML (YAML 1.2 is a superset of JSON, so one parser reads both), into
 * raw setting values keyed by setting. Nested maps name settings by their dotted path (`mqtt.port`). A key we
 * do not know is an error, not ignored: a misspelt `mqtt.prot` would otherwise silently fall back to a
 * default on a production box.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as YamlModule from 'yaml';
import { ConfigError } from './config-error.js';
import { SETTINGS, SETTING_KEYS, type SettingKey } from './config-settings.js';
import type { SettingValue } from './parse-setting-value.js';

export interface ConfigFileValues {
  /** The file's absolute path. */
  readonly file: string;
  readonly values: Partial<Record<SettingKey, SettingValue>>;
}

const KEY_BY_FILE_PATH: ReadonlyMap<string, SettingKey> = new Map(SETTING_KEYS.map((key) => [SETTINGS[key].file, key]));

export function readConfigFile(file: string): ConfigFileValues {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    throw new ConfigError('E_CONFIG_FILE', `cannot read config file ${absolute}`, { cause, details: { file: absolute } });
  }
  let document: unknown;
  try {
    document = yaml().parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError('E_CONFIG_FILE', `config file ${absolute} is not valid JSON or YAML: ${reason}`, {
      cause,
      details: { file: absolute },
    });
  }
  if (document === null || document === undefined) return { file: absolute, values: {} };
  if (!isPlainObject(document)) {
    throw new ConfigError('E_CONFIG_FILE', `config file ${absolute} must hold a map of settings`, { details: { file: absolute } });
  }
  const values: Partial<Record<SettingKey, SettingValue>> = {};
  collect(document, '', absolute, values);
  return { file: absolute, values };
}

function collect(
  node: Readonly<Record<string, unknown>>,
  prefix: string,
  file: string,
  into: Partial<Record<SettingKey, SettingValue>>,
): void {
  for (const [name, value] of Object.entries(node)) {
    const dotted = prefix === '' ? name : `${prefix}.${name}`;
    const key = KEY_BY_FILE_PATH.get(dotted);
    if (key !== undefined) {
      if (typeof value === 'boolean') {
        // Issue 6: switches (`ble: true`) are written as YAML/JSON booleans.
        into[key] = value ? 'on' : 'off';
        continue;
      }
      if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
        throw new ConfigError('E_CONFIG_FILE', `config file ${file}: key ${dotted} must be a text or a number`, {
          details: { file, key: dotted },
        });
      }
      into[key] = value;
    } else if (isPlainObject(value) && [...KEY_BY_FILE_PATH.keys()].some((known) => known.startsWith(`${dotted}.`))) {
      collect(value, dotted, file, into);
    } else {
      throw new ConfigError(
        'E_CONFIG_FILE',
        `config file ${file}: unknown key ${dotted} (known keys: ${[...KEY_BY_FILE_PATH.keys()].join(', ')})`,
        { details: { file, key: dotted } },
      );
    }
  }
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The YAML parser (about 70 modules) is loaded when a config file is read, not whenever the config module is:
// the CLI loads that to declare its flags for every command (issue 3: start-up well under a second).
let yamlModule: typeof YamlModule | undefined;
function yaml(): typeof YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof YamlModule;
  return yamlModule;
}
