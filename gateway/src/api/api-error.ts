/** Errors of the HTTP API; `httpStatusOf` maps any error to a status at the edge (STYLE.md rule 4). */
import { isTrialgateError, TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type ApiErrorCode =
  /** No token, or a token that is unknown or revoked: 401. */
  | 'E_API_UNAUTHENTICATED'
  /** A valid token without the route's scope: 403. */
  | 'E_API_FORBIDDEN'
  /** A malformed request (parameters): 400. */
  | 'E_API_BAD_REQUEST'
  /** Unknown route, or nothing at that index / size: 404. */
  | 'E_API_NOT_FOUND'
  /** The method is not allowed on the route: 405. */
  | 'E_API_METHOD'
  /** An invalid scope name when creating a token. */
  | 'E_API_SCOPE';

export class ApiError extends TrialgateError<ApiErrorCode> {
  override readonly name: string = 'ApiError';

  constructor(code: ApiErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}

const STATUS: Readonly<Record<string, number>> = {
  E_API_UNAUTHENTICATED: 401,
  E_API_FORBIDDEN: 403,
  E_API_BAD_REQUEST: 400,
  E_API_SCOPE: 400,
  E_API_NOT_FOUND: 404,
  E_API_METHOD: 405,
  E_STORAGE_INDEX_RANGE: 404,
  E_STORAGE_CLOSED: 503,
  E_STORAGE_NO_SPACE: 503,
  E_STORAGE_OVERLOADED: 503,
  E_TREE_ARGUMENT: 400,
};

export function httpStatusOf(error: unknown): number {
  if (!isTrialgateError(error)) return 500;
  return STATUS[error.code] ?? (error.code.startsWith('E_STORAGE_') ? 503 : 500);
}
