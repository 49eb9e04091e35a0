import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.js';
import { secretsEqual } from '../lib/secrets.js';
import type { SessionDeadlines, SessionProblem, StartedSession } from '../lib/session-kit.js';

/**
 * The HTTP half of the session kit, shared by the console's and the privacy center's sessions: the cookie
 * (set and cleared the same way under each side's name), the CSRF check, the expiry headers and the
 * problems a lost session answers with.
 */

/** The operators' session cookie. */
export const sessionCookie = 'custos_session';
/** The privacy center's session cookie: a data subject's, never accepted on operator routes. */
export const subjectSessionCookie = 'custos_privacy_session';
export type SessionCookieName = typeof sessionCookie | typeof subjectSessionCookie;
export const csrfHeader = 'x-csrf-token';
/**
 * On every answer to a cookie session (and where one is issued): how many seconds it has left unless
 * another request comes first (idle timeout, never past the absolute end), and however active. Counted on
 * the server's clock, so the web apps warn in time whatever their own clock says, and without asking
 * (asking would itself keep the session alive).
 */
export const sessionExpiryHeaders = {
  idle: 'x-session-idle-expires-in',
  absolute: 'x-session-expires-in',
} as const;

/** Sets the session-expiry headers of a session just authenticated or issued. */
export function sendSessionExpiry(reply: FastifyReply, session: SessionDeadlines): void {
  // Rounded up: a client counting down never reaches zero before the session has really ended.
  const secondsUntil = (at: Date) =>
    String(Math.max(0, Math.ceil((at.getTime() - session.checkedAt.getTime()) / 1000)));
  reply.header(sessionExpiryHeaders.idle, secondsUntil(session.idleExpiresAt));
  reply.header(sessionExpiryHeaders.absolute, secondsUntil(session.expiresAt));
}

/** Hands a new session to the browser: an HttpOnly, same-site cookie ending with it, and its expiry headers. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: SessionCookieName,
  session: StartedSession,
): void {
  reply.setCookie(name, session.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    expires: session.expiresAt,
  });
  sendSessionExpiry(reply, session);
}

/** Tells the browser to drop the session cookie (the session itself is revoked by the caller). */
export function clearSessionCookie(reply: FastifyReply, name: SessionCookieName): void {
  reply.clearCookie(name, { path: '/' });
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A state-changing request on a cookie session must carry the session's CSRF token in its header. */
export function assertCsrf(request: FastifyRequest, csrfToken: string): void {
  if (safeMethods.has(request.method)) return;
  const presented = request.headers[csrfHeader];
  if (typeof presented !== 'string' || !secretsEqual(presented, csrfToken)) {
    throw new AppError('csrf_invalid', `Send the session's CSRF token in the ${csrfHeader} header.`);
  }
}

/** The 401 of a cookie whose session is gone, with its reason for the client. */
export function sessionProblem(problem: SessionProblem): AppError {
  return new AppError(
    'unauthenticated',
    problem === 'session_expired'
      ? 'Your session has expired; sign in again.'
      : 'Your session is no longer valid; sign in again.',
    { extensions: { reason: problem } },
  );
}
