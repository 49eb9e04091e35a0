import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import {
  auditOf,
  caller,
  createCollections,
  createPerson,
  mailAbout,
  type Person,
  workedRequest,
} from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1919);

const purposes = [
  {
    key: 'newsletter',
    name: 'Newsletter',
    legalBasis: 'consent',
    dataUses: ['marketing.communications.email'],
  },
  {
    key: 'analytics',
    name: 'Product analytics',
    legalBasis: 'legitimate_interests',
    dataUses: ['analytics.reporting'],
  },
  {
    key: 'billing',
    name: 'Billing',
    legalBasis: 'contract',
    dataUses: ['essential.service.payment_processing'],
  },
  {
    key: 'ads',
    name: 'Advertising partners',
    legalBasis: 'consent',
    dataUses: ['marketing.advertising.third_party'],
    ccpa: { sale: true },
  },
  {
    key: 'partners',
    name: 'Partner offers',
    legalBasis: 'legitimate_interests',
    dataUses: ['marketing.advertising.first_party'],
    ccpa: { sharing: true },
  },
];

describe('fulfilling objections and opt-outs', () => {
  let t: TestApp;
  let service: AuthHeaders;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp();
    as = caller(t);
    service = await actAs(t, 'service');
    await createCollections(t, ['customers', 'orders']);
    for (const purpose of purposes) {
      const created = await as('dpo', 'POST', '/v1/consent/purposes', {
        ...purpose,
        dataCategories: ['user.contact.email'],
        text: `We use your data for ${purpose.name}.`,
      });
      expect(created.statusCode, created.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  async function newsletterReader(): Promise<Person> {
    const person = await createPerson(t, service, { orders: 0 });
    const granted = await as(service, 'POST', '/v1/consent/events', {
      subject: { id: person.subjectId },
      purposes: ['newsletter'],
      action: 'grant',
      method: 'explicit_opt_in',
    });
    expect(granted.statusCode, granted.body).toBe(201);
    return person;
  }

  /** Verdicts through the public check API, as an application asks before processing. */
  async function verdicts(subjectId: string) {
    const response = await as(service, 'POST', '/v1/consent/check', {
      subject: { id: subjectId },
      purposes: purposes.map((purpose) => purpose.key),
    });
    expect(response.statusCode, response.body).toBe(200);
    return Object.fromEntries(
      (response.json().results as { purpose: string; allowed: boolean; reason: string }[]).map((result) => [
        result.purpose,
        `${result.allowed ? 'allowed' : 'denied'}: ${result.reason}`,
      ]),
    );
  }

  const object = (requestId: string, payload: object = {}) =>
    as('privacy_agent', 'POST', `/v1/requests/${requestId}/objection`, payload);

  it('objects to legitimate interests and withdraws direct marketing; checks deny them afterwards', async () => {
    const person = await newsletterReader();
    expect(await verdicts(person.subjectId)).toEqual({
      newsletter: 'allowed: granted',
      analytics: 'allowed: legal_basis',
      billing: 'allowed: legal_basis',
      ads: 'denied: no_consent',
      partners: 'allowed: legal_basis',
    });
    const requestId = await workedRequest(t, service, 'objection', person);
    const response = await object(requestId);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      request: { state: 'completed' },
      recorded: { object: ['analytics', 'partners'], withdraw: ['newsletter'], deny: [] },
    });
    expect(await verdicts(person.subjectId)).toEqual({
      newsletter: 'denied: withdrawn',
      analytics: 'denied: objected',
      billing: 'allowed: legal_basis',
      ads: 'denied: no_consent',
      partners: 'denied: objected',
    });

    const notice = await mailAbout(t, 'request.objection_done', requestId);
    expect(notice?.content.text).toContain(
      'We have stopped processing your personal data for: Product analytics, Partner offers, Newsletter.',
    );
    const applied = (await auditOf(t, requestId)).find(
      (entry) => entry.action === 'request.objection.applied',
    );
    expect(applied?.details).toEqual({
      objected: ['analytics', 'partners'],
      withdrawn: ['newsletter'],
      denied: [],
      subject: person.subjectId,
    });
    const history = await as(service, 'GET', `/v1/subjects/${person.subjectId}/consent/history?format=json`);
    expect(history.statusCode, history.body).toBe(200);
    expect(history.body).toContain('"action":"object"');

    // A second objection finds nothing left to stop: completed all the same, with the reason recorded and told.
    const again = await workedRequest(t, service, 'objection', person);
    const repeated = await object(again);
    expect(repeated.json()).toMatchObject({
      request: { state: 'completed' },
      recorded: { object: [], withdraw: [], deny: [] },
      nothingToStop: 'already_stopped',
    });
    const timeline = (await as('privacy_agent', 'GET', `/v1/requests/${again}`)).json().timeline as {
      kind: string;
      details: Record<string, unknown>;
    }[];
    expect(timeline.find((entry) => entry.kind === 'objected')?.details).toMatchObject({
      nothingToStop: 'already_stopped',
    });
    const repeatedAudit = (await auditOf(t, again)).find(
      (entry) => entry.action === 'request.objection.applied',
    );
    expect(repeatedAudit?.details).toMatchObject({ nothingToStop: 'already_stopped' });
    const told = await mailAbout(t, 'request.objection_done', again);
    expect(told?.content.text).toContain(
      'You had already objected to every processing your request applies to, so nothing changed.',
    );
  });

  it('objects to the named purposes only, and refuses one no objection applies to', async () => {
    const person = await newsletterReader();
    const requestId = await workedRequest(t, service, 'objection', person);
    const refused = await object(requestId, { purposes: ['analytics', 'billing'] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'objection_not_applicable', purposes: ['billing'] });
    expect((await as('privacy_agent', 'GET', `/v1/requests/${requestId}`)).json().state).toBe('in_progress');
    expect((await verdicts(person.subjectId)).analytics).toBe('allowed: legal_basis');

    const named = await object(requestId, { purposes: ['analytics'] });
    expect(named.json().recorded).toEqual({ object: ['analytics'], withdraw: [], deny: [] });
    expect(await verdicts(person.subjectId)).toMatchObject({
      analytics: 'denied: objected',
      partners: 'allowed: legal_basis',
      newsletter: 'allowed: granted',
    });
  });

  it('opts a consumer out of sale and sharing (CCPA)', async () => {
    const person = await newsletterReader();
    const requestId = await workedRequest(t, service, 'opt_out', person);
    const response = await object(requestId);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().recorded).toEqual({ object: [], withdraw: ['partners'], deny: ['ads'] });
    expect(await verdicts(person.subjectId)).toMatchObject({
      ads: 'denied: no_consent',
      partners: 'denied: withdrawn',
      newsletter: 'allowed: granted',
      analytics: 'allowed: legal_basis',
    });
    const notice = await mailAbout(t, 'request.objection_done', requestId);
    expect(notice?.content.subject).toBe('You have opted out of sale and sharing');
  });
});
