import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(9);

const contacts = {
  name: 'contacts',
  fields: [
    {
      name: 'email',
      type: 'email',
      category: 'user.contact.email',
      classification: 'confidential',
      required: true,
      indexed: true,
    },
    { name: 'age', type: 'number', category: 'user.demographic.age_range', classification: 'internal' },
    { name: 'newsletter', type: 'boolean', category: 'user.behavior', classification: 'public' },
  ],
};

describe('bulk import', () => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    headers = await actAs(t, 'service');
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/collections', headers, payload: contacts })).statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/collections',
          headers: await actAs(t, 'dpo'),
          payload: contacts,
        })
      ).statusCode,
    ).toBe(201);
  });
  afterAll(() => t.close());

  const rows = Array.from({ length: 1200 }, () => ({
    externalId: faker.string.uuid(),
    email: faker.internet.email(),
    age: faker.number.int({ min: 18, max: 90 }),
    newsletter: faker.datatype.boolean(),
  }));

  const importNdjson = (lines: string[]) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/collections/contacts/import',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
      payload: `${lines.join('\n')}\n`,
    });

  it('imports NDJSON in batches and reports each bad line by field and reason, without values', async () => {
    const secret = `nobody-at-${faker.string.alphanumeric(10)}`;
    const lines = [
      ...rows.map((row) => JSON.stringify(row)),
      JSON.stringify({ externalId: faker.string.uuid(), email: secret }),
      '{not json',
    ];
    const response = await importNdjson(lines);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      lines: 1202,
      subjectsCreated: 1200,
      recordsCreated: 1200,
      recordsUpdated: 0,
      failed: 2,
    });
    expect(response.json().errors).toEqual([
      { line: 1201, field: 'email', reason: 'must be an e-mail address' },
      { line: 1202, field: '(line)', reason: 'is not a JSON object' },
    ]);
    expect(response.body).not.toContain(secret);

    const found = await t.app.inject({
      method: 'POST',
      url: '/v1/subjects/search',
      headers,
      payload: { email: rows[7]?.email },
    });
    expect(found.json().items).toHaveLength(1);
  });

  it('resumes without duplicates when the same file is imported again', async () => {
    const changed = rows.slice(0, 600).map((row) => JSON.stringify({ ...row, age: 99 }));
    const response = await importNdjson(changed);
    expect(response.json()).toMatchObject({
      lines: 600,
      subjectsCreated: 0,
      recordsCreated: 0,
      recordsUpdated: 600,
    });
    const count = await t.runtime.database.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1200);
    const subject = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/subjects/search',
        headers,
        payload: { email: rows[3]?.email },
      })
    ).json().items[0];
    const records = await t.app.inject({
      method: 'GET',
      url: `/v1/subjects/${subject.id}/records?purpose=support&reveal=true`,
      headers,
    });
    expect(records.json().items[0].fields).toMatchObject({ email: rows[3]?.email, age: 99 });
  });

  it("refuses a line naming another subject's record, and leaves that record as it was", async () => {
    const [owner, intruder] = [rows[10], rows[11]] as [(typeof rows)[number], (typeof rows)[number]];
    const subject = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/subjects/search',
        headers,
        payload: { email: owner.email },
      })
    ).json().items[0];
    const read = () =>
      t.app.inject({
        method: 'GET',
        url: `/v1/subjects/${subject.id}/records?purpose=support&reveal=true`,
        headers,
      });
    const before = (await read()).json().items[0];
    const response = await importNdjson([
      JSON.stringify({ ...intruder, recordId: before.id, email: faker.internet.email() }),
    ]);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('conflict');
    expect((await read()).json().items[0].fields).toEqual(before.fields);
  });

  it('imports CSV, typing cells by field', async () => {
    const people = Array.from({ length: 5 }, () => ({
      externalId: faker.string.uuid(),
      email: faker.internet.email(),
      age: 30,
      newsletter: true,
    }));
    const csv = [
      'externalId,email,age,newsletter',
      ...people.map((p) => `${p.externalId},${p.email},${p.age},${p.newsletter}`),
    ].join('\n');
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/collections/contacts/import',
      headers: { ...headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(response.json()).toMatchObject({ lines: 5, subjectsCreated: 5, failed: 0 });
  });

  it('refuses other content types and unknown collections', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: '/v1/collections/contacts/import',
      headers,
      payload: { x: 1 },
    });
    expect(json.statusCode).toBe(415);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/collections/nothing_here/import',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
      payload: '{}\n',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('appends every line of a subject to a many-record collection, each with its own blind index', async () => {
    const visits = {
      name: 'visits',
      multiple: true,
      fields: [{ ...contacts.fields[0], required: false }, contacts.fields[2]],
    };
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: await actAs(t, 'dpo'),
      payload: visits,
    });
    expect(created.statusCode, created.body).toBe(201);
    const externalId = faker.string.uuid();
    const lines = Array.from({ length: 3 }, () =>
      JSON.stringify({ externalId, email: faker.internet.email() }),
    );
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/collections/visits/import',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
      payload: `${lines.join('\n')}\n`,
    });
    expect(response.json()).toMatchObject({ subjectsCreated: 1, recordsCreated: 3, recordsUpdated: 0 });
    const indexed = await t.runtime.database.db
      .selectFrom('records')
      .innerJoin('blind_indexes', 'blind_indexes.record_id', 'records.id')
      .select(['records.id'])
      .where('blind_indexes.field', '=', 'visits.email')
      .execute();
    expect(new Set(indexed.map((row) => row.id)).size).toBe(3);
    expect(indexed).toHaveLength(3);
  });

  it('reports lines holding text PostgreSQL cannot store, by field, and imports the rest', async () => {
    const lines = [
      JSON.stringify({ externalId: faker.string.uuid(), region: 'eu\u0000', email: faker.internet.email() }),
      JSON.stringify({ externalId: 'ext-\uD800', email: faker.internet.email() }),
      JSON.stringify({ externalId: faker.string.uuid(), email: `${faker.internet.email()}\u0000` }),
      JSON.stringify({ externalId: faker.string.uuid(), email: faker.internet.email() }),
    ];
    const response = await importNdjson(lines);
    expect(response.statusCode, response.body).toBe(200);
    const reason = 'must not contain NUL characters or unpaired UTF-16 surrogates';
    expect(response.json()).toMatchObject({ lines: 4, recordsCreated: 1, failed: 3 });
    expect(response.json().errors).toEqual([
      { line: 1, field: 'region', reason },
      { line: 2, field: 'externalId', reason },
      { line: 3, field: 'email', reason },
    ]);
  });
});
