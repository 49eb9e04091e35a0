import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { reportSections } from '../../src/modules/reports/compliance-report.js';
import { auditOf, caller } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2103);

describe('the compliance report', () => {
  const clock = fixedClock('2026-03-01T08:00:00.000Z');
  let t: TestApp;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    await t.runtime.jobs.start({ work: false });
    as = caller(t);
  });
  afterAll(() => t?.close());

  async function generate(from: string, to: string) {
    const requested = await as('dpo', 'POST', '/v1/reports/compliance', { from, to });
    expect(requested.statusCode, requested.body).toBe(202);
    const { id } = requested.json();
    expect(requested.json()).toMatchObject({ status: 'queued', progress: 0 });
    expect(await t.runtime.services.complianceReports.generate(id)).toBe('done');
    const status = await as('auditor', 'GET', `/v1/reports/compliance/${id}`);
    expect(status.json()).toMatchObject({ status: 'done', progress: 100 });
    const json = await as('auditor', 'GET', `/v1/reports/compliance/${id}/document?format=json`);
    expect(json.statusCode, json.body).toBe(200);
    return { id, document: json.json() };
  }

  it('has every section for an empty deployment', async () => {
    const { id, document } = await generate('2026-01-01', '2026-01-31');
    expect(Object.keys(document.sections).sort()).toEqual([...reportSections].sort());
    expect(document.period).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
    expect(document.sections.requests).toMatchObject({ received: 0, closed: 0, onTimeRate: null });
    expect(document.sections.assessments).toEqual({ tracked: true, due: 0, done: 0, overdue: 0 });
    expect(document.recommendations.map((r: { rule: string }) => r.rule)).toEqual([
      'external_audit_due',
      'access_review_due',
    ]);
    const html = await as('auditor', 'GET', `/v1/reports/compliance/${id}/document?format=html`);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-disposition']).toContain('.html');
    for (const heading of ['Data-subject requests', 'Security incidents and breaches', 'Training records'])
      expect(html.body).toContain(heading);
    const actions = (await auditOf(t, id)).map((entry) => entry.action);
    expect(actions).toEqual([
      'report.compliance.requested',
      'report.compliance.generated',
      'report.compliance.downloaded',
      'report.compliance.downloaded',
    ]);
  });

  it('counts 7 of 10 requests on time and recommends from the numbers in a busy deployment', async () => {
    const file = async (receivedAt: string) => {
      const filed = await as('dpo', 'POST', '/v1/requests', {
        type: 'erasure',
        contactEmail: faker.internet.email(),
        receivedAt,
      });
      expect(filed.statusCode, filed.body).toBe(201);
      return filed.json().id as string;
    };
    const complete = async (id: string) => {
      for (const [url, payload] of [
        [`/v1/requests/${id}/verification/manual`, { method: 'phone_call' }],
        [`/v1/requests/${id}/transitions`, { to: 'in_progress' }],
        [`/v1/requests/${id}/transitions`, { to: 'completed' }],
      ] as const)
        expect((await as('dpo', 'POST', url, payload)).statusCode).toBe(200);
    };
    const late = [];
    for (let index = 0; index < 3; index += 1) late.push(await file('2026-03-01T08:00:00.000Z'));
    clock.set('2026-03-02T08:00:00.000Z');
    const onTime = [];
    for (let index = 0; index < 7; index += 1) onTime.push(await file('2026-03-02T08:00:00.000Z'));
    clock.set('2026-03-05T08:00:00.000Z');
    for (const id of onTime) await complete(id);
    clock.set('2026-04-10T08:00:00.000Z');
    for (const id of late) await complete(id);
    // What the late requests waited for: Billing finished two of them after the deadline (05 April, the
    // deadline being 31 March); the CRM finished in time, the warehouse never answered; neither held them up.
    const system = async (name: string) => {
      const created = await as('dpo', 'POST', '/v1/inventory/systems', {
        name,
        owner: faker.person.fullName(),
        dataCategories: ['user.contact'],
      });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().system.id as string;
    };
    const [billing, crm, warehouse] = [
      await system('Billing'),
      await system('CRM'),
      await system('Warehouse'),
    ];
    const task = (requestId: string, systemId: string, doneAt: string | null) => ({
      id: faker.string.uuid(),
      request_id: requestId,
      system_id: systemId,
      action: 'erasure' as const,
      status: doneAt ? ('done' as const) : ('failed' as const),
      scope: JSON.stringify({ dataCategories: ['user.contact'] }),
      token_hash: faker.string.hexadecimal({ length: 64, prefix: '' }),
      message_id: faker.string.uuid(),
      delivery_id: faker.string.uuid(),
      created_at: new Date('2026-03-02T08:00:00.000Z'),
      updated_at: new Date(doneAt ?? '2026-03-02T08:00:00.000Z'),
      done_at: doneAt ? new Date(doneAt) : null,
    });
    await t.runtime.database.db
      .insertInto('request_system_tasks')
      .values([
        task(late[0] as string, billing, '2026-04-05T08:00:00.000Z'),
        task(late[1] as string, billing, '2026-04-06T08:00:00.000Z'),
        task(late[0] as string, crm, '2026-03-10T08:00:00.000Z'),
        task(late[2] as string, warehouse, null),
        task(onTime[0] as string, warehouse, '2026-04-07T08:00:00.000Z'),
      ])
      .execute();
    const policy = await as('dpo', 'POST', '/v1/accountability/policies', {
      title: 'Records management',
      owner: 'DPO',
      version: '2',
      approvedOn: '2025-03-01',
      reviewIntervalDays: 365,
    });
    expect(policy.statusCode).toBe(201);

    clock.set('2026-05-02T08:00:00.000Z');
    const { document } = await generate('2026-03-01', '2026-04-30');
    const requests = document.sections.requests;
    expect(requests).toMatchObject({ received: 10, closed: 10, onTime: 7, late: 3, onTimeRate: 70 });
    expect(requests.byRight).toEqual([
      expect.objectContaining({
        right: 'erasure',
        closed: 10,
        onTime: 7,
        late: 3,
        lateRate: 30,
        meanHours: 338.4,
        p90Hours: 960,
      }),
    ]);
    const rules = document.recommendations as {
      rule: string;
      text: string;
      figures: Record<string, unknown>;
    }[];
    const lateRule = rules.find((rule) => rule.rule === 'late_requests');
    expect(lateRule?.figures).toMatchObject({ right: 'erasure', late: 3, closed: 10, lateRate: 30 });
    expect(lateRule?.text).toContain('30% of erasure requests');
    expect(requests.lateBySystem).toEqual([{ right: 'erasure', system: 'Billing', requests: 2 }]);
    expect(lateRule?.text).toContain(': 2 waited for downstream system Billing.');
    expect(lateRule?.figures).toMatchObject({ system: 'Billing', waited: 2, systems: 'Billing (2)' });
    const policyRule = rules.find((rule) => rule.rule === 'policy_review_overdue');
    expect(policyRule?.text).toBe('Policy "Records management" is 62 days past review.');
  });

  it('lets auditors read reports but not generate them, and refuses a bad period', async () => {
    const refused = await as('auditor', 'POST', '/v1/reports/compliance', {
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect(refused.statusCode).toBe(403);
    const backwards = await as('dpo', 'POST', '/v1/reports/compliance', {
      from: '2026-02-01',
      to: '2026-01-01',
    });
    expect(backwards.statusCode).toBe(422);
    const listed = await as('auditor', 'GET', '/v1/reports/compliance');
    expect(listed.json().items.length).toBeGreaterThanOrEqual(2);
  });

  it('requests last month’s report once on the first of the month and mails it to the list', async () => {
    const set = await as('dpo', 'PUT', '/v1/reports/compliance-schedule', {
      enabled: true,
      recipients: ['board@example.com'],
    });
    expect(set.statusCode, set.body).toBe(200);
    clock.set('2026-06-01T06:00:00.000Z');
    const { complianceReports } = t.runtime.services;
    const [first, second] = await Promise.all([
      complianceReports.runMonthly(),
      complianceReports.runMonthly(),
    ]);
    const ids = [first, second].filter(Boolean) as string[];
    expect(ids).toHaveLength(1);
    expect(await complianceReports.runMonthly()).toBeUndefined();
    await complianceReports.generate(ids[0] as string);
    const report = await complianceReports.get(ids[0] as string);
    expect(report.period_from.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    const outbox = (await as('dpo', 'GET', '/v1/outbox?kind=compliance_report')).json().items;
    expect(outbox).toHaveLength(1);
    expect(outbox[0].content.to).toBe('board@example.com');
  });
});
