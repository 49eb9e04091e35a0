import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { subjectSessionOf } from '../../http/authenticate.js';
import { auditContextOf } from '../../http/principal.js';
import { clearSessionCookie, setSessionCookie, subjectSessionCookie } from '../../http/session-cookies.js';
import { minPasswordLength } from '../access/passwords.js';
import type { ProofInput } from '../consent/consent-proof.js';
import { hasGpcSignal } from '../consent/gpc.js';
import type { PurposeService } from '../consent/purpose-service.js';
import type { AccountVerification } from './account-verification.js';
import type { Branding } from './branding.js';
import {
  presentPublicPurpose,
  ZCodeResend,
  ZConsentChange,
  ZEmailConfirmation,
  ZOwnConsent,
  ZOwnConsentEvent,
  ZOwnRecord,
  ZOwnRequest,
  ZOwnRequestInput,
  ZPortabilityDownload,
  ZPrivacyConfig,
  ZRegistration,
  ZRegistrationAccepted,
  ZSubjectLogin,
  ZSubjectSession,
} from './privacy-schemas.js';
import type { RegistrationService } from './registration.js';
import { type SelfService, selfServiceRequestTypes } from './self-service.js';
import { asSubject, type IssuedSubjectSession, type SubjectAccountService } from './subject-accounts.js';

type Deps = {
  subjectAccounts: SubjectAccountService;
  registration: RegistrationService;
  verification: Pick<AccountVerification, 'verify' | 'resendCode'>;
  selfService: SelfService;
  purposes: Pick<PurposeService, 'list'>;
  branding: Branding;
  rateLimitPerMinute: number;
};

const tags = ['privacy center'];
/** What registration and re-sending a code answer, whatever the address: it says nothing about accounts. */
export const registrationAcceptedMessage =
  'We are sending a message to the address you gave; it should arrive within a few minutes. It holds a code to confirm the address or, if the address has an account already, says so. A code works for 24 hours.';
const codeResentMessage =
  'If this address has a registration waiting to be confirmed, we have sent a new code to it. Older codes no longer work.';
const ZId = z.object({ id: z.uuid().toLowerCase() });

function presentIssued(session: IssuedSubjectSession) {
  return {
    subjectId: session.subjectId,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
    idleExpiresAt: session.idleExpiresAt.toISOString(),
  };
}

/** Where and how the subject acted: hashed by the consent module at once, never stored as is. */
function proofOf(request: FastifyRequest, formId: string): ProofInput {
  const userAgent = request.headers['user-agent'];
  return {
    formId,
    ip: request.ip,
    userAgent: typeof userAgent === 'string' && userAgent.length <= 1000 ? userAgent : undefined,
  };
}

/** Global Privacy Control: the `Sec-GPC: 1` header, or the flag the page read from the browser. */
function gpcOf(request: FastifyRequest, flag: boolean): boolean {
  return flag || hasGpcSignal(request.headers['sec-gpc']);
}

/**
 * The privacy center's API: registration and sign-in (public), and what a signed-in data subject does
 * about their own data (`subject` routes, reached only with the privacy center's session cookie).
 */
export function privacyRoutes({
  subjectAccounts,
  registration,
  verification,
  selfService,
  purposes,
  branding,
  rateLimitPerMinute,
}: Deps): FastifyPluginAsyncZod {
  const rateLimit = { max: rateLimitPerMinute, timeWindow: '1 minute' };
  const own = (request: FastifyRequest) => {
    const session = subjectSessionOf(request);
    return { session, context: asSubject(auditContextOf(request), session.subjectId) };
  };

  return async (app) => {
    app.get(
      '/v1/privacy/config',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'What the privacy center shows before sign-in: branding, purposes, rights',
          response: { 200: ZPrivacyConfig },
        },
      },
      async () => ({
        branding,
        purposes: (await purposes.list()).map(presentPublicPurpose),
        requestTypes: [...selfServiceRequestTypes],
        passwordMinLength: minPasswordLength,
      }),
    );

    /** A new session: the browser's GPC signal (header or form flag) honoured, the cookie set, the session answered. */
    async function signedIn(
      request: FastifyRequest,
      reply: FastifyReply,
      session: IssuedSubjectSession,
      { gpc, formId }: { gpc: boolean; formId: string },
    ) {
      if (gpcOf(request, gpc)) {
        const context = asSubject(auditContextOf(request), session.subjectId);
        await selfService.honourGpc(context, session.subjectId, proofOf(request, formId));
      }
      setSessionCookie(request, reply, subjectSessionCookie, session);
      return presentIssued(session);
    }

    app.post(
      '/v1/privacy/register',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Register as a data subject, with a choice per consent-based purpose',
          description:
            'Answers 202 with the same message, after the same work, whether or not the address has an account, so registration cannot tell who is a customer: the request checks the input, hashes the password and stores the registration (sealed) for a background job, which looks the address up. A new address then gets a vault subject holding the name and e-mail address (sealed), an account waiting for its address to be confirmed, and a code to confirm the address by e-mail (valid 24 hours). The consent choices (and Global Privacy Control) wait with the account, their proof taken now, and count only once the address is confirmed; until then the subject has consented to nothing. An address with an account gets a notice instead and nothing is created. Only input errors (a weak password, an unknown purpose) answer otherwise.',
          body: ZRegistration,
          response: { 202: ZRegistrationAccepted },
        },
      },
      async (request, reply) => {
        const { globalPrivacyControl, ...body } = request.body;
        await registration.register(auditContextOf(request), {
          ...body,
          gpc: gpcOf(request, globalPrivacyControl),
          proof: proofOf(request, 'privacy-center.register'),
        });
        return reply.status(202).send({ message: registrationAcceptedMessage });
      },
    );

    app.post(
      '/v1/privacy/verify',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Confirm the e-mail address of a new account with the code e-mailed to it, and sign in',
          description:
            'Activates the account, records the consent choices made at registration (as given then, with their proof) in the same transaction, and sets the privacy center session cookie. Every failure (no registration waiting for this address, a wrong, expired, replaced or used-up code) answers the same 422 `verification_failed`; a wrong code counts against the code’s five tries.',
          body: ZEmailConfirmation,
          response: { 200: ZSubjectSession },
        },
      },
      async (request, reply) => {
        const session = await verification.verify(auditContextOf(request), request.body);
        return signedIn(request, reply, session, {
          gpc: request.body.globalPrivacyControl,
          formId: 'privacy-center.verify',
        });
      },
    );

    app.post(
      '/v1/privacy/verify/resend',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Send a new code to confirm an address (neutral answer)',
          description:
            'Sends a new code, replacing earlier ones, when the address has a registration waiting to be confirmed, at most five codes a day; answers 202 with the same message in every case.',
          body: ZCodeResend,
          response: { 202: ZRegistrationAccepted },
        },
      },
      async (request, reply) => {
        await verification.resendCode(auditContextOf(request), request.body.email);
        return reply.status(202).send({ message: codeResentMessage });
      },
    );

    app.post(
      '/v1/privacy/login',
      {
        config: { access: 'public', rateLimit },
        schema: {
          tags,
          summary: 'Sign in to the privacy center',
          body: ZSubjectLogin,
          response: { 200: ZSubjectSession },
        },
      },
      async (request, reply) => {
        const session = await subjectAccounts.login(auditContextOf(request), request.body);
        return signedIn(request, reply, session, {
          gpc: request.body.globalPrivacyControl,
          formId: 'privacy-center.login',
        });
      },
    );

    app.get(
      '/v1/privacy/session',
      {
        config: { access: 'subject' },
        schema: { tags, summary: 'The signed-in subject’s session', response: { 200: ZSubjectSession } },
      },
      async (request) => {
        const session = subjectSessionOf(request);
        return {
          subjectId: session.subjectId,
          csrfToken: session.csrfToken,
          expiresAt: session.expiresAt.toISOString(),
          idleExpiresAt: session.idleExpiresAt.toISOString(),
        };
      },
    );

    app.post(
      '/v1/privacy/logout',
      {
        config: { access: 'subject' },
        schema: { tags, summary: 'Sign out of the privacy center', response: { 204: z.null() } },
      },
      async (request, reply) => {
        const { session, context } = own(request);
        await subjectAccounts.logout(context, session);
        clearSessionCookie(reply, subjectSessionCookie);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/v1/privacy/me/data',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'Everything held about me, in clear (audited)',
          response: { 200: z.object({ items: z.array(ZOwnRecord) }) },
        },
      },
      async (request) => {
        const { session, context } = own(request);
        return { items: await selfService.myData(context, session.subjectId) };
      },
    );

    app.post(
      '/v1/privacy/me/export',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'Download my data (portability): a ZIP of JSON and CSV',
          description:
            'Files a portability request for the signed-in subject, fulfils it at once through the requests module’s export and completes it; answers the archive’s download link.',
          response: { 201: ZPortabilityDownload },
        },
      },
      async (request, reply) => {
        const { session, context } = own(request);
        return reply.status(201).send(await selfService.downloadPortability(context, session.subjectId));
      },
    );

    app.get(
      '/v1/privacy/me/consents',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'Every purpose with my standing choice and what I may change',
          response: { 200: z.object({ items: z.array(ZOwnConsent) }) },
        },
      },
      async (request) => {
        const { session } = own(request);
        const items = await selfService.consents(session.subjectId);
        return {
          items: items.map((item) => ({
            ...item,
            purpose: presentPublicPurpose(item.purpose),
            objectedAt: item.objectedAt?.toISOString() ?? null,
            updatedAt: item.updatedAt?.toISOString() ?? null,
          })),
        };
      },
    );

    app.post(
      '/v1/privacy/me/consents',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'Grant, withdraw or object for one purpose',
          body: ZConsentChange,
          response: { 200: z.object({ recorded: z.number().int() }) },
        },
      },
      async (request) => {
        const { session, context } = own(request);
        const receipts = await selfService.changeConsent(context, session.subjectId, {
          purpose: request.body.purpose,
          action: request.body.action,
          gpc: gpcOf(request, request.body.globalPrivacyControl),
          proof: proofOf(request, 'privacy-center.consents'),
        });
        return { recorded: receipts.length };
      },
    );

    app.get(
      '/v1/privacy/me/consents/history',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'My consent history, oldest first',
          response: { 200: z.object({ items: z.array(ZOwnConsentEvent) }) },
        },
      },
      async (request) => {
        const { session, context } = own(request);
        return { items: await selfService.consentHistory(context, session.subjectId) };
      },
    );

    app.get(
      '/v1/privacy/me/requests',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'My requests, newest first, with their status and deadline',
          response: { 200: z.object({ items: z.array(ZOwnRequest) }) },
        },
      },
      async (request) => ({ items: await selfService.myRequests(own(request).session.subjectId) }),
    );

    app.post(
      '/v1/privacy/me/requests',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'Ask for access, rectification, erasure, restriction or objection',
          description:
            'Filed through the privacy center channel. The session is the verification: with an address confirmed by its e-mailed code the request is filed `verified` (method `authenticated_subject`); accounts made before confirmation existed are verified by the privacy team. Answered by the deadline shown. A rectification names what to correct: fields of my records with their corrected values, checked against the collections (400 naming the field otherwise) and applied by the team through the request’s rectification.',
          body: ZOwnRequestInput,
          response: { 201: ZOwnRequest },
        },
      },
      async (request, reply) => {
        const { session, context } = own(request);
        return reply
          .status(201)
          .send(await selfService.fileRequest(context, session, request.body.type, request.body.corrections));
      },
    );

    app.post(
      '/v1/privacy/me/requests/:id/withdrawal',
      {
        config: { access: 'subject' },
        schema: {
          tags,
          summary: 'Take back one of my requests',
          params: ZId,
          response: { 200: ZOwnRequest },
        },
      },
      async (request) => {
        const { session, context } = own(request);
        return selfService.withdrawRequest(context, session.subjectId, request.params.id);
      },
    );
  };
}
