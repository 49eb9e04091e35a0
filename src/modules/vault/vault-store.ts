import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { FieldDefinition } from './collection-schema.js';
import type { SubjectStatus, VaultTables } from './vault-tables.js';

export type CollectionRow = Selectable<VaultTables['collections']>;
export type SubjectRow = Selectable<VaultTables['subjects']>;
export type RecordRow = Selectable<VaultTables['records']>;
export type BlindIndexRow = VaultTables['blind_indexes'];
export type TokenRow = Selectable<VaultTables['tokens']>;

type NewRecordRow = Pick<RecordRow, 'id' | 'subject_id' | 'collection_id' | 'plain' | 'sealed' | 'sole'> & {
  created_at: Date;
  updated_at: Date;
};

/** The unique violation of a second sole record (migration 0018): two creates raced for one subject. */
export function isSoleRecordConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'records_sole_idx';
}

/** A blind index naming a record of another subject (migration 0019): an import line's `recordId`. */
export function isForeignRecordReference(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23503' && constraint === 'blind_indexes_record_fk';
}

/** SQL for collections. */
export function collectionStore() {
  return {
    async insert(
      tx: Executor,
      row: Omit<CollectionRow, 'version' | 'created_at' | 'updated_at'> & {
        created_at: Date;
        updated_at: Date;
      },
    ) {
      await tx
        .insertInto('collections')
        .values({ ...row, fields: JSON.stringify(row.fields) })
        .execute();
    },
    findByName(tx: Executor, name: string): Promise<CollectionRow | undefined> {
      return tx.selectFrom('collections').selectAll().where('name', '=', name).executeTakeFirst();
    },
    lockByName(tx: Executor, name: string): Promise<CollectionRow | undefined> {
      return tx.selectFrom('collections').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
    },
    list(tx: Executor): Promise<CollectionRow[]> {
      return tx.selectFrom('collections').selectAll().orderBy('name').execute();
    },
    byIds(tx: Executor, ids: string[]): Promise<CollectionRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return tx.selectFrom('collections').selectAll().where('id', 'in', ids).execute();
    },
    async update(
      tx: Executor,
      id: string,
      changes: {
        description: string;
        multiple: boolean;
        fields: FieldDefinition[];
        source?: 'api' | 'config';
      },
      at: Date,
    ) {
      await tx
        .updateTable('collections')
        .set((eb) => ({
          description: changes.description,
          multiple: changes.multiple,
          fields: JSON.stringify(changes.fields),
          ...(changes.source ? { source: changes.source } : {}),
          version: eb('version', '+', 1),
          updated_at: at,
        }))
        .where('id', '=', id)
        .execute();
      // Widened to many records per subject: the one-record index no longer applies to its records.
      if (changes.multiple) {
        await tx
          .updateTable('records')
          .set({ sole: false })
          .where('collection_id', '=', id)
          .where('sole', '=', true)
          .execute();
      }
    },
    /** Names of the given fields that hold a value in at least one record of the collection. */
    async fieldsHoldingData(tx: Executor, collectionId: string, fields: string[]): Promise<string[]> {
      const holding: string[] = [];
      for (const field of fields) {
        const row = await tx
          .selectFrom('records')
          .select('id')
          .where('collection_id', '=', collectionId)
          .where((eb) => eb.or([sql<boolean>`plain ? ${field}`, sql<boolean>`sealed ? ${field}`]))
          .limit(1)
          .executeTakeFirst();
        if (row) holding.push(field);
      }
      return holding;
    },
    /**
     * How many subjects hold records in any of the named collections, counted up to `atMost` (a count,
     * never an id): a semi-join that stops at the cap, so asking "is it large scale" stays cheap however
     * many records there are.
     */
    async subjectCount(tx: Executor, names: readonly string[], atMost: number): Promise<number> {
      if (names.length === 0) return 0;
      const result = await sql<{ subjects: number }>`
        select count(*)::int as subjects from (
          select 1 from subjects s
          where exists (
            select 1 from records r join collections c on c.id = r.collection_id
            where r.subject_id = s.id and c.name in (${sql.join([...names])})
          )
          limit ${atMost}
        ) capped`.execute(tx);
      return result.rows[0]?.subjects ?? 0;
    },
    /** Removes the values of fields from every record of a collection, and their blind indexes. */
    async dropFieldValues(tx: Executor, collectionId: string, collectionName: string, fields: string[]) {
      for (const field of fields) {
        await tx
          .updateTable('records')
          .set({ plain: sql`plain - ${field}`, sealed: sql`sealed - ${field}` })
          .where('collection_id', '=', collectionId)
          .execute();
        await tx.deleteFrom('blind_indexes').where('field', '=', `${collectionName}.${field}`).execute();
      }
    },
  };
}

/** SQL for subjects, records, blind indexes and tokens. */
export function subjectStore() {
  return {
    async insert(
      tx: Executor,
      row: Pick<SubjectRow, 'id' | 'external_id_index' | 'region' | 'status'> & {
        created_at: Date;
        updated_at: Date;
      },
    ) {
      await tx.insertInto('subjects').values(row).execute();
    },
    /** The distinct regions of subjects not erased (residency's start-up check). */
    async regions(tx: Executor): Promise<string[]> {
      const rows = await tx
        .selectFrom('subjects')
        .select('region')
        .distinct()
        .where('status', '!=', 'erased')
        .where('region', 'is not', null)
        .execute();
      return rows.flatMap((row) => (row.region ? [row.region] : []));
    },
    findById(tx: Executor, id: string): Promise<SubjectRow | undefined> {
      return tx.selectFrom('subjects').selectAll().where('id', '=', id).executeTakeFirst();
    },
    lockById(tx: Executor, id: string): Promise<SubjectRow | undefined> {
      return tx.selectFrom('subjects').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    /**
     * What writing a record needs to know, in one round trip: the subject, locked until commit (so an
     * erasure waits for the write, or the write sees the erasure), the named collection, and whether the
     * subject has a record in it already. Nothing when the subject does not exist.
     */
    async lockForRecord(
      tx: Executor,
      id: string,
      collectionName: string,
    ): Promise<
      { subject: SubjectRow; collection: CollectionRow | undefined; hasRecord: boolean } | undefined
    > {
      const row = await tx
        .selectFrom('subjects as s')
        .leftJoin('collections as c', (join) => join.on('c.name', '=', collectionName))
        .selectAll('s')
        .select([
          'c.id as c_id',
          'c.name as c_name',
          'c.description as c_description',
          'c.multiple as c_multiple',
          'c.fields as c_fields',
          'c.version as c_version',
          'c.source as c_source',
          'c.created_at as c_created_at',
          'c.updated_at as c_updated_at',
        ])
        .select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('records as r')
                .select('r.id')
                .whereRef('r.subject_id', '=', 's.id')
                .whereRef('r.collection_id', '=', 'c.id'),
            )
            .as('has_record'),
        )
        .where('s.id', '=', id)
        .forUpdate('s')
        .executeTakeFirst();
      if (!row) return undefined;
      const {
        c_id,
        c_name,
        c_description,
        c_multiple,
        c_fields,
        c_version,
        c_source,
        c_created_at,
        c_updated_at,
        has_record,
        ...subject
      } = row;
      const collection =
        c_id === null
          ? undefined
          : ({
              id: c_id,
              name: c_name,
              description: c_description,
              multiple: c_multiple,
              fields: c_fields,
              version: c_version,
              source: c_source,
              created_at: c_created_at,
              updated_at: c_updated_at,
            } as CollectionRow);
      return { subject, collection, hasRecord: Boolean(has_record) };
    },
    findByExternalIndex(tx: Executor, digest: Buffer): Promise<SubjectRow | undefined> {
      return tx.selectFrom('subjects').selectAll().where('external_id_index', '=', digest).executeTakeFirst();
    },
    async setStatus(tx: Executor, id: string, status: SubjectStatus, at: Date) {
      await tx
        .updateTable('subjects')
        .set({
          status,
          updated_at: at,
          ...(status === 'erased' ? { erased_at: at, external_id_index: null, region: null } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    /** The subject was active (their own read): moves `last_active_at`, at most once a day. */
    async touchActivity(tx: Executor, id: string, at: Date) {
      await sql`update subjects set last_active_at = ${at}::timestamptz
                 where id = ${id}::uuid and last_active_at < date_trunc('day', ${at}::timestamptz)`.execute(
        tx,
      );
    },
    /** Subject ids whose blind index of `kind` matches. */
    async subjectIdsByIndex(tx: Executor, kind: string, digest: Buffer): Promise<string[]> {
      const rows = await tx
        .selectFrom('blind_indexes')
        .select('subject_id')
        .distinct()
        .where('kind', '=', kind)
        .where('digest', '=', digest)
        .limit(100)
        .execute();
      return rows.map((row) => row.subject_id);
    },

    /** A record and its blind indexes in one statement (one round trip on the write path). */
    /**
     * The inserts of a record and its blind indexes, built but not run: for a caller that sends them in
     * one statement with something else (the audit entry). Foreign keys are checked at the end of that
     * statement, after the record is in.
     */
    recordInserts(tx: Executor, row: NewRecordRow, indexes: BlindIndexRow[]) {
      const values = { ...row, plain: JSON.stringify(row.plain), sealed: JSON.stringify(row.sealed) };
      const record = tx.insertInto('records').values(values);
      return indexes.length === 0 ? [record] : [record, tx.insertInto('blind_indexes').values(indexes)];
    },
    /**
     * A record create as one statement, for `audit.appendIf`: the guard inserts the record only if the
     * subject exists and is not erased (locking it, so a shred waits or is waited for), the collection is
     * still at `collectionVersion`, and a sole record does not meet another; the blind indexes follow the
     * record it returns. No row from the guard: nothing written, and the caller looks again for why.
     */
    guardedRecordInsert(
      row: NewRecordRow,
      collectionVersion: number,
      indexes: Omit<BlindIndexRow, 'record_id'>[],
    ) {
      const guard = sql`
        insert into records (id, subject_id, collection_id, plain, sealed, created_at, updated_at, sole)
        select ${row.id}::uuid, s.id, ${row.collection_id}::uuid, ${JSON.stringify(row.plain)}::jsonb,
               ${JSON.stringify(row.sealed)}::jsonb, ${row.created_at}::timestamptz,
               ${row.updated_at}::timestamptz, ${row.sole}::boolean
          from subjects s
         where s.id = ${row.subject_id}::uuid and s.status <> 'erased'
           and exists (select 1 from collections c
                        where c.id = ${row.collection_id}::uuid and c.version = ${collectionVersion}::int)
           for update of s
        ${row.sole ? sql`on conflict (subject_id, collection_id) where sole do nothing` : sql``}
        returning id`;
      const writes =
        indexes.length === 0
          ? []
          : [
              sql`
                insert into blind_indexes (kind, digest, subject_id, record_id, field)
                select i.kind, i.digest, i.subject_id, g.id, i.field
                  from unnest(${indexes.map((index) => index.kind)}::text[],
                              ${indexes.map((index) => index.digest)}::bytea[],
                              ${indexes.map((index) => index.subject_id)}::uuid[],
                              ${indexes.map((index) => index.field)}::text[]) as i (kind, digest, subject_id, field)
                 cross join append_guard g`,
            ];
      return { guard, writes };
    },
    /**
     * Many record creates as one statement (group commit), for `audit.appendEachIf`: like
     * `guardedRecordInsert` for each, the subjects locked in id order so two batches never wait for each
     * other crosswise. The guard returns the ids of the records written; a create missing there wrote
     * nothing.
     */
    guardedRecordInserts(
      creates: readonly {
        row: NewRecordRow;
        collectionVersion: number;
        indexes: Omit<BlindIndexRow, 'record_id'>[];
      }[],
    ) {
      const rows = creates.map((create) => create.row);
      const indexes = creates.flatMap((create) =>
        create.indexes.map((index) => ({ ...index, record_id: create.row.id })),
      );
      const guard = sql`
        insert into records (id, subject_id, collection_id, plain, sealed, created_at, updated_at, sole)
        select g.id, s.id, g.collection_id, g.plain::jsonb, g.sealed::jsonb, g.created_at, g.updated_at,
               g.sole
          from unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.subject_id)}::uuid[],
                      ${rows.map((row) => row.collection_id)}::uuid[],
                      ${creates.map((create) => create.collectionVersion)}::int[],
                      ${rows.map((row) => JSON.stringify(row.plain))}::text[],
                      ${rows.map((row) => JSON.stringify(row.sealed))}::text[],
                      ${rows.map((row) => row.created_at.toISOString())}::timestamptz[],
                      ${rows.map((row) => row.updated_at.toISOString())}::timestamptz[],
                      ${rows.map((row) => row.sole)}::boolean[])
               as g (id, subject_id, collection_id, version, plain, sealed, created_at, updated_at, sole)
          join subjects s on s.id = g.subject_id
         where s.status <> 'erased'
           and exists (select 1 from collections c where c.id = g.collection_id and c.version = g.version)
         order by s.id
           for update of s
        on conflict (subject_id, collection_id) where sole do nothing
        returning id::text as id`;
      const writes =
        indexes.length === 0
          ? []
          : [
              sql`
                insert into blind_indexes (kind, digest, subject_id, record_id, field)
                select i.kind, i.digest, i.subject_id, i.record_id, i.field
                  from unnest(${indexes.map((index) => index.kind)}::text[],
                              ${indexes.map((index) => index.digest)}::bytea[],
                              ${indexes.map((index) => index.subject_id)}::uuid[],
                              ${indexes.map((index) => index.record_id)}::uuid[],
                              ${indexes.map((index) => index.field)}::text[])
                       as i (kind, digest, subject_id, record_id, field)
                  join append_guard g on g.id = i.record_id::text`,
            ];
      return { guard, writes };
    },
    async updateRecord(
      tx: Executor,
      id: string,
      plain: Record<string, unknown>,
      sealed: Record<string, string>,
      at: Date,
    ) {
      await tx
        .updateTable('records')
        .set({ plain: JSON.stringify(plain), sealed: JSON.stringify(sealed), updated_at: at })
        .where('id', '=', id)
        .execute();
    },
    findRecord(tx: Executor, id: string): Promise<RecordRow | undefined> {
      return tx.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** The subject of a record crypto-shredding deleted, if `id` was one. */
    async erasedRecordSubject(tx: Executor, id: string): Promise<string | undefined> {
      const row = await tx
        .selectFrom('erased_records')
        .select('subject_id')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.subject_id;
    },
    lockRecord(tx: Executor, id: string): Promise<RecordRow | undefined> {
      return tx.selectFrom('records').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    recordsOf(tx: Executor, subjectId: string, collectionId?: string): Promise<RecordRow[]> {
      let query = tx.selectFrom('records').selectAll().where('subject_id', '=', subjectId);
      if (collectionId) query = query.where('collection_id', '=', collectionId);
      return query.orderBy('created_at').orderBy('id').execute();
    },
    /** Deletes a record; its blind indexes go with it (the foreign key cascades). */
    async deleteRecord(tx: Executor, id: string) {
      await tx.deleteFrom('records').where('id', '=', id).execute();
    },

    async insertIndexes(tx: Executor, rows: BlindIndexRow[]) {
      if (rows.length > 0) await tx.insertInto('blind_indexes').values(rows).execute();
    },
    async deleteIndexes(tx: Executor, record: { id: string; subjectId: string }, fields: string[]) {
      if (fields.length === 0) return;
      await tx
        .deleteFrom('blind_indexes')
        .where('subject_id', '=', record.subjectId)
        .where('record_id', '=', record.id)
        .where('field', 'in', fields)
        .execute();
    },

    async insertToken(tx: Executor, row: Omit<TokenRow, 'created_at'>) {
      await tx
        .insertInto('tokens')
        .values(row)
        .onConflict((conflict) => conflict.column('token').doNothing())
        .execute();
    },
    findToken(tx: Executor, token: string): Promise<TokenRow | undefined> {
      return tx.selectFrom('tokens').selectAll().where('token', '=', token).executeTakeFirst();
    },

    /**
     * Crypto-shredding, the database part: every record, blind index and token of the subject goes.
     * (The data key is deleted by the key ring in the same transaction.)
     */
    async purgeSubjectData(
      tx: Executor,
      subjectId: string,
    ): Promise<{ records: number; indexes: number; tokens: number }> {
      const indexes = await tx
        .deleteFrom('blind_indexes')
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
      const tokens = await tx.deleteFrom('tokens').where('subject_id', '=', subjectId).executeTakeFirst();
      // Ids only, so a later read of one of these records answers 410 subject_erased, not 404.
      await tx
        .insertInto('erased_records')
        .columns(['id', 'subject_id'])
        .expression((eb) =>
          eb.selectFrom('records').select(['id', 'subject_id']).where('subject_id', '=', subjectId),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const records = await tx.deleteFrom('records').where('subject_id', '=', subjectId).executeTakeFirst();
      return {
        records: Number(records.numDeletedRows),
        indexes: Number(indexes.numDeletedRows),
        tokens: Number(tokens.numDeletedRows),
      };
    },
  };
}

export type CollectionStore = ReturnType<typeof collectionStore>;
export type SubjectStore = ReturnType<typeof subjectStore>;

/** Set-based SQL for bulk import: a few statements per batch, whatever its size. */
export function importStore() {
  return {
    async subjectsByExternalIndex(
      tx: Executor,
      digests: Buffer[],
    ): Promise<{ id: string; status: SubjectStatus; digest: Buffer }[]> {
      if (digests.length === 0) return [];
      // One index probe per digest (the lateral subquery with a limit cannot become a hash join): while
      // a first import grows the table, the planner would otherwise scan it whole for every batch.
      const { rows } = await sql<{ id: string; status: SubjectStatus; external_id_index: Buffer }>`
        select s.id, s.status, s.external_id_index
          from unnest(${digests}::bytea[]) as d (digest)
         cross join lateral (
           select id, status, external_id_index from subjects where external_id_index = d.digest limit 1) s`.execute(
        tx,
      );
      return rows.map((row) => ({ id: row.id, status: row.status, digest: row.external_id_index }));
    },
    /** Inserts new active subjects, all created at `at`. */
    async insertSubjects(
      tx: Executor,
      at: Date,
      rows: Pick<SubjectRow, 'id' | 'external_id_index' | 'region'>[],
    ) {
      if (rows.length === 0) return;
      // unnest() binds one array per column instead of one parameter per cell: far cheaper for big batches.
      await sql`
        insert into subjects (id, external_id_index, region, status, created_at, updated_at)
        select s.id, s.external_id_index, s.region, 'active', ${at}::timestamptz, ${at}::timestamptz
          from unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.external_id_index)}::bytea[],
                      ${rows.map((row) => row.region)}::text[]) as s (id, external_id_index, region)`.execute(
        tx,
      );
    },
    async recordIdsBySubject(
      tx: Executor,
      collectionId: string,
      subjectIds: string[],
    ): Promise<Map<string, string>> {
      if (subjectIds.length === 0) return new Map();
      const rows = await tx
        .selectFrom('records')
        .select(['id', 'subject_id'])
        .where('collection_id', '=', collectionId)
        .where('subject_id', 'in', subjectIds)
        .execute();
      return new Map(rows.map((row) => [row.subject_id, row.id]));
    },
    /**
     * Inserts or replaces records of one collection with their blind indexes, all stamped `at`, in one
     * statement; `sole` when the collection holds one record per subject. The batch comes as one JSON
     * document in UTF-8, `[{id, subject_id, plain, sealed, indexes: [{kind, digest, field}]}]`, sent as
     * bytes: no escaping on the way, no array literals to parse. A record is replaced only by one of the
     * same subject and collection; the count of records written tells the caller. The blind indexes of
     * replaced records must have been deleted first (`deleteIndexesOf`).
     */
    async upsertRecords(
      tx: Executor,
      batch: { collectionId: string; at: Date; sole: boolean },
      document: Uint8Array,
    ): Promise<number> {
      const bytes = Buffer.from(document.buffer, document.byteOffset, document.byteLength);
      const { rows } = await sql<{ records: number }>`
        with batch as (select convert_from(${bytes}::bytea, 'UTF8')::jsonb as doc),
        written as (
          insert into records (id, subject_id, collection_id, plain, sealed, created_at, updated_at, sole)
          select r.id, r.subject_id, ${batch.collectionId}::uuid, r.plain, r.sealed, ${batch.at}::timestamptz,
                 ${batch.at}::timestamptz, ${batch.sole}::boolean
            from batch, jsonb_to_recordset(batch.doc) as r (id uuid, subject_id uuid, plain jsonb, sealed jsonb)
          on conflict (id) do update set plain = excluded.plain, sealed = excluded.sealed, updated_at = excluded.updated_at
           where records.subject_id = excluded.subject_id and records.collection_id = excluded.collection_id
          returning 1),
        indexed as (
          insert into blind_indexes (kind, digest, subject_id, record_id, field)
          select i.kind, decode(i.digest, 'hex'), r.subject_id, r.id, i.field
            from batch, jsonb_to_recordset(batch.doc) as r (id uuid, subject_id uuid, indexes jsonb),
                 jsonb_to_recordset(r.indexes) as i (kind text, digest text, field text)
          returning 1)
        select (select count(*) from written)::int as records, (select count(*) from indexed)::int as indexes`.execute(
        tx,
      );
      return rows[0]?.records ?? 0;
    },
    /** Deletes the blind indexes of records about to be replaced. */
    async deleteIndexesOf(tx: Executor, records: { ids: string[]; subjectIds: string[] }) {
      if (records.ids.length === 0) return;
      await sql`
        delete from blind_indexes b
         using unnest(${records.subjectIds}::uuid[], ${records.ids}::uuid[]) as r (subject_id, id)
         where b.subject_id = r.subject_id and b.record_id = r.id`.execute(tx);
    },
  };
}

export type ImportStore = ReturnType<typeof importStore>;
