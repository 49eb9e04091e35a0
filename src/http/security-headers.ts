import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets for these options, computed once: they do not depend on the request. */
export function securityHeadersFor(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * The headers every response carries: helmet's for these options, and `Cache-Control: no-store`, since
 * responses carry personal data and no browser or proxy may keep a copy.
 */
export function responseSecurityHeaders(options: HelmetOptions): Record<string, string> {
  return { ...securityHeadersFor(options), 'cache-control': 'no-store' };
}

/**
 * Sends the security headers (CSP, nosniff, frame and referrer policy, …) on every response.
 * `@fastify/helmet` rebuilds helmet's middleware chain and re-parses the CSP on every request; these
 * headers are constant, so they are computed once and set in one call. A route that needs different
 * headers (the API reference UI sets its own CSP) overrides them in its own handler or hook.
 */
export function registerSecurityHeaders(app: FastifyInstance, headers: Record<string, string>): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
