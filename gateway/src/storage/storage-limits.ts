/**
 * Bounds shared by both `GatewayLog` adapters.
 *
 * One entry at most 4 MiB: a device message is a few hundred bytes and the broker caps packets far lower;
 * the bound keeps a corrupted length field from making recovery read gigabytes.
 */
export const MAX_ENTRY_BYTES = 4 * 1024 * 1024;
