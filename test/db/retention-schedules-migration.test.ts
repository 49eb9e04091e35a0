import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUpFrom, rollBackThrough } from '../helpers/migrations.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('migration 0026 (retention schedules)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('keeps existing policies as rules counting from storage that delete, and dates activity by the last change', async () => {
    const { db } = database;
    await rollBackThrough(db, '0026_retention_schedules');
    const subject = randomUUID();
    const policy = randomUUID();
    await sql`insert into subjects (id, status, updated_at)
              values (${subject}::uuid, 'active', '2030-05-01T00:00:00Z')`.execute(db);
    await sql`insert into retention_policies (id, name, collection, legal_basis, duration, created_at, updated_at)
              values (${policy}::uuid, 'Invoices', 'invoices', 'legal_obligation', 'P10Y', now(), now())`.execute(
      db,
    );

    await migrateUpFrom(db, '0026_retention_schedules');
    const rule = await db
      .selectFrom('retention_policies')
      .selectAll()
      .where('id', '=', policy)
      .executeTakeFirst();
    expect(rule).toMatchObject({ trigger: { type: 'record_created' }, action: 'delete', purpose: null });
    const row = await db
      .selectFrom('subjects')
      .select('last_active_at')
      .where('id', '=', subject)
      .executeTakeFirst();
    expect(row?.last_active_at.toISOString()).toBe('2030-05-01T00:00:00.000Z');
    await expect(
      sql`insert into retention_policies (id, name, collection, purpose, created_at, updated_at)
          values (${randomUUID()}::uuid, 'Both', 'invoices', 'newsletter', now(), now())`.execute(db),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
