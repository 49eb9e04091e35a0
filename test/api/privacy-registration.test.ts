import { randomUUID } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/lib/app-error.js';
import { fixedClock } from '../../src/lib/clock.js';
import { registrationExpiryJobName } from '../../src/modules/privacy-center/privacy-jobs.js';
import { registrationJobName } from '../../src/modules/privacy-center/registration.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { strongPassword } from '../helpers/factories.js';
import { captureLog } from '../helpers/log-capture.js';
import {
  alreadyRegisteredKind,
  codeIn,
  confirmationCodeFor,
  confirmationCodeKind,
  heldMailTo,
  registerAndWork,
  registerConfirmed,
  workRegistrations,
} from '../helpers/privacy-center.js';
import { findInDatabase } from '../helpers/scan.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(143);

type Headers = Record<string, string>;
type Reply = { statusCode: number; json(): Record<string, unknown>; cookies: unknown[] };

const dayMs = 86_400_000;

/** A problem document as a client compares it: everything but the request id, which is per request. */
function shapeOf(response: Reply): Record<string, unknown> {
  const { requestId: _requestId, ...rest } = response.json();
  return { status: response.statusCode, ...rest };
}

function registrationOf(email: string, overrides: Record<string, unknown> = {}) {
  return {
    name: faker.person.fullName(),
    email,
    password: strongPassword,
    consents: [{ purpose: 'newsletter', version: 1, granted: true }],
    ...overrides,
  };
}

const purposeBase = {
  legalBasis: 'consent',
  description: '',
  dataUses: ['marketing.communications.email'],
  dataCategories: ['user.contact.email'],
};
const newsletter = {
  ...purposeBase,
  key: 'newsletter',
  name: 'Newsletter',
  text: 'We send you our newsletter, at most once a week.',
};
const partnerAds = {
  ...purposeBase,
  key: 'partner_ads',
  name: 'Partner advertising',
  dataUses: ['marketing.advertising.third_party.targeted'],
  ccpa: { sharing: true },
  text: 'We share your e-mail address with advertising partners to show you relevant ads.',
};

describe('privacy center registration, confirmed by e-mail', () => {
  const clock = fixedClock(new Date());
  let t: TestApp;
  let dpo: AuthHeaders;

  beforeAll(async () => {
    // Many registrations, codes and sign-ins from one address: the per-IP route limit is not under test.
    t = await createTestApp({ clock, env: { CUSTOS_AUTH_RATE_LIMIT: '1000' } });
    dpo = await actAs(t, 'dpo');
    for (const definition of [newsletter, partnerAds]) {
      const purpose = await t.app.inject({
        method: 'POST',
        url: '/v1/consent/purposes',
        headers: dpo,
        payload: definition,
      });
      expect(purpose.statusCode, purpose.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  const post = (url: string, payload: Record<string, unknown>, headers: Headers = {}) =>
    t.app.inject({ method: 'POST', url, headers, payload });
  /** The request alone, as the registrant's browser sees it; its job has not run. */
  const received = (payload: Record<string, unknown>) => post('/v1/privacy/register', payload);
  /** The request, then its job, as a worker runs it. */
  const register = (payload: Record<string, unknown>) => registerAndWork(t, payload);
  const verify = (email: string, code: string) => post('/v1/privacy/verify', { email, code });
  const resend = (email: string) => {
    // A second later, so that the outbox (newest first) tells the new code from the earlier ones.
    clock.advance(1_000);
    return post('/v1/privacy/verify/resend', { email });
  };
  const signIn = (email: string, password: string) => post('/v1/privacy/login', { email, password });
  const freshEmail = () => faker.internet.email().toLowerCase();

  async function subjectIdsOf(email: string): Promise<string[]> {
    const found = await post('/v1/subjects/search', { email }, dpo);
    expect(found.statusCode, found.body).toBe(200);
    return found.json().items.map((item: { id: string }) => item.id);
  }

  async function auditOf(action: string, targetId?: string) {
    const page = await t.runtime.services.audit.query({ action, targetId }, undefined, 50);
    return page.items;
  }

  /** The subject's consent events, oldest first, straight from the table. */
  async function consentEventsOf(subjectId: string) {
    return t.runtime.database.db
      .selectFrom('consent_events')
      .select(['purpose_key', 'action', 'method', 'source', 'given_at', 'recorded_at', 'form_id'])
      .where('subject_id', '=', subjectId)
      .orderBy('seq')
      .execute();
  }

  /** Registrations received and not worked yet. */
  async function pendingCount(): Promise<number> {
    const rows = await t.runtime.database.db.selectFrom('pending_registrations').select('id').execute();
    return rows.length;
  }

  /** Registration jobs queued and not run yet. */
  async function queuedJobs(): Promise<number> {
    const { rows } = await t.runtime.database.executeSql(
      `select id from pgboss.job where name = $1 and state = 'created'`,
      [registrationJobName],
    );
    return rows.length;
  }

  async function pendingConsentsOf(subjectId: string) {
    const account = await t.runtime.database.db
      .selectFrom('subject_accounts')
      .select(['status', 'pending_consents'])
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    return account.pending_consents;
  }

  it('answers a taken address exactly as a free one: nothing is made, and only the owner is told', async () => {
    const owner = freshEmail();
    const existing = await registerConfirmed(t, registrationOf(owner));
    const free = freshEmail();

    const forFree = await register(registrationOf(free));
    const forTaken = await register(registrationOf(owner.toUpperCase(), { name: 'Someone Else' }));
    expect(forFree.statusCode).toBe(202);
    expect(forTaken.statusCode).toBe(202);
    expect(forTaken.json()).toEqual(forFree.json());
    expect(forTaken.json().message).toMatch(/sending a message to the address you gave/);
    expect(forTaken.headers['content-type']).toBe(forFree.headers['content-type']);
    expect(forTaken.cookies).toEqual([]);
    expect(forFree.cookies).toEqual([]);

    expect(await subjectIdsOf(owner)).toEqual([existing.subjectId]);
    expect(await subjectIdsOf(free)).toHaveLength(1);
    const [notice] = await heldMailTo(t, owner, alreadyRegisteredKind);
    expect(notice?.content?.text).toMatch(/already have an account/);
    expect(notice?.content?.text).toMatch(/\/privacy\/login/);
    expect(codeIn(notice?.content?.text)).toBeUndefined();
    expect(await heldMailTo(t, free, confirmationCodeKind)).toHaveLength(1);
    expect(await heldMailTo(t, free, alreadyRegisteredKind)).toHaveLength(0);

    // Again within the hour: the same answer, and no second notice to fill the owner's mailbox.
    const again = await register(registrationOf(owner));
    expect(again.json()).toEqual(forFree.json());
    expect(await heldMailTo(t, owner, alreadyRegisteredKind)).toHaveLength(1);

    const repeated = await auditOf('subject.account.registration_repeated', existing.subjectId);
    expect(repeated.map((entry) => [entry.actor.type, entry.details])).toEqual([
      ['anonymous', { status: 'active', notified: false }],
      ['anonymous', { status: 'active', notified: true }],
    ]);
  });

  it('does the same work in the request for a taken and a free address, and leaves the rest to the job', async () => {
    const owner = freshEmail();
    const existing = await registerConfirmed(t, registrationOf(owner));
    const free = freshEmail();
    const name = faker.person.fullName();
    const mailBefore = (await t.runtime.database.db.selectFrom('mail_outbox').select('id').execute()).length;
    const hash = vi.spyOn(t.runtime.services.passwordHasher, 'hash');
    const lookup = vi.spyOn(t.runtime.services.subjectAccounts, 'findByEmail');

    const requests = [];
    for (const email of [owner, free]) {
      const response = await received(registrationOf(email, { name }));
      requests.push({
        status: response.statusCode,
        body: response.json(),
        hashed: hash.mock.calls.length,
        pending: await pendingCount(),
        jobs: await queuedJobs(),
      });
      hash.mockClear();
    }
    hash.mockRestore();
    // Each request hashed the password once, stored one pending registration and queued one job; neither
    // looked the address up, created anything or wrote mail.
    expect(requests).toEqual([
      { status: 202, body: requests[0]?.body, hashed: 1, pending: 1, jobs: 1 },
      { status: 202, body: requests[0]?.body, hashed: 1, pending: 2, jobs: 2 },
    ]);
    expect(lookup).not.toHaveBeenCalled();
    lookup.mockRestore();
    expect(await subjectIdsOf(free)).toEqual([]);
    expect((await t.runtime.database.db.selectFrom('mail_outbox').select('id').execute()).length).toBe(
      mailBefore,
    );
    const receivedEntries = await auditOf('subject.account.registration_received');
    expect(receivedEntries.slice(0, 2).map((entry) => [entry.actor.type, entry.target?.type])).toEqual([
      ['anonymous', 'registration'],
      ['anonymous', 'registration'],
    ]);
    // What waits for the job is sealed: neither the address, the name nor the password is readable.
    const readable = await findInDatabase(t.runtime.database, [owner, free, name, strongPassword]);
    expect(readable.filter((hit) => hit.includes('pending_registrations') || hit.includes('pgboss'))).toEqual(
      [],
    );

    // The job then registers the free address, tells the owner of the taken one, and deletes both.
    expect(await workRegistrations(t)).toBe(2);
    expect(await pendingCount()).toBe(0);
    expect(await subjectIdsOf(free)).toHaveLength(1);
    expect(await heldMailTo(t, free, confirmationCodeKind)).toHaveLength(1);
    expect(await subjectIdsOf(owner)).toEqual([existing.subjectId]);
    expect(await heldMailTo(t, owner, alreadyRegisteredKind)).toHaveLength(1);
    // A job run again (a retry after its work committed) finds nothing left to do.
    const job = t.runtime.services.jobDefinitions.find(
      (definition) => definition.name === registrationJobName,
    );
    await job?.handler({ id: receivedEntries[0]?.target?.id as string }, { id: randomUUID() });
    expect(await subjectIdsOf(free)).toHaveLength(1);
    expect(await heldMailTo(t, owner, alreadyRegisteredKind)).toHaveLength(1);
  });

  it('deletes a registration no job worked within the hour, and its job then does nothing', async () => {
    const email = freshEmail();
    expect((await received(registrationOf(email))).statusCode).toBe(202);
    expect(await pendingCount()).toBe(1);
    const prune = t.runtime.services.pruneTasks.find((task) => task.name === 'pending_registrations');
    expect(await prune?.prune()).toBe(0);
    clock.advance(60 * 60_000 + 1_000);
    expect(await prune?.prune()).toBe(1);
    // The operator's session ran out with the hour.
    dpo = await actAs(t, 'dpo');
    expect(await pendingCount()).toBe(0);
    expect(await workRegistrations(t)).toBe(1);
    expect(await subjectIdsOf(email)).toEqual([]);
    expect(await heldMailTo(t, email, confirmationCodeKind)).toEqual([]);
  });

  it('keeps a new account waiting until the e-mailed code confirms the address, then signs in; a code works once', async () => {
    const email = freshEmail();
    expect((await register(registrationOf(email))).statusCode).toBe(202);
    const [message] = await heldMailTo(t, email, confirmationCodeKind);
    const text = message?.content?.text ?? '';
    const code = codeIn(text) as string;
    expect(code).toMatch(/^\d{8}$/);
    for (const link of text.match(/https?:\/\/\S+/g) ?? []) {
      expect(link).not.toContain(code);
      expect(link).not.toMatch(/@|%40/);
    }
    const [subjectId] = await subjectIdsOf(email);

    // Before confirming: the right password gets a clear reason, a wrong one the answer everyone gets.
    const early = await signIn(email, strongPassword);
    expect(early.statusCode).toBe(403);
    expect(early.json()).toMatchObject({ code: 'forbidden', reason: 'email_unverified' });
    expect(early.cookies).toEqual([]);
    const wrong = await signIn(email, 'not-the-password-1');
    const unknown = await signIn(freshEmail(), 'not-the-password-1');
    expect(wrong.statusCode).toBe(401);
    expect(shapeOf(wrong)).toEqual(shapeOf(unknown));

    // Spaces and dashes as people type them are fine.
    const confirmed = await verify(email, `${code.slice(0, 4)} ${code.slice(4)}`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().subjectId).toBe(subjectId);
    const cookie = confirmed.cookies.find((entry) => entry.name === 'custos_privacy_session');
    const own = {
      cookie: `custos_privacy_session=${cookie?.value}`,
      'x-csrf-token': confirmed.json().csrfToken,
    };
    const data = await t.app.inject({ method: 'GET', url: '/v1/privacy/me/data', headers: own });
    expect(data.statusCode, data.body).toBe(200);
    expect((await signIn(email, strongPassword)).statusCode).toBe(200);

    // The code is spent: it fails exactly as any code for an address without a registration.
    const reused = await verify(email, code);
    const nobody = await verify(freshEmail(), code);
    expect(reused.statusCode).toBe(422);
    expect(shapeOf(reused)).toEqual(shapeOf(nobody));
    expect(reused.json()).toMatchObject({ code: 'verification_failed', reason: 'invalid_code' });

    const [registered] = await auditOf('subject.account.registered', subjectId);
    expect(registered).toMatchObject({
      actor: { type: 'subject', id: subjectId },
      details: { granted: ['newsletter'], gpc: false, status: 'pending_verification' },
    });
    const [verified] = await auditOf('subject.account.verified', subjectId);
    expect(verified).toMatchObject({ actor: { type: 'subject', id: subjectId }, outcome: 'success' });
    const [refused] = await auditOf('subject.login.failed', subjectId);
    expect(refused).toMatchObject({ outcome: 'denied', details: { reason: 'email_unverified' } });
    const everything = JSON.stringify(await auditOf('subject.*'));
    expect(everything).not.toContain(email);
    expect(everything).not.toContain(code);
  });

  it('burns a code after five wrong tries, each answered as for an unknown address; a new code works', async () => {
    const email = freshEmail();
    await register(registrationOf(email));
    const code = await confirmationCodeFor(t, email);
    const wrongCode = code === '00000000' ? '11111111' : '00000000';
    const forUnknown = shapeOf(await verify(freshEmail(), wrongCode));
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(shapeOf(await verify(email, wrongCode))).toEqual(forUnknown);
    }
    expect(shapeOf(await verify(email, code))).toEqual(forUnknown);

    const resent = await resend(email);
    const resentToNobody = await resend(freshEmail());
    expect(resent.statusCode).toBe(202);
    expect(resent.json()).toEqual(resentToNobody.json());
    const fresh = await confirmationCodeFor(t, email);
    expect(await heldMailTo(t, email, confirmationCodeKind)).toHaveLength(2);
    const confirmed = await verify(email, fresh);
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    const failures = await auditOf('subject.account.verification_failed', confirmed.json().subjectId);
    expect(failures.map((entry) => entry.details).reverse()).toEqual([
      { reason: 'wrong_code', attemptsLeft: 4 },
      { reason: 'wrong_code', attemptsLeft: 3 },
      { reason: 'wrong_code', attemptsLeft: 2 },
      { reason: 'wrong_code', attemptsLeft: 1 },
      { reason: 'wrong_code', attemptsLeft: 0 },
      { reason: 'no_usable_code' },
    ]);
  });

  it('sends at most five codes a day to a registration, without saying so; only the newest works', async () => {
    const email = freshEmail();
    await register(registrationOf(email));
    const first = await confirmationCodeFor(t, email);
    const answers = [];
    for (let round = 0; round < 5; round += 1) answers.push((await resend(email)).json());
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    const messages = await heldMailTo(t, email, confirmationCodeKind);
    expect(messages).toHaveLength(5);

    const [subjectId] = await subjectIdsOf(email);
    const withheld = await auditOf('subject.account.code_withheld', subjectId);
    expect(withheld.map((entry) => entry.details)).toEqual([{ reason: 'daily_limit' }]);
    expect(await auditOf('subject.account.code_sent', subjectId)).toHaveLength(4);

    expect((await verify(email, first)).statusCode).toBe(422);
    expect((await verify(email, await confirmationCodeFor(t, email))).statusCode).toBe(200);
  });

  it('answers two registrations of one new address at once alike, and keeps one', async () => {
    const email = freshEmail();
    const [one, two] = await Promise.all([received(registrationOf(email)), received(registrationOf(email))]);
    await Promise.all([workRegistrations(t), workRegistrations(t)]);
    expect(one.statusCode).toBe(202);
    expect(two.json()).toEqual(one.json());
    expect(await subjectIdsOf(email)).toHaveLength(1);
    expect(await heldMailTo(t, email, confirmationCodeKind)).toHaveLength(1);
  });

  it('lets the loser of a race for an address leave nothing behind and answer as for a known address', async () => {
    const email = freshEmail();
    const first = await register(registrationOf(email));
    const [winner] = await subjectIdsOf(email);
    // The second registration looked the address up before the first one's account existed.
    const accounts = t.runtime.services.subjectAccounts;
    const lookup = vi.spyOn(accounts, 'findByEmail').mockResolvedValueOnce(undefined);
    const second = await register(registrationOf(email));
    lookup.mockRestore();
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(await subjectIdsOf(email)).toEqual([winner]);
    const [shredded] = await auditOf('vault.subject.shredded');
    expect(shredded?.target?.id).not.toBe(winner);
    await expect(t.runtime.services.records.getSubject(shredded?.target?.id as string)).rejects.toMatchObject(
      {
        code: 'subject_erased',
      },
    );
    expect(await auditOf('subject.account.registration_repeated', winner)).toHaveLength(1);
    const [notice] = await heldMailTo(t, email, alreadyRegisteredKind);
    expect(notice?.content?.text).toMatch(/not confirmed the address yet/);
  });

  it('checks every input before the address is looked up: a bad choice fails alike for a taken and a free one', async () => {
    const taken = freshEmail();
    await registerConfirmed(t, registrationOf(taken));
    const stale = { consents: [{ purpose: 'newsletter', version: 9, granted: true }] };
    const forTaken = await register(registrationOf(taken, stale));
    const forFree = await register(registrationOf(freshEmail(), stale));
    expect(forTaken.statusCode).toBe(400);
    expect(shapeOf(forTaken)).toEqual(shapeOf(forFree));
  });

  it('erases a half-made registration when storing the account fails, sends nothing, and registers on the retry', async () => {
    const email = freshEmail();
    const response = await received(registrationOf(email));
    expect(response.statusCode).toBe(202);
    const failure = vi
      .spyOn(t.runtime.services.subjectAccounts, 'createPendingAccount')
      .mockRejectedValueOnce(new AppError('service_unavailable', 'The account store is not answering.'));
    await expect(workRegistrations(t)).rejects.toMatchObject({ code: 'service_unavailable' });
    failure.mockRestore();
    expect(await subjectIdsOf(email)).toEqual([]);
    const [shredded] = await auditOf('vault.subject.shredded');
    const shreddedId = shredded?.target?.id as string;
    await expect(t.runtime.services.records.getSubject(shreddedId)).rejects.toMatchObject({
      code: 'subject_erased',
    });
    const mailed = await t.runtime.database.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('reference_id', '=', shreddedId)
      .execute();
    expect(mailed).toEqual([]);
    // The registration waits for the job's retry, which registers the address.
    expect(await pendingCount()).toBe(1);
    expect(await heldMailTo(t, email, confirmationCodeKind)).toHaveLength(1);
    expect(await subjectIdsOf(email)).toHaveLength(1);
    expect(await pendingCount()).toBe(0);
  });

  it('holds the consent choices, without personal data, until the address is confirmed, then records them', async () => {
    const email = freshEmail();
    const name = faker.person.fullName();
    const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Held choices';
    const registeredAt = clock.now();
    const registered = await post(
      '/v1/privacy/register',
      registrationOf(email, { name, globalPrivacyControl: true }),
      { 'user-agent': userAgent },
    );
    expect(registered.statusCode, registered.body).toBe(202);
    await workRegistrations(t);
    const [subjectId] = (await subjectIdsOf(email)) as [string];

    // The choices are not recorded yet; the GPC opt-out is, at once (an opt-out cannot be used against
    // anyone, so it need not wait for the address to be proven).
    const gpcOptOut = {
      purpose_key: 'partner_ads',
      action: 'deny',
      method: 'opt_out',
      source: 'gpc',
      given_at: registeredAt,
      recorded_at: registeredAt,
      form_id: 'privacy-center.register',
    };
    expect(await consentEventsOf(subjectId)).toEqual([gpcOptOut]);
    const state = await t.runtime.services.consentChecks.standing(subjectId);
    expect(state.find((view) => view.purpose === 'newsletter')).toMatchObject({ allowed: false });
    expect(state.find((view) => view.purpose === 'partner_ads')).toMatchObject({ allowed: false });
    const held = await pendingConsentsOf(subjectId);
    expect(held).toEqual({
      givenAt: registeredAt.toISOString(),
      formId: 'privacy-center.register',
      ipHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      userAgentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      choices: [{ purpose: 'newsletter', version: 1, granted: true }],
    });
    const stored = JSON.stringify(held);
    for (const personal of [email, name, userAgent, '127.0.0.1']) expect(stored).not.toContain(personal);

    clock.advance(60_000);
    const confirmedAt = clock.now();
    expect((await verify(email, await confirmationCodeFor(t, email))).statusCode).toBe(200);

    expect(await consentEventsOf(subjectId)).toEqual([
      gpcOptOut,
      {
        purpose_key: 'newsletter',
        action: 'grant',
        method: 'explicit_opt_in',
        source: 'privacy_center',
        given_at: registeredAt,
        recorded_at: confirmedAt,
        form_id: 'privacy-center.register',
      },
    ]);
    expect(await pendingConsentsOf(subjectId)).toBeNull();
    const recorded = await auditOf('consent.event.recorded', subjectId);
    expect(recorded.map((entry) => [entry.actor, entry.details])).toEqual([
      [
        { type: 'subject', id: subjectId },
        {
          events: [
            {
              purpose: 'newsletter',
              version: 1,
              action: 'grant',
              method: 'explicit_opt_in',
              source: 'privacy_center',
            },
          ],
        },
      ],
      [
        { type: 'subject', id: subjectId },
        {
          events: [{ purpose: 'partner_ads', version: 1, action: 'deny', method: 'opt_out', source: 'gpc' }],
        },
      ],
    ]);
    const [verified] = await auditOf('subject.account.verified', subjectId);
    expect(verified?.details).toEqual({ consentEvents: 1, lapsed: [] });
  });

  it('confirms nothing when the held choices cannot be recorded: the account waits and the code still works', async () => {
    const email = freshEmail();
    await register(registrationOf(email));
    const [subjectId] = (await subjectIdsOf(email)) as [string];
    const code = await confirmationCodeFor(t, email);
    const failure = vi
      .spyOn(t.runtime.services.consent, 'recordHeld')
      .mockRejectedValueOnce(new AppError('service_unavailable', 'The consent store is not answering.'));
    const failed = await verify(email, code);
    failure.mockRestore();
    expect(failed.statusCode).toBe(503);
    expect(failed.cookies).toEqual([]);
    expect((await signIn(email, strongPassword)).json()).toMatchObject({ reason: 'email_unverified' });
    expect(await auditOf('subject.account.verified', subjectId)).toEqual([]);
    expect(await pendingConsentsOf(subjectId)).not.toBeNull();

    expect((await verify(email, code)).statusCode).toBe(200);
    expect((await consentEventsOf(subjectId)).map((event) => event.purpose_key)).toEqual(['newsletter']);
  });

  it('leaves out a grant whose purpose version stopped counting before the address was confirmed', async () => {
    const surveys = {
      ...purposeBase,
      key: 'surveys',
      name: 'Surveys',
      text: 'We ask you about our service now and then.',
    };
    const created = await post('/v1/consent/purposes', surveys, dpo);
    expect(created.statusCode, created.body).toBe(201);
    const email = freshEmail();
    const consents = [
      { purpose: 'newsletter', version: 1, granted: true },
      { purpose: 'surveys', version: 1, granted: true },
    ];
    await register(registrationOf(email, { consents }));
    const [subjectId] = (await subjectIdsOf(email)) as [string];

    const { key: _key, ...changes } = surveys;
    const changed = await t.app.inject({
      method: 'PUT',
      url: '/v1/consent/purposes/surveys',
      headers: dpo,
      payload: { ...changes, text: 'We ask you about our service, and share the answers with our partners.' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await verify(email, await confirmationCodeFor(t, email))).statusCode).toBe(200);

    expect((await consentEventsOf(subjectId)).map((event) => event.purpose_key)).toEqual(['newsletter']);
    const [verified] = await auditOf('subject.account.verified', subjectId);
    expect(verified?.details).toEqual({ consentEvents: 1, lapsed: ['surveys'] });
  });

  it('refuses a season or common password with a year, and the registrant’s own name or the brand with one', async () => {
    const name = faker.person.fullName();
    const [first = 'Someone'] = name.split(' ');
    for (const password of [
      'Welcome2024!!',
      'Summer2024!!',
      `${first}2024!!`,
      `${t.runtime.config.brandName}2024!!`,
    ]) {
      const refused = await register(registrationOf(freshEmail(), { name, password }));
      expect(refused.statusCode, password).toBe(400);
      expect(refused.json().errors[0].path).toBe('password');
      expect(refused.body).not.toContain(password);
    }
  });

  it('refuses a malformed code or a missing address as input', async () => {
    const malformed = await verify(freshEmail(), 'abc');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('validation_failed');
    const empty = await post('/v1/privacy/verify/resend', {});
    expect(empty.statusCode).toBe(400);
  });

  it('removes registrations not confirmed within 24 hours: shredded, account deleted, audited', async () => {
    const late = freshEmail();
    const lapsed = freshEmail();
    await register(registrationOf(late));
    await register(registrationOf(lapsed));
    const kept = freshEmail();
    await registerConfirmed(t, registrationOf(kept));
    const [lateSubject] = await subjectIdsOf(late);
    const [lapsedSubject] = await subjectIdsOf(lapsed);
    const lateCode = await confirmationCodeFor(t, late);

    clock.advance(dayMs + 60_000);
    // The operator's session ran out with the day.
    dpo = await actAs(t, 'dpo');

    // Past its deadline a registration counts as gone, before the job has run.
    expect((await verify(late, lateCode)).statusCode).toBe(422);
    const signedIn = await signIn(late, strongPassword);
    expect(signedIn.statusCode).toBe(401);
    expect(signedIn.json().reason).toBe('invalid_credentials');

    // Registering the lapsed address again removes the old registration at once and starts afresh.
    expect((await register(registrationOf(lapsed))).statusCode).toBe(202);
    const [renewed] = await subjectIdsOf(lapsed);
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(lapsedSubject);
    await expect(t.runtime.services.records.getSubject(lapsedSubject as string)).rejects.toMatchObject({
      code: 'subject_erased',
    });

    const job = t.runtime.services.jobDefinitions.find(
      (definition) => definition.name === registrationExpiryJobName,
    );
    expect(job?.schedule).toBeDefined();
    await job?.handler({}, { id: randomUUID() });

    await expect(t.runtime.services.records.getSubject(lateSubject as string)).rejects.toMatchObject({
      code: 'subject_erased',
    });
    expect(await subjectIdsOf(late)).toEqual([]);
    const left = await t.runtime.database.db
      .selectFrom('subject_accounts')
      .select('id')
      .where('subject_id', 'in', [lateSubject as string, lapsedSubject as string])
      .execute();
    expect(left).toEqual([]);
    // The choices waited with the account and went with it: none was ever recorded.
    expect(await consentEventsOf(lateSubject as string)).toEqual([]);
    expect(await consentEventsOf(lapsedSubject as string)).toEqual([]);
    const [expired] = await auditOf('subject.account.registration_expired', lateSubject);
    expect(expired).toMatchObject({
      actor: { type: 'system', id: registrationExpiryJobName },
      outcome: 'success',
      details: { records: 1 },
    });
    expect(await auditOf('subject.account.registration_expired', lapsedSubject)).toHaveLength(1);

    // The renewed registration and the confirmed account are untouched.
    expect(await subjectIdsOf(lapsed)).toEqual([renewed]);
    expect((await signIn(kept, strongPassword)).statusCode).toBe(200);
    // Nothing left to do on a second run.
    await job?.handler({}, { id: randomUUID() });
    expect(await auditOf('subject.account.registration_expired', lateSubject)).toHaveLength(1);
  });
});

describe('privacy center registration over SMTP', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  const { lines: logLines, stream: logStream } = captureLog();

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({
      logStream,
      env: { SMTP_URL: smtp.url, CUSTOS_BRAND_NAME: 'Northwind Outfitters' },
    });
    await t.runtime.jobs.start({ work: true });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('e-mails the code over SMTP and confirms with it; neither address nor code reaches logs or the audit log', async () => {
    const email = faker.internet.email().toLowerCase();
    const registered = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/register',
      payload: { name: faker.person.fullName(), email, password: strongPassword },
    });
    expect(registered.statusCode, registered.body).toBe(202);
    const mail = await vi.waitFor(
      () => {
        const [received] = smtp.to(email);
        expect(received).toBeDefined();
        return received as NonNullable<typeof received>;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(mail.subject).toContain('Northwind Outfitters');
    const code = codeIn(mail.text) as string;
    expect(code).toMatch(/^\d{8}$/);

    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/verify',
      payload: { email, code },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    const audit = await t.runtime.services.audit.query({}, undefined, 200);
    const logged = logLines.join('');
    for (const secret of [email, code]) {
      expect(logged).not.toContain(secret);
      expect(JSON.stringify(audit.items)).not.toContain(secret);
    }
  });
});
