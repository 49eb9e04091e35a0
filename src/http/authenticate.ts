import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import { secretsEqual } from '../lib/secrets.js';
import type { ApiKeyService } from '../modules/access/api-key-service.js';
import type { ActiveSession, AuthService } from '../modules/access/auth-service.js';
import { permissionsOfRoles } from '../modules/access/permissions.js';
import type { AuditWriter } from '../modules/audit/audit-types.js';
import { anonymous, auditContextOf, type Principal } from './principal.js';
import type { RouteAccess } from './route-access.js';

export const sessionCookie = 'custos_session';
export const csrfHeader = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator session behind a cookie-authenticated request. */
    session: ActiveSession | undefined;
  }
}

type Deps = {
  auth: Pick<AuthService, 'authenticateSession'>;
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
  audit: AuditWriter;
};

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

async function identify(request: FastifyRequest, deps: Deps): Promise<Principal> {
  const bearer = bearerOf(request);
  if (request.headers.authorization !== undefined) {
    const key = bearer ? await deps.apiKeys.authenticate(bearer) : undefined;
    if (!key)
      throw new AppError('unauthenticated', 'The API key is invalid, expired or revoked.', {
        extensions: { reason: 'invalid_api_key' },
      });
    return { kind: 'api_key', keyId: key.keyId, permissions: key.permissions };
  }
  const token = request.cookies[sessionCookie];
  if (!token) return anonymous;
  const result = await deps.auth.authenticateSession(token);
  if ('problem' in result) {
    throw new AppError(
      'unauthenticated',
      result.problem === 'session_expired'
        ? 'Your session has expired; sign in again.'
        : 'Your session is no longer valid; sign in again.',
      {
        extensions: { reason: result.problem },
      },
    );
  }
  const { session } = result;
  request.session = session;
  if (!safeMethods.has(request.method)) {
    const presented = request.headers[csrfHeader];
    if (typeof presented !== 'string' || !secretsEqual(presented, session.csrfToken)) {
      throw new AppError('csrf_invalid', `Send the session's CSRF token in the ${csrfHeader} header.`);
    }
  }
  return {
    kind: 'operator',
    operatorId: session.operatorId,
    sessionId: session.sessionId,
    roles: session.roles,
    permissions: permissionsOfRoles(session.roles),
    mfaSatisfied: session.mfaSatisfied,
    csrfToken: session.csrfToken,
  };
}

/**
 * Establishes who is calling (API key in `Authorization: Bearer`, or the session cookie) and enforces the
 * route's declared access before validation or the handler run. Every permission denial is audited.
 */
export async function registerAuthentication(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('session', undefined);

  app.addHook('onRequest', async (request) => {
    request.principal = anonymous;
    const access: RouteAccess = request.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;

    const principal = await identify(request, deps);
    request.principal = principal;
    if (principal.kind === 'anonymous') {
      throw new AppError('unauthenticated', 'Sign in, or send an API key as a bearer token.');
    }
    if (access === 'session') {
      if (principal.kind !== 'operator')
        throw new AppError('forbidden', 'This route is for signed-in operators.');
      return;
    }
    if (principal.kind === 'operator' && !principal.mfaSatisfied) {
      throw new AppError('mfa_required', 'Complete multi-factor authentication first.', {
        extensions: { nextStep: request.session?.nextStep ?? 'mfa_verify' },
      });
    }
    if (access === 'authenticated' || principal.permissions.has(access)) return;

    await deps.audit.record(auditContextOf(request), {
      action: 'access.denied',
      outcome: 'denied',
      details: { method: request.method, route: request.routeOptions.url ?? null, permission: access },
    });
    throw new AppError('forbidden', `This needs the ${access} permission.`, {
      extensions: { permission: access },
    });
  });
}

/** The operator session of a request on a `session`/operator-only route; API keys are refused. */
export function operatorSessionOf(request: FastifyRequest): ActiveSession {
  if (!request.session)
    throw new AppError('forbidden', 'This route is for signed-in operators, not API keys.');
  return request.session;
}
