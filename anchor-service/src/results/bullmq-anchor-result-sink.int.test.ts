import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { postedResults } from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { describeAnchorResultSinkContract } from './anchor-result-sink.contract.js';
import { createBullmqAnchorResultSink } from './bullmq-anchor-result-sink.js';

const prefixes: string[] = [];
const connections: Redis[] = [];
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  for (const prefix of prefixes) await deleteKeysWithPrefix(SHARED_REDIS_URL, prefix);
});

describeAnchorResultSinkContract('bullmq', () => {
  const prefix = uniqueTestPrefix('sink');
  prefixes.push(prefix);
  const connection = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
  connections.push(connection);
  return Promise.resolve({
    sink: createBullmqAnchorResultSink({ connection, prefix }),
    read: (queueName) => postedResults(queueName, prefix),
  });
});
