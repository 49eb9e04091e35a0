import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2203);

type Headers = Record<string, string>;

describe('consent banner API', () => {
  let t: TestApp;
  let dpo: Headers;
  let service: Headers;
  let analytics: string;
  let advertising: string;
  let necessary: string;
  let hidden: string;

  const post = (url: string, payload: unknown, headers: Headers = {}) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

  async function createPurpose(overrides: Record<string, unknown>) {
    const key = `p_${faker.string.alphanumeric({ length: 10, casing: 'lower' })}`;
    const response = await post(
      '/v1/consent/purposes',
      {
        key,
        name: faker.company.catchPhrase(),
        legalBasis: 'consent',
        dataUses: ['analytics.reporting'],
        text: faker.lorem.sentence(),
        website: true,
        ...overrides,
      },
      dpo,
    );
    expect(response.statusCode, response.body).toBe(201);
    return key;
  }

  beforeAll(async () => {
    t = await createTestApp();
    dpo = await actAs(t, 'dpo');
    service = await actAs(t, 'service');
    analytics = await createPurpose({});
    advertising = await createPurpose({ dataUses: ['marketing.advertising'], ccpa: { sharing: true } });
    necessary = await createPurpose({ legalBasis: 'contract', dataUses: ['essential.service'] });
    hidden = await createPurpose({ website: false });
  });
  afterAll(() => t.close());

  const verdicts = (results: { purpose: string; allowed: boolean }[]) =>
    Object.fromEntries(results.map((result) => [result.purpose, result.allowed]));

  it('shows the website purposes with the brand, to any origin', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/consent/banner',
      headers: { origin: 'https://shop.example' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const { purposes, brand } = response.json();
    const keys = purposes.map((purpose: { key: string }) => purpose.key);
    expect(keys).toEqual(expect.arrayContaining([analytics, advertising, necessary]));
    expect(keys).not.toContain(hidden);
    expect(purposes.find((purpose: { key: string }) => purpose.key === necessary)).toMatchObject({
      choosable: false,
    });
    expect(purposes.find((purpose: { key: string }) => purpose.key === advertising)).toMatchObject({
      choosable: true,
      saleOrSharing: true,
    });
    expect(brand.color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('answers the preflight of a cross-origin choice', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/consent/banner/choices',
      headers: { origin: 'https://shop.example' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-headers']).toBe('content-type');
  });

  it('records an anonymous visitor’s choices, then their change of mind, against the visitor id', async () => {
    const visitorId = faker.string.uuid();
    const first = await post('/v1/consent/banner/choices', {
      visitorId,
      choices: [
        { purpose: analytics, granted: true },
        { purpose: advertising, granted: false },
      ],
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(verdicts(first.json().results)).toMatchObject({
      [analytics]: true,
      [advertising]: false,
      [necessary]: true,
    });

    const second = await post('/v1/consent/banner/choices', {
      visitorId,
      choices: [
        { purpose: analytics, granted: false },
        { purpose: advertising, granted: true },
      ],
    });
    expect(verdicts(second.json().results)).toMatchObject({ [analytics]: false, [advertising]: true });
    const reasons = Object.fromEntries(
      (second.json().results as { purpose: string; reason: string }[]).map((result) => [
        result.purpose,
        result.reason,
      ]),
    );
    expect(reasons[analytics]).toBe('withdrawn');
  });

  it('opts out of sale and sharing when the browser sends GPC', async () => {
    const response = await post('/v1/consent/banner/choices', {
      visitorId: faker.string.uuid(),
      choices: [{ purpose: analytics, granted: true }],
      gpc: true,
    });
    expect(verdicts(response.json().results)).toMatchObject({ [analytics]: true, [advertising]: false });
  });

  it('refuses a purpose the banner does not offer, naming it', async () => {
    const response = await post('/v1/consent/banner/choices', {
      visitorId: faker.string.uuid(),
      choices: [{ purpose: hidden, granted: true }],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('validation_failed');
    expect(response.body).toContain(hidden);
  });

  it('gives a signed-in visitor’s choices to their subject', async () => {
    const visitorId = faker.string.uuid();
    await post('/v1/consent/banner/choices', {
      visitorId,
      choices: [
        { purpose: analytics, granted: true },
        { purpose: advertising, granted: false },
      ],
    });
    const subject = await post('/v1/subjects', { externalId: faker.string.uuid() }, service);
    const subjectId = subject.json().id;
    const linked = await post(
      '/v1/consent/visitors/link',
      { visitorId, subject: { id: subjectId } },
      service,
    );
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json().linked.sort()).toEqual([advertising, analytics].sort());
    const check = await post(
      '/v1/consent/check',
      { subject: { id: subjectId }, purposes: [analytics, advertising] },
      service,
    );
    expect(verdicts(check.json().results)).toEqual({ [analytics]: true, [advertising]: false });

    const unknown = await post(
      '/v1/consent/visitors/link',
      { visitorId: faker.string.uuid(), subject: { id: subjectId } },
      service,
    );
    expect(unknown.statusCode).toBe(404);
    const anonymous = await post('/v1/consent/visitors/link', { visitorId, subject: { id: subjectId } });
    expect(anonymous.statusCode).toBe(401);
  });

  it('serves the banner script to any site', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/consent.js' });
    // Built by `npm run build:sdk`; without it the route says so.
    expect([200, 404]).toContain(response.statusCode);
    if (response.statusCode === 200) {
      expect(response.headers['content-type']).toContain('text/javascript');
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    }
  });

  it('serves no demo page unless development asks for it', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/consent-demo' })).statusCode).not.toBe(200);
  });
});
