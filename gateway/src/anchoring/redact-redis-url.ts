/**
 * A Redis URL fit for a log line. Its own module, so that saying where the hand-off connects does not load
 * ioredis (anchoring-hand-off.ts loads the Redis clients only when a Redis URL is configured).
 */

/** The URL without credentials, for log lines. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '[unparsable redis url]';
  }
}
