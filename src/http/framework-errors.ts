import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../lib/app-error.js';
import { problemFor, sendProblem, toAppError } from './problem.js';
import { requestIdFor } from './request-id.js';

/** Longer request targets answer 414 before any route runs; no Custos URL comes near it. */
export const maxUrlLength = 8192;

/** A 414 for a request target over the limit, whatever it would have matched. */
export function refuseOverlongUrls(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.length <= maxUrlLength) return done();
    done(new AppError('uri_too_long', `The request target is longer than ${maxUrlLength} characters.`));
  });
}

/**
 * Fastify's answers for a URL it cannot route (malformed percent-encoding, a path parameter over
 * `maxParamLength`) bypass the hooks, so this handler adds what the hooks would have: the security
 * headers and the request id, then the ordinary problem document.
 */
export function frameworkErrorHandler(headers: Record<string, string>) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    reply.headers(headers).header('x-request-id', request.id);
    sendProblem(reply, toAppError(error));
  };
}

const clientErrors: Record<string, { code: ErrorCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'headers_too_large',
    detail: 'The request line and headers are larger than this server accepts.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: 'request_timeout',
    detail: 'The request was not received in time.',
  },
};

/** The path of the request line Node could not parse, when it is there and short enough to echo. */
function pathOf(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '/';
  const match = /^[A-Z]{3,10} (\/[^\s?]{0,2047})[\s?]/.exec(rawPacket.subarray(0, 2100).toString('latin1'));
  return match?.[1] ?? '/';
}

/**
 * Node answers requests it cannot parse (headers too large, a malformed request line, a request timeout)
 * itself, before Fastify sees them, with a bare status line. This `clientError` handler answers them as
 * every other error: a problem document with the security headers and a request id, then closes the
 * connection, since the rest of what the client sent cannot be read.
 */
export function clientErrorHandler(headers: Record<string, string>) {
  return (error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy(error);
      return;
    }
    const known = clientErrors[error.code ?? ''] ?? {
      code: 'bad_request' as const,
      detail: 'The request could not be parsed as HTTP.',
    };
    const appError = new AppError(known.code, known.detail);
    const requestId = requestIdFor({ headers: {} } as never);
    const request = { id: requestId, url: pathOf(error.rawPacket) } as FastifyRequest;
    const body = JSON.stringify(problemFor(appError, request));
    const lines = Object.entries({
      ...headers,
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-request-id': requestId,
      connection: 'close',
    }).map(([name, value]) => `${name}: ${value}`);
    const status = `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status] ?? 'Error'}`;
    socket.end(`${status}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
  };
}
