import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import type { Role } from '../../src/modules/access/permissions.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(61);

const clock = fixedClock('2025-03-10T09:00:00Z');
const systemContext = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

describe('data-subject requests', () => {
  let t: TestApp;
  let service: AuthHeaders;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    service = await actAs(t, 'service');
  });
  afterAll(() => t.close());

  type Method = 'GET' | 'POST' | 'PUT';
  async function as(who: Role | AuthHeaders, method: Method, url: string, payload?: object) {
    const headers = typeof who === 'string' ? await actAs(t, who) : who;
    return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  }

  /** A vault subject of its own, so each test can filter the queue down to its own requests. */
  async function newSubject(): Promise<string> {
    const response = await as(service, 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
    expect(response.statusCode).toBe(201);
    return response.json().id;
  }

  async function file(payload: Record<string, unknown>, who: Role | AuthHeaders = service) {
    const response = await as(who, 'POST', '/v1/requests', {
      contactEmail: faker.internet.email(),
      ...payload,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  const move = (id: string, body: object, role: Role = 'privacy_agent') =>
    as(role, 'POST', `/v1/requests/${id}/transitions`, body);

  const verifyManually = (id: string) =>
    as('privacy_agent', 'POST', `/v1/requests/${id}/verification/manual`, {
      method: 'identity_document',
      note: 'Passport checked on a video call',
    });

  async function outboxFor(requestId: string) {
    const response = await as('privacy_agent', 'GET', '/v1/outbox?limit=200');
    expect(response.statusCode).toBe(200);
    return response
      .json()
      .items.filter((item: { reference: { id: string } | null }) => item.reference?.id === requestId);
  }

  it('describes every request route and the outbox in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/requests',
        '/v1/requests/{id}',
        '/v1/requests/{id}/transitions',
        '/v1/requests/{id}/verification/confirm',
        '/v1/outbox',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['DataSubjectRequest', 'RequestTimelineEntry', 'OutboxMessage']),
    );
  });

  describe('filing', () => {
    it('files a GDPR access request, due one calendar month after receipt, with the contact masked', async () => {
      clock.set('2025-01-31T16:00:00Z');
      const email = faker.internet.email();
      const request = await file({ type: 'access', contactEmail: email });
      expect(request).toMatchObject({
        type: 'access',
        regime: 'gdpr',
        state: 'received',
        channel: 'api',
        filedBy: 'subject',
        filer: { type: 'api_key' },
        receivedAt: '2025-01-31T16:00:00.000Z',
        dueDate: '2025-02-28',
        dueAt: '2025-02-28T23:59:59.999Z',
        daysLeft: 28,
        overdue: false,
        extension: null,
        verification: null,
        allowedTransitions: ['verifying', 'verified', 'rejected', 'withdrawn'],
      });
      expect(request.contactEmail).not.toBe(email);
      expect(request.contactEmail).toMatch(/^.•+@/);

      const detail = await as('auditor', 'GET', `/v1/requests/${request.id}`);
      expect(detail.statusCode).toBe(200);
      expect(detail.json().timeline).toEqual([
        expect.objectContaining({
          kind: 'received',
          to: 'received',
          actor: { type: 'api_key', id: expect.any(String) },
          details: expect.objectContaining({ type: 'access', dueDate: '2025-02-28' }),
        }),
      ]);
    });

    it('gives a CCPA request 45 days, and takes an operator intake backdated to when it arrived', async () => {
      clock.set('2025-03-10T09:00:00Z');
      const request = await file({ type: 'delete', receivedAt: '2025-03-01T10:00:00Z' }, 'privacy_agent');
      expect(request).toMatchObject({
        regime: 'ccpa',
        channel: 'operator',
        filedBy: 'operator',
        filer: { type: 'operator' },
        dueDate: '2025-04-15',
        daysLeft: 36,
      });
    });

    it('refuses a right the regime does not grant, a request naming nobody, and a receipt in the future', async () => {
      const wrongRegime = await as(service, 'POST', '/v1/requests', {
        type: 'opt_out',
        regime: 'gdpr',
        contactEmail: faker.internet.email(),
      });
      expect(wrongRegime.statusCode).toBe(400);
      expect(wrongRegime.json().errors[0]).toMatchObject({ path: 'type' });

      const nobody = await as(service, 'POST', '/v1/requests', { type: 'access' });
      expect(nobody.statusCode).toBe(400);

      const future = await as(service, 'POST', '/v1/requests', {
        type: 'access',
        contactEmail: faker.internet.email(),
        receivedAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
      });
      expect(future.statusCode).toBe(400);
      expect(future.json().errors[0]).toMatchObject({ path: 'receivedAt' });
    });

    it('refuses a subject that does not exist', async () => {
      const response = await as(service, 'POST', '/v1/requests', {
        type: 'erasure',
        subjectId: faker.string.uuid(),
      });
      expect(response.statusCode).toBe(404);
    });

    it('files concurrent requests together, each with its timeline event and audit entry', async () => {
      const filed = await Promise.all(
        Array.from({ length: 15 }, (_, index) =>
          file({ type: index % 2 === 0 ? 'access' : 'erasure', contactEmail: faker.internet.email() }),
        ),
      );
      const ids = filed.map((request: { id: string }) => request.id);
      expect(new Set(ids).size).toBe(15);
      const db = t.runtime.database.db;
      const events = await db
        .selectFrom('request_events')
        .select(['request_id', 'kind'])
        .where('request_id', 'in', ids)
        .execute();
      expect(events.map((event) => event.kind)).toEqual(Array(15).fill('received'));
      const audited = await db
        .selectFrom('audit_entries')
        .select('target_id')
        .where('action', '=', 'request.received')
        .where('target_id', 'in', ids)
        .execute();
      expect(new Set(audited.map((entry) => entry.target_id))).toEqual(new Set(ids));
      expect(await t.runtime.services.audit.verify()).toMatchObject({ ok: true });
    });

    it('starts verified when a trusted caller vouches for an authenticated subject', async () => {
      const subjectId = await newSubject();
      const request = await file({ type: 'portability', subjectId, authenticatedSubject: true });
      expect(request.state).toBe('verified');
      expect(request.verification).toMatchObject({ method: 'authenticated_subject' });
      const detail = (await as('dpo', 'GET', `/v1/requests/${request.id}`)).json();
      expect(
        detail.timeline.map((entry: { kind: string; to: string }) => `${entry.kind}:${entry.to}`),
      ).toEqual(['received:received', 'state_changed:verified']);
    });

    it('lets only callers with requests.verify vouch for a subject, and audits the denial', async () => {
      const { key } = await t.runtime.services.apiKeys.create(
        systemContext,
        { kind: 'root' },
        { name: 'intake form', permissions: ['requests.create', 'requests.read'] },
      );
      const response = await as({ authorization: `Bearer ${key}` }, 'POST', '/v1/requests', {
        type: 'access',
        contactEmail: faker.internet.email(),
        authenticatedSubject: true,
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'forbidden', permission: 'requests.verify' });
    });
  });

  describe('the life of a request', () => {
    it('runs from receipt to completion, every step on the timeline and in the audit log', async () => {
      clock.set('2025-03-10T09:00:00Z');
      const request = await file({ type: 'rectification' });
      expect((await verifyManually(request.id)).json()).toMatchObject({
        state: 'verified',
        verification: { method: 'identity_document' },
      });
      expect((await move(request.id, { to: 'in_progress' })).json().state).toBe('in_progress');
      expect((await move(request.id, { to: 'awaiting_systems' })).json().state).toBe('awaiting_systems');
      const done = await move(request.id, { to: 'completed', note: 'Address corrected in billing' });
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({
        state: 'completed',
        closedAt: '2025-03-10T09:00:00.000Z',
        daysLeft: null,
        overdue: false,
        allowedTransitions: [],
      });

      const { timeline } = (await as('auditor', 'GET', `/v1/requests/${request.id}`)).json();
      expect(timeline.map((entry: { from: string | null; to: string }) => [entry.from, entry.to])).toEqual([
        [null, 'received'],
        ['received', 'verified'],
        ['verified', 'in_progress'],
        ['in_progress', 'awaiting_systems'],
        ['awaiting_systems', 'completed'],
      ]);
      expect(timeline[1]).toMatchObject({
        actor: { type: 'operator' },
        details: { method: 'identity_document' },
        note: 'Passport checked on a video call',
      });
      expect(timeline[4].note).toBe('Address corrected in billing');

      const audit = await as('auditor', 'GET', `/v1/audit/entries?targetType=request&targetId=${request.id}`);
      const actions = audit
        .json()
        .items.map((entry: { action: string; details: { from?: string; to?: string } }) =>
          entry.action === 'request.state_changed'
            ? `${entry.details.from}->${entry.details.to}`
            : entry.action,
        )
        .reverse();
      expect(actions).toEqual([
        'request.received',
        'received->verified',
        'verified->in_progress',
        'in_progress->awaiting_systems',
        'awaiting_systems->completed',
      ]);
    });

    it('answers any other transition with 409 and the current state', async () => {
      const request = await file({ type: 'objection' });
      const early = await move(request.id, { to: 'in_progress' });
      expect(early.statusCode).toBe(409);
      expect(early.json()).toMatchObject({
        code: 'invalid_transition',
        state: 'received',
        requested: 'in_progress',
        allowed: ['verifying', 'verified', 'rejected', 'withdrawn'],
      });

      await move(request.id, { to: 'withdrawn' });
      const late = await move(request.id, { to: 'rejected', reason: 'duplicate' });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: 'invalid_transition', state: 'withdrawn', allowed: [] });
      expect((await verifyManually(request.id)).statusCode).toBe(409);
    });

    it('keeps verification out of the transitions route', async () => {
      const request = await file({ type: 'access' });
      const response = await move(request.id, { to: 'verified' });
      expect(response.statusCode).toBe(400);
    });

    it('rejects with a reason code from the fixed list, and tells the subject why', async () => {
      const request = await file({ type: 'erasure' });
      expect((await move(request.id, { to: 'rejected' })).statusCode).toBe(400);
      expect((await move(request.id, { to: 'rejected', reason: 'because' })).statusCode).toBe(400);

      const rejected = await move(request.id, { to: 'rejected', reason: 'legal_obligation' });
      expect(rejected.json()).toMatchObject({ state: 'rejected', rejectionReason: 'legal_obligation' });
      const [notice] = await outboxFor(request.id);
      expect(notice).toMatchObject({ kind: 'request.rejected', status: 'held' });
      expect(notice.content.text).toContain('legal obligation');
    });

    it('lets the filing application withdraw a request for its subject', async () => {
      const request = await file({ type: 'know' });
      const withdrawn = await as(service, 'POST', `/v1/requests/${request.id}/withdrawal`, {});
      expect(withdrawn.statusCode).toBe(200);
      expect(withdrawn.json()).toMatchObject({ state: 'withdrawn', closedAt: expect.any(String) });
    });

    it('assigns requests to operators who work them, and lists an operator’s own', async () => {
      const agent = await createOperator(t, { roles: ['privacy_agent'] });
      const auditor = await createOperator(t, { roles: ['auditor'] });
      const request = await file({ type: 'restriction' });

      const refused = await as('dpo', 'PUT', `/v1/requests/${request.id}/assignee`, {
        operatorId: auditor.id,
      });
      expect(refused.statusCode).toBe(422);
      const assigned = await as('dpo', 'PUT', `/v1/requests/${request.id}/assignee`, {
        operatorId: agent.id,
      });
      expect(assigned.json().assigneeId).toBe(agent.id);

      const mine = await as('dpo', 'GET', `/v1/requests?assignee=${agent.id}`);
      expect(mine.json().items.map((item: { id: string }) => item.id)).toEqual([request.id]);

      const unassigned = await as('dpo', 'PUT', `/v1/requests/${request.id}/assignee`, { operatorId: null });
      expect(unassigned.json().assigneeId).toBeNull();
      const none = await as('dpo', 'GET', '/v1/requests?assignee=none&limit=200');
      expect(none.json().items.map((item: { id: string }) => item.id)).toContain(request.id);

      const { timeline } = (await as('dpo', 'GET', `/v1/requests/${request.id}`)).json();
      expect(timeline.filter((entry: { kind: string }) => entry.kind === 'assigned')).toHaveLength(2);
    });

    it('answers 404 for a request that does not exist', async () => {
      expect((await as('dpo', 'GET', `/v1/requests/${faker.string.uuid()}`)).statusCode).toBe(404);
    });
  });

  describe('deadlines', () => {
    it('extends a GDPR deadline once, to three months from receipt, and sends the reason to the subject', async () => {
      clock.set('2025-01-31T12:00:00Z');
      const request = await file({ type: 'access' });
      clock.set('2025-02-20T12:00:00Z');
      const reason = 'Your request covers several years of records across many systems.';
      const extended = await as('privacy_agent', 'POST', `/v1/requests/${request.id}/extension`, { reason });
      expect(extended.statusCode, extended.body).toBe(200);
      expect(extended.json()).toMatchObject({
        dueDate: '2025-04-30',
        extension: { extendedAt: '2025-02-20T12:00:00.000Z', initialDueDate: '2025-02-28' },
      });

      const again = await as('privacy_agent', 'POST', `/v1/requests/${request.id}/extension`, { reason });
      expect(again.statusCode).toBe(409);

      const [notice] = await outboxFor(request.id);
      expect(notice).toMatchObject({ kind: 'request.extended', status: 'held' });
      expect(notice.content.text).toContain(reason);
      expect(notice.content.text).toContain('from 2025-02-28 to 2025-04-30');

      const { timeline } = (await as('dpo', 'GET', `/v1/requests/${request.id}`)).json();
      expect(timeline.at(-1)).toMatchObject({
        kind: 'extended',
        details: { previousDueDate: '2025-02-28', dueDate: '2025-04-30', subjectNotified: true },
        note: reason,
      });
    });

    it('extends a CCPA deadline by 45 days', async () => {
      clock.set('2025-01-01T12:00:00Z');
      const request = await file({ type: 'know' });
      const reason = 'We need to collect records from three processors.';
      const extended = await as('dpo', 'POST', `/v1/requests/${request.id}/extension`, { reason });
      expect(extended.json()).toMatchObject({
        dueDate: '2025-04-01',
        extension: { initialDueDate: '2025-02-15' },
      });
    });

    it('refuses an extension once the first deadline has passed', async () => {
      clock.set('2025-01-15T12:00:00Z');
      const request = await file({ type: 'access' });
      clock.set('2025-02-16T00:00:01Z');
      const late = await as('privacy_agent', 'POST', `/v1/requests/${request.id}/extension`, {
        reason: 'We would have liked more time for this request.',
      });
      expect(late.statusCode).toBe(409);
    });

    it('filters overdue requests and requests due within N days, as the clock moves', async () => {
      clock.set('2025-03-10T09:00:00Z');
      const subjectId = await newSubject();
      const overdue = await file({ type: 'access', subjectId, receivedAt: '2025-02-01T10:00:00Z' });
      const dueSoon = await file({ type: 'access', subjectId, receivedAt: '2025-02-14T10:00:00Z' });
      const later = await file({ type: 'access', subjectId, receivedAt: '2025-03-09T10:00:00Z' });
      const closed = await file({ type: 'access', subjectId, receivedAt: '2025-02-02T10:00:00Z' });
      await as(service, 'POST', `/v1/requests/${closed.id}/withdrawal`, {});

      const ids = async (query: string) => {
        const response = await as('dpo', 'GET', `/v1/requests?subjectId=${subjectId}&${query}`);
        expect(response.statusCode, response.body).toBe(200);
        return response.json().items.map((item: { id: string }) => item.id);
      };
      expect(await ids('overdue=true')).toEqual([overdue.id]);
      expect(await ids('dueWithinDays=7')).toEqual([dueSoon.id]);
      expect(await ids('dueWithinDays=3')).toEqual([]);
      expect(await ids('')).toEqual([overdue.id, closed.id, dueSoon.id, later.id]);

      const listed = await as('dpo', 'GET', `/v1/requests?subjectId=${subjectId}&overdue=true`);
      expect(listed.json().items[0]).toMatchObject({ overdue: true, daysLeft: -9, dueDate: '2025-03-01' });

      clock.set('2025-03-15T00:00:00Z');
      expect(await ids('overdue=true')).toEqual([overdue.id, dueSoon.id]);
      expect(await ids('dueWithinDays=30')).toEqual([later.id]);
    });

    it('pages through the queue by deadline with a cursor, every request once', async () => {
      clock.set('2025-03-10T09:00:00Z');
      const subjectId = await newSubject();
      const filed = [];
      for (let day = 1; day <= 5; day += 1) {
        filed.push(await file({ type: 'access', subjectId, receivedAt: `2025-03-0${6 - day}T10:00:00Z` }));
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/requests?subjectId=${subjectId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await as('auditor', 'GET', query)).json();
        seen.push(...page.items.map((item: { id: string }) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(filed.map((request) => request.id).reverse());

      const bad = await as('auditor', 'GET', '/v1/requests?cursor=bm90LWEtY3Vyc29y');
      expect(bad.statusCode).toBe(400);
    });
  });

  describe('identity verification by e-mail code', () => {
    /** Sends a code and reads it from the outbox (no SMTP server here: mail is held for operators). */
    async function sendCode(requestId: string) {
      const before = new Set((await outboxFor(requestId)).map((item: { id: string }) => item.id));
      const response = await as(service, 'POST', `/v1/requests/${requestId}/verification`);
      expect(response.statusCode, response.body).toBe(202);
      const [message] = (await outboxFor(requestId)).filter(
        (item: { id: string; kind: string }) =>
          item.kind === 'request.verification_code' && !before.has(item.id),
      );
      const code = /code: (\d{6})/.exec(message.content.text)?.[1] as string;
      expect(code).toMatch(/^\d{6}$/);
      return { response: response.json(), code, message };
    }

    const confirm = (requestId: string, code: string) =>
      as(service, 'POST', `/v1/requests/${requestId}/verification/confirm`, { code });

    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    it('mails a six-digit code to the contact address, and the code verifies the request', async () => {
      clock.set('2025-03-10T09:00:00Z');
      const email = faker.internet.email();
      const request = await file({ type: 'access', contactEmail: email });
      const { response, code, message } = await sendCode(request.id);
      expect(response).toMatchObject({
        request: { state: 'verifying' },
        expiresAt: '2025-03-10T09:15:00.000Z',
      });
      expect(message).toMatchObject({ status: 'held', content: { to: email } });

      const verified = await confirm(request.id, `${code.slice(0, 3)} ${code.slice(3)}`);
      expect(verified.statusCode, verified.body).toBe(200);
      expect(verified.json()).toMatchObject({ state: 'verified', verification: { method: 'email_code' } });
      const again = await confirm(request.id, code);
      expect(again.json()).toMatchObject({ code: 'invalid_transition', state: 'verified' });
    });

    it('counts wrong codes, and burns the code after the fifth', async () => {
      const request = await file({ type: 'access' });
      const { code } = await sendCode(request.id);
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        const response = await confirm(request.id, wrong(code));
        expect(response.statusCode).toBe(422);
        expect(response.json()).toMatchObject({ code: 'verification_failed', attemptsLeft: 5 - attempt });
      }
      const burnt = await confirm(request.id, code);
      expect(burnt.statusCode).toBe(410);
      expect(burnt.json()).toMatchObject({ code: 'verification_expired', reason: 'used_up' });

      const fresh = await sendCode(request.id);
      expect((await confirm(request.id, fresh.code)).json().state).toBe('verified');
      const { timeline } = (await as('dpo', 'GET', `/v1/requests/${request.id}`)).json();
      expect(timeline.filter((entry: { kind: string }) => entry.kind === 'verification_failed')).toHaveLength(
        5,
      );
    });

    it('lets a code expire after 15 minutes', async () => {
      clock.set('2025-03-10T09:00:00Z');
      const request = await file({ type: 'access' });
      const { code } = await sendCode(request.id);
      clock.set('2025-03-10T09:15:00Z');
      expect((await confirm(request.id, wrong(code))).statusCode).toBe(422);
      clock.set('2025-03-10T09:15:00.001Z');
      const expired = await confirm(request.id, code);
      expect(expired.statusCode).toBe(410);
      expect(expired.json()).toMatchObject({ code: 'verification_expired', reason: 'expired' });
    });

    it('replaces an earlier code with a new one, and sends at most five a day', async () => {
      clock.set('2025-03-11T09:00:00Z');
      const request = await file({ type: 'access' });
      const first = await sendCode(request.id);
      const second = await sendCode(request.id);
      if (first.code !== second.code) expect((await confirm(request.id, first.code)).statusCode).toBe(422);
      for (let sent = 2; sent < 5; sent += 1) await sendCode(request.id);
      const sixth = await as(service, 'POST', `/v1/requests/${request.id}/verification`);
      expect(sixth.statusCode).toBe(429);
      clock.set('2025-03-12T09:00:01Z');
      await sendCode(request.id);
    });

    it('refuses a code for a request no code was sent for', async () => {
      const request = await file({ type: 'access' });
      const response = await confirm(request.id, '123456');
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'conflict', state: 'received' });
    });

    it('audits every read of the outbox by counts, never by content', async () => {
      const request = await file({ type: 'access' });
      await sendCode(request.id);
      const audit = await as('auditor', 'GET', '/v1/audit/entries?action=mail.outbox.read&limit=1');
      const [entry] = audit.json().items;
      expect(entry).toMatchObject({ actor: { type: 'operator' }, outcome: 'success' });
      expect(Object.keys(entry.details).sort()).toEqual(['messages', 'withContent']);
    });

    it('sends no code to a request without a contact address or past verification', async () => {
      const subjectId = await newSubject();
      const request = await file({ type: 'erasure', subjectId, contactEmail: undefined });
      const noContact = await as(service, 'POST', `/v1/requests/${request.id}/verification`);
      expect(noContact.statusCode).toBe(409);
      expect(request.contactEmail).toBeNull();

      const verified = await file({ type: 'erasure', subjectId, authenticatedSubject: true });
      const late = await as(service, 'POST', `/v1/requests/${verified.id}/verification`);
      expect(late.json()).toMatchObject({ code: 'invalid_transition', state: 'verified' });
    });

    it('keeps contact addresses, notes and codes out of storage in clear (requests, outbox, audit log)', async () => {
      const email = faker.internet.email();
      const request = await file({ type: 'access', contactEmail: email });
      const { code } = await sendCode(request.id);
      await confirm(request.id, wrong(code));
      const note = faker.lorem.sentence();
      await move(request.id, { to: 'rejected', reason: 'identity_not_verified', note });
      expect(await findInDatabase(t.runtime.database, [email, note, `code: ${code}`])).toEqual([]);
    });
  });
});
