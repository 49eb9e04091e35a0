import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { actAs } from '../helpers/auth.js';
import { strongPassword } from '../helpers/factories.js';
import { confirmationCodeFor, registerConfirmed, workRegistrations } from '../helpers/privacy-center.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(71);

type Headers = Record<string, string>;
const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

/** A data subject's browser: their session cookie and CSRF token. */
type SubjectBrowser = { headers: Headers; subjectId: string; email: string; name: string };

describe('the privacy center API', () => {
  const clock = fixedClock(new Date());
  let t: TestApp;
  let dpo: Headers;
  const purposes = { newsletter: 'newsletter', ads: 'partner_ads', fraud: 'fraud_checks' };

  beforeAll(async () => {
    // Every subject here registers and confirms through the rate-limited public routes.
    t = await createTestApp({ clock, env: { CUSTOS_AUTH_RATE_LIMIT: '1000' } });
    dpo = await actAs(t, 'dpo');
    const definitions = [
      {
        key: purposes.newsletter,
        name: 'Newsletter',
        legalBasis: 'consent',
        dataUses: ['marketing.communications.email'],
        text: 'We send you our newsletter about new features, at most once a week.',
      },
      {
        key: purposes.ads,
        name: 'Partner advertising',
        legalBasis: 'consent',
        dataUses: ['marketing.advertising.third_party.targeted'],
        ccpa: { sharing: true },
        text: 'We share your e-mail address with advertising partners to show you relevant ads.',
      },
      {
        key: purposes.fraud,
        name: 'Fraud prevention',
        legalBasis: 'legitimate_interests',
        dataUses: ['essential.fraud_detection'],
        text: 'We check sign-ins and payments for signs of fraud.',
      },
    ];
    for (const definition of definitions) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/consent/purposes',
        headers: dpo,
        payload: { description: '', dataCategories: ['user.contact.email'], ...definition },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  async function register(
    options: { granted?: string[]; headers?: Headers; gpc?: boolean } = {},
  ): Promise<SubjectBrowser> {
    const email = faker.internet.email().toLowerCase();
    const name = faker.person.fullName();
    const granted = options.granted ?? [purposes.newsletter];
    const confirmed = await registerConfirmed(
      t,
      {
        name,
        email,
        password: strongPassword,
        consents: [purposes.newsletter, purposes.ads].map((purpose) => ({
          purpose,
          version: 1,
          granted: granted.includes(purpose),
        })),
        globalPrivacyControl: options.gpc ?? false,
      },
      options.headers,
    );
    return { ...confirmed, email, name };
  }

  const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
  const post = (url: string, headers: Headers, payload: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url, headers, payload });

  async function standing(subject: SubjectBrowser) {
    const response = await get('/v1/privacy/me/consents', subject.headers);
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { purpose: { key: string }; status: string | null }[];
    return Object.fromEntries(items.map((item) => [item.purpose.key, item]));
  }

  it('shows branding, purposes with their text and legal basis, and the rights to ask for before sign-in', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/privacy/config' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.branding).toEqual({
      name: 'Custos',
      color: '#1f4e8c',
      logoUrl: null,
      privacyPolicyUrl: null,
    });
    const newsletter = body.purposes.find((purpose: { key: string }) => purpose.key === purposes.newsletter);
    expect(newsletter).toMatchObject({ legalBasis: 'consent', consentRequired: true, version: 1 });
    expect(newsletter.text).toMatch(/newsletter/);
    expect(body.requestTypes).toEqual(['access', 'rectification', 'erasure', 'restriction', 'objection']);
  });

  it('registers a subject with exactly the consents they ticked, and signs them in', async () => {
    const subject = await register({ granted: [purposes.newsletter] });
    const state = await standing(subject);
    expect(state[purposes.newsletter]).toMatchObject({
      status: 'granted',
      allowed: true,
      actions: ['withdraw'],
    });
    expect(state[purposes.ads]).toMatchObject({ status: 'denied', allowed: false, actions: ['grant'] });
    expect(state[purposes.fraud]).toMatchObject({ status: null, allowed: true, actions: ['object'] });

    const session = await get('/v1/privacy/session', subject.headers);
    expect(session.json()).toMatchObject({ subjectId: subject.subjectId });
  });

  it('answers no consent for a registrant until the address is confirmed, then the choices made at registration', async () => {
    const email = faker.internet.email().toLowerCase();
    const registeredAt = clock.now();
    const registered = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/register',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Registration' },
      payload: {
        name: faker.person.fullName(),
        email,
        password: strongPassword,
        consents: [
          { purpose: purposes.newsletter, version: 1, granted: true },
          { purpose: purposes.ads, version: 1, granted: false },
        ],
      },
    });
    expect(registered.statusCode, registered.body).toBe(202);
    await workRegistrations(t);

    // An application asks about the address: found, but nothing the registrant chose counts yet.
    const service = await actAs(t, 'service');
    const check = async () => {
      const response = await post('/v1/consent/check', service, {
        subject: { email },
        purposes: [purposes.newsletter, purposes.ads],
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { subjectId: string; results: Record<string, unknown>[] };
    };
    const before = await check();
    expect(before.results).toEqual([
      expect.objectContaining({
        purpose: purposes.newsletter,
        allowed: false,
        reason: 'no_consent',
        version: null,
      }),
      expect.objectContaining({ purpose: purposes.ads, allowed: false, reason: 'no_consent', version: null }),
    ]);
    const historyOf = async () => {
      const response = await get(`/v1/subjects/${before.subjectId}/consent/history`, dpo);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().events as Record<string, unknown>[];
    };
    expect(await historyOf()).toEqual([]);

    clock.advance(10 * 60_000);
    const confirmedAt = clock.now();
    const confirmed = await post(
      '/v1/privacy/verify',
      {},
      { email, code: await confirmationCodeFor(t, email) },
    );
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    const after = await check();
    expect(after.subjectId).toBe(before.subjectId);
    expect(after.results).toEqual([
      expect.objectContaining({ purpose: purposes.newsletter, allowed: true, reason: 'granted', version: 1 }),
      expect.objectContaining({ purpose: purposes.ads, allowed: false, reason: 'no_consent', version: 1 }),
    ]);
    // The proof is the registration's: its time, form and browser; recorded when the address was confirmed.
    const events = await historyOf();
    expect(events.map((event) => [event.purpose, event.action, event.method])).toEqual([
      [purposes.newsletter, 'grant', 'explicit_opt_in'],
      [purposes.ads, 'deny', 'opt_out'],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'privacy_center',
        givenAt: registeredAt.toISOString(),
        recordedAt: confirmedAt.toISOString(),
        formId: 'privacy-center.register',
        ipHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        userAgentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        recordedBy: { type: 'subject', id: before.subjectId },
      });
    }
  });

  it('refuses a guessable password with feedback, and answers a taken address exactly as a free one', async () => {
    const weak = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/register',
      payload: { name: 'Sam Example', email: faker.internet.email(), password: 'password1234' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().detail).toMatch(/too easy to guess/);

    const subject = await register();
    const attempt = (email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/privacy/register',
        payload: { name: 'Someone Else', email, password: strongPassword },
      });
    const twin = await attempt(subject.email.toUpperCase());
    const fresh = await attempt(faker.internet.email().toLowerCase());
    expect(twin.statusCode).toBe(202);
    expect(fresh.statusCode).toBe(202);
    expect(twin.json()).toEqual(fresh.json());
    expect(twin.cookies).toEqual(fresh.cookies);
    const found = await post('/v1/subjects/search', dpo, { email: subject.email });
    expect(found.json().items.map((item: { id: string }) => item.id)).toEqual([subject.subjectId]);
  });

  it('shows the subject their own data in clear, read for the self-service purpose and audited', async () => {
    const subject = await register();
    const response = await get('/v1/privacy/me/data', subject.headers);
    expect(response.statusCode, response.body).toBe(200);
    const [record] = response.json().items;
    const values = Object.fromEntries(
      record.fields.map((field: { name: string; value: unknown }) => [field.name, field.value]),
    );
    expect(values).toEqual({ name: subject.name, email: subject.email });

    const audit = await t.runtime.services.audit.query(
      { action: 'vault.record.read', actorType: 'subject', actorId: subject.subjectId },
      undefined,
      10,
    );
    expect(audit.items[0]).toMatchObject({ purpose: 'data_subject_self_service', outcome: 'success' });
  });

  it('changes consents only with the CSRF token, and keeps the whole history', async () => {
    const subject = await register({ granted: [purposes.newsletter] });
    const { 'x-csrf-token': _csrf, ...cookieOnly } = subject.headers;
    const forged = await post('/v1/privacy/me/consents', cookieOnly, {
      purpose: purposes.newsletter,
      action: 'withdraw',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('csrf_invalid');

    const withdrawn = await post('/v1/privacy/me/consents', subject.headers, {
      purpose: purposes.newsletter,
      action: 'withdraw',
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const objected = await post('/v1/privacy/me/consents', subject.headers, {
      purpose: purposes.fraud,
      action: 'object',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    const again = await post('/v1/privacy/me/consents', subject.headers, {
      purpose: purposes.newsletter,
      action: 'withdraw',
    });
    expect(again.statusCode).toBe(409);

    const state = await standing(subject);
    expect(state[purposes.newsletter]).toMatchObject({ status: 'withdrawn', allowed: false });
    expect(state[purposes.fraud]).toMatchObject({ allowed: false, actions: ['grant'] });

    const history = await get('/v1/privacy/me/consents/history', subject.headers);
    const events = history.json().items as { purpose: string; action: string; source: string }[];
    expect(events.map((event) => [event.purpose, event.action])).toEqual([
      [purposes.newsletter, 'grant'],
      [purposes.ads, 'deny'],
      [purposes.newsletter, 'withdraw'],
      [purposes.fraud, 'object'],
    ]);
    expect(new Set(events.map((event) => event.source))).toEqual(new Set(['privacy_center']));
  });

  it('honours Global Privacy Control: a sharing purpose not chosen explicitly is opted out', async () => {
    const subject = await register({ granted: [purposes.ads] });
    expect((await standing(subject))[purposes.ads]).toMatchObject({ status: 'granted' });

    const login = await post(
      '/v1/privacy/login',
      { 'sec-gpc': '1' },
      { email: subject.email, password: strongPassword },
    );
    expect(login.statusCode, login.body).toBe(200);
    const state = await standing(subject);
    expect(state[purposes.ads]).toMatchObject({ status: 'withdrawn', allowed: false });
    expect(state[purposes.newsletter]).toMatchObject({ status: 'denied' });
  });

  it('files requests verified by the session of a confirmed address, one open per right, which the subject may withdraw', async () => {
    const subject = await register();
    const filed = await post('/v1/privacy/me/requests', subject.headers, { type: 'erasure' });
    expect(filed.statusCode, filed.body).toBe(201);
    expect(filed.json()).toMatchObject({
      type: 'erasure',
      state: 'verified',
      verified: true,
      canWithdraw: true,
    });

    const seen = await get(`/v1/requests/${filed.json().id}`, dpo);
    expect(seen.json()).toMatchObject({
      channel: 'privacy_center',
      filedBy: 'subject',
      subjectId: subject.subjectId,
      filer: { type: 'subject', id: subject.subjectId },
      verification: { method: 'authenticated_subject' },
    });
    expect(seen.json().contactEmail).toMatch(/•/);

    const twice = await post('/v1/privacy/me/requests', subject.headers, { type: 'erasure' });
    expect(twice.statusCode).toBe(409);

    const withdrawn = await post(`/v1/privacy/me/requests/${filed.json().id}/withdrawal`, subject.headers);
    expect(withdrawn.json()).toMatchObject({ state: 'withdrawn', canWithdraw: false });
    const list = await get('/v1/privacy/me/requests', subject.headers);
    expect(list.json().items).toHaveLength(1);

    const other = await register();
    const foreign = await post(`/v1/privacy/me/requests/${filed.json().id}/withdrawal`, other.headers);
    expect(foreign.statusCode).toBe(404);
  });

  it('files requests for the team to verify from an account whose address was never confirmed', async () => {
    const subject = await register();
    // Accounts made before e-mail confirmation existed are active without a confirmed address.
    await t.runtime.database.db
      .updateTable('subject_accounts')
      .set({ verified_at: null })
      .where('subject_id', '=', subject.subjectId)
      .execute();
    const filed = await post('/v1/privacy/me/requests', subject.headers, { type: 'access' });
    expect(filed.statusCode, filed.body).toBe(201);
    expect(filed.json()).toMatchObject({ type: 'access', state: 'received', verified: false });
  });

  it('downloads the portability archive through a request that is completed at once', async () => {
    const subject = await register();
    const response = await post('/v1/privacy/me/export', subject.headers);
    expect(response.statusCode, response.body).toBe(201);
    const { downloadPath, requestId } = response.json();
    expect(downloadPath).toMatch(/^\/v1\/request-exports\/[0-9a-f-]{36}\/download\?token=/);

    const file = await t.app.inject({ method: 'GET', url: downloadPath });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/zip/);
    expect(file.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');

    const request = await get(`/v1/requests/${requestId}`, dpo);
    expect(request.json()).toMatchObject({
      type: 'portability',
      state: 'completed',
      verification: { method: 'authenticated_subject' },
    });
  });

  it('keeps subjects and operators apart: neither session nor API key opens the other side', async () => {
    const subject = await register();
    const service = await actAs(t, 'service');
    expect((await get('/v1/privacy/me/data', dpo)).statusCode).toBe(403);
    expect((await get('/v1/privacy/me/data', service)).statusCode).toBe(403);
    const anonymous = await get('/v1/privacy/me/data', {});
    expect(anonymous.statusCode).toBe(401);
    expect((await get('/v1/requests', subject.headers)).statusCode).toBe(401);
    expect((await get(`/v1/subjects/${subject.subjectId}`, subject.headers)).statusCode).toBe(401);
  });

  it('deletes the account with the subject on erasure: the session ends and the password no longer works', async () => {
    const subject = await register();
    const shredded = await post(`/v1/subjects/${subject.subjectId}/shred`, dpo);
    expect(shredded.statusCode, shredded.body).toBe(200);

    const after = await get('/v1/privacy/me/data', subject.headers);
    expect(after.statusCode).toBe(401);
    const login = await post('/v1/privacy/login', {}, { email: subject.email, password: strongPassword });
    expect(login.statusCode).toBe(401);
    const accounts = await t.runtime.database.db
      .selectFrom('subject_accounts')
      .select('id')
      .where('subject_id', '=', subject.subjectId)
      .execute();
    expect(accounts).toEqual([]);
    const search = await post('/v1/subjects/search', dpo, { email: subject.email });
    expect(search.json().items).toEqual([]);
  });

  it('refuses a choice of a purpose version that does not exist yet, and keeps nothing', async () => {
    await t.runtime.services.purposes.create(system, {
      key: 'surveys',
      name: 'Surveys',
      description: '',
      legalBasis: 'consent',
      specialCategoryCondition: null,
      dataUses: ['marketing.communications.email'],
      dataCategories: [],
      ccpa: { sale: false, sharing: false, sensitive: false },
      text: 'We ask you about our service now and then.',
      reconsentOnChange: true,
    });
    const email = faker.internet.email().toLowerCase();
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/register',
      payload: {
        name: faker.person.fullName(),
        email,
        password: strongPassword,
        consents: [{ purpose: 'surveys', version: 2, granted: true }],
      },
    });
    expect(response.statusCode).toBe(400);
    const search = await post('/v1/subjects/search', dpo, { email });
    expect(search.json().items).toEqual([]);
  });
  it('answers every failed sign-in the same way, and ends idle sessions with a reason', async () => {
    const subject = await register();
    const wrong = await post(
      '/v1/privacy/login',
      {},
      { email: subject.email, password: 'not-the-password-1' },
    );
    const unknown = await post(
      '/v1/privacy/login',
      {},
      { email: faker.internet.email(), password: strongPassword },
    );
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().detail).toBe(wrong.json().detail);

    clock.advance(31 * 60_000);
    const expired = await get('/v1/privacy/me/data', subject.headers);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ reason: 'session_expired' });
  });
});
