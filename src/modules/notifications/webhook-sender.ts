import http from 'node:http';
import https from 'node:https';
import { type DestinationPolicy, guardedLookup, urlProblem } from './webhook-destination.js';

/** Why an attempt failed, as a stable class; the receiver's own words are at most a short snippet. */
export type AttemptError =
  | 'http_status'
  | 'redirect'
  | 'timeout'
  | 'dns_failure'
  | 'connection_refused'
  | 'connection_reset'
  | 'tls_error'
  | 'destination_refused'
  | 'network_error';

export type AttemptResult = {
  delivered: boolean;
  statusCode: number | null;
  error: AttemptError | null;
  /** The start of a failed response's body, control characters removed; null for successes. */
  responseSnippet: string | null;
  durationMs: number;
};

export type SenderSettings = DestinationPolicy & { timeoutMs: number; userAgent: string };

/** Response bytes read to make a snippet; the rest of the body is never read. */
const snippetBytes = 1024;
const snippetChars = 200;

class AttemptTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

const tlsCodes =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

export function errorClassOf(error: unknown): AttemptError {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'network_error';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') return 'dns_failure';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection_reset';
  if (code === 'EDESTINATIONREFUSED') return 'destination_refused';
  if (tlsCodes.test(code)) return 'tls_error';
  return 'network_error';
}

function snippetOf(chunks: Buffer[]): string | null {
  const text = Buffer.concat(chunks)
    .subarray(0, snippetBytes)
    .toString('utf8')
    .replaceAll(/[\p{Cc}\p{Cf}\uFFFD]+/gu, ' ')
    .trim()
    .slice(0, snippetChars);
  return text.length > 0 ? text : null;
}

/**
 * Sends one webhook attempt: a POST of the exact body with the signature headers, within `timeoutMs` from
 * connect to response, without following redirects (a 3xx is a failure), through the destination guard.
 * Never throws: every outcome is an AttemptResult.
 */
export function webhookSender(settings: SenderSettings) {
  const lookup = guardedLookup(settings);

  return function send(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const started = performance.now();
    const finish = (result: Omit<AttemptResult, 'durationMs'>): AttemptResult => ({
      ...result,
      durationMs: Math.round(performance.now() - started),
    });
    // The policy may have been tightened since the endpoint was saved.
    if (urlProblem(url, settings) !== undefined) {
      return Promise.resolve(
        finish({ delivered: false, statusCode: null, error: 'destination_refused', responseSnippet: null }),
      );
    }
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;

    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: Omit<AttemptResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve(finish(result));
      };
      const fail = (error: unknown) =>
        settle({ delivered: false, statusCode: null, error: errorClassOf(error), responseSnippet: null });

      const request = transport.request(
        target,
        {
          method: 'POST',
          agent: false,
          lookup,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': settings.userAgent,
          },
        },
        (response) => {
          const statusCode = response.statusCode ?? 0;
          if (statusCode >= 200 && statusCode < 300) {
            settle({ delivered: true, statusCode, error: null, responseSnippet: null });
            return;
          }
          const error: AttemptError = statusCode >= 300 && statusCode < 400 ? 'redirect' : 'http_status';
          const chunks: Buffer[] = [];
          let received = 0;
          const done = () =>
            settle({ delivered: false, statusCode, error, responseSnippet: snippetOf(chunks) });
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            received += chunk.length;
            if (received >= snippetBytes) done();
          });
          response.on('end', done);
          response.on('error', done);
        },
      );
      const timer = setTimeout(
        () => fail(new AttemptTimeoutError('the receiver did not answer in time')),
        settings.timeoutMs,
      );
      request.on('error', fail);
      request.end(body);
    });
  };
}

export type WebhookSender = ReturnType<typeof webhookSender>;
