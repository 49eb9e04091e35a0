import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import type { Role } from '../../src/modules/access/permissions.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1617);

type Finding = {
  kind: string;
  collection: string | null;
  field: string | null;
  category?: string;
  count: number | null;
};

const customers = {
  name: 'customers',
  fields: [
    { name: 'email', type: 'email', category: 'user.contact.email', classification: 'confidential' },
    { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
    { name: 'plan', type: 'string', category: 'user.account', classification: 'public' },
    { name: 'nickname', type: 'string', category: 'user.name', classification: 'internal' },
  ],
};
const leads = {
  name: 'leads',
  fields: [{ name: 'email', type: 'email', category: 'user.contact.email', classification: 'confidential' }],
};

describe('GET /v1/retention/minimization', () => {
  const clock = fixedClock('2025-01-10T09:00:00.000Z');
  let t: TestApp;
  const as = async (role: Role, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: await actAs(t, role), ...(payload ? { payload } : {}) });
  const report = async (query = '') => {
    const response = await as('dpo', 'GET', `/v1/retention/minimization${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { checked: string[]; findings: Finding[]; window: { days: number } };
  };
  const about = (findings: Finding[], kind: string) =>
    findings
      .filter((finding) => finding.kind === kind)
      .map((finding) => (finding.field ? `${finding.collection}.${finding.field}` : finding.collection));

  beforeAll(async () => {
    t = await createTestApp({ clock });
    for (const collection of [customers, leads]) {
      expect((await as('dpo', 'POST', '/v1/collections', collection)).statusCode).toBe(201);
    }
    const subject = await as('service', 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
    const record = await as('service', 'POST', `/v1/subjects/${subject.json().id}/records`, {
      collection: 'customers',
      fields: { email: faker.internet.email(), full_name: faker.person.fullName(), plan: 'pro' },
    });
    expect(record.statusCode, record.body).toBe(201);
    const read = await as(
      'privacy_agent',
      'GET',
      `/v1/subjects/${subject.json().id}/records?purpose=support`,
    );
    expect(read.statusCode, read.body).toBe(200);
    const purpose = await as('dpo', 'POST', '/v1/consent/purposes', {
      key: 'newsletter',
      name: 'Newsletter',
      legalBasis: 'consent',
      dataUses: ['marketing.communications.email'],
      dataCategories: ['user.contact'],
      description: 'What we do and why',
      text: 'We send you our newsletter about new features, at most once a week.',
    });
    expect(purpose.statusCode, purpose.body).toBe(201);
    const policy = await as('dpo', 'POST', '/v1/retention/policies', {
      name: 'Customers',
      collection: 'customers',
      legalBasis: 'legal_obligation',
      description: 'Commercial law',
      duration: 'P1Y',
    });
    expect(policy.statusCode, policy.body).toBe(201);
  });
  afterAll(() => t.close());

  it('lists unread fields, fields no purpose covers and collections no policy covers, each with an action', async () => {
    const { findings, checked, window } = await report();
    expect(window.days).toBe(90);
    expect(checked).toContain('undeclared_category');
    expect(about(findings, 'unread_field')).toEqual(['customers.nickname']);
    expect(about(findings, 'field_without_purpose').sort()).toEqual([
      'customers.full_name',
      'customers.nickname',
      'customers.plan',
    ]);
    expect(about(findings, 'collection_without_retention')).toEqual(['leads']);
    expect(about(findings, 'inactive_subjects')).toEqual([]);
    for (const finding of findings) {
      expect(finding).toMatchObject({
        suggestedAction: { code: expect.any(String), text: expect.any(String) },
      });
    }
  });

  it('counts reads only within the window, and finds subjects inactive past the longest policy', async () => {
    clock.advance(400 * 86_400_000);
    const { findings } = await report('?windowDays=30');
    expect(about(findings, 'unread_field').sort()).toEqual([
      'customers.email',
      'customers.full_name',
      'customers.nickname',
      'customers.plan',
    ]);
    expect(findings.find((finding) => finding.kind === 'inactive_subjects')).toMatchObject({ count: 1 });
    const wide = await report('?windowDays=3650');
    expect(about(wide.findings, 'unread_field')).toEqual(['customers.nickname']);
  });

  it('finds categories held that no processing activity declares, until an activity declares them', async () => {
    const undeclared = async () =>
      (await report()).findings
        .filter((finding) => finding.kind === 'undeclared_category')
        .map((finding) => finding.category)
        .sort();
    expect(await undeclared()).toEqual(['user.account', 'user.contact.email', 'user.name']);
    const activity = await as('dpo', 'POST', '/v1/inventory/activities', {
      name: 'Customer accounts',
      description: 'Running the customer’s subscription.',
      collectionNames: ['customers'],
    });
    expect(activity.statusCode, activity.body).toBe(201);
    expect(await undeclared()).toEqual([]);
  });

  it('answers a window out of range with problem+json, and needs retention.read', async () => {
    for (const query of ['?windowDays=0', '?windowDays=99999', '?windowDays=soon']) {
      const response = await as('dpo', 'GET', `/v1/retention/minimization${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await as('service', 'GET', '/v1/retention/minimization')).statusCode).toBe(403);
  });
});
