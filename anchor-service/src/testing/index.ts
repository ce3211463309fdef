/**
 * `@trialgate/anchor-service/testing`: helpers other packages' tests and benchmarks reuse (a real anvil on a
 * free port, an RPC fault proxy, signed checkpoints and their jobs, Redis test prefixes). Test code only.
 */
export { startAnvil, type AnvilAccount, type AnvilProcess, type StartAnvilOptions } from './anvil-process.js';
export { startRpcFaultProxy, type RpcFault, type RpcFaultProxy } from './rpc-fault-proxy.js';
export { createCheckpointSigner, signCheckpoint, type CheckpointSigner, type SignedCheckpoint } from './signed-checkpoint.js';
export { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from './redis-test-prefix.js';
