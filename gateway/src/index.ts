export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type * from './storage/gateway-log.js';
export type * from './storage/log-projection.js';
