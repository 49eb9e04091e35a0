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

faker.seed(1818);

describe('fulfilling restriction requests', () => {
  let t: TestApp;
  let service: AuthHeaders;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp();
    as = caller(t);
    service = await actAs(t, 'service');
    await createCollections(t);
    const purposes = [
      { key: 'newsletter', legalBasis: 'consent', dataUses: ['marketing.communications.email'] },
      { key: 'analytics', legalBasis: 'legitimate_interests', dataUses: ['analytics.reporting'] },
    ];
    for (const purpose of purposes) {
      const created = await as('dpo', 'POST', '/v1/consent/purposes', {
        ...purpose,
        name: purpose.key,
        dataCategories: ['user.contact.email'],
        text: `We use your data for ${purpose.key}.`,
      });
      expect(created.statusCode, created.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  async function consentedPerson(): Promise<Person> {
    const person = await createPerson(t, service);
    const granted = await as(service, 'POST', '/v1/consent/events', {
      subject: { id: person.subjectId },
      purposes: ['newsletter'],
      action: 'grant',
      method: 'explicit_opt_in',
    });
    expect(granted.statusCode, granted.body).toBe(201);
    return person;
  }

  async function check(subjectId: string) {
    const response = await as(service, 'POST', '/v1/consent/check', {
      subject: { id: subjectId },
      purposes: ['newsletter', 'analytics'],
    });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().results as { purpose: string; allowed: boolean; reason: string }[]).map(
      ({ purpose, allowed, reason }) => ({ purpose, allowed, reason }),
    );
  }

  async function restrict(person: Person) {
    const requestId = await workedRequest(t, service, 'restriction', person);
    const response = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/restriction`, {
      ground: 'accuracy_contested',
      note: 'The subject disputes the postal address',
    });
    expect(response.statusCode, response.body).toBe(200);
    return { requestId, request: response.json() };
  }

  it('marks the subject restricted, completes the request and tells the subject', async () => {
    const person = await consentedPerson();
    const { requestId, request } = await restrict(person);
    expect(request).toMatchObject({ state: 'completed' });
    expect((await as(service, 'GET', `/v1/subjects/${person.subjectId}`)).json().status).toBe('restricted');
    const notice = await mailAbout(t, 'request.restriction_done', requestId);
    expect(notice?.content.to).toBe(person.email);
    expect(notice?.content.text).toContain('We will tell you before the restriction is lifted.');
    const applied = (await auditOf(t, requestId)).find(
      (entry) => entry.action === 'request.restriction.applied',
    );
    expect(applied?.details).toEqual({ ground: 'accuracy_contested', subject: person.subjectId });
  });

  it('makes consent checks deny every purpose, so the data is only stored', async () => {
    const person = await consentedPerson();
    expect(await check(person.subjectId)).toEqual([
      { purpose: 'newsletter', allowed: true, reason: 'granted' },
      { purpose: 'analytics', allowed: true, reason: 'legal_basis' },
    ]);
    await restrict(person);
    expect(await check(person.subjectId)).toEqual([
      { purpose: 'newsletter', allowed: false, reason: 'restricted' },
      { purpose: 'analytics', allowed: false, reason: 'restricted' },
    ]);
  });

  it('lets the subject’s records be read and detokenized only for the restricted_processing purpose', async () => {
    const person = await consentedPerson();
    const token = await as(service, 'POST', '/v1/tokens', {
      subjectId: person.subjectId,
      collection: 'customers',
      field: 'email',
      value: person.email,
    });
    await restrict(person);
    const records = `/v1/subjects/${person.subjectId}/records`;
    for (const url of [`${records}?purpose=support`, `/v1/records/${person.customerId}?purpose=billing`]) {
      const refused = await as(service, 'GET', url);
      expect(refused.statusCode, url).toBe(409);
      expect(refused.json()).toMatchObject({
        code: 'subject_restricted',
        requiredPurpose: 'restricted_processing',
      });
    }
    const detokenize = await as(service, 'POST', '/v1/tokens/detokenize', {
      token: token.json().token,
      purpose: 'support',
    });
    expect(detokenize.json().code).toBe('subject_restricted');

    const allowed = await as(service, 'GET', `${records}?purpose=restricted_processing&reveal=true`);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().items).toHaveLength(3);
    const reads = await as(
      'auditor',
      'GET',
      `/v1/audit/entries?action=vault.record.read&targetId=${person.subjectId}`,
    );
    expect(reads.json().items[0]).toMatchObject({ purpose: 'restricted_processing' });
  });

  it('still answers the restricted subject’s access request, reading for restricted processing', async () => {
    const person = await consentedPerson();
    await restrict(person);
    const accessId = await workedRequest(t, service, 'access', person);
    const exported = await as('privacy_agent', 'POST', `/v1/requests/${accessId}/exports`);
    expect(exported.statusCode, exported.body).toBe(201);
  });

  it('is lifted as an action of its own: audited with its reason, told to the subject, checks allowed again', async () => {
    const person = await consentedPerson();
    const { requestId } = await restrict(person);
    const lift = `/v1/subjects/${person.subjectId}/restriction/lift`;
    expect((await as('privacy_agent', 'POST', lift, { reason: 'accuracy_verified' })).statusCode).toBe(403);

    const lifted = await as('dpo', 'POST', lift, { reason: 'accuracy_verified', note: 'Address confirmed' });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json()).toEqual({ subjectId: person.subjectId, lifted: 1, systems: 0 });
    expect((await as(service, 'GET', `/v1/subjects/${person.subjectId}`)).json().status).toBe('active');
    expect(await check(person.subjectId)).toEqual([
      { purpose: 'newsletter', allowed: true, reason: 'granted' },
      { purpose: 'analytics', allowed: true, reason: 'legal_basis' },
    ]);

    const timeline = (await as('privacy_agent', 'GET', `/v1/requests/${requestId}`)).json().timeline;
    expect(timeline.at(-1)).toMatchObject({
      kind: 'restriction_lifted',
      details: { reason: 'accuracy_verified' },
      note: 'Address confirmed',
    });
    const notice = await mailAbout(t, 'request.restriction_lifted', requestId);
    expect(notice?.content.text).toContain('we have verified the accuracy of your data');
    const audited = (await auditOf(t, person.subjectId)).find(
      (entry) => entry.action === 'request.restriction.lifted',
    );
    expect(audited?.details).toEqual({ reason: 'accuracy_verified', restrictions: 1, systems: [] });

    const again = await as('dpo', 'POST', lift, { reason: 'accuracy_verified' });
    expect(again.statusCode).toBe(409);
  });

  it('stays in force for a subject erased but for data kept under retention', async () => {
    const policy = await as('dpo', 'POST', '/v1/retention/policies', {
      name: 'Invoices',
      collection: 'invoices',
      legalBasis: 'legal_obligation',
      duration: 'P10Y',
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const person = await createPerson(t, service, { invoices: 1 });
    await restrict(person);
    const erasureId = await workedRequest(t, service, 'erasure', person);
    const erased = await as('privacy_agent', 'POST', `/v1/requests/${erasureId}/erasure`, {});
    expect(erased.json().method).toBe('minimised');
    const lift = await as('dpo', 'POST', `/v1/subjects/${person.subjectId}/restriction/lift`, {
      reason: 'other',
    });
    expect(lift.statusCode).toBe(409);
    expect(lift.json().detail).toContain('kept under retention');
    expect((await as(service, 'GET', `/v1/subjects/${person.subjectId}`)).json().status).toBe('restricted');
  });
});
