import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUpFrom, rollBackThrough } from '../helpers/migrations.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('migration 0018 (sole records)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('marks the oldest record of each subject in a one-record collection, and refuses another one', async () => {
    const { db } = database;
    await rollBackThrough(db, '0018_sole_records');
    const single = randomUUID();
    const many = randomUUID();
    const subject = randomUUID();
    await sql`
      insert into collections (id, name, multiple, fields)
      values (${single}::uuid, 'profiles', false, '[]'), (${many}::uuid, 'orders', true, '[]');
      `.execute(db);
    await sql`insert into subjects (id, status) values (${subject}::uuid, 'active')`.execute(db);
    // Two records in the one-record collection (a race before the index existed), two in the other.
    const [older, newer, first, second] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await sql`
      insert into records (id, subject_id, collection_id, created_at)
      values (${older}::uuid, ${subject}::uuid, ${single}::uuid, now() - interval '1 day'),
             (${newer}::uuid, ${subject}::uuid, ${single}::uuid, now()),
             (${first}::uuid, ${subject}::uuid, ${many}::uuid, now()),
             (${second}::uuid, ${subject}::uuid, ${many}::uuid, now())`.execute(db);

    await migrateUpFrom(db, '0018_sole_records');
    const marked = await db.selectFrom('records').select(['id', 'sole']).orderBy('created_at').execute();
    expect(Object.fromEntries(marked.map((row) => [row.id, row.sole]))).toEqual({
      [older]: true,
      [newer]: false,
      [first]: false,
      [second]: false,
    });
    await expect(
      sql`insert into records (id, subject_id, collection_id, sole)
          values (${randomUUID()}::uuid, ${subject}::uuid, ${single}::uuid, true)`.execute(db),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
