import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(83);

type Headers = Record<string, string>;
const dayMs = 86_400_000;

describe('the dashboard figures', () => {
  const clock = fixedClock('2026-06-15T12:00:00.000Z');
  let t: TestApp;
  let dpo: Headers;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    dpo = await actAs(t, 'dpo');
  });
  afterAll(() => t.close());

  const post = (url: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url, headers: dpo, payload });

  async function fileRequest(type: string, receivedDaysAgo: number): Promise<string> {
    const response = await post('/v1/requests', {
      type,
      contactEmail: faker.internet.email(),
      receivedAt: new Date(clock.now().getTime() - receivedDaysAgo * dayMs).toISOString(),
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  async function dashboard(headers: Headers = dpo) {
    return t.app.inject({ method: 'GET', url: '/v1/reports/dashboard?days=7', headers });
  }

  it('counts open, due-soon and overdue requests and the mean response time, and consent per day', async () => {
    await fileRequest('access', 40); // GDPR: due after one month, so overdue
    await fileRequest('erasure', 27); // due in four days: due soon
    await fileRequest('know', 1); // CCPA: 45 days, not due soon
    const completed = await fileRequest('rectification', 10);
    for (const step of [
      { url: `/v1/requests/${completed}/verification/manual`, payload: { method: 'phone_call' } },
      { url: `/v1/requests/${completed}/transitions`, payload: { to: 'in_progress' } },
      { url: `/v1/requests/${completed}/transitions`, payload: { to: 'completed' } },
    ]) {
      const response = await post(step.url, step.payload);
      expect(response.statusCode, response.body).toBe(200);
    }

    const key = `p_${faker.string.alphanumeric({ length: 8, casing: 'lower' })}`;
    const purpose = await post('/v1/consent/purposes', {
      key,
      name: 'Newsletter',
      legalBasis: 'consent',
      dataUses: ['marketing.communications.email'],
      text: 'Our newsletter.',
    });
    expect(purpose.statusCode, purpose.body).toBe(201);
    const subject = await post('/v1/subjects', { externalId: faker.string.uuid() });
    for (const action of ['grant', 'withdraw'] as const) {
      const event = await post('/v1/consent/events', {
        subject: { id: subject.json().id },
        purposes: [key],
        action,
        method: action === 'grant' ? 'explicit_opt_in' : 'opt_out',
      });
      expect(event.statusCode, event.body).toBe(201);
    }

    const response = await dashboard();
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.requests).toMatchObject({
      open: 3,
      overdue: 1,
      dueSoon: 1,
      awaitingVerification: 3,
      dueSoonDays: 7,
      completedInPeriod: 1,
      averageResponseDays: 10,
      periodDays: 90,
    });
    expect(body.requests.openByType).toEqual(
      expect.arrayContaining([
        { type: 'access', count: 1 },
        { type: 'erasure', count: 1 },
        { type: 'know', count: 1 },
      ]),
    );
    expect(body.consent.series).toHaveLength(7);
    expect(body.consent.series.at(-1)).toEqual({ date: '2026-06-15', grants: 1, withdrawals: 1 });
    expect(body.consent.series[0]).toEqual({ date: '2026-06-09', grants: 0, withdrawals: 0 });
    expect(body.consent).toMatchObject({ days: 7, grants: 1, withdrawals: 1 });
  });

  it('is for roles that read reports, and carries no personal data', async () => {
    expect((await dashboard(await actAs(t, 'security'))).statusCode).toBe(403);
    expect((await dashboard(await actAs(t, 'auditor'))).statusCode).toBe(200);
    const text = (await dashboard()).body;
    expect(text).not.toMatch(/@/);
  });
});
