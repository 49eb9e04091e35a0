import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUpFrom, rollBackThrough } from '../helpers/migrations.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('migration 0019 (blind indexes keyed by record and subject)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it("keeps existing index rows, and refuses one whose subject is not its record's", async () => {
    const { db } = database;
    await rollBackThrough(db, '0019_blind_index_record_key');
    const collection = randomUUID();
    const [owner, other] = [randomUUID(), randomUUID()];
    const record = randomUUID();
    await sql`insert into collections (id, name, multiple, fields) values (${collection}::uuid, 'people', true, '[]')`.execute(
      db,
    );
    await sql`insert into subjects (id, status) values (${owner}::uuid, 'active'), (${other}::uuid, 'active')`.execute(
      db,
    );
    await sql`insert into records (id, subject_id, collection_id) values (${record}::uuid, ${owner}::uuid, ${collection}::uuid)`.execute(
      db,
    );
    await sql`
      insert into blind_indexes (kind, digest, subject_id, record_id, field)
      values ('email', '\\x01'::bytea, ${owner}::uuid, ${record}::uuid, 'people.email')`.execute(db);

    await migrateUpFrom(db, '0019_blind_index_record_key');
    const kept = await db.selectFrom('blind_indexes').select(['subject_id', 'record_id']).execute();
    expect(kept).toEqual([{ subject_id: owner, record_id: record }]);

    // The old keys let an index row name one subject and another subject's record; the pair does not.
    await expect(
      sql`
        insert into blind_indexes (kind, digest, subject_id, record_id, field)
        values ('email', '\\x02'::bytea, ${other}::uuid, ${record}::uuid, 'people.email')`.execute(db),
    ).rejects.toMatchObject({ code: '23503' });
    await expect(
      sql`
        insert into blind_indexes (kind, digest, subject_id, field)
        values ('email', '\\x03'::bytea, ${owner}::uuid, 'people.email')`.execute(db),
    ).rejects.toMatchObject({ code: '23502' });

    // Deleting the record still takes its index rows along.
    await sql`delete from records where id = ${record}::uuid`.execute(db);
    expect(await db.selectFrom('blind_indexes').select('digest').execute()).toEqual([]);
  });
});
