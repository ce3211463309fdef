/**
 * Log lines as a first-time user can read them when a part fails: the parts log pino JSON, which is shown as
 * `LEVEL [component] message: error`; any other line is shown as it is.
 * Attacker-controlled? No (our own children's output), but parsed defensively: anything unexpected is shown raw.
 */
const LEVELS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const MAX_SHOWN = 400;

export function readableLogLine(line: string): string {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return clip(trimmed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return clip(trimmed);
  }
  if (typeof parsed !== 'object' || parsed === null) return clip(trimmed);
  const record = parsed as Record<string, unknown>;
  if (typeof record['msg'] !== 'string') return clip(trimmed);
  const level = typeof record['level'] === 'number' ? (LEVELS[record['level']] ?? String(record['level'])) : String(record['level'] ?? '');
  const component = typeof record['component'] === 'string' ? ` [${record['component']}]` : '';
  const err = record['err'];
  let error = '';
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    error = `: ${typeof code === 'string' ? `${code} ` : ''}${typeof message === 'string' ? message : ''}`;
  }
  return clip(`${level.toUpperCase()}${component} ${record['msg']}${error}`);
}

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}
