import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const acceptable = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Request ids: a caller's `X-Request-Id` is kept when it looks like an id (so traces join up across
 * services); anything else is replaced, so a header can never inject text into logs.
 */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && acceptable.test(incoming) ? incoming : randomUUID();
}
