import { randomUUID } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(7);

const system = { actor: { type: 'system' as const, id: 'test' }, requestId: null, ip: null };

const customers = {
  name: 'customers',
  description: 'Customer accounts',
  fields: [
    {
      name: 'email',
      type: 'email',
      category: 'user.contact.email',
      classification: 'confidential',
      required: true,
      indexed: true,
      tokenizable: true,
    },
    {
      name: 'phone',
      type: 'phone',
      category: 'user.contact.phone_number',
      classification: 'confidential',
      indexed: true,
      tokenizable: true,
    },
    { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
    {
      name: 'birth_date',
      type: 'date',
      category: 'user.demographic.date_of_birth',
      classification: 'restricted',
    },
    { name: 'plan', type: 'string', category: 'user.account', classification: 'public' },
  ],
};

type Person = { email: string; phone: string; full_name: string; birth_date: string; plan: string };

function person(): Person {
  return {
    email: faker.internet.email(),
    phone: `+49151${faker.string.numeric(8)}`,
    full_name: faker.person.fullName(),
    birth_date: faker.date.birthdate().toISOString().slice(0, 10),
    plan: faker.helpers.arrayElement(['free', 'pro']),
  };
}

describe('the vault', () => {
  let t: TestApp;
  let writer: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: await actAs(t, 'dpo'),
      payload: customers,
    });
    expect(created.statusCode).toBe(201);
    writer = await actAs(t, 'service');
  });
  afterAll(() => t.close());

  async function storePerson(data = person()) {
    const subject = await t.app.inject({
      method: 'POST',
      url: '/v1/subjects',
      headers: writer,
      payload: { externalId: faker.string.uuid() },
    });
    expect(subject.statusCode).toBe(201);
    const record = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${subject.json().id}/records`,
      headers: writer,
      payload: { collection: 'customers', fields: data },
    });
    expect(record.statusCode, record.body).toBe(201);
    return { subjectId: subject.json().id as string, recordId: record.json().id as string, data };
  }

  const read = async (subjectId: string, role: Parameters<typeof actAs>[1], query: string) =>
    t.app.inject({
      method: 'GET',
      url: `/v1/subjects/${subjectId}/records?${query}`,
      headers: await actAs(t, role),
    });

  it('stores values sealed: nothing of an encrypted field is visible in the database', async () => {
    const { data } = await storePerson();
    const hits = await findInDatabase(t.runtime.database, [
      data.email,
      data.full_name,
      data.phone.slice(3),
      data.birth_date,
    ]);
    expect(hits).toEqual([]);
  });

  it('reads masked without reveal, in clear with reveal, and always needs a configured purpose', async () => {
    const { subjectId, data } = await storePerson();
    const masked = await read(subjectId, 'privacy_agent', 'purpose=support');
    expect(masked.statusCode).toBe(200);
    const [record] = masked.json().items;
    expect(record.fields.email).not.toBe(data.email);
    expect(record.fields.email).toMatch(/•+@/);
    expect(record.fields.full_name).toBe('[redacted]');
    expect(record.fields.plan).toBe(data.plan);
    expect(record.masked).toEqual(expect.arrayContaining(['email', 'phone', 'full_name', 'birth_date']));

    const clear = await read(subjectId, 'privacy_agent', 'purpose=support&reveal=true');
    expect(clear.json().items[0].fields).toMatchObject({
      email: data.email,
      full_name: data.full_name,
      birth_date: data.birth_date,
    });

    expect((await read(subjectId, 'privacy_agent', '')).statusCode).toBe(400);
    const unknownPurpose = await read(subjectId, 'privacy_agent', 'purpose=curiosity');
    expect(unknownPurpose.statusCode).toBe(400);
    expect(unknownPurpose.json().code).toBe('invalid_query_parameter');

    const auditorReveal = await read(subjectId, 'auditor', 'purpose=support&reveal=true');
    expect(auditorReveal.statusCode).toBe(403);
    expect(auditorReveal.json().permission).toBe('vault.reveal');
    // The API documents say so: reveal=true without vault.reveal is refused, not answered masked.
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/subjects/{id}/records', '/v1/records/{id}']) {
      expect(document.paths[path].get.description).toContain('without it the read is refused (403');
    }
  });

  it('finds subjects by e-mail, phone and external id through blind indexes, whatever the formatting', async () => {
    const { subjectId, data } = await storePerson();
    const search = async (payload: Record<string, string>) =>
      (await t.app.inject({ method: 'POST', url: '/v1/subjects/search', headers: writer, payload }))
        .json()
        .items.map((s: { id: string }) => s.id);
    expect(await search({ email: data.email.toUpperCase() })).toEqual([subjectId]);
    expect(
      await search({ phone: `${data.phone.slice(0, 3)} ${data.phone.slice(3, 5)} ${data.phone.slice(5)}` }),
    ).toEqual([subjectId]);
    expect(await search({ email: faker.internet.email() })).toEqual([]);
  });

  it('validates records against the collection, one error per field, never echoing values', async () => {
    const { subjectId } = await storePerson();
    const secret = `not-an-email-${faker.string.alphanumeric(8)}`;
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${subjectId}/records`,
      headers: writer,
      payload: {
        collection: 'customers',
        fields: { email: secret, birth_date: '2001-02-30', shoe_size: 42 },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(
      response
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['fields.birth_date', 'fields.email', 'fields.shoe_size']);
    expect(response.body).not.toContain(secret);
    const second = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${subjectId}/records`,
      headers: writer,
      payload: { collection: 'customers', fields: person() },
    });
    expect(second.statusCode).toBe(409);
  });

  it('updates fields partially and keeps the blind index in step', async () => {
    const { subjectId, recordId } = await storePerson();
    const newEmail = faker.internet.email();
    const updated = await t.app.inject({
      method: 'PATCH',
      url: `/v1/records/${recordId}`,
      headers: writer,
      payload: { fields: { email: newEmail, phone: null } },
    });
    expect(updated.statusCode).toBe(200);
    const found = await t.app.inject({
      method: 'POST',
      url: '/v1/subjects/search',
      headers: writer,
      payload: { email: newEmail },
    });
    expect(found.json().items.map((s: { id: string }) => s.id)).toEqual([subjectId]);
    const one = await t.app.inject({
      method: 'GET',
      url: `/v1/records/${recordId}?purpose=support&reveal=true`,
      headers: writer,
    });
    expect(one.json().fields.email).toBe(newEmail);
    expect(one.json().fields.phone).toBeUndefined();
  });

  it('refuses to remove a field holding data unless forced with a migration plan', async () => {
    await storePerson();
    const headers = await actAs(t, 'dpo');
    const without = { ...customers, fields: customers.fields.filter((field) => field.name !== 'birth_date') };
    const { name: _name, ...definition } = without;
    const refused = await t.app.inject({
      method: 'PUT',
      url: '/v1/collections/customers',
      headers,
      payload: definition,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().fieldsWithData).toEqual(['birth_date']);
    const added = await t.app.inject({
      method: 'PUT',
      url: '/v1/collections/customers',
      headers,
      payload: {
        ...customers,
        name: undefined,
        fields: [
          ...customers.fields,
          { name: 'nickname', type: 'string', category: 'user.name', classification: 'internal' },
        ],
      },
    });
    expect(added.statusCode).toBe(200);
    expect(added.json().change.added).toEqual(['nickname']);
  });

  it('tokenizes deterministically in a format that still looks like the value, and detokenizes for a purpose', async () => {
    const { subjectId, data } = await storePerson();
    const tokenize = async () =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/tokens',
          headers: writer,
          payload: { subjectId, collection: 'customers', field: 'email', value: data.email },
        })
      ).json().token;
    const token = await tokenize();
    expect(token).toMatch(/^[a-z2-7]{16}@token\.invalid$/);
    expect(await tokenize()).toBe(token);
    const back = await t.app.inject({
      method: 'POST',
      url: '/v1/tokens/detokenize',
      headers: writer,
      payload: { token, purpose: 'billing' },
    });
    expect(back.statusCode).toBe(200);
    expect(back.json().value).toBe(data.email);
    const noPurpose = await t.app.inject({
      method: 'POST',
      url: '/v1/tokens/detokenize',
      headers: writer,
      payload: { token, purpose: 'whim' },
    });
    expect(noPurpose.statusCode).toBe(400);
  });

  it('crypto-shreds a subject: no trace of their values anywhere, ciphertext unreadable, others intact', async () => {
    const victim = await storePerson();
    const other = await storePerson();
    const token = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/tokens',
        headers: writer,
        payload: {
          subjectId: victim.subjectId,
          collection: 'customers',
          field: 'phone',
          value: victim.data.phone,
          kind: 'random',
        },
      })
    ).json().token;
    const sealedBefore = await t.runtime.database.db
      .selectFrom('records')
      .select('sealed')
      .where('id', '=', victim.recordId)
      .executeTakeFirstOrThrow();

    const shred = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${victim.subjectId}/shred`,
      headers: writer,
    });
    expect(shred.statusCode).toBe(200);
    expect(shred.json()).toMatchObject({ records: 1, tokens: 1 });

    const values = Object.values(victim.data).filter((value) => value !== victim.data.plan);
    expect(await findInDatabase(t.runtime.database, [...values, victim.data.phone.slice(3)])).toEqual([]);
    await expect(
      t.runtime.services.keys.dataKeyFor(t.runtime.database.db, victim.subjectId),
    ).rejects.toThrow();
    expect(Object.keys(sealedBefore.sealed)).toContain('email');

    const gone = await read(victim.subjectId, 'privacy_agent', 'purpose=support');
    expect(gone.statusCode).toBe(410);
    expect(gone.json().code).toBe('subject_erased');
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/subjects/${victim.subjectId}`, headers: writer }))
        .statusCode,
    ).toBe(410);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/tokens/detokenize',
          headers: writer,
          payload: { token, purpose: 'support' },
        })
      ).statusCode,
    ).toBe(404);

    const intact = await read(other.subjectId, 'privacy_agent', 'purpose=support&reveal=true');
    expect(intact.json().items[0].fields.email).toBe(other.data.email);

    const createAfter = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${victim.subjectId}/records`,
      headers: writer,
      payload: { collection: 'customers', fields: person() },
    });
    expect(createAfter.statusCode).toBe(410);
    expect(createAfter.json().code).toBe('subject_erased');
  });

  it('answers 410 subject_erased for a record of a shredded subject, read, changed or deleted by its id', async () => {
    const victim = await storePerson();
    const shred = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${victim.subjectId}/shred`,
      headers: writer,
    });
    expect(shred.statusCode).toBe(200);
    const byId = (method: 'GET' | 'PATCH' | 'DELETE', id: string, headers: Record<string, string>) =>
      t.app.inject({
        method,
        url: `/v1/records/${id}${method === 'GET' ? '?purpose=support' : ''}`,
        headers,
        ...(method === 'PATCH' ? { payload: { fields: { plan: 'free' } } } : {}),
      });
    const reader = await actAs(t, 'privacy_agent');
    for (const [method, headers] of [
      ['GET', reader],
      ['PATCH', writer],
      ['DELETE', writer],
    ] as const) {
      const erased = await byId(method, victim.recordId, headers);
      expect(erased.statusCode, `${method}: ${erased.body}`).toBe(410);
      expect(erased.headers['content-type']).toContain('application/problem+json');
      expect(erased.json()).toMatchObject({ code: 'subject_erased' });
      // A record that never existed stays a plain 404.
      expect((await byId(method, randomUUID(), headers)).statusCode).toBe(404);
    }
    // Callers without access to records learn nothing: they are refused before any lookup.
    const security = await byId('GET', victim.recordId, await actAs(t, 'security'));
    expect(security.statusCode).toBe(403);
  });

  it('keeps one record per subject in a one-record collection, even when creates race', async () => {
    const subject = await t.app.inject({ method: 'POST', url: '/v1/subjects', headers: writer, payload: {} });
    const subjectId = subject.json().id as string;
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({
          method: 'POST',
          url: `/v1/subjects/${subjectId}/records`,
          headers: writer,
          payload: { collection: 'customers', fields: person() },
        }),
      ),
    );
    const codes = racing.map((response) => response.statusCode).sort();
    expect(codes).toEqual([201, 409, 409, 409, 409, 409]);
    expect(racing.find((response) => response.statusCode === 409)?.json().code).toBe('conflict');
    const stored = await t.runtime.database.db
      .selectFrom('records')
      .select('id')
      .where('subject_id', '=', subjectId)
      .execute();
    expect(stored).toHaveLength(1);
  });

  it('commits concurrent creates together, each with its audit entry, failing only the one for an erased subject', async () => {
    const subjects = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const created = await t.app.inject({
          method: 'POST',
          url: '/v1/subjects',
          headers: writer,
          payload: {},
        });
        return created.json().id as string;
      }),
    );
    const erased = (await storePerson()).subjectId;
    const shred = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${erased}/shred`,
      headers: writer,
    });
    expect(shred.statusCode).toBe(200);
    const { records } = t.runtime.services;
    const results = await Promise.allSettled(
      [...subjects, erased].map((subjectId) =>
        records.createRecord(system, subjectId, 'customers', person()),
      ),
    );
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'subject_erased' });
    const ids = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.id] : []));
    expect(ids).toHaveLength(subjects.length);
    const audited = await t.runtime.database.db
      .selectFrom('audit_entries')
      .select('target_id')
      .where('action', '=', 'vault.record.created')
      .where('target_id', 'in', ids)
      .execute();
    expect(audited).toHaveLength(ids.length);
    const indexed = await t.runtime.database.db
      .selectFrom('blind_indexes')
      .select('record_id')
      .where('record_id', 'in', ids)
      .execute();
    expect(new Set(indexed.map((row) => row.record_id))).toEqual(new Set(ids));
    expect(await t.runtime.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('takes subject ids in any letter case', async () => {
    const { subjectId } = await storePerson();
    const upper = subjectId.toUpperCase();
    const created = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${upper}/records`,
      headers: writer,
      payload: { collection: 'customers', fields: person() },
    });
    expect(created.statusCode).toBe(409);
    const found = await t.app.inject({ method: 'GET', url: `/v1/subjects/${upper}`, headers: writer });
    expect(found.statusCode).toBe(200);
    expect(found.json().id).toBe(subjectId);
  });

  it('validates new records against the collection as it is now, after it changed', async () => {
    await storePerson();
    const headers = await actAs(t, 'dpo');
    const current = (await t.app.inject({ method: 'GET', url: '/v1/collections/customers', headers })).json();
    const tier = {
      name: 'loyalty_tier',
      type: 'string',
      category: 'user.account',
      classification: 'internal',
    };
    const changed = await t.app.inject({
      method: 'PUT',
      url: '/v1/collections/customers',
      headers,
      payload: {
        description: current.description,
        multiple: current.multiple,
        fields: [...current.fields, tier],
      },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const { subjectId } = await storePerson({ ...person(), loyalty_tier: 'gold' } as Person);
    const readBack = await read(subjectId, 'privacy_agent', 'purpose=support&reveal=true');
    expect(readBack.json().items[0].fields.loyalty_tier).toBe('gold');
  });
});
