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
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1616);

describe('fulfilling rectification requests', () => {
  let t: TestApp;
  let service: AuthHeaders;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp();
    as = caller(t);
    service = await actAs(t, 'service');
    await createCollections(t, ['customers', 'orders']);
  });
  afterAll(() => t.close());

  const rectify = (requestId: string, payload: object) =>
    as('privacy_agent', 'POST', `/v1/requests/${requestId}/rectification`, payload);

  async function customerOf(person: Person) {
    const read = await as(service, 'GET', `/v1/records/${person.customerId}?purpose=support&reveal=true`);
    expect(read.statusCode, read.body).toBe(200);
    return read.json().fields as Record<string, unknown>;
  }

  it('corrects the subject’s records through the vault, completes the request and answers the subject', async () => {
    const person = await createPerson(t, service);
    const requestId = await workedRequest(t, service, 'rectification', person);
    const corrected = { email: faker.internet.email(), full_name: faker.person.fullName() };
    const response = await rectify(requestId, {
      corrections: [
        { recordId: person.customerId, fields: corrected },
        { recordId: person.orderIds[0], fields: { note: null } },
      ],
      note: 'Name and address corrected after a phone call',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      request: { state: 'completed' },
      corrected: [
        { recordId: person.customerId, collection: 'customers', fields: ['email', 'full_name'] },
        { recordId: person.orderIds[0], collection: 'orders', fields: ['note'] },
      ],
    });
    expect(await customerOf(person)).toMatchObject(corrected);

    // The blind index follows: the subject is found by the corrected address, no longer by the old one.
    const byNew = await as(service, 'POST', '/v1/subjects/search', { email: corrected.email });
    expect(byNew.json().items.map((item: { id: string }) => item.id)).toEqual([person.subjectId]);
    const byOld = await as(service, 'POST', '/v1/subjects/search', { email: person.email });
    expect(byOld.json().items).toEqual([]);

    const notice = await mailAbout(t, 'request.rectification_done', requestId);
    expect(notice?.content.to).toBe(person.email);
    expect(notice?.content.text).toContain('customers.email, customers.full_name, orders.note');
    expect(notice?.content.text).not.toContain(corrected.email);
  });

  it('audits and records the fields corrected, never their values', async () => {
    const person = await createPerson(t, service);
    const requestId = await workedRequest(t, service, 'correct', person);
    const fullName = `${faker.person.fullName()} Rectified`;
    expect(
      (
        await rectify(requestId, {
          corrections: [{ recordId: person.customerId, fields: { full_name: fullName } }],
        })
      ).statusCode,
    ).toBe(200);

    const applied = (await auditOf(t, requestId)).find(
      (entry) => entry.action === 'request.rectification.applied',
    );
    expect(applied?.details).toEqual({
      subject: person.subjectId,
      records: [{ recordId: person.customerId, collection: 'customers', fields: ['full_name'] }],
    });
    const detail = await as('privacy_agent', 'GET', `/v1/requests/${requestId}`);
    const rectified = detail.json().timeline.find((entry: { kind: string }) => entry.kind === 'rectified');
    expect(rectified.details.records[0].fields).toEqual(['full_name']);
    expect(await findInDatabase(t.runtime.database, [fullName])).toEqual([]);
  });

  it('refuses corrections that do not fit, one error per field, never repeating a value, and changes nothing', async () => {
    const person = await createPerson(t, service);
    const requestId = await workedRequest(t, service, 'rectification', person);
    const before = await customerOf(person);
    const badAddress = `not-an-address-${faker.string.alphanumeric(10)}`;
    const response = await rectify(requestId, {
      corrections: [
        { recordId: person.orderIds[0], fields: { item: 'A corrected item' } },
        {
          recordId: person.customerId,
          fields: { email: badAddress, shoe_size: 44, birth_date: '1999-02-30' },
        },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
    expect(response.json().errors).toEqual([
      { in: 'body', path: 'corrections.1.fields.shoe_size', message: 'is not a field of this collection' },
      { in: 'body', path: 'corrections.1.fields.email', message: 'must be an e-mail address' },
      { in: 'body', path: 'corrections.1.fields.birth_date', message: 'must be a calendar date YYYY-MM-DD' },
    ]);
    expect(response.body).not.toContain(badAddress);
    expect(await customerOf(person)).toEqual(before);
    const order = await as(service, 'GET', `/v1/records/${person.orderIds[0]}?purpose=support&reveal=true`);
    expect(order.json().fields.item).not.toBe('A corrected item');
    const detail = await as('privacy_agent', 'GET', `/v1/requests/${requestId}`);
    expect(detail.json().state).toBe('in_progress');
  });

  it('does not touch records of another subject', async () => {
    const person = await createPerson(t, service);
    const stranger = await createPerson(t, service);
    const requestId = await workedRequest(t, service, 'rectification', person);
    const response = await rectify(requestId, {
      corrections: [{ recordId: stranger.customerId, fields: { plan: 'free' } }],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { in: 'body', path: 'corrections.0.recordId', message: 'is not a record of the request’s subject' },
    ]);
    expect((await customerOf(stranger)).plan).toBe('pro');
  });

  it('is refused for another type of request, or one not in progress', async () => {
    const person = await createPerson(t, service);
    const access = await workedRequest(t, service, 'access', person);
    const corrections = [{ recordId: person.customerId, fields: { plan: 'free' } }];
    const wrongType = await rectify(access, { corrections });
    expect(wrongType.statusCode).toBe(409);
    expect(wrongType.json().detail).toBe('A access request is not fulfilled by rectification.');

    const filed = await as(service, 'POST', '/v1/requests', {
      type: 'rectification',
      subjectId: person.subjectId,
      contactEmail: person.email,
      authenticatedSubject: true,
    });
    const notStarted = await rectify(filed.json().id, { corrections });
    expect(notStarted.statusCode).toBe(409);
    expect(notStarted.json()).toMatchObject({ state: 'verified' });
  });

  it('describes the fulfilment, retention and downstream system routes in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/requests/{id}/rectification',
        '/v1/requests/{id}/erasure',
        '/v1/requests/{id}/restriction',
        '/v1/requests/{id}/objection',
        '/v1/requests/{id}/tasks',
        '/v1/requests/{id}/closure',
        '/v1/system-tasks/{id}/callback',
        '/v1/subjects/{id}/restriction/lift',
        '/v1/inventory/systems',
        '/v1/retention/policies',
        '/v1/subjects/{id}/legal-holds',
        '/v1/legal-holds/{id}/lift',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['RequestSystemTask', 'InventorySystem', 'RetentionPolicy', 'LegalHold']),
    );
  });

  it('needs requests.fulfil', async () => {
    const person = await createPerson(t, service);
    const requestId = await workedRequest(t, service, 'rectification', person);
    const denied = await as('auditor', 'POST', `/v1/requests/${requestId}/rectification`, {
      corrections: [{ recordId: person.customerId, fields: { plan: 'free' } }],
    });
    expect(denied.statusCode).toBe(403);
  });
});
