import { describeAnchorResultSinkContract } from './anchor-result-sink.contract.js';
import { createMemoryAnchorResultSink } from './anchor-result-sink.js';

describeAnchorResultSinkContract('memory', () => {
  const sink = createMemoryAnchorResultSink();
  return Promise.resolve({
    sink,
    read: (queueName) => Promise.resolve(sink.posted.filter((entry) => entry.queueName === queueName).map((entry) => entry.result)),
  });
});
