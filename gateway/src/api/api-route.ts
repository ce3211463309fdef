/**
 * What the HTTP API is made of: routes (method, path pattern, scope, handler) and mounts (a prefix handed to
 * a plain node:http handler, as the device side's admin routes are). A route with scope `null` is public.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiScope, ApiTokenInfo } from './api-tokens.js';

export interface ApiRequestContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** Values of the `:name` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  /** The authenticated token (null on public routes). */
  readonly token: ApiTokenInfo | null;
}

export type ApiReply =
  | { readonly kind: 'json'; readonly status?: number; readonly body: unknown }
  | { readonly kind: 'text'; readonly status?: number; readonly body: string; readonly contentType?: string }
  /** The handler wrote the response itself (streaming). */
  | { readonly kind: 'handled' };

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/entries/:index`. */
  readonly path: string;
  readonly scope: ApiScope | null;
  handle(context: ApiRequestContext): Promise<ApiReply> | ApiReply;
}

/**
 * A subtree of the API served by a plain node:http handler once the token has `scope` (the device side's
 * admin routes: `{ prefix: '/admin/', scope: 'admin', handle: (q, s, t) => adminRoutes(q, s, { by: `admin-api:${t.id}` }) }`).
 * The handler returns false for a path it does not serve (answered 404).
 */
export interface ApiMount {
  readonly prefix: string;
  readonly scope: ApiScope;
  handle(request: IncomingMessage, response: ServerResponse, token: ApiTokenInfo): Promise<boolean>;
}

export function json(body: unknown, status = 200): ApiReply {
  return { kind: 'json', status, body };
}

export function text(body: string, contentType = 'text/plain; charset=utf-8', status = 200): ApiReply {
  return { kind: 'text', status, body, contentType };
}
