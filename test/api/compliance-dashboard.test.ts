import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { caller, createCollections } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2102);

type Metric = { key: string; tracked: boolean; value: number | null; previous: number | null };

describe('the compliance dashboard', () => {
  const clock = fixedClock('2026-06-02T00:00:00.000Z');
  let t: TestApp;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    as = caller(t);
  });
  afterAll(() => t?.close());

  async function fileRequest(receivedAt: string): Promise<string> {
    const filed = await as('dpo', 'POST', '/v1/requests', {
      type: 'access',
      contactEmail: faker.internet.email(),
      receivedAt,
    });
    expect(filed.statusCode, filed.body).toBe(201);
    return filed.json().id;
  }

  async function complete(id: string) {
    for (const [url, payload] of [
      [`/v1/requests/${id}/verification/manual`, { method: 'phone_call' }],
      [`/v1/requests/${id}/transitions`, { to: 'in_progress' }],
      [`/v1/requests/${id}/transitions`, { to: 'completed' }],
    ] as const) {
      const response = await as('dpo', 'POST', url, payload);
      expect(response.statusCode, response.body).toBe(200);
    }
  }

  async function metrics(query = '') {
    const response = await as('dpo', 'GET', `/v1/reports/compliance-dashboard${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    const all = body.groups.flatMap((group: { metrics: Metric[] }) => group.metrics) as Metric[];
    return { body, value: (key: string) => all.find((metric) => metric.key === key) as Metric };
  }

  it('computes every metric from its source', async () => {
    // Requests: two received on 2 June, completed after 24 and 72 hours; two more still open.
    const first = await fileRequest('2026-06-02T00:00:00.000Z');
    const second = await fileRequest('2026-06-02T00:00:00.000Z');
    clock.set('2026-06-03T00:00:00.000Z');
    await complete(first);
    clock.set('2026-06-05T00:00:00.000Z');
    await complete(second);
    clock.set('2026-06-10T00:00:00.000Z');
    await fileRequest('2026-06-10T00:00:00.000Z');
    await fileRequest('2026-06-10T00:00:00.000Z');

    // Consent: three grants and one withdrawal.
    const key = `p_${faker.string.alphanumeric({ length: 8, casing: 'lower' })}`;
    expect(
      (
        await as('dpo', 'POST', '/v1/consent/purposes', {
          key,
          name: 'Newsletter',
          legalBasis: 'consent',
          dataUses: ['marketing.communications.email'],
          text: 'Our newsletter.',
        })
      ).statusCode,
    ).toBe(201);
    for (let index = 0; index < 3; index += 1) {
      const subject = await as('dpo', 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
      const actions = index === 0 ? (['grant', 'withdraw'] as const) : (['grant'] as const);
      for (const action of actions) {
        const event = await as('dpo', 'POST', '/v1/consent/events', {
          subject: { id: subject.json().id },
          purposes: [key],
          action,
          method: action === 'grant' ? 'explicit_opt_in' : 'opt_out',
        });
        expect(event.statusCode, event.body).toBe(201);
      }
    }

    // Breaches: one in June, one in May.
    for (const awareAt of ['2026-06-08T09:00:00.000Z', '2026-05-20T09:00:00.000Z']) {
      const breach = await as('security', 'POST', '/v1/breaches', {
        title: 'Misdirected e-mail',
        awareAt,
        discovery: 'report',
      });
      expect(breach.statusCode, breach.body).toBe(201);
    }

    // Three refused accesses.
    const security = await actAs(t, 'security');
    for (let index = 0; index < 3; index += 1)
      expect((await as(security, 'GET', '/v1/reports/compliance-dashboard')).statusCode).toBe(403);

    // Vault: customers has four user.* fields, one of them public (stored in clear).
    await createCollections(t, ['customers']);

    // Registers.
    const audit = await as('dpo', 'POST', '/v1/accountability/audits', {
      auditor: 'Example Assurance LLP',
      scope: 'GDPR readiness',
      startedOn: '2026-05-18',
      endedOn: '2026-05-21',
    });
    for (const status of ['open', 'in_progress', 'resolved'])
      await as('dpo', 'POST', `/v1/accountability/audits/${audit.json().id}/findings`, {
        title: `Finding ${status}`,
        severity: 'medium',
        owner: 'DPO',
        status,
      });
    const course = await as('dpo', 'POST', '/v1/accountability/training/courses', {
      title: 'Security basics',
      requiredRoles: ['privacy_agent'],
    });
    const agents = [await createOperator(t), await createOperator(t)];
    await as('dpo', 'POST', '/v1/accountability/training/completions', {
      courseId: course.json().id,
      operatorId: agents[0]?.id,
      completedOn: '2026-06-01',
    });
    await as('dpo', 'POST', '/v1/accountability/policies', {
      title: 'Privacy policy',
      owner: 'DPO',
      version: '1',
      approvedOn: '2025-01-01',
      reviewIntervalDays: 365,
    });
    await as('dpo', 'POST', '/v1/accountability/policies', {
      title: 'Security policy',
      owner: 'CISO',
      version: '1',
      approvedOn: '2026-01-01',
      reviewIntervalDays: 365,
    });

    clock.set('2026-06-20T12:00:00.000Z');
    const { body, value } = await metrics();
    expect(body.period).toEqual({ from: '2026-06-01T00:00:00.000Z', to: '2026-06-20T12:00:00.000Z' });
    expect(body.groups.map((group: { key: string }) => group.key)).toEqual([
      'privacy',
      'security',
      'compliance',
      'audit_readiness',
    ]);
    expect(value('dsrs_pending').value).toBe(2);
    expect(value('average_response_hours').value).toBe(48);
    expect(value('consent_withdrawal_rate').value).toBe(25);
    expect(value('breaches_in_period').value).toBe(1);
    expect(value('access_control_violations').value).toBe(3);
    expect(value('encryption_coverage').value).toBe(75);
    expect(value('retention_compliance_rate').value).toBe(100);
    expect(value('cross_border_transfer_approvals')).toMatchObject({ tracked: true, value: 0 });
    expect(value('days_since_external_audit').value).toBe(30);
    expect(value('open_audit_findings').value).toBe(2);
    expect(value('training_completion_rate').value).toBe(50);
    expect(value('policy_updates_pending').value).toBe(1);

    // A period filter: May alone saw one breach and none of June's requests.
    const may = await metrics('?from=2026-05-01&to=2026-05-31');
    expect(may.value('breaches_in_period').value).toBe(1);
    expect(may.value('dsrs_pending').value).toBe(0);
    expect(may.value('average_response_hours').value).toBeNull();
  });

  it('stores one snapshot a day however often the job runs, and shows the months as trends', async () => {
    const { complianceDashboard } = t.runtime.services;
    const runs = await Promise.all([complianceDashboard.takeSnapshot(), complianceDashboard.takeSnapshot()]);
    await complianceDashboard.takeSnapshot();
    expect(runs.reduce((sum, run) => sum + run.stored, 0)).toBe(12);
    expect(await complianceDashboard.snapshotDays()).toEqual([{ day: '2026-06-20', metrics: 12 }]);

    clock.set('2026-07-02T08:00:00.000Z');
    await complianceDashboard.takeSnapshot();
    const { body, value } = await metrics();
    expect(body.trends.months).toHaveLength(12);
    expect(body.trends.months.slice(-2)).toEqual(['2026-06', '2026-07']);
    expect(body.trends.series.dsrs_pending.slice(-2)).toEqual([2, 2]);
    expect(body.trends.series.cross_border_transfer_approvals.slice(-2)).toEqual([0, 0]);
    expect(value('dsrs_pending')).toMatchObject({ value: 2, previous: 2 });
    expect(value('breaches_in_period')).toMatchObject({ value: 0, previous: 1 });
  });

  it('exposes one Prometheus gauge per metric', async () => {
    const text = await t.runtime.metrics.registry.metrics();
    expect(text).toMatch(/custos_compliance_dsrs_pending 2/);
    expect(text).toMatch(/custos_compliance_cross_border_transfer_approvals 0/);
  });
});
