import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { strongPassword } from '../helpers/factories.js';
import { auditOf, caller } from '../helpers/fulfilment.js';
import { registerConfirmed } from '../helpers/privacy-center.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(8123);

type OwnRecord = { id: string; collection: string; fields: { name: string; type: string; value: unknown }[] };

const loyalty = {
  name: 'loyalty',
  description: 'Loyalty programme',
  fields: [
    {
      name: 'birthday',
      type: 'date',
      category: 'user.demographic.date_of_birth',
      classification: 'restricted',
    },
    { name: 'points', type: 'number', category: 'user.behavior', classification: 'internal' },
    { name: 'phone', type: 'phone', category: 'user.contact.phone_number', classification: 'confidential' },
  ],
};

describe('rectification asked for in the privacy center', () => {
  const logLines: string[] = [];
  let t: TestApp;
  let service: AuthHeaders;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp({ logStream: { write: (line: string) => void logLines.push(line) } });
    as = caller(t);
    service = await actAs(t, 'service');
    const created = await as('dpo', 'POST', '/v1/collections', loyalty);
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(() => t.close());

  /** A subject registered in the privacy center, with a loyalty record beside their profile. */
  async function subjectWithData() {
    const email = faker.internet.email().toLowerCase();
    const subject = await registerConfirmed(t, {
      name: faker.person.fullName(),
      email,
      password: strongPassword,
      consents: [],
    });
    const stored = await as(service, 'POST', `/v1/subjects/${subject.subjectId}/records`, {
      collection: 'loyalty',
      fields: { birthday: '1984-07-12', points: 120 },
    });
    expect(stored.statusCode, stored.body).toBe(201);
    const data = await t.app.inject({ method: 'GET', url: '/v1/privacy/me/data', headers: subject.headers });
    expect(data.statusCode, data.body).toBe(200);
    const records = data.json().items as OwnRecord[];
    const recordOf = (collection: string) => {
      const record = records.find((item) => item.collection === collection);
      if (!record) throw new Error(`no ${collection} record`);
      return record;
    };
    return { ...subject, email, profile: recordOf('privacy_center_account'), loyalty: recordOf('loyalty') };
  }

  const file = (headers: Record<string, string>, payload: object) =>
    t.app.inject({ method: 'POST', url: '/v1/privacy/me/requests', headers, payload });

  it('shows each field’s type in My data, to pick what to correct', async () => {
    const subject = await subjectWithData();
    expect(subject.profile.fields.map((field) => [field.name, field.type])).toEqual([
      ['name', 'string'],
      ['email', 'email'],
    ]);
    expect(subject.loyalty.fields.map((field) => field.type)).toEqual(['date', 'number']);
  });

  it('files the corrections sealed, naming only the fields in the timeline, audit log and logs', async () => {
    const subject = await subjectWithData();
    const newName = `${faker.person.firstName()} Corrigenda`;
    const response = await file(subject.headers, {
      type: 'rectification',
      corrections: [
        { recordId: subject.profile.id, fields: { name: newName } },
        { recordId: subject.loyalty.id, fields: { birthday: '1984-07-21', phone: '+44 20 7946 0958' } },
      ],
    });
    expect(response.statusCode, response.body).toBe(201);
    const requestId = response.json().id as string;
    expect(response.json()).toMatchObject({ type: 'rectification', state: 'verified' });

    const detail = await as('dpo', 'GET', `/v1/requests/${requestId}`);
    expect(detail.json().timeline[0].details.corrections).toEqual([
      { recordId: subject.profile.id, collection: 'privacy_center_account', fields: ['name'] },
      { recordId: subject.loyalty.id, collection: 'loyalty', fields: ['birthday', 'phone'] },
    ]);
    const values = [newName, '1984-07-21', '+442079460958'];
    expect(await findInDatabase(t.runtime.database, values)).toEqual([]);
    const audit = JSON.stringify(await auditOf(t, requestId));
    for (const value of values) {
      expect(audit).not.toContain(value);
      expect(logLines.join('\n')).not.toContain(value);
    }
  });

  it('lets the team read what was asked for (audited) and apply it through the rectification', async () => {
    const subject = await subjectWithData();
    const newName = `${faker.person.firstName()} Amended`;
    const filed = await file(subject.headers, {
      type: 'rectification',
      corrections: [{ recordId: subject.profile.id, fields: { name: newName } }],
    });
    const requestId = filed.json().id as string;

    const auditor = await as('auditor', 'GET', `/v1/requests/${requestId}/corrections`);
    expect(auditor.statusCode).toBe(403);
    const read = await as('privacy_agent', 'GET', `/v1/requests/${requestId}/corrections`);
    expect(read.statusCode, read.body).toBe(200);
    const asked = read.json().items as { recordId: string; fields: Record<string, unknown> }[];
    expect(asked).toEqual([
      { recordId: subject.profile.id, collection: 'privacy_center_account', fields: { name: newName } },
    ]);
    const reads = (await auditOf(t, requestId)).filter(
      (entry) => entry.action === 'request.corrections.read',
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]?.details).toMatchObject({ fields: ['privacy_center_account.name'] });

    // Filed verified by the subject's session: the team starts work and applies exactly what was asked for.
    const started = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/transitions`, {
      to: 'in_progress',
    });
    expect(started.statusCode, started.body).toBe(200);
    const applied = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/rectification`, {
      corrections: asked,
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().request.state).toBe('completed');
    const mine = await t.app.inject({ method: 'GET', url: '/v1/privacy/me/data', headers: subject.headers });
    const profile = (mine.json().items as OwnRecord[]).find(
      (record) => record.collection === 'privacy_center_account',
    );
    expect(profile?.fields.find((field) => field.name === 'name')?.value).toBe(newName);

    // Once the request is closed, what was asked for is no longer kept.
    const after = await as('privacy_agent', 'GET', `/v1/requests/${requestId}/corrections`);
    expect(after.json().items).toEqual([]);
  });

  it('refuses corrections that do not fit, naming the field and never repeating the value', async () => {
    const subject = await subjectWithData();
    const other = await subjectWithData();
    const badEmail = `not-an-address-${faker.string.alphanumeric(8)}`;
    const response = await file(subject.headers, {
      type: 'rectification',
      corrections: [
        { recordId: subject.profile.id, fields: { email: badEmail, shoe_size: 44 } },
        { recordId: subject.loyalty.id, fields: { points: 'many' } },
        { recordId: other.profile.id, fields: { name: 'Someone Else' } },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().code).toBe('validation_failed');
    const paths = (response.json().errors as { path: string }[]).map((error) => error.path).sort();
    expect(paths).toEqual([
      'corrections.0.fields.email',
      'corrections.0.fields.shoe_size',
      'corrections.1.fields.points',
      'corrections.2.recordId',
    ]);
    expect(response.body).not.toContain(badEmail);
    const open = await t.app.inject({
      method: 'GET',
      url: '/v1/privacy/me/requests',
      headers: subject.headers,
    });
    expect(open.json().items).toEqual([]);

    const wrongType = await file(subject.headers, {
      type: 'erasure',
      corrections: [{ recordId: subject.profile.id, fields: { name: 'X' } }],
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().errors[0]).toMatchObject({ path: 'corrections' });

    const empty = await file(subject.headers, {
      type: 'rectification',
      corrections: [{ recordId: subject.profile.id, fields: {} }],
    });
    expect(empty.statusCode).toBe(400);
  });

  it('still files a rectification that names nothing, as before', async () => {
    const subject = await subjectWithData();
    const response = await file(subject.headers, { type: 'rectification' });
    expect(response.statusCode, response.body).toBe(201);
    const read = await as('privacy_agent', 'GET', `/v1/requests/${response.json().id}/corrections`);
    expect(read.json().items).toEqual([]);
  });
});
