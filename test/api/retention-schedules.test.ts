import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { retentionRunStore } from '../../src/modules/retention/retention-run-store.js';
import { readScheduleFile } from '../../src/modules/retention/retention-schedule-file.js';
import { actAs } from '../helpers/auth.js';
import { caller } from '../helpers/fulfilment.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp } from '../helpers/test-app.js';

faker.seed(1616);

const dayMs = 86_400_000;
const yearMs = 366 * dayMs;
const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

type Field = { name: string; type: string; category: string; classification: string };
const field = (name: string, type: string, category: string, classification = 'confidential'): Field => ({
  name,
  type,
  category,
  classification,
});

/** A fresh Custos per test: runs act on the whole database, so tests must not share one. */
async function setup(env: Record<string, string> = {}) {
  // Far ahead of the real date, so the database's own clock (record writes move activity) never passes it.
  const clock = fixedClock('2040-01-15T12:00:00Z');
  const t = await createTestApp({ clock, env });
  const as = caller(t);
  const service = await actAs(t, 'service');
  const collection = async (name: string, fields: Field[], multiple = true) => {
    const created = await as('dpo', 'POST', '/v1/collections', { name, multiple, fields });
    expect(created.statusCode, created.body).toBe(201);
  };
  const subject = async () => {
    const created = await as(service, 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
    expect(created.statusCode, created.body).toBe(201);
    return created.json().id as string;
  };
  const store = async (subjectId: string, name: string, fields: Record<string, unknown>) => {
    const stored = await as(service, 'POST', `/v1/subjects/${subjectId}/records`, {
      collection: name,
      fields,
    });
    expect(stored.statusCode, stored.body).toBe(201);
    return stored.json().id as string;
  };
  const rule = async (body: Record<string, unknown>) => {
    const created = await as('dpo', 'POST', '/v1/retention/policies', {
      name: faker.lorem.words(3),
      ...body,
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; name: string };
  };
  const preview = async () => {
    const response = await as('dpo', 'GET', '/v1/retention/preview');
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as {
      rules: {
        rule: { id: string };
        action: string;
        now: { records: number };
        soon: { records: number };
        held: number;
      }[];
      overlaps: { collection: string; rules: { name: string }[] }[];
    };
  };
  const previewOf = async (ruleId: string) =>
    (await preview()).rules.find((entry) => entry.rule.id === ruleId) ?? {
      now: { records: 0 },
      soon: { records: 0 },
      held: 0,
    };
  const run = (kind: 'review' | 'anonymization' | 'manual' = 'manual', options = {}) =>
    t.runtime.services.retentionRuns.run(system, kind, options);
  const exists = async (recordId: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from records where id = ${recordId}::uuid`.execute(
        t.runtime.database.db,
      )
    ).rows[0]?.n === 1;
  const subjectStatus = async (subjectId: string) =>
    (
      await t.runtime.database.db
        .selectFrom('subjects')
        .select('status')
        .where('id', '=', subjectId)
        .executeTakeFirst()
    )?.status;
  return {
    t,
    clock,
    as,
    service,
    collection,
    subject,
    store,
    rule,
    preview,
    previewOf,
    run,
    exists,
    subjectStatus,
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

describe('retention schedules', () => {
  let s: Setup | undefined;
  afterEach(async () => {
    await s?.t.close();
    s = undefined;
  });

  describe('triggers', () => {
    it('counts from the record’s creation: reported soon, then deleted by the daily review', async () => {
      s = await setup();
      await s.collection('events', [field('page', 'string', 'user.behavior.browsing_history')]);
      const rule = await s.rule({ collection: 'events', duration: 'P1Y', action: 'delete' });
      const subjectId = await s.subject();
      const recordId = await s.store(subjectId, 'events', { page: '/pricing' });

      s.clock.advance(yearMs - 20 * dayMs);
      expect((await s.previewOf(rule.id)).soon.records).toBe(1);
      expect((await s.previewOf(rule.id)).now.records).toBe(0);
      s.clock.advance(30 * dayMs);
      expect((await s.previewOf(rule.id)).now.records).toBe(1);
      expect(await s.exists(recordId)).toBe(true);

      const done = await s.run('review');
      expect(done.status).toBe('completed');
      expect(done.results[rule.id]).toMatchObject({ action: 'delete', records: 1, subjects: 1 });
      expect(await s.exists(recordId)).toBe(false);
      const audit = await s.t.runtime.database.db
        .selectFrom('audit_entries')
        .selectAll()
        .where('action', '=', 'retention.rule.applied')
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]?.target_id).toBe(rule.id);
    });

    it('counts from the subject’s last activity, which writes and reports move; shreds the inactive', async () => {
      s = await setup();
      await s.collection('customers', [field('email', 'email', 'user.contact.email')], false);
      const rule = await s.rule({
        dataCategory: 'user.contact',
        trigger: { type: 'last_activity' },
        duration: 'P2Y',
        action: 'shred',
      });
      const active = await s.subject();
      const dormant = await s.subject();
      await s.store(active, 'customers', { email: faker.internet.email() });
      await s.store(dormant, 'customers', { email: faker.internet.email() });
      s.clock.advance(yearMs);
      const reported = await s.as(s.service, 'POST', `/v1/subjects/${active}/activity`);
      expect(reported.statusCode, reported.body).toBe(204);
      s.clock.advance(yearMs + 10 * dayMs);

      const done = await s.run('review');
      expect(done.results[rule.id]).toMatchObject({ action: 'shred', records: 1, subjects: 1 });
      expect(await s.subjectStatus(dormant)).toBe('erased');
      expect(await s.subjectStatus(active)).toBe('active');
      const shredded = await s.t.runtime.database.db
        .selectFrom('audit_entries')
        .select(['target_id'])
        .where('action', '=', 'retention.subject.shredded')
        .execute();
      expect(shredded.map((row) => row.target_id)).toEqual([dormant]);
    });

    it('records a write as activity in the database, at most once a day', async () => {
      s = await setup();
      await s.collection('notes', [field('text', 'string', 'user.content')]);
      const subjectId = await s.subject();
      const db = s.t.runtime.database.db;
      await db
        .updateTable('subjects')
        .set({ last_active_at: new Date('2020-01-01T00:00:00Z') })
        .where('id', '=', subjectId)
        .execute();
      await s.store(subjectId, 'notes', { text: faker.lorem.sentence() });
      const row = await db
        .selectFrom('subjects')
        .select('last_active_at')
        .where('id', '=', subjectId)
        .executeTakeFirst();
      expect(row?.last_active_at.getTime()).toBeGreaterThan(new Date('2020-01-02T00:00:00Z').getTime());
    });

    it('counts from the end of the relationship the application reports', async () => {
      s = await setup();
      await s.collection('contracts', [field('plan', 'string', 'user.financial')]);
      await s.rule({ collection: 'contracts', trigger: { type: 'relationship_ended' }, duration: 'P30D' });
      const [ended, ongoing] = [await s.subject(), await s.subject()];
      const endedRecord = await s.store(ended, 'contracts', { plan: 'pro' });
      const ongoingRecord = await s.store(ongoing, 'contracts', { plan: 'pro' });
      const reported = await s.as(s.service, 'POST', `/v1/subjects/${ended}/relationship-ended`);
      expect(reported.statusCode, reported.body).toBe(200);
      s.clock.advance(20 * dayMs);
      await s.run();
      expect(await s.exists(endedRecord)).toBe(true);
      s.clock.advance(12 * dayMs);
      await s.run();
      expect(await s.exists(endedRecord)).toBe(false);
      expect(await s.exists(ongoingRecord)).toBe(true);
    });

    it('counts from a withdrawn consent for the rule’s purpose, without a period: at once', async () => {
      s = await setup();
      const key = 'newsletter';
      const purpose = await s.as('dpo', 'POST', '/v1/consent/purposes', {
        key,
        name: 'Newsletter',
        legalBasis: 'consent',
        dataUses: ['marketing.communications.email'],
        description: 'The weekly newsletter',
        dataCategories: ['user.contact.email'],
        text: 'We send you our newsletter about new features, at most once a week.',
      });
      expect(purpose.statusCode, purpose.body).toBe(201);
      await s.collection('marketing', [field('email', 'email', 'user.contact.email')]);
      await s.rule({ purpose: key, trigger: { type: 'consent_withdrawn', purpose: key }, action: 'delete' });
      const consent = async (subjectId: string, action: 'grant' | 'withdraw') => {
        const response = await s?.as(s.service, 'POST', '/v1/consent/events', {
          subject: { id: subjectId },
          purposes: [key],
          action,
          method: action === 'grant' ? 'explicit_opt_in' : 'opt_out',
          source: 'privacy_center',
        });
        expect(response?.statusCode, response?.body).toBeLessThan(300);
      };
      const [leaving, staying] = [await s.subject(), await s.subject()];
      const leavingRecord = await s.store(leaving, 'marketing', { email: faker.internet.email() });
      const stayingRecord = await s.store(staying, 'marketing', { email: faker.internet.email() });
      await consent(leaving, 'grant');
      await consent(staying, 'grant');
      s.clock.advance(dayMs);
      await consent(leaving, 'withdraw');
      s.clock.advance(1000);
      await s.run();
      expect(await s.exists(leavingRecord)).toBe(false);
      expect(await s.exists(stayingRecord)).toBe(true);
    });

    it('counts from a date field of the record (a card’s expiry) and from an age reached', async () => {
      s = await setup();
      await s.collection('cards', [
        field('expires_on', 'date', 'user.financial.credit_card', 'public'),
        field('number', 'string', 'user.financial.credit_card'),
      ]);
      await s.collection('members', [
        field('birth_date', 'date', 'user.demographic.date_of_birth', 'public'),
      ]);
      await s.rule({
        collection: 'cards',
        trigger: { type: 'date_field', field: 'expires_on' },
        duration: 'P90D',
      });
      await s.rule({
        collection: 'members',
        trigger: { type: 'age_reached', field: 'birth_date', years: 18 },
      });
      const subjectId = await s.subject();
      const expired = await s.store(subjectId, 'cards', {
        expires_on: '2039-09-30',
        number: '4111111111111111',
      });
      const valid = await s.store(subjectId, 'cards', {
        expires_on: '2041-09-30',
        number: '4111111111111111',
      });
      const adult = await s.store(subjectId, 'members', { birth_date: '2021-06-01' });
      const minor = await s.store(subjectId, 'members', { birth_date: '2023-06-01' });
      await s.run();
      expect(await s.exists(expired)).toBe(false);
      expect(await s.exists(valid)).toBe(true);
      expect(await s.exists(adult)).toBe(false);
      expect(await s.exists(minor)).toBe(true);
    });
  });

  describe('actions', () => {
    it('anonymizes with the rule’s operators, keeps the listed fields, and leaves nothing recoverable', async () => {
      s = await setup();
      await s.collection('analytics', [
        field('created_at', 'datetime', 'system.operations', 'internal'),
        field('subscription_type', 'string', 'user.financial', 'internal'),
        field('revenue', 'number', 'user.financial', 'internal'),
        field('email', 'email', 'user.contact.email'),
        field('postcode', 'string', 'user.contact.address.postal_code'),
        field('ip_address', 'string', 'user.device.ip_address'),
        field('user_agent', 'string', 'user.device'),
      ]);
      const rule = await s.rule({
        collection: 'analytics',
        duration: 'P2Y',
        action: 'anonymize',
        fields: ['created_at', 'subscription_type', 'revenue'],
        anonymization: { postcode: { op: 'generalize_postcode', keep: 2 }, email: { op: 'keyed_hash' } },
      });
      const subjectId = await s.subject();
      const originals = {
        email: faker.internet.email(),
        postcode: 'SW1A 2AA',
        ip_address: faker.internet.ipv4(),
        user_agent: `Mozilla/5.0 (${faker.string.alphanumeric(24)})`,
      };
      const recordId = await s.store(subjectId, 'analytics', {
        created_at: '2040-01-15T12:00:00Z',
        subscription_type: 'premium',
        revenue: 49.5,
        ...originals,
      });
      s.clock.advance(2 * yearMs);
      expect((await s.run('review')).results[rule.id]).toBeUndefined();
      const done = await s.run('anonymization');
      expect(done.results[rule.id]).toMatchObject({ action: 'anonymize', records: 1 });
      expect(await s.exists(recordId)).toBe(false);

      const db = s.t.runtime.database.db;
      const kept = await db.selectFrom('anonymized_records').selectAll().execute();
      expect(kept).toHaveLength(1);
      expect(kept[0]?.fields).toMatchObject({
        created_at: '2040-01-15T12:00:00Z',
        subscription_type: 'premium',
        revenue: 49.5,
        postcode: 'SW',
      });
      expect(Object.keys(kept[0]?.fields ?? {}).sort()).toEqual([
        'created_at',
        'email',
        'postcode',
        'revenue',
        'subscription_type',
      ]);
      expect(await findInDatabase(s.t.runtime.database, Object.values(originals))).toEqual([]);

      // No longer the subject's: it survives their shredding.
      const shredded = await s.as(s.service, 'POST', `/v1/subjects/${subjectId}/shred`, {});
      expect(shredded.statusCode, shredded.body).toBeLessThan(300);
      expect(await db.selectFrom('anonymized_records').select('id').execute()).toHaveLength(1);
    });
  });

  it('deletes with a record the tokens of its subject in that collection once none is left there', async () => {
    s = await setup();
    await s.collection('leads', [
      { ...field('email', 'email', 'user.contact.email'), tokenizable: true } as Field,
    ]);
    await s.rule({ collection: 'leads', duration: 'P1Y' });
    const subjectId = await s.subject();
    const email = faker.internet.email();
    await s.store(subjectId, 'leads', { email });
    const token = await s.as(s.service, 'POST', '/v1/tokens', {
      subjectId,
      collection: 'leads',
      field: 'email',
      value: email,
    });
    expect(token.statusCode, token.body).toBe(201);
    const detokenize = () =>
      s?.as(s.service, 'POST', '/v1/tokens/detokenize', { token: token.json().token, purpose: 'support' });
    expect((await detokenize())?.statusCode).toBe(200);
    s.clock.advance(2 * yearMs);
    await s.run();
    expect((await detokenize())?.statusCode).toBe(404);
  });

  it('acts on a record only as its window read it, and stores anonymized rows only for a collection', async () => {
    s = await setup();
    await s.collection('events', [field('page', 'string', 'user.behavior.browsing_history')]);
    const rule = await s.rule({ collection: 'events', duration: 'P1Y' });
    const recordId = await s.store(await s.subject(), 'events', { page: faker.internet.url() });
    const db = s.t.runtime.database.db;
    const collection = {
      ...(await db
        .selectFrom('collections')
        .select('id')
        .where('name', '=', 'events')
        .executeTakeFirstOrThrow()),
      name: 'events',
      fields: [{ tokenizable: false }],
    };
    const placeOf = async () =>
      (
        await sql<{
          place: string;
        }>`select ctid::text as place from records where id = ${recordId}::uuid`.execute(db)
      ).rows[0]?.place as string;
    const read = await placeOf();
    // A new version of the row, as a rectification writes, after the window read the record.
    await sql`update records set updated_at = updated_at where id = ${recordId}::uuid`.execute(db);
    const store = retentionRunStore();
    const remove = (place: string) =>
      db
        .transaction()
        .execute((tx) => store.deleteRecords(tx, collection, [{ id: recordId, place, rule_id: rule.id }]));
    expect((await remove(read)).size).toBe(0);
    expect(await s.exists(recordId)).toBe(true);
    expect((await remove(await placeOf())).get(rule.id)).toEqual({ records: 1, subjects: 1 });
    expect(await s.exists(recordId)).toBe(false);
    // Checked per statement since migration 0046, as the foreign key did per row.
    await expect(
      sql`insert into anonymized_records (id, collection_id, rule_id, fields, anonymized_at)
          values (gen_random_uuid(), gen_random_uuid(), null, '{}', now())`.execute(db),
    ).rejects.toMatchObject({ code: '23503' });
  });

  describe('precedence', () => {
    it('lets the longest keep-period with a legal ground win, else the rule due first, and explains overlaps', async () => {
      s = await setup();
      await s.collection('invoices', [field('amount', 'number', 'user.financial')]);
      await s.collection('visits', [field('page', 'string', 'user.behavior.browsing_history')]);
      const short = await s.rule({ name: 'Invoices short', collection: 'invoices', duration: 'P1Y' });
      const law = await s.rule({
        name: 'Invoices tax law',
        collection: 'invoices',
        duration: 'P10Y',
        legalBasis: 'legal_obligation',
        action: 'anonymize',
        fields: ['amount'],
      });
      const claims = await s.rule({
        name: 'Invoices claims',
        collection: 'invoices',
        duration: 'P3Y',
        legalBasis: 'legal_claims',
      });
      const deleteFirst = await s.rule({ name: 'Visits delete', collection: 'visits', duration: 'P1Y' });
      const anonymizeLater = await s.rule({
        name: 'Visits anonymize',
        collection: 'visits',
        duration: 'P2Y',
        action: 'anonymize',
        fields: ['page'],
      });
      const subjectId = await s.subject();
      const invoice = await s.store(subjectId, 'invoices', { amount: 120 });
      const visit = await s.store(subjectId, 'visits', { page: '/home' });

      s.clock.advance(4 * yearMs);
      const preview = await s.preview();
      const dueNow = preview.rules.filter((entry) => entry.now.records > 0);
      expect(dueNow.map((entry) => [entry.rule.id, entry.now.records])).toEqual([[deleteFirst.id, 1]]);
      expect(preview.overlaps.map((entry) => entry.collection).sort()).toEqual(['invoices', 'visits']);
      const done = await s.run();
      expect(done.results[deleteFirst.id]).toMatchObject({ records: 1 });
      expect(done.results[anonymizeLater.id]).toBeUndefined();
      expect(done.results[short.id]).toBeUndefined();
      expect(done.results[claims.id]).toBeUndefined();
      expect(await s.exists(visit)).toBe(false);
      expect(await s.exists(invoice)).toBe(true);

      s.clock.advance(7 * yearMs);
      expect((await s.run()).results[law.id]).toMatchObject({ action: 'anonymize', records: 1 });
      expect(await s.exists(invoice)).toBe(false);
    });
  });

  it('leaves subjects under a legal hold alone, says so in the preview, and acts once it is lifted', async () => {
    s = await setup();
    await s.collection('events', [field('page', 'string', 'user.behavior.browsing_history')]);
    const rule = await s.rule({ collection: 'events', duration: 'P1Y' });
    const subjectId = await s.subject();
    const recordId = await s.store(subjectId, 'events', { page: '/pricing' });
    const hold = await s.as('dpo', 'POST', `/v1/subjects/${subjectId}/legal-holds`, { reason: 'litigation' });
    expect(hold.statusCode, hold.body).toBe(201);
    s.clock.advance(2 * yearMs);
    const preview = await s.previewOf(rule.id);
    expect(preview.held).toBe(1);
    expect(preview.now.records).toBe(0);
    await s.run();
    expect(await s.exists(recordId)).toBe(true);
    const lifted = await s.as('dpo', 'POST', `/v1/legal-holds/${hold.json().id}/lift`);
    expect(lifted.statusCode, lifted.body).toBe(200);
    await s.run();
    expect(await s.exists(recordId)).toBe(false);
  });

  it('finishes a run its process left midway, with nothing done twice or left half-done', async () => {
    s = await setup({ CUSTOS_RETENTION_BATCH_SIZE: '2' });
    await s.collection('events', [field('page', 'string', 'user.behavior.browsing_history')]);
    await s.collection('scores', [
      field('score', 'number', 'user.behavior'),
      field('email', 'email', 'user.contact.email'),
    ]);
    const deleting = await s.rule({ collection: 'events', duration: 'P1Y' });
    const anonymizing = await s.rule({
      collection: 'scores',
      duration: 'P1Y',
      action: 'anonymize',
      fields: ['score'],
    });
    for (let i = 0; i < 4; i += 1) {
      const subjectId = await s.subject();
      await s.store(subjectId, 'events', { page: `/p/${i}` });
      await s.store(subjectId, 'events', { page: `/q/${i}` });
      await s.store(subjectId, 'scores', { score: i, email: faker.internet.email() });
    }
    s.clock.advance(2 * yearMs);
    const interrupted = new AbortController();
    const first = await s.run('manual', {
      signal: interrupted.signal,
      onProgress: () => interrupted.abort(),
    });
    expect(first.status).toBe('running');
    const db = s.t.runtime.database.db;
    // The windows in flight when it stopped (one per collection: both are worked side by side) are done.
    expect(await db.selectFrom('records').select('id').execute()).toHaveLength(8);

    s.clock.advance(5 * 60_000);
    const resumed = await s.run('manual');
    expect(resumed.id).toBe(first.id);
    expect(resumed.resumed).toBe(1);
    expect(resumed.status).toBe('completed');
    expect(resumed.results[deleting.id]).toMatchObject({ records: 8 });
    expect(resumed.results[anonymizing.id]).toMatchObject({ records: 4 });
    expect(await db.selectFrom('records').select('id').execute()).toHaveLength(0);
    expect(await db.selectFrom('anonymized_records').select('id').execute()).toHaveLength(4);
    const entries = await db
      .selectFrom('audit_entries')
      .select('details')
      .where('action', '=', 'retention.rule.applied')
      .execute();
    const counted = entries.reduce(
      (sum, entry) => sum + Number((entry.details as { records: number }).records),
      0,
    );
    expect(counted).toBe(12);
  });

  it('lets workers starting together join one run, each record done once', async () => {
    s = await setup({ CUSTOS_RETENTION_BATCH_SIZE: '3' });
    await s.collection('events', [field('page', 'string', 'user.behavior.browsing_history')]);
    const rule = await s.rule({ collection: 'events', duration: 'P1Y' });
    for (let i = 0; i < 10; i += 1) await s.store(await s.subject(), 'events', { page: `/p/${i}` });
    s.clock.advance(2 * yearMs);
    const [one, other] = await Promise.all([s.run('review'), s.run('review')]);
    expect(one.id).toBe(other.id);
    const done = await s.t.runtime.services.retentionRuns.get(one.id);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.results[rule.id]).toMatchObject({ records: 10, subjects: 10 });
    expect(await s.t.runtime.database.db.selectFrom('records').select('id').execute()).toEqual([]);
    // A run of another kind waits its turn rather than racing the open one.
    await s.t.runtime.database.db
      .insertInto('retention_runs')
      .values({
        id: faker.string.uuid(),
        kind: 'review',
        actions: ['delete', 'shred'],
        status: 'running',
        started_at: s.clock.now(),
        heartbeat_at: s.clock.now(),
        progress: '{}',
        results: '{}',
      })
      .execute();
    await expect(s.run('anonymization')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses bad rules with problem+json and stores nothing', async () => {
    s = await setup();
    await s.collection('accounts', [
      field('email', 'email', 'user.contact.email'),
      field('joined', 'date', 'user.account'),
    ]);
    const attempts = [
      {
        collection: 'accounts',
        action: 'anonymize',
        anonymization: { email: { op: 'generalize_number', bucket: 10 } },
        duration: 'P1Y',
      },
      {
        collection: 'accounts',
        action: 'anonymize',
        anonymization: { shoe_size: { op: 'redact' } },
        duration: 'P1Y',
      },
      { collection: 'accounts', duration: '-P1Y' },
      { collection: 'accounts', duration: 'P1X' },
      { collection: 'accounts', trigger: { type: 'date_field', field: 'joined' }, duration: 'P1Y' },
      { dataCategory: 'user.contact', action: 'anonymize', duration: 'P1Y' },
      { purpose: 'no_such_purpose', duration: 'P1Y' },
      { collection: 'accounts' },
    ];
    for (const attempt of attempts) {
      const response = await s.as('dpo', 'POST', '/v1/retention/policies', { name: 'Bad', ...attempt });
      expect(response.statusCode, JSON.stringify(attempt)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const listed = await s.as('dpo', 'GET', '/v1/retention/policies');
    expect(listed.json().items).toEqual([]);
  });

  it('loads the example schedule, and loading it again changes nothing but the rules’ times', async () => {
    s = await setup();
    const schedule = readScheduleFile(
      new URL('../../examples/retention-schedule.json', import.meta.url).pathname,
    );
    const first = await s.t.runtime.services.loadRetentionSchedule(system, schedule);
    expect(first.collections).toEqual([
      'customers',
      'failed_payments',
      'marketing_contacts',
      'analytics_events',
    ]);
    expect(first.purposes).toEqual(['marketing_email']);
    expect(first.rules).toEqual([
      'customer_data.inactive_customers',
      'payment_data.failed_payments',
      'marketing_data.consent_based',
      'analytics',
    ]);
    const again = await s.t.runtime.services.loadRetentionSchedule(system, schedule);
    expect(again.collections).toEqual([]);
    expect((await s.as('dpo', 'GET', '/v1/retention/policies')).json().items).toHaveLength(4);

    // The worked example of docs/RETENTION.md, in short: a failed payment goes after two years, the
    // customer, inactive for seven, is shredded; anonymized analytics outlive them.
    const customer = await s.subject();
    await s.store(customer, 'customers', {
      email: faker.internet.email(),
      full_name: faker.person.fullName(),
    });
    const payment = await s.store(customer, 'failed_payments', {
      amount: 12,
      currency: 'EUR',
      reason: 'declined',
    });
    await s.store(customer, 'analytics_events', {
      created_at: '2040-01-15T12:00:00Z',
      subscription_type: 'basic',
      revenue: 0,
      postcode: 'EC1A 1BB',
    });
    s.clock.advance(2 * yearMs + 2 * dayMs);
    await s.run();
    expect(await s.exists(payment)).toBe(false);
    expect(await s.subjectStatus(customer)).toBe('active');
    s.clock.advance(5 * yearMs + 2 * dayMs);
    await s.run();
    expect(await s.subjectStatus(customer)).toBe('erased');
    const anonymized = await s.t.runtime.database.db
      .selectFrom('anonymized_records')
      .select('fields')
      .execute();
    expect(anonymized.map((row) => row.fields)).toEqual([
      { created_at: '2040-01-15T12:00:00Z', subscription_type: 'basic', revenue: 0, postcode: 'EC' },
    ]);
  });

  it('exposes the compliance rate for the dashboard and as a Prometheus gauge', async () => {
    s = await setup();
    await s.collection('events', [field('page', 'string', 'user.behavior.browsing_history')]);
    await s.rule({ collection: 'events', duration: 'P1Y' });
    const subjectId = await s.subject();
    await s.store(subjectId, 'events', { page: '/a' });
    await s.store(subjectId, 'events', { page: '/b' });
    s.clock.advance(2 * yearMs);
    const compliance = await s.t.runtime.services.retentionPreview.compliance({ fresh: true });
    expect(compliance).toMatchObject({ covered: 2, overdue: 2, rate: 0 });
    await s.run();
    const after = await s.as('dpo', 'GET', '/v1/retention/compliance');
    expect(after.statusCode, after.body).toBe(200);
    const metrics = await s.t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/custos_retention_compliance_ratio \d/);
    const runs = await s.as('dpo', 'GET', '/v1/retention/runs');
    expect(runs.json().items[0]).toMatchObject({ status: 'completed', collections: { total: 1, done: 1 } });
  });
});
