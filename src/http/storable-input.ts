import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type FieldError } from '../lib/app-error.js';
import { unstorableStringPaths, unstorableTextMessage } from '../lib/storable-text.js';

const parts = [
  { in: 'params', of: (request: FastifyRequest) => request.params, code: 'invalid_path_parameter' },
  { in: 'querystring', of: (request: FastifyRequest) => request.query, code: 'invalid_query_parameter' },
  { in: 'body', of: (request: FastifyRequest) => request.body, code: 'validation_failed' },
] as const satisfies readonly { in: FieldError['in']; code: ErrorCode; of: unknown }[];

/**
 * Query parameters whose percent-encoding does not decode to UTF-8 (a lone surrogate can only arrive so).
 * The query-string parser keeps such a value as its raw text, which would then be searched for or stored
 * as if the client had meant it; the path gets the same check from the router (FST_ERR_BAD_URL).
 */
function undecodableQueryParameters(url: string): string[] {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('%', start)) return [];
  const names: string[] = [];
  for (const pair of url.slice(start + 1).split('&')) {
    const [name = '', value = ''] = pair.split('=', 2);
    for (const part of [name, value]) {
      try {
        decodeURIComponent(part);
      } catch {
        names.push(/^[\w.-]{1,64}$/.test(name) ? name : '(a parameter name)');
        break;
      }
    }
  }
  return names;
}

/** The fields of a request's path, query and parsed body that hold text PostgreSQL cannot store. */
export function unstorableFieldsOf(
  request: FastifyRequest,
): { code: ErrorCode; errors: FieldError[] } | null {
  let code: ErrorCode | null = null;
  const errors: FieldError[] = [];
  for (const name of undecodableQueryParameters(request.url)) {
    code ??= 'invalid_query_parameter';
    errors.push({ in: 'querystring', path: name, message: 'is not percent-encoded UTF-8' });
  }
  for (const part of parts) {
    for (const path of unstorableStringPaths(part.of(request))) {
      code ??= part.code;
      errors.push({ in: part.in, path, message: unstorableTextMessage });
    }
  }
  return code ? { code, errors } : null;
}

/**
 * Refuses, for every route, any path parameter, query parameter or JSON body string (or key) holding a
 * NUL or an unpaired surrogate, with a 400 naming each field. It runs as a hook rather than inside each
 * route's schema so that no route, present or future, can forget it, including parts a route declares no
 * schema for; access is decided before it (onRequest), as for every other validation.
 */
export function refuseUnstorableStrings(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const found = unstorableFieldsOf(request);
    if (!found) return done();
    const noun = found.errors.length === 1 ? 'field holds' : 'fields hold';
    done(
      new AppError(
        found.code,
        `${found.errors.length} ${noun} text that cannot be stored (a NUL character, an unpaired UTF-16 surrogate or bytes that are not UTF-8).`,
        { errors: found.errors },
      ),
    );
  });
}
