import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from './gateway-metrics.js';

describe('createGatewayMetrics', () => {
  it('serves the gateway metrics in Prometheus text format from one registry', async () => {
    const metrics = createGatewayMetrics({ defaultMetrics: false });
    metrics.messagesRejected.inc({ reason: 'E_COSE_SIGNATURE' });
    metrics.treeSize.set(12);
    const text = await metrics.registry.metrics();
    expect(text).toContain('trialgate_messages_rejected_total{reason="E_COSE_SIGNATURE"} 1');
    expect(text).toContain('trialgate_tree_size 12');
    expect(text).toContain('trialgate_storage_fsync_seconds_bucket');
  });

  it('includes process metrics such as resident memory by default', async () => {
    const metrics = createGatewayMetrics();
    expect(await metrics.registry.metrics()).toContain('trialgate_process_resident_memory_bytes');
  });
});
