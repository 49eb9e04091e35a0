import { readFile } from 'node:fs/promises';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { maskEmail } from '../../src/modules/vault/masking.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { strongPassword } from '../helpers/factories.js';
import {
  auditOf,
  caller,
  createCollections,
  createPerson,
  mailAbout,
  type Person,
  workedRequest,
} from '../helpers/fulfilment.js';
import { registerConfirmed } from '../helpers/privacy-center.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1717);

const clock = fixedClock('2025-06-02T08:00:00Z');
const sweeper = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

describe('fulfilling erasure requests', () => {
  let t: TestApp;
  let service: AuthHeaders;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    as = caller(t);
    service = await actAs(t, 'service');
    await createCollections(t);
  });
  afterAll(() => t.close());

  const erase = (requestId: string) => as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
  const subjectStatus = async (subjectId: string) =>
    (await as(service, 'GET', `/v1/subjects/${subjectId}`)).json();
  const recordCount = async (subjectId: string) =>
    Number(
      (
        await t.runtime.database.db
          .selectFrom('records')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('subject_id', '=', subjectId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function createPolicy(payload: object) {
    const created = await as('dpo', 'POST', '/v1/retention/policies', payload);
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; name: string };
  }

  async function withoutPolicies<T>(body: () => Promise<T>): Promise<T> {
    const policies = (await as('dpo', 'GET', '/v1/retention/policies')).json().items as { id: string }[];
    for (const policy of policies) await as('dpo', 'DELETE', `/v1/retention/policies/${policy.id}`);
    return body();
  }

  describe('retention policies', () => {
    it('are created, read, replaced and deleted by the DPO, audited', async () => {
      const created = await createPolicy({
        name: `Invoices ${faker.string.alphanumeric(6)}`,
        collection: 'invoices',
        fields: ['number', 'amount', 'issued_on'],
        anonymization: { billing_name: { op: 'redact' } },
        legalBasis: 'legal_obligation',
        description: 'Commercial and tax law: invoices are kept ten years',
        duration: 'P10Y',
      });
      expect(created).toMatchObject({
        collection: 'invoices',
        dataCategory: null,
        fields: ['number', 'amount', 'issued_on'],
        anonymization: { billing_name: { op: 'redact' } },
        duration: 'P10Y',
      });
      const read = await as('privacy_agent', 'GET', `/v1/retention/policies/${created.id}`);
      expect(read.statusCode).toBe(200);
      const replaced = await as('dpo', 'PUT', `/v1/retention/policies/${created.id}`, {
        name: created.name,
        dataCategory: 'user.financial',
        legalBasis: 'legal_claims',
        duration: 'P3Y',
      });
      expect(replaced.statusCode, replaced.body).toBe(200);
      expect(replaced.json()).toMatchObject({
        collection: null,
        dataCategory: 'user.financial',
        fields: null,
      });
      expect((await as('dpo', 'DELETE', `/v1/retention/policies/${created.id}`)).statusCode).toBe(204);
      expect((await as('dpo', 'GET', `/v1/retention/policies/${created.id}`)).statusCode).toBe(404);
      const actions = (await auditOf(t, created.id)).map((entry) => entry.action);
      expect(actions).toEqual([
        'retention.policy.created',
        'retention.policy.updated',
        'retention.policy.deleted',
      ]);
    });

    it('are checked against the vault’s collections and the taxonomy, one error per problem', async () => {
      const response = await as('dpo', 'POST', '/v1/retention/policies', {
        name: 'Broken',
        collection: 'invoices',
        fields: ['number', 'shoe_size'],
        anonymization: { number: { op: 'redact' } },
        legalBasis: 'legal_obligation',
        duration: 'P2W',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((error: { path: string }) => error.path)).toEqual([
        'duration',
        'fields.shoe_size',
        'anonymization.number',
      ]);
      const both = await as('dpo', 'POST', '/v1/retention/policies', {
        name: 'Both',
        collection: 'invoices',
        dataCategory: 'user.financial',
        legalBasis: 'legal_obligation',
        duration: 'P1Y',
      });
      expect(both.json().errors).toEqual([
        { in: 'body', path: '(root)', message: 'name exactly one of collection, dataCategory, purpose' },
      ]);
      const unknown = await as('dpo', 'POST', '/v1/retention/policies', {
        name: 'Unknown',
        dataCategory: 'footwear.shoe_size',
        legalBasis: 'legal_obligation',
        duration: 'P1Y',
      });
      expect(unknown.json().errors[0].path).toBe('dataCategory');
      expect((await as('privacy_agent', 'POST', '/v1/retention/policies', {})).statusCode).toBe(403);
    });
  });

  it('crypto-shreds a subject nothing must be kept of, and tells them', async () => {
    await withoutPolicies(async () => {
      const person = await createPerson(t, service, { invoices: 1 });
      const token = await as(service, 'POST', '/v1/tokens', {
        subjectId: person.subjectId,
        collection: 'customers',
        field: 'email',
        value: person.email,
      });
      expect(token.statusCode, token.body).toBe(201);
      const requestId = await workedRequest(t, service, 'erasure', person);
      // No body at all: the note is optional, and so is the body (the API docs show none).
      const response = await t.app.inject({
        method: 'POST',
        url: `/v1/requests/${requestId}/erasure`,
        headers: await actAs(t, 'privacy_agent'),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        request: { state: 'completed' },
        method: 'shredded',
        removed: { records: 4, tokens: 1 },
        kept: [],
        retainedUntil: null,
      });
      expect((await subjectStatus(person.subjectId)).code).toBe('subject_erased');
      const detokenized = await as(service, 'POST', '/v1/tokens/detokenize', {
        token: token.json().token,
        purpose: 'support',
      });
      expect(detokenized.statusCode).toBe(404);
      expect(await findInDatabase(t.runtime.database, [person.email, person.fullName])).toEqual([]);

      const notice = await mailAbout(t, 'request.erasure_done', requestId);
      expect(notice?.content.subject).toBe('Your data was erased');
      const applied = (await auditOf(t, requestId)).find(
        (entry) => entry.action === 'request.erasure.applied',
      );
      expect(applied?.details).toMatchObject({ method: 'shredded', subject: person.subjectId, records: 4 });
    });
  });

  it('reaches every copy Custos made: privacy-center account, exports, held mail, notes, contacts', async () => {
    await withoutPolicies(async () => {
      const email = faker.internet.email().toLowerCase();
      const name = faker.person.fullName();
      const phone = `+44 7700 ${faker.string.numeric(6)}`;
      const subject = await registerConfirmed(t, { name, email, password: strongPassword });
      const signedIn = (method: 'GET' | 'POST', url: string, payload?: object) =>
        t.app.inject({ method, url, headers: subject.headers, ...(payload ? { payload } : {}) });
      const stored = await as(service, 'POST', `/v1/subjects/${subject.subjectId}/records`, {
        collection: 'customers',
        fields: { email, full_name: name, plan: 'pro' },
      });
      expect(stored.statusCode, stored.body).toBe(201);
      const hold = await as('dpo', 'POST', `/v1/subjects/${subject.subjectId}/legal-holds`, {
        reason: 'litigation',
        note: `Claim by ${name}, ${phone}`,
      });
      expect(hold.statusCode, hold.body).toBe(201);
      expect((await as('dpo', 'POST', `/v1/legal-holds/${hold.json().id}/lift`)).statusCode).toBe(200);

      // An access request from the privacy center, worked with notes naming the person, and downloaded.
      const access = await signedIn('POST', '/v1/privacy/me/requests', { type: 'access' });
      expect(access.statusCode, access.body).toBe(201);
      const accessId = access.json().id as string;
      const note = `Called ${name} on ${phone}, confirmed ${email}`;
      expect(access.json()).toMatchObject({ state: 'verified' });
      const extended = await as('privacy_agent', 'POST', `/v1/requests/${accessId}/extension`, {
        reason: `Waiting for ${name} to send the missing order numbers`,
      });
      expect(extended.statusCode, extended.body).toBe(200);
      const started = await as('privacy_agent', 'POST', `/v1/requests/${accessId}/transitions`, {
        to: 'in_progress',
        note,
      });
      expect(started.statusCode, started.body).toBe(200);
      const exported = await as('privacy_agent', 'POST', `/v1/requests/${accessId}/exports`);
      expect(exported.statusCode, exported.body).toBe(201);
      const links = (exported.json().items as { downloadUrl: string }[]).map(
        (item) => new URL(item.downloadUrl),
      );
      const download = (link: URL) => t.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
      expect((await download(links[0] as URL)).statusCode).toBe(200);

      // The subject then asks for erasure, and the team erases them.
      const erasure = await signedIn('POST', '/v1/privacy/me/requests', { type: 'erasure' });
      expect(erasure.statusCode, erasure.body).toBe(201);
      const erasureId = erasure.json().id as string;
      await as('privacy_agent', 'POST', `/v1/requests/${erasureId}/transitions`, { to: 'in_progress', note });
      const erased = await erase(erasureId);
      expect(erased.statusCode, erased.body).toBe(200);
      expect(erased.json()).toMatchObject({ method: 'shredded' });

      // Nothing in storage, in any table of any schema (pg-boss's included), in clear or masked.
      const needles = [
        email,
        name,
        phone,
        phone.replaceAll(' ', ''),
        maskEmail(email),
        email.split('@')[0] as string,
      ];
      expect(await findInDatabase(t.runtime.database, needles)).toEqual([]);

      // Nothing readable through Custos either: links, notes, contacts and held mail are gone.
      for (const link of links) {
        const gone = await download(link);
        expect(gone.statusCode).toBe(410);
        expect(gone.headers['content-type']).toContain('application/problem+json');
      }
      for (const requestId of [accessId, erasureId]) {
        const request = (await as('privacy_agent', 'GET', `/v1/requests/${requestId}`)).json();
        expect(request.contactEmail).toBeNull();
        expect(JSON.stringify(request)).not.toContain(name);
        expect(request.timeline.every((entry: { note: string | null }) => entry.note === null)).toBe(true);
      }
      const retention = await as('dpo', 'GET', `/v1/subjects/${subject.subjectId}/retention`);
      expect(retention.body).not.toContain(name);
      const outbox = (await as('dpo', 'GET', '/v1/outbox?limit=200')).json().items as {
        kind: string;
        reference: { id: string } | null;
        content: { to: string } | null;
      }[];
      const readable = outbox.filter((item) => item.content?.to === email).map((item) => item.kind);
      // The answer to the erasure request itself is the one message kept until it is delivered (Art. 12(3)).
      expect(readable).toEqual(['request.erasure_done']);
    });
  });

  it('lists every registered place personal data lives in SECURITY.md, with what erasure does', async () => {
    const security = await readFile(new URL('../../docs/SECURITY.md', import.meta.url), 'utf8');
    const section = security.slice(security.indexOf('### Where personal data lives'));
    const places = t.runtime.services.personalData.list();
    expect(places.map((place) => place.name)).toEqual(
      expect.arrayContaining(['privacy_center_accounts', 'request_exports', 'request_notes', 'mail_outbox']),
    );
    for (const place of places) expect(section).toContain(`| \`${place.name}\` (registry) |`);
  });

  describe('with data under a legal obligation', () => {
    let person: Person;
    let requestId: string;
    let body: Record<string, unknown>;

    beforeAll(async () => {
      clock.set('2025-06-02T08:00:00Z');
      await createPolicy({
        name: 'Invoices',
        collection: 'invoices',
        fields: ['number', 'amount', 'issued_on'],
        anonymization: { billing_name: { op: 'redact' } },
        legalBasis: 'legal_obligation',
        description: 'Commercial and tax law: invoices are kept ten years',
        duration: 'P10Y',
      });
      person = await createPerson(t, service, { invoices: 2 });
      requestId = await workedRequest(t, service, 'delete', person);
      const response = await erase(requestId);
      expect(response.statusCode, response.body).toBe(200);
      body = response.json();
    });

    it('keeps only the invoices, minimised, and erases everything else', async () => {
      expect(body).toMatchObject({
        request: { state: 'completed' },
        method: 'minimised',
        removed: { records: 3 },
        retainedUntil: '2035-06-02T23:59:59.999Z',
        kept: [
          {
            collection: 'invoices',
            records: 2,
            fields: ['amount', 'issued_on', 'number'],
            anonymized: ['billing_name'],
            policies: [{ name: 'Invoices', legalBasis: 'legal_obligation', duration: 'P10Y' }],
            until: '2035-06-02T23:59:59.999Z',
          },
        ],
      });
      expect(await recordCount(person.subjectId)).toBe(2);
      // Blind indexes stay for kept fields only: the invoice numbers, not the billing address.
      const indexes = await t.runtime.database.db
        .selectFrom('blind_indexes')
        .select('field')
        .where('subject_id', '=', person.subjectId)
        .execute();
      expect(indexes.map((row) => row.field)).toEqual(['invoices.number', 'invoices.number']);
      const kept = await as(
        service,
        'GET',
        `/v1/subjects/${person.subjectId}/records?purpose=restricted_processing&reveal=true`,
      );
      expect(kept.statusCode, kept.body).toBe(200);
      for (const record of kept.json().items) {
        expect(Object.keys(record.fields).sort()).toEqual(['amount', 'billing_name', 'issued_on', 'number']);
        expect(record.fields.billing_name).toBe('[redacted]');
      }
    });

    it('restricts the subject: no search finds them, and reads need the restricted_processing purpose', async () => {
      expect((await subjectStatus(person.subjectId)).status).toBe('restricted');
      const byEmail = await as(service, 'POST', '/v1/subjects/search', { email: person.email });
      expect(byEmail.json().items).toEqual([]);
      const support = await as(service, 'GET', `/v1/subjects/${person.subjectId}/records?purpose=support`);
      expect(support.statusCode).toBe(409);
      expect(support.json()).toMatchObject({
        code: 'subject_restricted',
        requiredPurpose: 'restricted_processing',
      });
      const retention = await as('auditor', 'GET', `/v1/subjects/${person.subjectId}/retention`);
      expect(retention.json().erasure).toMatchObject({
        requestId,
        retainedUntil: '2035-06-02T23:59:59.999Z',
      });
    });

    it('tells the subject what was kept, why and until when (Art. 17(3))', async () => {
      const notice = await mailAbout(t, 'request.erasure_done', requestId);
      expect(notice?.content.subject).toBe('Your data was erased, except what we must keep');
      expect(notice?.content.text).toContain(
        '- invoices: 2 record(s), keeping amount, issued_on, number and, anonymized, billing_name',
      );
      expect(notice?.content.text).toContain('a legal obligation to keep it (GDPR Art. 17(3)(b))');
      expect(notice?.content.text).toContain('Commercial and tax law: invoices are kept ten years');
      expect(notice?.content.text).toContain('10 years from when it was stored');
      expect(notice?.content.text).toContain('Erased at the latest on 2035-06-02');
    });

    it('shreds the subject once the retention has ended', async () => {
      const retention = t.runtime.services.erasureRetention;
      expect(await retention.sweep(sweeper)).toMatchObject({ shredded: 0 });
      expect((await subjectStatus(person.subjectId)).status).toBe('restricted');
      clock.set('2035-06-03T03:30:00Z');
      expect((await retention.sweep(sweeper)).shredded).toBeGreaterThanOrEqual(1);
      expect((await subjectStatus(person.subjectId)).code).toBe('subject_erased');
      expect(await recordCount(person.subjectId)).toBe(0);
      const audited = (await auditOf(t, person.subjectId)).map((entry) => entry.action);
      expect(audited).toContain('retention.subject.shredded');
      clock.set('2025-06-02T08:00:00Z');
    });
  });

  it('deletes records whose shorter retention ended, and waits while a legal hold is in force', async () => {
    clock.set('2025-07-01T10:00:00Z');
    const orders = await createPolicy({
      name: `Order disputes ${faker.string.alphanumeric(4)}`,
      dataCategory: 'user.behavior.purchase_history',
      legalBasis: 'legal_claims',
      duration: 'P30D',
    });
    const person = await createPerson(t, service, { invoices: 1 });
    const requestId = await workedRequest(t, service, 'erasure', person);
    expect((await erase(requestId)).json()).toMatchObject({ method: 'minimised', removed: { records: 1 } });
    expect(await recordCount(person.subjectId)).toBe(3);

    clock.set('2025-08-01T10:00:00Z');
    const retention = t.runtime.services.erasureRetention;
    expect((await retention.sweep(sweeper)).trimmed).toBe(1);
    expect(await recordCount(person.subjectId)).toBe(1);

    const hold = await as('dpo', 'POST', `/v1/subjects/${person.subjectId}/legal-holds`, {
      reason: 'tax_audit',
    });
    expect(hold.statusCode, hold.body).toBe(201);
    clock.set('2035-08-01T10:00:00Z');
    expect((await retention.sweep(sweeper)).held).toBe(1);
    expect(await recordCount(person.subjectId)).toBe(1);
    await as('dpo', 'POST', `/v1/legal-holds/${hold.json().id}/lift`);
    clock.set('2035-08-03T10:00:00Z');
    expect((await retention.sweep(sweeper)).shredded).toBe(1);
    expect((await subjectStatus(person.subjectId)).code).toBe('subject_erased');
    await as('dpo', 'DELETE', `/v1/retention/policies/${orders.id}`);
    clock.set('2025-06-02T08:00:00Z');
  });

  describe('under a legal hold', () => {
    it('refuses to erase the subject, rejects the request with the reason and tells the subject', async () => {
      const person = await createPerson(t, service);
      const note = `Case ${faker.string.numeric(6)} against ${faker.person.lastName()}`;
      const hold = await as('dpo', 'POST', `/v1/subjects/${person.subjectId}/legal-holds`, {
        reason: 'litigation',
        note,
        until: '2027-01-01T00:00:00Z',
      });
      expect(hold.statusCode, hold.body).toBe(201);
      expect(hold.json()).toMatchObject({
        reason: 'litigation',
        note,
        active: true,
        until: '2027-01-01T00:00:00.000Z',
      });

      const requestId = await workedRequest(t, service, 'erasure', person);
      const refused = await erase(requestId);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({
        code: 'legal_hold',
        state: 'rejected',
        rejectionReason: 'legal_claims',
        legalHolds: [{ id: hold.json().id, reason: 'litigation', until: '2027-01-01T00:00:00.000Z' }],
      });
      expect(refused.json().detail).toContain('pending or expected litigation');
      expect(refused.body).not.toContain(note);

      const request = await as('privacy_agent', 'GET', `/v1/requests/${requestId}`);
      expect(request.json()).toMatchObject({ state: 'rejected', rejectionReason: 'legal_claims' });
      const notice = await mailAbout(t, 'request.rejected', requestId);
      expect(notice?.content.text).toContain('establishment, exercise or defence of legal claims');
      expect((await subjectStatus(person.subjectId)).status).toBe('active');
      expect(await recordCount(person.subjectId)).toBe(3);
    });

    it('erases once the hold is lifted; placing and lifting are audited without the note', async () => {
      const person = await createPerson(t, service);
      const hold = await as('dpo', 'POST', `/v1/subjects/${person.subjectId}/legal-holds`, {
        reason: 'regulatory_investigation',
        note: 'Inquiry by the supervisory authority',
      });
      expect((await as('privacy_agent', 'POST', `/v1/legal-holds/${hold.json().id}/lift`)).statusCode).toBe(
        403,
      );
      const lifted = await as('dpo', 'POST', `/v1/legal-holds/${hold.json().id}/lift`);
      expect(lifted.json()).toMatchObject({ active: false, liftedBy: { type: 'operator' } });
      expect((await as('dpo', 'POST', `/v1/legal-holds/${hold.json().id}/lift`)).statusCode).toBe(409);

      const requestId = await workedRequest(t, service, 'erasure', person);
      expect((await erase(requestId)).statusCode).toBe(200);
      const entries = await auditOf(t, hold.json().id);
      expect(entries.map((entry) => entry.action)).toEqual([
        'retention.legal_hold.placed',
        'retention.legal_hold.lifted',
      ]);
      expect(JSON.stringify(entries)).not.toContain('Inquiry');
      const retention = await as('privacy_agent', 'GET', `/v1/subjects/${person.subjectId}/retention`);
      expect(retention.json().legalHolds).toMatchObject([{ id: hold.json().id, active: false }]);
    });
  });
});
