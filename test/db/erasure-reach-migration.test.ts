import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUpFrom, rollBackThrough } from '../helpers/migrations.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const sealed = (marker: number) => Buffer.from([1, marker, 2, 3]);

describe('migration 0020 (erasure reaches every copy)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('removes what requests held about subjects erased before it, and leaves everyone else alone', async () => {
    const { db } = database;
    await rollBackThrough(db, '0020_erasure_reach');
    const [erased, live] = [randomUUID(), randomUUID()];
    const [erasedRequest, liveRequest] = [randomUUID(), randomUUID()];
    await sql`insert into subjects (id, status) values (${erased}::uuid, 'erased'), (${live}::uuid, 'active')`.execute(
      db,
    );
    for (const [request, subject] of [
      [erasedRequest, erased],
      [liveRequest, live],
    ] as const) {
      await sql`
        insert into data_subject_requests (id, type, regime, state, channel, filed_by, filer_type, subject_id,
          contact_sealed, corrections_sealed, received_at, due_at, initial_due_at)
        values (${request}::uuid, 'access', 'gdpr', 'completed', 'api', 'subject', 'api_key', ${subject}::uuid,
          ${sealed(1)}, ${sealed(2)}, now(), now(), now())`.execute(db);
      await sql`
        insert into request_events (request_id, kind, actor_type, details, note_sealed, at)
        values (${request}::uuid, 'received', 'api_key', '{}', ${sealed(3)}, now())`.execute(db);
      await sql`
        insert into request_exports (id, request_id, format, sealed, size, token_hash, expires_at, created_at)
        values (${randomUUID()}::uuid, ${request}::uuid, 'json', ${sealed(4)}, 4, 'x', now() + interval '1 day', now())`.execute(
        db,
      );
      for (const kind of ['request.export_ready', 'request.erasure_done']) {
        await sql`
          insert into mail_outbox (id, kind, status, sealed, reference_type, reference_id, created_at)
          values (${randomUUID()}::uuid, ${kind}, 'held', ${sealed(5)}, 'request', ${request}, now())`.execute(
          db,
        );
      }
    }

    await migrateUpFrom(db, '0020_erasure_reach');
    const requests = await db
      .selectFrom('data_subject_requests')
      .select(['id', 'contact_sealed', 'corrections_sealed'])
      .execute();
    const byId = new Map(requests.map((row) => [row.id, row]));
    expect(byId.get(erasedRequest)).toMatchObject({ contact_sealed: null, corrections_sealed: null });
    expect(byId.get(liveRequest)?.contact_sealed).not.toBeNull();
    const notes = await db.selectFrom('request_events').select(['request_id', 'note_sealed']).execute();
    expect(notes.find((row) => row.request_id === erasedRequest)?.note_sealed).toBeNull();
    expect(notes.find((row) => row.request_id === liveRequest)?.note_sealed).not.toBeNull();
    const exports = await db
      .selectFrom('request_exports')
      .select(['request_id', 'sealed', 'erased_at'])
      .execute();
    expect(exports.find((row) => row.request_id === erasedRequest)).toMatchObject({ sealed: null });
    expect(exports.find((row) => row.request_id === erasedRequest)?.erased_at).toBeInstanceOf(Date);
    expect(exports.find((row) => row.request_id === liveRequest)).toMatchObject({ erased_at: null });
    const mail = await db.selectFrom('mail_outbox').select(['reference_id', 'kind', 'status']).execute();
    expect(
      mail.filter((row) => row.reference_id === erasedRequest).map((row) => [row.kind, row.status]),
    ).toEqual(
      expect.arrayContaining([
        ['request.export_ready', 'erased'],
        ['request.erasure_done', 'held'],
      ]),
    );
    expect(mail.filter((row) => row.reference_id === liveRequest).every((row) => row.status === 'held')).toBe(
      true,
    );
  });

  it('keeps the timeline append-only but for erasing a note', async () => {
    const { db } = database;
    const [event] = await db.selectFrom('request_events').select(['seq', 'note_sealed']).limit(1).execute();
    const seq = event?.seq as number;
    await expect(
      sql`update request_events set kind = 'state_changed' where seq = ${seq}`.execute(db),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      sql`update request_events set note_sealed = ${sealed(9)} where seq = ${seq}`.execute(db),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(sql`delete from request_events where seq = ${seq}`.execute(db)).rejects.toMatchObject({
      code: '42501',
    });
    await sql`update request_events set note_sealed = null where seq = ${seq}`.execute(db);
    expect(
      (await db.selectFrom('request_events').select('note_sealed').where('seq', '=', seq).executeTakeFirst())
        ?.note_sealed,
    ).toBeNull();
  });
});
