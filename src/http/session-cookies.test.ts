import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../lib/app-error.js';
import {
  assertCsrf,
  clearSessionCookie,
  csrfHeader,
  sessionCookie,
  sessionExpiryHeaders,
  sessionProblem,
  setSessionCookie,
  subjectSessionCookie,
} from './session-cookies.js';

const checkedAt = new Date('2026-12-07T09:00:00.000Z');
const issued = {
  token: 'the-token',
  csrfToken: 'the-csrf-token',
  checkedAt,
  idleExpiresAt: new Date(checkedAt.getTime() + 30 * 60_000 + 400),
  expiresAt: new Date(checkedAt.getTime() + 12 * 3_600_000),
};

/** A bare app whose routes set, clear and check a session cookie the way both sides do. */
async function app() {
  const server = Fastify();
  await server.register(cookie);
  server.post<{ Params: { name: string } }>('/start/:name', async (request, reply) => {
    setSessionCookie(request, reply, request.params.name as typeof sessionCookie, issued);
    return {};
  });
  server.post<{ Params: { name: string } }>('/end/:name', async (request, reply) => {
    clearSessionCookie(reply, request.params.name as typeof sessionCookie);
    return {};
  });
  server.route({
    method: ['GET', 'POST'],
    url: '/act',
    handler: async (request) => {
      assertCsrf(request, issued.csrfToken);
      return { ok: true };
    },
  });
  server.setErrorHandler((error, _request, reply) =>
    reply.status(isAppError(error) ? 403 : 500).send({ code: isAppError(error) ? error.code : 'other' }),
  );
  return server;
}

describe('session cookies', () => {
  it('sets the operators’ and the subjects’ cookie alike: HttpOnly, SameSite=Strict, ending with the session', async () => {
    const server = await app();
    const cookies = [];
    for (const name of [sessionCookie, subjectSessionCookie]) {
      const response = await server.inject({ method: 'POST', url: `/start/${name}` });
      const [set] = response.cookies;
      expect(set).toMatchObject({ name, value: 'the-token', httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(set?.expires).toEqual(issued.expiresAt);
      expect(set?.secure).toBeUndefined();
      // Rounded up, so a client counting down never reaches zero before the session ends.
      expect(response.headers[sessionExpiryHeaders.idle]).toBe(String(30 * 60 + 1));
      expect(response.headers[sessionExpiryHeaders.absolute]).toBe(String(12 * 3600));
      cookies.push({ ...set, name: undefined });
    }
    expect(cookies[0]).toEqual(cookies[1]);
  });

  it('clears either cookie on the same path', async () => {
    const server = await app();
    for (const name of [sessionCookie, subjectSessionCookie]) {
      const [cleared] = (await server.inject({ method: 'POST', url: `/end/${name}` })).cookies;
      expect(cleared).toMatchObject({ name, value: '', path: '/' });
      expect(cleared?.expires?.getTime()).toBe(0);
    }
  });

  it('wants the CSRF token on state-changing requests only, and exactly that token', async () => {
    const server = await app();
    expect((await server.inject({ method: 'GET', url: '/act' })).statusCode).toBe(200);
    const post = (token?: string) =>
      server.inject({ method: 'POST', url: '/act', headers: token ? { [csrfHeader]: token } : {} });
    expect((await post(issued.csrfToken)).statusCode).toBe(200);
    for (const token of [undefined, 'wrong', `${issued.csrfToken}x`]) {
      const refused = await post(token);
      expect(refused.json()).toEqual({ code: 'csrf_invalid' });
    }
  });

  it('answers a lost session with a 401 saying why', () => {
    for (const problem of ['session_expired', 'session_invalid'] as const) {
      const error = sessionProblem(problem);
      expect(error.code).toBe('unauthenticated');
      expect(error.extensions).toMatchObject({ reason: problem });
    }
  });
});
