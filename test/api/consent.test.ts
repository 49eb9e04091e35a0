import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { encodeTestTcString, tcfV20String } from '../../src/modules/consent/__fixtures__/tc-string.js';
import { actAs } from '../helpers/auth.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(23);

type Headers = Record<string, string | string[]>;
const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

const purposeBase = {
  description: 'What we do and why',
  dataCategories: ['user.contact.email'],
  text: 'We send you our newsletter about new features, at most once a week.',
};

describe('consent', () => {
  const clock = fixedClock(new Date());
  let t: TestApp;
  let dpo: Headers;
  let service: Headers;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    dpo = await actAs(t, 'dpo');
    service = await actAs(t, 'service');
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown, headers: Headers = service) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
  const get = (url: string, headers: Headers = service) => t.app.inject({ method: 'GET', url, headers });

  /** A purpose with a fresh key; `overrides` change the definition. */
  async function createPurpose(overrides: Record<string, unknown> = {}) {
    const key = `p_${faker.string.alphanumeric({ length: 10, casing: 'lower' })}`;
    const response = await post(
      '/v1/consent/purposes',
      {
        key,
        name: faker.company.catchPhrase(),
        legalBasis: 'consent',
        dataUses: ['marketing.communications.email'],
        ...purposeBase,
        ...overrides,
      },
      dpo,
    );
    expect(response.statusCode, response.body).toBe(201);
    return key;
  }

  async function createSubject(externalId: string = faker.string.uuid()): Promise<string> {
    const response = await post('/v1/subjects', { externalId });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  const record = (
    subjectId: string,
    purposes: unknown[],
    action: string,
    extra: Record<string, unknown> = {},
  ) =>
    post('/v1/consent/events', {
      subject: { id: subjectId },
      purposes,
      action,
      method: action === 'grant' ? 'explicit_opt_in' : 'opt_out',
      source: 'privacy_center',
      ...extra,
    });

  async function check(subjectId: string, purposes: string[], headers: Headers = service) {
    const response = await post('/v1/consent/check', { subject: { id: subjectId }, purposes }, headers);
    expect(response.statusCode, response.body).toBe(200);
    return Object.fromEntries(
      (response.json().results as { purpose: string; allowed: boolean; reason: string }[]).map((result) => [
        result.purpose,
        result,
      ]),
    );
  }

  describe('purposes', () => {
    it('validates data uses and categories against the taxonomy and asks for an Art. 9 condition', async () => {
      const base = { key: 'health_study', name: 'Study', legalBasis: 'consent', ...purposeBase };
      const badUse = await post('/v1/consent/purposes', { ...base, dataUses: ['mind_reading'] }, dpo);
      expect(badUse.statusCode).toBe(400);
      expect(badUse.json().errors[0].path).toBe('dataUses.0');

      const special = { ...base, dataUses: ['analytics'], dataCategories: ['user.health_and_medical'] };
      const noCondition = await post('/v1/consent/purposes', special, dpo);
      expect(noCondition.statusCode).toBe(400);
      expect(noCondition.json().errors[0].path).toBe('specialCategoryCondition');

      const explicitWithoutConsent = await post(
        '/v1/consent/purposes',
        { ...special, legalBasis: 'legitimate_interests', specialCategoryCondition: 'explicit_consent' },
        dpo,
      );
      expect(explicitWithoutConsent.statusCode).toBe(400);

      const created = await post(
        '/v1/consent/purposes',
        {
          ...special,
          specialCategoryCondition: 'explicit_consent',
          dataUses: ['analytics.reporting.custom_kpis'],
        },
        dpo,
      );
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ version: 1, minVersion: 1, consentRequired: true });
      expect(
        (
          await post(
            '/v1/consent/purposes',
            { ...special, specialCategoryCondition: 'explicit_consent' },
            dpo,
          )
        ).statusCode,
      ).toBe(409);
    });

    it('makes a new version when the text changes, and only then', async () => {
      const key = await createPurpose({ reconsentOnChange: false });
      const put = (changes: Record<string, unknown>) =>
        t.app.inject({
          method: 'PUT',
          url: `/v1/consent/purposes/${key}`,
          headers: dpo,
          payload: {
            name: 'Newsletter',
            legalBasis: 'consent',
            dataUses: ['marketing.communications.email'],
            reconsentOnChange: false,
            ...purposeBase,
            ...changes,
          },
        });
      const renamed = await put({ description: 'Another description' });
      expect(renamed.json()).toMatchObject({ newVersion: false, purpose: { version: 1 } });
      const reworded = await put({ text: 'We send you our newsletter every day.' });
      expect(reworded.json()).toMatchObject({
        newVersion: true,
        requiresReconsent: false,
        purpose: { version: 2, minVersion: 1 },
      });
      const strict = await put({ text: 'We send you our newsletter and offers.', requireReconsent: true });
      expect(strict.json().purpose).toMatchObject({ version: 3, minVersion: 3 });

      const versions = await get(`/v1/consent/purposes/${key}/versions`);
      expect(versions.json().items.map((item: { version: number }) => item.version)).toEqual([1, 2, 3]);
      expect(versions.json().items[0].textHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('discloses automated decision-making per purpose, versioned with the terms, and says none by default', async () => {
      const plain = await createPurpose();
      expect((await get(`/v1/consent/purposes/${plain}`)).json().automatedDecisionMaking).toEqual({
        applies: false,
      });

      const decisions = {
        applies: true,
        logic: 'A model weighs your order history and returns to set a fraud score.',
        significance: 'Orders scored high risk are not shipped until a person reviews them.',
        consequences: 'A high score delays your order by up to two days.',
      };
      const incomplete = await post(
        '/v1/consent/purposes',
        {
          key: 'fraud_scoring',
          name: 'Fraud scoring',
          legalBasis: 'contract',
          dataUses: ['essential.fraud_detection'],
          ...purposeBase,
          automatedDecisionMaking: { applies: true, logic: decisions.logic },
        },
        dpo,
      );
      expect(incomplete.statusCode).toBe(400);
      expect(incomplete.json().errors.map((error: { path: string }) => error.path)).toEqual(
        expect.arrayContaining([
          'automatedDecisionMaking.significance',
          'automatedDecisionMaking.consequences',
        ]),
      );

      const key = await createPurpose({ automatedDecisionMaking: decisions });
      const created = (await get(`/v1/consent/purposes/${key}`)).json();
      expect(created).toMatchObject({ version: 1, automatedDecisionMaking: decisions });
      expect((await get('/v1/consent/purposes')).json().items).toEqual(
        expect.arrayContaining([expect.objectContaining({ key, automatedDecisionMaking: decisions })]),
      );

      // What subjects are told about automated decisions is part of the terms: a change is a new version.
      const put = (automatedDecisionMaking: unknown) =>
        t.app.inject({
          method: 'PUT',
          url: `/v1/consent/purposes/${key}`,
          headers: dpo,
          payload: {
            name: created.name,
            legalBasis: 'consent',
            dataUses: ['marketing.communications.email'],
            ...purposeBase,
            automatedDecisionMaking,
          },
        });
      const same = await put(decisions);
      expect(same.json()).toMatchObject({ newVersion: false, purpose: { version: 1 } });
      const stopped = await put({ applies: false });
      expect(stopped.statusCode, stopped.body).toBe(200);
      expect(stopped.json()).toMatchObject({
        newVersion: true,
        purpose: { version: 2, automatedDecisionMaking: { applies: false } },
      });
      const versions = (await get(`/v1/consent/purposes/${key}/versions`)).json().items;
      expect(
        versions.map((item: { automatedDecisionMaking: unknown }) => item.automatedDecisionMaking),
      ).toEqual([decisions, { applies: false }]);
      const audited = await t.runtime.database.db
        .selectFrom('audit_entries')
        .select('details')
        .where('target_id', '=', key)
        .orderBy('seq')
        .execute();
      expect(
        audited.map((row) => (row.details as { automatedDecisions: boolean }).automatedDecisions),
      ).toEqual([true, true, false]);
    });
  });

  describe('recording consent', () => {
    it('refuses an implied or opt-out grant for a purpose based on consent, and says why', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      for (const method of ['implied', 'opt_out']) {
        const response = await record(subjectId, [key], 'grant', { method });
        expect(response.statusCode).toBe(422);
        expect(response.json()).toMatchObject({ code: 'invalid_consent_method', purpose: key, method });
        expect(response.json().detail).toMatch(/Art\. 4\(11\)/);
      }
      expect((await check(subjectId, [key]))[key]?.reason).toBe('no_consent');
    });

    it('grants with a receipt and proof kept only as keyed hashes, then withdraws as easily', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      const ip = faker.internet.ipv4();
      const userAgent = faker.internet.userAgent();
      const formId = `signup-${faker.string.alphanumeric(6)}`;
      const granted = await record(subjectId, [key], 'grant', { proof: { ip, userAgent, formId } });
      expect(granted.statusCode, granted.body).toBe(201);
      const [receipt] = granted.json().receipts;
      expect(receipt).toMatchObject({
        format: 'custos-consent-receipt',
        subjectId,
        action: 'grant',
        method: 'explicit_opt_in',
        source: 'privacy_center',
        purpose: { key, version: 1, legalBasis: 'consent', text: purposeBase.text },
        proof: { formId },
      });
      expect(receipt.purpose.textHash).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(receipt.proof.ipHash).toMatch(/^[0-9a-f]{64}$/);
      expect(granted.body).not.toContain(ip);
      expect(await findInDatabase(t.runtime.database, [ip, userAgent])).toEqual([]);
      expect((await get(`/v1/consent/receipts/${receipt.receiptId}`)).json()).toEqual(receipt);
      expect((await check(subjectId, [key]))[key]).toMatchObject({
        allowed: true,
        reason: 'granted',
        version: 1,
      });

      const withdrawn = await record(subjectId, [key], 'withdraw');
      expect(withdrawn.statusCode).toBe(201);
      expect((await check(subjectId, [key]))[key]).toMatchObject({ allowed: false, reason: 'withdrawn' });
    });

    it('answers every reason: no consent, denied, outdated version, expired, objected, legal basis', async () => {
      const consentKey = await createPurpose();
      const interestKey = await createPurpose({
        legalBasis: 'legitimate_interests',
        dataUses: ['analytics'],
      });
      const contractKey = await createPurpose({ legalBasis: 'contract', dataUses: ['essential.service'] });
      const subjectId = await createSubject();

      let results = await check(subjectId, [consentKey, interestKey, contractKey]);
      expect(results[consentKey]).toMatchObject({
        allowed: false,
        reason: 'no_consent',
        legalBasis: 'consent',
      });
      expect(results[interestKey]).toMatchObject({ allowed: true, reason: 'legal_basis' });
      expect(results[contractKey]).toMatchObject({ allowed: true, reason: 'legal_basis' });

      await record(subjectId, [consentKey], 'deny');
      expect((await check(subjectId, [consentKey]))[consentKey]?.reason).toBe('no_consent');

      const objected = await record(subjectId, [interestKey], 'object');
      expect(objected.statusCode, objected.body).toBe(201);
      expect((await check(subjectId, [interestKey]))[interestKey]).toMatchObject({
        allowed: false,
        reason: 'objected',
      });
      const wrongObjection = await record(subjectId, [contractKey], 'object');
      expect(wrongObjection.statusCode).toBe(422);
      expect(wrongObjection.json().code).toBe('objection_not_applicable');

      const expiresAt = new Date(clock.now().getTime() + 60_000).toISOString();
      await record(subjectId, [consentKey], 'grant', { expiresAt });
      expect((await check(subjectId, [consentKey]))[consentKey]).toMatchObject({ allowed: true, expiresAt });
      clock.advance(60_000);
      expect((await check(subjectId, [consentKey]))[consentKey]).toMatchObject({
        allowed: false,
        reason: 'expired',
      });

      await record(subjectId, [consentKey], 'grant');
      await t.app.inject({
        method: 'PUT',
        url: `/v1/consent/purposes/${consentKey}`,
        headers: dpo,
        payload: {
          name: 'Newsletter',
          legalBasis: 'consent',
          dataUses: ['marketing.communications.email', 'marketing.communications.sms'],
          ...purposeBase,
        },
      });
      results = await check(subjectId, [consentKey]);
      expect(results[consentKey]).toMatchObject({ allowed: false, reason: 'version_outdated', version: 1 });
      const stale = await record(subjectId, [{ key: consentKey, version: 1 }], 'grant');
      expect(stale.statusCode).toBe(422);
      await record(subjectId, [{ key: consentKey, version: 2 }], 'grant');
      expect((await check(subjectId, [consentKey]))[consentKey]).toMatchObject({ allowed: true, version: 2 });
    });

    it('records the expiry of lapsed grants in the history with the expiry job', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      await record(subjectId, [key], 'grant', {
        expiresAt: new Date(clock.now().getTime() + 1000).toISOString(),
      });
      clock.advance(1000);
      expect(await t.runtime.services.consent.expireDue(system)).toBeGreaterThanOrEqual(1);
      expect(await t.runtime.services.consent.expireDue(system)).toBe(0);
      const history = await get(`/v1/subjects/${subjectId}/consent/history`);
      expect(history.json().events.map((event: { action: string }) => event.action)).toEqual([
        'grant',
        'expire',
      ]);
      expect(
        t.runtime.services.jobDefinitions.find((job) => job.name === 'consent.expire')?.schedule,
      ).toBeTruthy();
    });

    it('finds the subject by e-mail or external id through the blind index, never by URL', async () => {
      const collection = {
        name: `people_${faker.string.alphanumeric({ length: 6, casing: 'lower' })}`,
        fields: [
          {
            name: 'email',
            type: 'email',
            category: 'user.contact.email',
            classification: 'confidential',
            indexed: true,
          },
        ],
      };
      expect((await post('/v1/collections', collection, dpo)).statusCode).toBe(201);
      const externalId = faker.string.uuid();
      const subjectId = await createSubject(externalId);
      const email = faker.internet.email();
      await post(`/v1/subjects/${subjectId}/records`, { collection: collection.name, fields: { email } });
      const key = await createPurpose();

      const granted = await post('/v1/consent/events', {
        subject: { email: email.toUpperCase() },
        purposes: [key],
        action: 'grant',
        method: 'explicit_opt_in',
      });
      expect(granted.json().subjectId).toBe(subjectId);
      const checked = await post('/v1/consent/check', { subject: { externalId }, purposes: [key] });
      expect(checked.json()).toMatchObject({ subjectId, results: [{ allowed: true }] });
      const unknown = await post('/v1/consent/check', {
        subject: { email: faker.internet.email() },
        purposes: [key],
      });
      expect(unknown.statusCode).toBe(404);
      const both = await post('/v1/consent/check', { subject: { email, externalId }, purposes: [key] });
      expect(both.statusCode).toBe(400);
    });

    it('stops processing for restricted and erased subjects, seen at once by a cached check', async () => {
      const key = await createPurpose({ legalBasis: 'contract', dataUses: ['essential.service'] });
      const restricted = await createSubject();
      const erased = await createSubject();
      expect((await check(restricted, [key]))[key]?.allowed).toBe(true);
      expect((await check(erased, [key]))[key]?.allowed).toBe(true);

      // The vault (or the requests module) changes the status; the cache hears of it through NOTIFY.
      await sql`update subjects set status = 'restricted' where id = ${restricted}`.execute(
        t.runtime.database.db,
      );
      expect((await post(`/v1/subjects/${erased}/shred`, {})).statusCode).toBe(200);
      await vi.waitFor(
        async () => {
          expect((await check(restricted, [key]))[key]).toMatchObject({
            allowed: false,
            reason: 'restricted',
          });
          expect((await check(erased, [key]))[key]).toMatchObject({ allowed: false, reason: 'erased' });
        },
        { timeout: 2000, interval: 20 },
      );

      const afterErasure = await record(erased, [key], 'grant', { method: 'implied' });
      expect(afterErasure.statusCode).toBe(410);
    });

    it('commits concurrent calls together, in call order per subject, failing only a bad one', async () => {
      const key = await createPurpose();
      const others = await Promise.all(Array.from({ length: 12 }, () => createSubject()));
      const busy = await createSubject();
      const { consent } = t.runtime.services;
      const call = (subjectId: string, action: 'grant' | 'withdraw') =>
        consent.record(system, {
          subjectId,
          purposes: [{ key }],
          action,
          method: action === 'grant' ? 'explicit_opt_in' : 'opt_out',
          source: 'api',
        });
      const busyActions = ['grant', 'withdraw', 'grant', 'withdraw', 'grant', 'withdraw'] as const;
      const results = await Promise.allSettled([
        ...others.map((subjectId) => call(subjectId, 'grant')),
        ...busyActions.map((action) => call(busy, action)),
        call(faker.string.uuid(), 'grant'),
      ]);
      const rejected = results.filter((result) => result.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'not_found' });

      const history = (await get(`/v1/subjects/${busy}/consent/history`)).json().events;
      expect(history.map((event: { action: string }) => event.action)).toEqual([...busyActions]);
      expect((await check(busy, [key]))[key]).toMatchObject({ allowed: false, reason: 'withdrawn' });
      for (const subjectId of others) expect((await check(subjectId, [key]))[key]?.allowed).toBe(true);
    });

    it('keeps the history append-only', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      await record(subjectId, [key], 'grant');
      const db = t.runtime.database.db;
      await expect(sql`update consent_events set action = 'deny'`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from consent_events`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from consent_purpose_versions`.execute(db)).rejects.toThrow(/append-only/);
    });

    it('audits every recorded event without personal data, and no check at all', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      const ip = faker.internet.ipv4();
      await record(subjectId, [key], 'grant', { proof: { ip } });
      const count = async () =>
        Number(
          (
            await sql<{ n: number }>`select count(*)::int as n from audit_entries`.execute(
              t.runtime.database.db,
            )
          ).rows[0]?.n,
        );
      const before = await count();
      for (let index = 0; index < 5; index += 1) await check(subjectId, [key]);
      expect(await count()).toBe(before);
      const entries = await get(`/v1/audit/entries?action=consent.event.recorded&targetId=${subjectId}`, dpo);
      expect(entries.json().items).toHaveLength(1);
      expect(entries.json().items[0].details.events[0]).toMatchObject({ purpose: key, action: 'grant' });
      expect(JSON.stringify(entries.json())).not.toContain(ip);
    });
  });

  describe('history, objections and standing', () => {
    it('exports the full history with proof as JSON and CSV', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      const formId = `form-${faker.string.alphanumeric(5)}`;
      await record(subjectId, [key], 'grant', { proof: { formId, userAgent: faker.internet.userAgent() } });
      await record(subjectId, [key], 'withdraw');
      await record(subjectId, [key], 'grant');

      const json = await get(`/v1/subjects/${subjectId}/consent/history`);
      expect(json.statusCode).toBe(200);
      expect(json.headers['content-type']).toMatch(/application\/json/);
      const document = json.json();
      expect(document).toMatchObject({ format: 'custos-consent-history', subjectId });
      expect(document.events.map((event: { action: string }) => event.action)).toEqual([
        'grant',
        'withdraw',
        'grant',
      ]);
      expect(document.events[0]).toMatchObject({ purpose: key, version: 1, formId });
      expect(document.events[0].userAgentHash).toMatch(/^[0-9a-f]{64}$/);

      const csv = await get(`/v1/subjects/${subjectId}/consent/history?format=csv`);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toMatch(/^sequence,event_id,purpose,version/);
      expect(lines).toHaveLength(4);
      expect((await get(`/v1/subjects/${faker.string.uuid()}/consent/history`)).statusCode).toBe(404);
    });

    it('records objections to every legitimate-interest purpose at once; a later grant lifts one', async () => {
      const interest = await createPurpose({ legalBasis: 'legitimate_interests', dataUses: ['analytics'] });
      const publicTask = await createPurpose({ legalBasis: 'public_task', dataUses: ['analytics'] });
      const subjectId = await createSubject();
      const objected = await post(`/v1/subjects/${subjectId}/consent/objections`, { source: 'drp' });
      expect(objected.statusCode, objected.body).toBe(201);
      const purposes = objected
        .json()
        .receipts.map((receipt: { purpose: { key: string } }) => receipt.purpose.key);
      expect(purposes).toEqual(expect.arrayContaining([interest, publicTask]));
      expect((await check(subjectId, [interest, publicTask]))[publicTask]?.reason).toBe('objected');
      const again = await post(`/v1/subjects/${subjectId}/consent/objections`, { source: 'drp' });
      expect(again.json().receipts).toEqual([]);

      await record(subjectId, [interest], 'grant', { method: 'implied' });
      expect((await check(subjectId, [interest]))[interest]).toMatchObject({
        allowed: true,
        reason: 'legal_basis',
      });
    });

    it('lists the standing choice and verdict for every purpose', async () => {
      const key = await createPurpose();
      const subjectId = await createSubject();
      await record(subjectId, [key], 'grant');
      const standing = await get(`/v1/subjects/${subjectId}/consents`);
      const item = standing.json().items.find((entry: { purpose: string }) => entry.purpose === key);
      expect(item).toMatchObject({
        allowed: true,
        reason: 'granted',
        choice: { status: 'granted', source: 'privacy_center' },
      });
      expect((await get(`/v1/subjects/${faker.string.uuid()}/consents`)).statusCode).toBe(404);
    });
  });

  describe('Global Privacy Control', () => {
    it('serves /.well-known/gpc.json to anyone', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/.well-known/gpc.json' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ gpc: true, lastUpdate: t.runtime.config.gpcLastUpdate });
    });

    it('opts a subject out of sale and sharing purposes when a check carries Sec-GPC: 1, once', async () => {
      const sale = await createPurpose({
        ccpa: { sale: true },
        dataUses: ['marketing.advertising.third_party'],
      });
      const sharing = await createPurpose({
        legalBasis: 'legitimate_interests',
        ccpa: { sharing: true },
        dataUses: ['marketing.advertising.third_party.targeted'],
      });
      const plain = await createPurpose();
      const subjectId = await createSubject();
      await record(subjectId, [sale, plain], 'grant');

      expect((await check(subjectId, [sale, sharing], { ...service, 'sec-gpc': '0' }))[sale]?.allowed).toBe(
        true,
      );
      const results = await check(subjectId, [sale, sharing, plain], { ...service, 'sec-gpc': ['0', '1'] });
      expect(results[sale]).toMatchObject({ allowed: false, reason: 'withdrawn' });
      expect(results[sharing]).toMatchObject({ allowed: false, reason: 'withdrawn' });
      expect(results[plain]).toMatchObject({ allowed: true, reason: 'granted' });
      await check(subjectId, [sale], { ...service, 'sec-gpc': '1' });

      const history = (await get(`/v1/subjects/${subjectId}/consent/history`)).json().events;
      const gpc = history.filter((event: { source: string }) => event.source === 'gpc');
      expect(
        gpc
          .map((event: { purpose: string; action: string; method: string }) => [
            event.purpose,
            event.action,
            event.method,
          ])
          .sort(),
      ).toEqual(
        [
          [sale, 'withdraw', 'opt_out'],
          [sharing, 'withdraw', 'opt_out'],
        ].sort(),
      );
    });

    it('records the signal through its own route, and keeps an explicit choice made in the same request', async () => {
      const sale = await createPurpose({
        ccpa: { sale: true },
        dataUses: ['marketing.advertising.third_party'],
      });
      const other = await createPurpose({
        ccpa: { sharing: true },
        dataUses: ['marketing.advertising.third_party'],
      });
      const subjectId = await createSubject();
      const signalled = await post('/v1/consent/signals/gpc', { subject: { id: subjectId } });
      expect(signalled.statusCode).toBe(200);
      expect(signalled.json().receipts.map((receipt: { action: string }) => receipt.action)).toEqual(
        expect.arrayContaining(['deny']),
      );

      const headers = { ...service, 'sec-gpc': '1' };
      const subject2 = await createSubject();
      const granted = await post(
        '/v1/consent/events',
        { subject: { id: subject2 }, purposes: [sale], action: 'grant', method: 'explicit_opt_in' },
        headers,
      );
      expect(granted.statusCode).toBe(201);
      expect(
        granted.json().gpcReceipts.map((receipt: { purpose: { key: string } }) => receipt.purpose.key),
      ).toContain(other);
      const results = await check(subject2, [sale, other]);
      expect(results[sale]?.allowed).toBe(true);
      expect(results[other]).toMatchObject({ allowed: false, reason: 'no_consent' });
    });
  });

  describe('IAB TCF', () => {
    it('stores and decodes a TC string, and refuses what is not TCF v2.2 with a clear problem', async () => {
      const subjectId = await createSubject();
      const tcString = encodeTestTcString({ purposeConsents: [1, 2, 4], vendorConsents: [8, 755] });
      const stored = await post(`/v1/subjects/${subjectId}/consent/tcf`, { tcString });
      expect(stored.statusCode, stored.body).toBe(201);
      expect(stored.json()).toMatchObject({
        subjectId,
        tcString,
        policyVersion: 5,
        purposeConsents: [1, 2, 4],
        vendorConsents: [8, 755],
        vendorConsentCount: 2,
      });
      expect((await get(`/v1/subjects/${subjectId}/consent/tcf`)).json().id).toBe(stored.json().id);

      for (const bad of ['definitely-not-a-tc-string', 'CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', tcfV20String]) {
        const refused = await post(`/v1/subjects/${subjectId}/consent/tcf`, { tcString: bad });
        expect(refused.statusCode).toBe(400);
        expect(refused.json().code).toBe('invalid_tc_string');
      }
      expect((await get(`/v1/subjects/${await createSubject()}/consent/tcf`)).statusCode).toBe(404);
    });
  });
});
