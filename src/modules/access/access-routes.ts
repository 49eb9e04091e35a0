import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { operatorSessionOf } from '../../http/authenticate.js';
import { auditContextOf } from '../../http/principal.js';
import { clearSessionCookie, sessionCookie, setSessionCookie } from '../../http/session-cookies.js';
import {
  presentOperator,
  presentSession,
  ZDisplayName,
  ZEmail,
  ZOperator,
  ZPassword,
  ZRecoveryCode,
  ZSession,
  ZToken,
  ZTotpCode,
} from './access-schemas.js';
import type { AuthService } from './auth-service.js';
import type { MfaService } from './mfa-service.js';
import type { OperatorService } from './operator-service.js';

type Deps = {
  auth: AuthService;
  mfa: MfaService;
  operators: OperatorService;
  rateLimitPerMinute: number;
};

const tags = ['auth'];

/** Login, MFA, sessions, password changes, first-admin setup and invitation acceptance. */
export function accessRoutes({ auth, mfa, operators, rateLimitPerMinute }: Deps): FastifyPluginAsyncZod {
  const rateLimit = { max: rateLimitPerMinute, timeWindow: '1 minute' };
  return async (app) => {
    app.post(
      '/v1/auth/login',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Sign in with e-mail and password',
          description:
            'Sets the HttpOnly session cookie. When `nextStep` is not null, MFA must be completed first.',
          body: z.object({ email: ZEmail, password: ZPassword }),
          response: { 200: ZSession },
        },
      },
      async (request, reply) => {
        const session = await auth.login(auditContextOf(request), request.body);
        setSessionCookie(request, reply, sessionCookie, session);
        return presentSession(session);
      },
    );

    app.get(
      '/v1/auth/session',
      {
        config: { access: 'session' },
        schema: {
          tags,
          summary: 'The current session, its operator and permissions',
          response: {
            200: z.object({
              operator: ZOperator,
              session: ZSession,
              permissions: z.array(z.string()),
              mfa: z.object({ enabled: z.boolean(), recoveryCodesRemaining: z.number().int() }),
            }),
          },
        },
      },
      async (request) => {
        const session = operatorSessionOf(request);
        const operator = await operators.get(session.operatorId);
        const status = await mfa.status(session.operatorId);
        return {
          operator: presentOperator(operator),
          session: presentSession(session),
          permissions: request.principal.kind === 'operator' ? [...request.principal.permissions].sort() : [],
          mfa: { enabled: status.enabled, recoveryCodesRemaining: status.recoveryCodesRemaining },
        };
      },
    );

    app.post(
      '/v1/auth/logout',
      {
        config: { access: 'session' },
        schema: { tags, summary: 'End this session', response: { 204: z.null() } },
      },
      async (request, reply) => {
        await auth.logout(auditContextOf(request), operatorSessionOf(request).sessionId);
        clearSessionCookie(reply, sessionCookie);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/auth/logout-all',
      {
        config: { access: 'session' },
        schema: {
          tags,
          summary: 'End every session of this operator',
          response: { 200: z.object({ revoked: z.number().int() }) },
        },
      },
      async (request, reply) => {
        const revoked = await auth.logoutEverywhere(
          auditContextOf(request),
          operatorSessionOf(request).operatorId,
        );
        clearSessionCookie(reply, sessionCookie);
        return { revoked };
      },
    );

    app.post(
      '/v1/auth/password',
      {
        config: { access: 'operator', rateLimit },
        schema: {
          tags,
          summary: 'Change your password (ends your other sessions)',
          body: z.object({ currentPassword: ZPassword, newPassword: ZPassword }),
          response: { 200: ZSession },
        },
      },
      async (request, reply) => {
        const session = await auth.changePassword(
          auditContextOf(request),
          operatorSessionOf(request),
          request.body,
        );
        setSessionCookie(request, reply, sessionCookie, session);
        return presentSession(session);
      },
    );

    app.post(
      '/v1/auth/mfa/enroll',
      {
        config: { access: 'session' },
        schema: {
          tags,
          summary: 'Start TOTP enrolment',
          description: 'Returns the otpauth:// URI and a QR code; confirm with a first code.',
          response: {
            200: z.object({ otpauthUri: z.string(), qrCodeDataUrl: z.string(), secretBase32: z.string() }),
          },
        },
      },
      async (request) => mfa.beginEnrolment(auditContextOf(request), operatorSessionOf(request).operatorId),
    );

    app.post(
      '/v1/auth/mfa/confirm',
      {
        config: { access: 'session', rateLimit },
        schema: {
          tags,
          summary: 'Confirm TOTP enrolment with a first code',
          description: 'Returns 10 single-use recovery codes, shown only this once.',
          body: z.object({ code: ZTotpCode }),
          response: { 200: z.object({ session: ZSession, recoveryCodes: z.array(z.string()) }) },
        },
      },
      async (request, reply) => {
        const result = await mfa.confirmEnrolment(
          auditContextOf(request),
          operatorSessionOf(request),
          request.body.code,
        );
        setSessionCookie(request, reply, sessionCookie, result.session);
        return { session: presentSession(result.session), recoveryCodes: result.recoveryCodes };
      },
    );

    app.post(
      '/v1/auth/mfa/verify',
      {
        config: { access: 'session', rateLimit },
        schema: {
          tags,
          summary: 'Complete sign-in with a TOTP code or a recovery code',
          body: z.object({ code: ZTotpCode.optional(), recoveryCode: ZRecoveryCode.optional() }),
          response: { 200: ZSession },
        },
      },
      async (request, reply) => {
        const session = await mfa.verify(auditContextOf(request), operatorSessionOf(request), request.body);
        setSessionCookie(request, reply, sessionCookie, session);
        return presentSession(session);
      },
    );

    app.post(
      '/v1/auth/mfa/recovery-codes',
      {
        config: { access: 'operator', rateLimit },
        schema: {
          tags,
          summary: 'Replace your recovery codes',
          body: z.object({ code: ZTotpCode }),
          response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
        },
      },
      async (request) => ({
        recoveryCodes: await mfa.regenerateRecoveryCodes(
          auditContextOf(request),
          operatorSessionOf(request),
          request.body.code,
        ),
      }),
    );

    app.post(
      '/v1/auth/mfa/disable',
      {
        config: { access: 'operator', rateLimit },
        schema: {
          tags,
          summary: 'Turn MFA off (not allowed for roles that require it)',
          body: z.object({ password: ZPassword, code: ZTotpCode }),
          response: { 200: ZSession },
        },
      },
      async (request, reply) => {
        const session = await mfa.disable(auditContextOf(request), operatorSessionOf(request), request.body);
        setSessionCookie(request, reply, sessionCookie, session);
        return presentSession(session);
      },
    );

    app.post(
      '/v1/setup/first-admin',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags: ['setup'],
          summary: 'Create the first administrator with the one-time setup token',
          body: z.object({ token: ZToken, email: ZEmail, displayName: ZDisplayName, password: ZPassword }),
          response: { 201: ZOperator },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(presentOperator(await operators.createFirstAdmin(auditContextOf(request), request.body))),
    );

    app.post(
      '/v1/auth/invitations/accept',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Accept an operator invitation and set a password',
          body: z.object({ token: ZToken, password: ZPassword }),
          response: { 200: ZOperator },
        },
      },
      async (request) =>
        presentOperator(await operators.acceptInvitation(auditContextOf(request), request.body)),
    );
  };
}
