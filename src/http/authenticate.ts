import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import type { ApiKeyService } from '../modules/access/api-key-service.js';
import type { ActiveSession, AuthService } from '../modules/access/auth-service.js';
import { permissionsOfRoles } from '../modules/access/permissions.js';
import type { AuditWriter } from '../modules/audit/audit-types.js';
import type { SubjectAccountService, SubjectSession } from '../modules/privacy-center/subject-accounts.js';
import { anonymous, auditContextOf, type Principal } from './principal.js';
import type { RouteAccess } from './route-access.js';
import {
  assertCsrf,
  sendSessionExpiry,
  sessionCookie,
  sessionProblem,
  subjectSessionCookie,
} from './session-cookies.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator session behind a cookie-authenticated request. */
    session: ActiveSession | undefined;
    /** The data subject's privacy center session behind a `subject` route. */
    subjectSession: SubjectSession | undefined;
  }
}

type Deps = {
  auth: Pick<AuthService, 'authenticateSession'>;
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
  subjectAccounts: Pick<SubjectAccountService, 'authenticateSession'>;
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
  if ('problem' in result) throw sessionProblem(result.problem);
  const { session } = result;
  request.session = session;
  assertCsrf(request, session.csrfToken);
  return {
    kind: 'operator',
    operatorId: session.operatorId,
    sessionId: session.sessionId,
    roles: session.roles,
    permissions: permissionsOfRoles(session.roles),
    mfaSatisfied: session.mfaSatisfied,
    mfaVerified: session.mfaVerifiedAt !== null,
    csrfToken: session.csrfToken,
  };
}

/**
 * A data subject on a `subject` route: only the privacy center's cookie counts. Operators and API keys
 * are refused (403), so they can never act as a subject; no credentials at all is a 401.
 */
async function identifySubject(request: FastifyRequest, deps: Deps): Promise<Principal> {
  const token = request.cookies[subjectSessionCookie];
  if (!token) {
    if (request.headers.authorization !== undefined || request.cookies[sessionCookie]) {
      await deps.audit.record(auditContextOf(request), {
        action: 'access.denied',
        outcome: 'denied',
        details: { method: request.method, route: request.routeOptions.url ?? null, permission: 'subject' },
      });
      throw new AppError('forbidden', 'This route is for data subjects signed in to the privacy center.', {
        extensions: { permission: 'subject' },
      });
    }
    throw new AppError('unauthenticated', 'Sign in to the privacy center first.');
  }
  const result = await deps.subjectAccounts.authenticateSession(token);
  if ('problem' in result) throw sessionProblem(result.problem);
  const { session } = result;
  assertCsrf(request, session.csrfToken);
  request.subjectSession = session;
  return {
    kind: 'subject',
    accountId: session.accountId,
    subjectId: session.subjectId,
    sessionId: session.sessionId,
    permissions: new Set(),
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
  app.decorateRequest('subjectSession', undefined);

  app.addHook('onRequest', async (request, reply) => {
    request.principal = anonymous;
    const access: RouteAccess = request.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;
    if (access === 'subject') {
      request.principal = await identifySubject(request, deps);
      if (request.subjectSession) sendSessionExpiry(reply, request.subjectSession);
      return;
    }

    const principal = await identify(request, deps);
    request.principal = principal;
    if (request.session) sendSessionExpiry(reply, request.session);
    if (principal.kind === 'anonymous') {
      throw new AppError('unauthenticated', 'Sign in, or send an API key as a bearer token.');
    }
    if ((access === 'session' || access === 'operator') && principal.kind !== 'operator') {
      await deps.audit.record(auditContextOf(request), {
        action: 'access.denied',
        outcome: 'denied',
        details: { method: request.method, route: request.routeOptions.url ?? null, permission: access },
      });
      throw new AppError('forbidden', 'This route is for signed-in operators, not API keys.', {
        extensions: { permission: access },
      });
    }
    if (access === 'session') return;
    if (principal.kind === 'operator' && !principal.mfaSatisfied) {
      throw new AppError('mfa_required', 'Complete multi-factor authentication first.', {
        extensions: { nextStep: request.session?.nextStep ?? 'mfa_verify' },
      });
    }
    if (access === 'authenticated' || access === 'operator' || principal.permissions.has(access)) return;

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

/** The data subject's session of a request on a `subject` route. */
export function subjectSessionOf(request: FastifyRequest): SubjectSession {
  if (!request.subjectSession) throw new AppError('forbidden', 'This route is for signed-in data subjects.');
  return request.subjectSession;
}

/** The operator session of a request on a `session`/operator-only route; API keys are refused. */
export function operatorSessionOf(request: FastifyRequest): ActiveSession {
  if (!request.session)
    throw new AppError('forbidden', 'This route is for signed-in operators, not API keys.');
  return request.session;
}
