import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { auditOf, caller } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2101);

const dayMs = 86_400_000;
const systemContext = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

describe('accountability registers', () => {
  const clock = fixedClock('2026-06-15T12:00:00.000Z');
  let t: TestApp;
  let as: ReturnType<typeof caller>;
  let dpo: AuthHeaders;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    await t.runtime.jobs.start({ work: false });
    as = caller(t);
    dpo = await actAs(t, 'dpo');
  });
  afterAll(() => t?.close());

  describe('policies', () => {
    it('marks a policy past its review as overdue by the days since, and a new approval clears it', async () => {
      const created = await as(dpo, 'POST', '/v1/accountability/policies', {
        title: 'Data retention policy',
        owner: 'DPO',
        version: '1.0',
        documentUrl: 'https://intranet.example.com/retention',
        approvedOn: '2025-05-06',
        reviewIntervalDays: 365,
      });
      expect(created.statusCode, created.body).toBe(201);
      const policy = created.json();
      expect(policy.nextReviewAt).toBe('2026-05-06T00:00:00.000Z');
      expect(policy.overdue).toBe(true);
      expect(policy.daysPastReview).toBe(40);

      const approved = await as(dpo, 'PATCH', `/v1/accountability/policies/${policy.id}`, {
        version: '1.1',
        approvedOn: '2026-06-01',
      });
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json()).toMatchObject({
        overdue: false,
        version: '1.1',
        nextReviewAt: '2027-06-01T00:00:00.000Z',
      });
      expect((await auditOf(t, policy.id)).map((entry) => entry.action)).toEqual([
        'accountability.policy.created',
        'accountability.policy.updated',
      ]);
    });

    it('records operators’ acknowledgments of the current version, and asks again for a new one', async () => {
      const created = await as(dpo, 'POST', '/v1/accountability/policies', {
        title: 'Acceptable use',
        owner: 'Security',
        version: '3',
        reviewIntervalDays: 180,
      });
      const id = created.json().id;
      const agent = await actAs(t, 'privacy_agent');
      const acknowledged = await as(agent, 'POST', `/v1/accountability/policies/${id}/acknowledgment`);
      expect(acknowledged.statusCode, acknowledged.body).toBe(200);
      expect(acknowledged.json().acknowledgments).toBe(1);
      const again = await as(agent, 'POST', `/v1/accountability/policies/${id}/acknowledgment`);
      expect(again.json().acknowledgments).toBe(1);
      const bumped = await as(dpo, 'PATCH', `/v1/accountability/policies/${id}`, { version: '4' });
      expect(bumped.json().acknowledgments).toBe(0);
    });

    it('imports policies from CSV, updating those matched by title, and refuses a bad file whole', async () => {
      const csv = [
        'title,owner,version,approved_on,review_interval_days,document_url',
        'Data retention policy,DPO,2.0,2026-06-10,365,',
        'Incident response,CISO,1.0,2026-01-01,90,https://intranet.example.com/ir',
      ].join('\n');
      const imported = await as(dpo, 'POST', '/v1/accountability/policies/import', { csv });
      expect(imported.statusCode, imported.body).toBe(200);
      expect(imported.json()).toEqual({ created: 1, updated: 1, unchanged: 0 });

      const bad = await as(dpo, 'POST', '/v1/accountability/policies/import', {
        csv: 'title,owner,version,approved_on,review_interval_days\nNew one,DPO,1,2026-13-45,abc\n',
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.json().problems).toEqual([
        { line: 2, column: 'approved_on', message: 'must be a date as YYYY-MM-DD' },
        { line: 2, column: 'review_interval_days', message: 'must be a whole number from 1 to 3660' },
      ]);
      expect(bad.body).not.toContain('2026-13-45');
      const list = (await as(dpo, 'GET', '/v1/accountability/policies')).json().items;
      expect(list.map((p: { title: string }) => p.title)).not.toContain('New one');
    });

    it('lets only accountability managers change the registers', async () => {
      const refused = await as('auditor', 'POST', '/v1/accountability/policies', {
        title: 'x',
        owner: 'y',
        version: '1',
        reviewIntervalDays: 10,
      });
      expect(refused.statusCode).toBe(403);
      expect((await as('auditor', 'GET', '/v1/accountability/policies')).statusCode).toBe(200);
    });
  });

  describe('training', () => {
    it('computes completion rates by required role, counting only unexpired completions', async () => {
      const course = await as(dpo, 'POST', '/v1/accountability/training/courses', {
        title: 'GDPR basics',
        requiredRoles: ['security'],
        validityDays: 365,
      });
      expect(course.statusCode, course.body).toBe(201);
      const courseId = course.json().id;
      const staff = await Promise.all(
        Array.from({ length: 4 }, () => createOperator(t, { roles: ['security'] })),
      );
      const complete = (operatorId: string | undefined, completedOn: string) =>
        as(dpo, 'POST', '/v1/accountability/training/completions', { courseId, operatorId, completedOn });
      expect((await complete(staff[0]?.id, '2026-03-01')).statusCode).toBe(201);
      expect((await complete(staff[1]?.id, '2026-01-10')).statusCode).toBe(201);
      // Expired: completed more than a year ago.
      expect((await complete(staff[2]?.id, '2025-01-10')).statusCode).toBe(201);
      const listed = (await as(dpo, 'GET', '/v1/accountability/training/courses')).json();
      const view = listed.items.find((item: { id: string }) => item.id === courseId);
      expect(view).toMatchObject({ required: 4, current: 2, completionRate: 50 });
      expect(listed.overall).toMatchObject({ required: 4, current: 2, completionRate: 50 });
    });

    it('imports completions by course title and operator e-mail, once', async () => {
      const person = await createOperator(t, { roles: ['security'] });
      const csv = `course,operator_email,completed_on\nGDPR basics,${person.email.toUpperCase()},2026-06-01\n`;
      const first = await as(dpo, 'POST', '/v1/accountability/training/completions/import', { csv });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toEqual({ created: 1, updated: 0, unchanged: 0 });
      const second = await as(dpo, 'POST', '/v1/accountability/training/completions/import', { csv });
      expect(second.json()).toEqual({ created: 0, updated: 0, unchanged: 1 });
      const unknown = await as(dpo, 'POST', '/v1/accountability/training/completions/import', {
        csv: 'course,operator_email,completed_on\nGDPR basics,nobody@example.com,2026-06-01\n',
      });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.body).not.toContain('nobody@example.com');
    });

    it('mails one reminder for training that expires within 30 days, however often the job runs', async () => {
      const course = await as(dpo, 'POST', '/v1/accountability/training/courses', {
        title: 'Phishing awareness',
        requiredRoles: ['privacy_agent'],
        validityDays: 30,
      });
      const person = await createOperator(t, { roles: ['privacy_agent'] });
      const recorded = await as(dpo, 'POST', '/v1/accountability/training/completions', {
        courseId: course.json().id,
        operatorId: person.id,
        completedOn: new Date(clock.now().getTime() - 10 * dayMs).toISOString().slice(0, 10),
      });
      expect(recorded.statusCode, recorded.body).toBe(201);
      const { training } = t.runtime.services;
      const results = await Promise.all([training.remindExpiring(), training.remindExpiring()]);
      expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      expect(await training.remindExpiring()).toBe(0);
      const outbox = (await as(dpo, 'GET', '/v1/outbox?kind=training_expiry')).json().items as {
        reference: { id: string };
        content: { to: string };
      }[];
      const mine = outbox.filter((item) => item.reference.id === recorded.json().id);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.content.to).toBe(person.email);
    });
  });

  describe('external audits', () => {
    it('keeps audits and findings, and closing a finding records when', async () => {
      const created = await as(dpo, 'POST', '/v1/accountability/audits', {
        auditor: 'Example Assurance LLP',
        scope: 'ISO 27701 surveillance audit',
        startedOn: '2026-04-01',
        endedOn: '2026-04-03',
        reportReference: 'EA-2026-17',
      });
      expect(created.statusCode, created.body).toBe(201);
      const finding = await as(dpo, 'POST', `/v1/accountability/audits/${created.json().id}/findings`, {
        title: 'Access reviews not evidenced',
        severity: 'high',
        owner: 'CISO',
        dueOn: '2026-07-01',
      });
      expect(finding.statusCode, finding.body).toBe(201);
      expect(finding.json()).toMatchObject({ status: 'open', closedAt: null });
      const closed = await as(dpo, 'PATCH', `/v1/accountability/findings/${finding.json().id}`, {
        status: 'resolved',
      });
      expect(closed.json()).toMatchObject({ status: 'resolved', closedAt: clock.now().toISOString() });
      const summary = await t.runtime.services.externalAudits.summary();
      expect(summary).toMatchObject({ openFindings: 0, lastAuditAt: new Date('2026-04-03T00:00:00Z') });
    });
  });

  describe('access reviews', () => {
    it('lists every operator and live key, revokes a key through the access module and completes', async () => {
      const { apiKeys } = t.runtime.services;
      const { row: key } = await apiKeys.create(
        systemContext,
        { kind: 'root' },
        {
          name: 'legacy export',
          permissions: ['requests.read'],
        },
      );
      const opened = await as(dpo, 'POST', '/v1/accountability/access-reviews', { title: 'Q2 2026' });
      expect(opened.statusCode, opened.body).toBe(201);
      const { review, items } = opened.json() as {
        review: { id: string; items: number };
        items: { id: string; principalType: string; principalId: string; permissions: string[] }[];
      };
      expect(review.items).toBe(items.length);
      const keyItem = items.find((item) => item.principalId === key.id);
      expect(keyItem).toMatchObject({ principalType: 'api_key', permissions: ['requests.read'] });

      const early = await as(dpo, 'POST', `/v1/accountability/access-reviews/${review.id}/completion`);
      expect(early.statusCode).toBe(409);

      for (const item of items) {
        const decision = item.id === keyItem?.id ? 'revoked' : 'confirmed';
        const decided = await as(
          dpo,
          'POST',
          `/v1/accountability/access-reviews/${review.id}/items/${item.id}/decision`,
          { decision },
        );
        expect(decided.statusCode, decided.body).toBe(200);
      }
      const keys = await apiKeys.list();
      expect(keys.find((row) => row.id === key.id)?.revoked_at).not.toBeNull();
      expect((await auditOf(t, key.id)).map((entry) => entry.action)).toContain('api_key.revoked');

      const completed = await as(dpo, 'POST', `/v1/accountability/access-reviews/${review.id}/completion`);
      expect(completed.statusCode, completed.body).toBe(200);
      expect(completed.json()).toMatchObject({ status: 'completed', undecided: 0 });
    });

    it('refuses to revoke access the reviewer could not grant, and audits the refusal', async () => {
      const admin = await createOperator(t, { roles: ['admin'] });
      const opened = await as(dpo, 'POST', '/v1/accountability/access-reviews', { title: 'Ad hoc' });
      const item = (opened.json().items as { id: string; principalId: string }[]).find(
        (entry) => entry.principalId === admin.id,
      );
      const refused = await as(
        dpo,
        'POST',
        `/v1/accountability/access-reviews/${opened.json().review.id}/items/${item?.id}/decision`,
        { decision: 'revoked' },
      );
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('operator_exceeds_own_permissions');
      const operator = (await t.runtime.services.operators.list()).find((row) => row.id === admin.id);
      expect(operator?.status).toBe('active');
      expect((await auditOf(t, admin.id)).map((entry) => entry.action)).toContain('access.denied');
    });

    it('disables an operator revoked by a reviewer who holds all their permissions', async () => {
      const agent = await createOperator(t, { roles: ['privacy_agent'] });
      const opened = await as(dpo, 'POST', '/v1/accountability/access-reviews', { title: 'Leavers' });
      const item = (opened.json().items as { id: string; principalId: string }[]).find(
        (entry) => entry.principalId === agent.id,
      );
      const revoked = await as(
        dpo,
        'POST',
        `/v1/accountability/access-reviews/${opened.json().review.id}/items/${item?.id}/decision`,
        { decision: 'revoked', note: 'Left the company' },
      );
      expect(revoked.statusCode, revoked.body).toBe(200);
      const operator = (await t.runtime.services.operators.list()).find((row) => row.id === agent.id);
      expect(operator?.status).toBe('disabled');
    });
  });
  describe('paging', () => {
    /** Every item of a register list, following `nextCursor` with pages of `limit`. */
    async function walk(url: string, limit: number) {
      const items: { id: string }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const separator = url.includes('?') ? '&' : '?';
        const query: string = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await as('auditor', 'GET', `${url}${query}`);
        expect(page.statusCode, page.body).toBe(200);
        const body = page.json() as { items: { id: string }[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(limit);
        items.push(...body.items);
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor && pages < 50);
      return { items, pages };
    }

    it('pages every register list with cursors, each item once, in the list order', async () => {
      for (let index = 0; index < 5; index += 1) {
        const title = `Paged ${faker.string.alphanumeric(6)}`;
        expect(
          (
            await as(dpo, 'POST', '/v1/accountability/policies', {
              title,
              owner: 'DPO',
              version: '1',
              reviewIntervalDays: 365,
            })
          ).statusCode,
        ).toBe(201);
        expect(
          (await as(dpo, 'POST', '/v1/accountability/training/courses', { title, requiredRoles: ['dpo'] }))
            .statusCode,
        ).toBe(201);
        const audit = await as(dpo, 'POST', '/v1/accountability/audits', {
          auditor: faker.company.name(),
          scope: 'Paging',
          // Two audits share a start day: the id breaks the tie.
          startedOn: `2026-0${1 + Math.floor(index / 2)}-10`,
        });
        expect(audit.statusCode, audit.body).toBe(201);
      }
      for (const [url, order] of [
        ['/v1/accountability/policies', 'title'],
        ['/v1/accountability/training/courses', 'title'],
        ['/v1/accountability/audits', 'startedAt'],
        ['/v1/accountability/access-reviews', 'createdAt'],
        ['/v1/accountability/training/completions', 'completedAt'],
      ] as const) {
        const whole = await as('auditor', 'GET', `${url}?limit=500`);
        expect(whole.statusCode, whole.body).toBe(200);
        const all = whole.json().items as Record<string, string>[];
        expect(whole.json().nextCursor).toBeNull();
        const { items, pages } = await walk(url, 2);
        expect(items.map((item) => item.id)).toEqual(all.map((item) => item.id));
        expect(pages).toBe(Math.max(1, Math.ceil(all.length / 2)));
        const keys = all.map((item) => item[order] as string);
        const sorted = order === 'title' ? keys : [...keys].sort().reverse();
        if (order !== 'title') expect(keys).toEqual(sorted);
      }
      const courses = await as('auditor', 'GET', '/v1/accountability/training/courses?limit=1');
      const whole = await as('auditor', 'GET', '/v1/accountability/training/courses?limit=500');
      expect(courses.json().items).toHaveLength(1);
      expect(courses.json().overall).toEqual(whole.json().overall);
    });

    it('refuses a cursor it did not issue with a problem, never a 500', async () => {
      for (const cursor of [
        'bm90LWEtY3Vyc29y',
        'x',
        Buffer.from('2026-01-01T00:00:00Z|1').toString('base64url'),
      ]) {
        for (const url of ['/v1/accountability/policies', '/v1/accountability/audits']) {
          const refused = await as('auditor', 'GET', `${url}?cursor=${cursor}`);
          expect(refused.statusCode, refused.body).toBe(400);
          expect(refused.json().code).toBe('invalid_query_parameter');
        }
      }
      expect((await as('auditor', 'GET', '/v1/accountability/policies?limit=0')).statusCode).toBe(400);
    });
  });
});
