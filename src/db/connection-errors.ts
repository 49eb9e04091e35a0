import { AppError } from '../lib/app-error.js';

/**
 * The one place that decides whether an error means "the database cannot be reached right now" (a
 * restart, a failover, a network cut) rather than "this statement is wrong". Such errors pass: the pool
 * reconnects, and callers answer 503 with Retry-After instead of 500.
 */

/** SQLSTATE codes of a lost or refused connection: class 08, and the 57P0x shutdowns. */
const shutdownCodes = new Set(['57P01', '57P02', '57P03', '57P05']);
/** Node's socket errors when the server is down or the connection is cut. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** What pg says, without a code, when a connection ends under it or cannot be had. */
const lostMessages = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'terminating connection due to administrator command',
  // The database refuses new connections (ALLOW_CONNECTIONS false during maintenance).
  'is not currently accepting connections',
];

function isConnectionErrorItself(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('08') && code.length === 5) return true;
    if (shutdownCodes.has(code) || socketCodes.has(code)) return true;
  }
  return typeof message === 'string' && lostMessages.some((lost) => message.includes(lost));
}

/** Whether the error (or one it wraps, through `cause` or an AggregateError) is a lost database connection. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  if (isConnectionErrorItself(error)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isConnectionError(inner, depth + 1)))
    return true;
  return isConnectionError((error as { cause?: unknown }).cause, depth + 1);
}

/** Seconds a client is asked to wait before retrying while the database is unreachable. */
export const databaseRetryAfterSeconds = 5;

/** What a client is told while the database is unreachable: 503, retry shortly. */
export function databaseUnavailable(cause: unknown): AppError {
  return new AppError('database_unavailable', 'The database cannot be reached right now; retry shortly.', {
    cause,
    headers: { 'Retry-After': String(databaseRetryAfterSeconds) },
  });
}
