import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUpFrom, rollBackThrough } from '../helpers/migrations.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('migration 0024 (inventory)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('carries downstream systems over into the inventory with their tasks, and rolls back', async () => {
    const { db } = database;
    await rollBackThrough(db, '0024_inventory');
    const [endpoint, system, subject, request, task] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    await sql`
      insert into webhook_endpoints (id, url, description, event_types, secret_sealed, created_at, updated_at)
      values (${endpoint}::uuid, 'https://crm.example/hooks', 'CRM', '{}', '\\x00', now(), now())`.execute(
      db,
    );
    await sql`
      insert into downstream_systems (id, name, owner, description, data_categories, endpoint_id, enabled,
        created_at, updated_at)
      values (${system}::uuid, 'CRM', 'Sales', 'The CRM', '{user.contact}', ${endpoint}::uuid, false, now(), now())
    `.execute(db);
    await sql`insert into subjects (id, status) values (${subject}::uuid, 'active')`.execute(db);
    await sql`
      insert into data_subject_requests (id, type, regime, state, channel, filed_by, filer_type, subject_id,
        received_at, due_at, initial_due_at)
      values (${request}::uuid, 'erasure', 'gdpr', 'awaiting_systems', 'api', 'subject', 'api_key',
        ${subject}::uuid, now(), now(), now())
    `.execute(db);
    await sql`
      insert into request_system_tasks (id, request_id, system_id, action, status, scope, token_hash, message_id,
        delivery_id, created_at, updated_at)
      values (${task}::uuid, ${request}::uuid, ${system}::uuid, 'erasure', 'pending', '{}', 'h', 'm',
        ${randomUUID()}::uuid, now(), now())
    `.execute(db);

    await migrateUpFrom(db, '0024_inventory');
    const carried = await db
      .selectFrom('inventory_systems')
      .selectAll()
      .where('id', '=', system)
      .executeTakeFirstOrThrow();
    expect(carried).toMatchObject({
      name: 'CRM',
      owner: 'Sales',
      data_categories: ['user.contact'],
      endpoint_id: endpoint,
      enabled: false,
      kind: 'internal_application',
      classification: 'confidential',
      locations: [],
      processor_id: null,
    });
    const tasks = await db
      .selectFrom('request_system_tasks as t')
      .innerJoin('inventory_systems as s', 's.id', 't.system_id')
      .select(['t.id', 's.name'])
      .execute();
    expect(tasks).toEqual([{ id: task, name: 'CRM' }]);
    // The task still holds its system: the foreign key came along with the rename.
    await expect(
      sql`delete from inventory_systems where id = ${system}::uuid`.execute(db),
    ).rejects.toMatchObject({
      code: '23503',
    });
    const measures = await db.selectFrom('inventory_measures').select('name').orderBy('name').execute();
    expect(measures.map((row) => row.name)).toEqual([
      'Access control',
      'Encryption at rest',
      'Encryption in transit',
    ]);

    // Down: a system without an endpoint did not exist before, and goes; the others stay with their tasks.
    await sql`
      insert into inventory_systems (id, name, owner, description, data_categories, created_at, updated_at)
      values (${randomUUID()}::uuid, 'Paper archive', 'Legal', '', '{}', now(), now())`.execute(db);
    await rollBackThrough(db, '0024_inventory');
    const back = await sql<{ name: string; endpoint_id: string }>`
      select name, endpoint_id from downstream_systems`.execute(db);
    expect(back.rows).toEqual([{ name: 'CRM', endpoint_id: endpoint }]);
    await migrateUpFrom(db, '0024_inventory');
  });
});
