import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnchorMetrics } from './anchor-metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startMetricsServer', () => {
  it('serves the anchor metrics in the Prometheus text format on GET /metrics, on a free port', async () => {
    const registry = new Registry();
    const metrics = createAnchorMetrics(registry);
    metrics.results.inc({ chain_id: '1', state: 'final' });
    metrics.rpcErrors.inc({ chain_id: '1', method: 'eth_getBalance' });
    server = await startMetricsServer(registry, '127.0.0.1', 0);
    expect(server.port).toBeGreaterThan(0);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('trialgate_anchor_results_total{chain_id="1",state="final"} 1');
    expect(text).toContain('trialgate_anchor_rpc_errors_total{chain_id="1",method="eth_getBalance"} 1');
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
  });
});
