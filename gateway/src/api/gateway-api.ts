/**
 * The HTTP API as the gateway process starts it (the composition root calls this): sponsor routes over the
 * running store, API tokens from the state database, and the device side's admin handler mounted under
 * `/admin/` behind the `admin` scope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnchorStore } from '../anchoring/anchor-store.js';
import type { Clock } from '../clock.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { componentLogger, type Logger } from '../observability/logger.js';
import type { LogStore } from '../storage/log-store.js';
import { liveLogView } from '../storage/log-view.js';
import type { ApiMount, ApiRoute } from './api-route.js';
import { ApiTokenStore } from './api-tokens.js';
import { startHttpApi, type HttpApi } from './http-api-server.js';
import { createSponsorRoutes } from './sponsor-routes.js';

export interface StartGatewayApiOptions {
  readonly store: LogStore;
  readonly gatewayKey: string;
  readonly anchors: AnchorStore;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  readonly clockSkewToleranceMs: number;
  /** More for `/healthz`. */
  readonly health?: () => Readonly<Record<string, unknown>>;
  /** The admin routes (device side): called with `by: 'admin-api:<token id>'`. */
  readonly adminHandler?: (request: IncomingMessage, response: ServerResponse, context: { readonly by: string }) => Promise<boolean>;
  /** More routes (added after the sponsor routes). */
  readonly routes?: readonly ApiRoute[];
  readonly mounts?: readonly ApiMount[];
}

export async function startGatewayApi(options: StartGatewayApiOptions): Promise<HttpApi> {
  const mounts: ApiMount[] = [...(options.mounts ?? [])];
  const admin = options.adminHandler;
  if (admin !== undefined) {
    mounts.push({
      prefix: '/admin/',
      scope: 'admin',
      handle: (request, response, token) => admin(request, response, { by: `admin-api:${token.id}` }),
    });
  }
  return startHttpApi({
    port: options.port,
    ...(options.host === undefined ? {} : { host: options.host }),
    tokens: new ApiTokenStore(options.store.db, options.clock),
    logger: componentLogger(options.logger, 'api'),
    metrics: options.metrics,
    mounts,
    routes: [
      ...createSponsorRoutes({
        view: liveLogView(options.store),
        anchors: options.anchors,
        metrics: options.metrics,
        gatewayKey: options.gatewayKey,
        clockSkewToleranceMs: options.clockSkewToleranceMs,
        ...(options.health === undefined ? {} : { health: options.health }),
      }),
      ...(options.routes ?? []),
    ],
  });
}
