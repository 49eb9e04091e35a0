import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import { type GroupCommitSettings, groupCommit } from '../../db/group-commit.js';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { blindIndexFor, externalIdKind } from './blind-index.js';
import {
  defaultMaskingFor,
  type FieldValue,
  isEncrypted,
  normalizeEmail,
  normalizePhone,
  validateRecordValues,
} from './collection-schema.js';
import type { CollectionService } from './collection-service.js';
import { applyMasking } from './masking.js';
import type { PersonalDataEraser } from './personal-data.js';
import { encodeRecord } from './record-encoding.js';
import { assertReadableFor } from './restriction.js';
import type { SubjectStorage } from './storage-guard.js';
import { type Aead, decryptFieldValue, type VaultKeys } from './vault-crypto.js';
import {
  type CollectionRow,
  type CollectionStore,
  isSoleRecordConflict,
  type RecordRow,
  type SubjectRow,
  type SubjectStore,
} from './vault-store.js';

export type RecordView = {
  id: string;
  subjectId: string;
  collection: string;
  fields: Record<string, FieldValue>;
  /** Fields shown masked because the reader may not see them in clear. */
  masked: string[];
  /** Fields whose stored value failed authentication (altered or moved in storage). */
  unreadable: string[];
  createdAt: Date;
  updatedAt: Date;
};

export type ReadOptions = { purpose: string; reveal: boolean; collection?: string | undefined };

/**
 * The purpose of a data subject reading their own data (the privacy center). Not one of
 * CUSTOS_READ_PURPOSES: no operator or API key can state it; only `readOwnRecordsDecrypted` uses it.
 */
/** What a grouped record create the guard refused is answered: the caller looks again for why. */
const refusedCreate = Symbol('refused record create');

export const ownerReadPurpose = 'data_subject_self_service';

type Deps = {
  db: Kysely<DB>;
  subjects: SubjectStore;
  collectionRows: CollectionStore;
  collections: CollectionService;
  keys: VaultKeys;
  aead: Aead;
  audit: AuditWriter;
  clock: Clock;
  settings: {
    purposes: readonly string[];
    phoneRegion?: string | undefined;
    maskKey: Buffer;
    /** Group commit of record creates; without it each create commits on its own. */
    groupCommit?: GroupCommitSettings | undefined;
  };
  /** Where else the subject's personal data lives; erased in the shredding transaction. */
  personalData?: PersonalDataEraser | undefined;
  /** Whether subjects of a region may be stored on this instance (residency policies); throws to refuse. */
  storage?: Pick<SubjectStorage, 'check'> | undefined;
};

/** Subjects and their records: sealed writes, blind-index search, purpose-bound reads, crypto-shredding. */
export function recordService({
  db,
  subjects,
  collectionRows,
  collections,
  keys,
  aead,
  audit,
  clock,
  settings,
  personalData,
  storage,
}: Deps) {
  const target = (type: string, id: string) => ({ type, id });

  function assertPurpose(purpose: string) {
    if (!settings.purposes.includes(purpose)) {
      throw new AppError(
        'invalid_query_parameter',
        'Reading personal data needs one of the configured purposes.',
        {
          errors: [
            {
              in: 'querystring',
              path: 'purpose',
              message: `must be one of: ${settings.purposes.join(', ')}`,
            },
          ],
        },
      );
    }
  }

  async function liveSubject(executor: Executor, id: string, lock = false): Promise<SubjectRow> {
    const subject = lock ? await subjects.lockById(executor, id) : await subjects.findById(executor, id);
    return assertLive(subject);
  }

  /**
   * Fails for a record that is not there: 410 `subject_erased` when crypto-shredding deleted it, else 404.
   * Only callers whose permission reaches records get here (access is decided before any lookup), so the
   * difference tells nobody anything they could not have read before the erasure.
   */
  async function missingRecord(executor: Executor, recordId: string): Promise<never> {
    const subjectId = await subjects.erasedRecordSubject(executor, recordId);
    if (subjectId) assertLive(await subjects.findById(executor, subjectId));
    throw new AppError('not_found', 'Record not found.');
  }

  /** The subject, unless it does not exist (404) or was erased (410). */
  function assertLive(subject: SubjectRow | undefined): SubjectRow {
    if (!subject) throw new AppError('not_found', 'Subject not found.');
    if (subject.status === 'erased') {
      throw new AppError('subject_erased', 'This subject was erased; their personal data no longer exists.', {
        extensions: { erasedAt: subject.erased_at?.toISOString() ?? null },
      });
    }
    return subject;
  }

  function externalIdDigest(externalId: string): Buffer {
    return blindIndexFor(keys.blindIndexKey(), externalIdKind, externalId.trim());
  }

  /** Creates a subject and their data key. An external id (your system's user id) is blind-indexed. */
  async function createSubject(
    context: AuditContext,
    input: { externalId?: string | undefined; region?: string | undefined },
  ): Promise<SubjectRow> {
    // Before anything is written: a residency policy may keep subjects of this region off this instance.
    if (input.region) await storage?.check([input.region]);
    return db.transaction().execute(async (tx) => {
      const digest = input.externalId ? externalIdDigest(input.externalId) : null;
      if (digest && (await subjects.findByExternalIndex(tx, digest))) {
        throw new AppError('conflict', 'A subject with this external id exists already.');
      }
      const now = clock.now();
      const id = timeOrderedId(now.getTime());
      const row: SubjectRow = {
        id,
        external_id_index: digest,
        region: input.region ?? null,
        status: 'active',
        created_at: now,
        updated_at: now,
        erased_at: null,
        last_active_at: now,
        relationship_ended_at: null,
      };
      await subjects.insert(tx, row);
      await keys.createDataKey(tx, id);
      await audit.append(tx, context, {
        action: 'vault.subject.created',
        outcome: 'success',
        target: target('subject', id),
      });
      return row;
    });
  }

  async function getSubject(id: string): Promise<SubjectRow> {
    return liveSubject(db, id);
  }

  /** Finds subjects by e-mail, phone or external id through blind indexes; never decrypts anything. */
  async function searchSubjects(
    context: AuditContext,
    query: { email?: string | undefined; phone?: string | undefined; externalId?: string | undefined },
  ): Promise<SubjectRow[]> {
    const key = keys.blindIndexKey();
    let ids: string[] = [];
    let by: string;
    if (query.externalId) {
      by = 'external_id';
      const subject = await subjects.findByExternalIndex(db, externalIdDigest(query.externalId));
      ids = subject ? [subject.id] : [];
    } else if (query.email) {
      by = 'email';
      ids = await subjects.subjectIdsByIndex(
        db,
        'email',
        blindIndexFor(key, 'email', normalizeEmail(query.email)),
      );
    } else if (query.phone) {
      by = 'phone';
      const normalized = normalizePhone(query.phone, settings.phoneRegion);
      ids = normalized
        ? await subjects.subjectIdsByIndex(db, 'phone', blindIndexFor(key, 'phone', normalized))
        : [];
    } else {
      throw new AppError('validation_failed', 'Search by one of email, phone or externalId.', {
        errors: [{ in: 'body', path: '(root)', message: 'one of email, phone, externalId is required' }],
      });
    }
    const rows = (await Promise.all(ids.map((id) => subjects.findById(db, id)))).filter(
      (row): row is SubjectRow => row !== undefined && row.status !== 'erased',
    );
    await audit.record(context, {
      action: 'vault.subject.searched',
      outcome: 'success',
      details: { by, matches: rows.length },
    });
    return rows;
  }

  function encode(
    collection: CollectionRow,
    subjectId: string,
    dek: Buffer,
    values: Record<string, FieldValue>,
  ) {
    return encodeRecord(
      { collection, subjectId, values },
      { aead, dataKey: dek, blindIndexKey: keys.blindIndexKey() },
    );
  }

  function validate(collection: CollectionRow, input: Record<string, unknown>, partial: boolean) {
    const { values, errors } = validateRecordValues(collection, input, {
      partial,
      phoneRegion: settings.phoneRegion,
    });
    if (errors.length > 0) {
      throw new AppError(
        'validation_failed',
        `${errors.length} field(s) do not fit the ${collection.name} collection.`,
        { errors },
      );
    }
    return values;
  }

  /**
   * Collections by name as last read here: a record create validates and seals against this copy and
   * writes in one statement that checks the collection is still at the same version (see
   * `createRecordAtOnce`). Collections are few, so every one seen stays.
   */
  const knownCollections = new Map<string, CollectionRow>();

  /** A new record's row, its values sealed under the subject's key, and its blind indexes. */
  function newRecord(
    collection: CollectionRow,
    subjectId: string,
    dek: Buffer,
    values: Record<string, FieldValue>,
  ) {
    const { plain, sealed, indexes } = encode(collection, subjectId, dek, values);
    const now = clock.now();
    const row = {
      id: timeOrderedId(now.getTime()),
      subject_id: subjectId,
      collection_id: collection.id,
      plain,
      sealed,
      sole: !collection.multiple,
      created_at: now,
      updated_at: now,
    };
    return { row, indexes };
  }

  function recordCreated(id: string, subjectId: string, collection: CollectionRow, fields: string[]) {
    return {
      action: 'vault.record.created',
      outcome: 'success' as const,
      target: target('record', id),
      details: { subject: subjectId, collection: collection.name, fields },
    };
  }

  type PreparedCreate = {
    context: AuditContext;
    row: ReturnType<typeof newRecord>['row'];
    collectionVersion: number;
    indexes: ReturnType<typeof newRecord>['indexes'];
    entry: ReturnType<typeof recordCreated>;
  };

  /**
   * Record creates with group commit (see group-commit.ts): alone, a create is one statement committed
   * on its own (`audit.appendIf`); creates that arrive while a batch is being written go together: one
   * statement for their records, blind indexes and audit entries, committed on its own. A create
   * the guard refused wrote nothing and is answered `refusedCreate`.
   */
  const creates = groupCommit<PreparedCreate, RecordRow>({
    settings: settings.groupCommit ?? { writers: Number.POSITIVE_INFINITY, maxBatch: 1 },
    async write(items) {
      if (items.length === 1) {
        const { context, row, collectionVersion, indexes, entry } = items[0] as PreparedCreate;
        const { guard, writes } = subjects.guardedRecordInsert(row, collectionVersion, indexes);
        return [(await audit.appendIf(db, context, entry, guard, writes)) ? row : undefined];
      }
      // One statement: the records, their blind indexes and their audit entries, committed together.
      const { guard, writes } = subjects.guardedRecordInserts(items);
      const inserted = await audit.appendEachIf(
        db,
        guard,
        items.map((item) => ({ key: item.row.id, context: item.context, entry: item.entry })),
        writes,
      );
      return items.map((item) => (inserted.has(item.row.id) ? item.row : undefined));
    },
    refusals: async (items) => items.map(() => refusedCreate),
  });

  /** Stores a record for a subject in a collection, sealed under the subject's data key. */
  async function createRecord(
    context: AuditContext,
    subjectId: string,
    collectionName: string,
    input: Record<string, unknown>,
  ): Promise<RecordRow> {
    const known = knownCollections.get(collectionName);
    const created = known && (await createRecordAtOnce(context, subjectId, known, input));
    return created || createRecordChecked(context, subjectId, collectionName, input);
  }

  /**
   * The common case in one round trip, committed on its own: validated and sealed against the known
   * collection, then one statement inserts the record, its blind indexes and the audit entry, only if
   * the subject is not erased, the collection unchanged and a sole record alone. Nothing when anything
   * is off (bad input included): `createRecordChecked` then looks at everything again and says what.
   */
  async function createRecordAtOnce(
    context: AuditContext,
    subjectId: string,
    collection: CollectionRow,
    input: Record<string, unknown>,
  ): Promise<RecordRow | undefined> {
    let values: Record<string, FieldValue>;
    let dek: Buffer;
    try {
      values = validate(collection, input, false);
      dek = await keys.dataKeyFor(db, subjectId);
    } catch (error) {
      if (error instanceof AppError) return undefined;
      throw error;
    }
    const { row, indexes } = newRecord(collection, subjectId, dek, values);
    const entry = recordCreated(row.id, subjectId, collection, Object.keys(values));
    try {
      return await creates.submit(undefined, async () => ({
        context,
        row,
        collectionVersion: collection.version,
        indexes,
        entry,
      }));
    } catch (error) {
      if (error === refusedCreate) return undefined;
      throw error;
    }
  }

  /** A record create in a transaction that reads and locks what it needs first, with precise errors. */
  async function createRecordChecked(
    context: AuditContext,
    subjectId: string,
    collectionName: string,
    input: Record<string, unknown>,
  ): Promise<RecordRow> {
    const create = db.transaction().execute(async (tx) => {
      // One round trip for the subject (locked), the collection and the one-record rule; one for the
      // record, its indexes and the audit entry; then the commit.
      const found = await subjects.lockForRecord(tx, subjectId, collectionName);
      assertLive(found?.subject);
      const collection = found?.collection;
      if (!collection) {
        knownCollections.delete(collectionName);
        throw new AppError('not_found', `No collection named ${collectionName}.`);
      }
      knownCollections.set(collectionName, collection);
      const values = validate(collection, input, false);
      if (!collection.multiple && found?.hasRecord) throw oneRecordOnly(collection);
      const dek = await keys.dataKeyFor(tx, subjectId);
      const { row, indexes } = newRecord(collection, subjectId, dek, values);
      // The audit append comes last: it holds an audit chain's lock until commit.
      await audit.appendWith(
        tx,
        context,
        recordCreated(row.id, subjectId, collection, Object.keys(values)),
        subjects.recordInserts(
          tx,
          row,
          indexes.map((index) => ({ ...index, record_id: row.id })),
        ),
      );
      return row;
    });
    // Another create for the same subject committed between our check and our insert.
    return create.catch((error: unknown) => {
      const collection = knownCollections.get(collectionName);
      if (collection && isSoleRecordConflict(error)) throw oneRecordOnly(collection);
      throw error;
    });
  }

  function oneRecordOnly(collection: CollectionRow) {
    return new AppError(
      'conflict',
      `The ${collection.name} collection holds one record per subject; update it instead.`,
    );
  }

  /** Changes some fields of a record (null clears an optional one); blind indexes follow. */
  /**
   * Changes some fields of a record inside the caller's transaction, which audits it (a rectification
   * request does). With `subjectId`, a record of another subject is not found.
   */
  async function updateRecordWithin(
    tx: Tx,
    recordId: string,
    input: Record<string, unknown>,
    subjectId?: string,
  ): Promise<{ record: RecordRow & { collection: string }; fields: string[] }> {
    const record = await subjects.lockRecord(tx, recordId);
    if (!record && subjectId === undefined) return missingRecord(tx, recordId);
    if (!record || (subjectId !== undefined && record.subject_id !== subjectId)) {
      throw new AppError('not_found', 'Record not found.');
    }
    await liveSubject(tx, record.subject_id);
    const [collection] = await collectionsById(tx, [record.collection_id]);
    if (!collection) throw new AppError('not_found', 'Record not found.');
    const values = validate(collection, input, true);
    const dek = await keys.dataKeyFor(tx, record.subject_id);
    const { plain, sealed, indexes } = encode(collection, record.subject_id, dek, values);
    const nextPlain = { ...record.plain, ...plain };
    const nextSealed = { ...record.sealed, ...sealed };
    for (const [name, value] of Object.entries(values)) {
      if (value !== null) continue;
      delete nextPlain[name];
      delete nextSealed[name];
    }
    await subjects.updateRecord(tx, recordId, nextPlain, nextSealed, clock.now());
    await subjects.deleteIndexes(
      tx,
      { id: recordId, subjectId: record.subject_id },
      Object.keys(values).map((name) => `${collection.name}.${name}`),
    );
    await subjects.insertIndexes(
      tx,
      indexes.map((index) => ({ ...index, record_id: recordId })),
    );
    const updated = (await subjects.findRecord(tx, recordId)) as RecordRow;
    return { record: { ...updated, collection: collection.name }, fields: Object.keys(values) };
  }

  /**
   * Checks proposed changes to some of a subject's records without applying them (a rectification the
   * subject asks for): each record must be the subject's, each value must fit its collection. Answers the
   * normalized values with each record's collection; one error per bad field under `<path>.<index>`, never
   * repeating a value. Nothing is decrypted, written or audited.
   */
  async function checkChanges(
    subjectId: string,
    changes: readonly { recordId: string; fields: Record<string, unknown> }[],
    path = 'changes',
  ): Promise<{ recordId: string; collection: string; fields: Record<string, FieldValue> }[]> {
    await liveSubject(db, subjectId);
    const rows = await Promise.all(changes.map((change) => subjects.findRecord(db, change.recordId)));
    const owned = rows.map((row) => (row?.subject_id === subjectId ? row : undefined));
    const byId = new Map(
      (
        await collectionsById(
          db,
          owned.flatMap((row) => (row ? [row.collection_id] : [])),
        )
      ).map((row) => [row.id, row]),
    );
    const errors: FieldError[] = [];
    const checked = changes.map((change, index) => {
      const collection = byId.get(owned[index]?.collection_id ?? '');
      if (!collection) {
        errors.push({ in: 'body', path: `${path}.${index}.recordId`, message: 'is not one of your records' });
        return { recordId: change.recordId, collection: '', fields: {} };
      }
      const result = validateRecordValues(collection, change.fields, {
        partial: true,
        phoneRegion: settings.phoneRegion,
      });
      errors.push(...result.errors.map((error) => ({ ...error, path: `${path}.${index}.${error.path}` })));
      return { recordId: change.recordId, collection: collection.name, fields: result.values };
    });
    if (errors.length > 0) {
      throw new AppError('validation_failed', `${errors.length} field(s) of the changes do not fit.`, {
        errors,
      });
    }
    return checked;
  }

  async function updateRecord(
    context: AuditContext,
    recordId: string,
    input: Record<string, unknown>,
  ): Promise<RecordRow & { collection: string }> {
    return db.transaction().execute(async (tx) => {
      const { record, fields } = await updateRecordWithin(tx, recordId, input);
      await audit.append(tx, context, {
        action: 'vault.record.updated',
        outcome: 'success',
        target: target('record', recordId),
        details: { subject: record.subject_id, collection: record.collection, fields },
      });
      return record;
    });
  }

  async function deleteRecord(context: AuditContext, recordId: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const record = await subjects.lockRecord(tx, recordId);
      if (!record) return missingRecord(tx, recordId);
      await subjects.deleteRecord(tx, recordId);
      await audit.append(tx, context, {
        action: 'vault.record.deleted',
        outcome: 'success',
        target: target('record', recordId),
        details: { subject: record.subject_id },
      });
    });
  }

  function collectionsById(executor: Executor, ids: string[]): Promise<CollectionRow[]> {
    return collectionRows.byIds(executor, [...new Set(ids)]);
  }

  /** Decrypts (or masks) records for presentation. */
  function present(record: RecordRow, collection: CollectionRow, dek: Buffer, reveal: boolean): RecordView {
    const fields: Record<string, FieldValue> = {};
    const masked: string[] = [];
    const unreadable: string[] = [];
    for (const field of collection.fields) {
      let value: FieldValue | undefined;
      if (field.name in record.sealed) {
        try {
          value = decryptFieldValue(
            aead,
            dek,
            record.subject_id,
            collection.name,
            field.name,
            record.sealed[field.name] as string,
          ) as FieldValue;
        } catch {
          // A value that fails authentication was altered or moved in storage: never shown, reported.
          unreadable.push(field.name);
          continue;
        }
      } else if (field.name in record.plain) {
        value = record.plain[field.name] as FieldValue;
      }
      if (value === undefined) continue;
      if (!reveal && isEncrypted(field)) {
        fields[field.name] = applyMasking(value, defaultMaskingFor(field), {
          hashKey: settings.maskKey,
        }) as FieldValue;
        masked.push(field.name);
      } else {
        fields[field.name] = value;
      }
    }
    return {
      id: record.id,
      subjectId: record.subject_id,
      collection: collection.name,
      fields,
      masked,
      unreadable,
      createdAt: record.created_at,
      updatedAt: record.updated_at,
    };
  }

  /**
   * A subject's records for a stated purpose: decrypted with `reveal`, masked per field otherwise. The
   * audit entry names the purpose and the fields read, never their values.
   */
  async function readRecords(
    context: AuditContext,
    subjectId: string,
    options: ReadOptions,
  ): Promise<RecordView[]> {
    assertPurpose(options.purpose);
    return readRecordsFor(context, subjectId, options);
  }

  /**
   * A subject's own records in clear, for the subject themselves (the privacy center has authenticated
   * them): read under `ownerReadPurpose` and audited like every other read; it counts as their activity.
   */
  async function readOwnRecordsDecrypted(
    context: AuditContext,
    subjectId: string,
    options: { collection?: string | undefined } = {},
  ): Promise<RecordView[]> {
    const views = await readRecordsFor(context, subjectId, {
      ...options,
      purpose: ownerReadPurpose,
      reveal: true,
    });
    // Subjects reading their own data are active (retention rules counting from the last activity).
    await subjects.touchActivity(db, subjectId, clock.now());
    return views;
  }

  async function readRecordsFor(
    context: AuditContext,
    subjectId: string,
    options: ReadOptions,
  ): Promise<RecordView[]> {
    const subject = await liveSubject(db, subjectId);
    // Restriction stops reads by others, not the subject's own access to their data.
    if (options.purpose !== ownerReadPurpose) assertReadableFor(subject, options.purpose);
    const only = options.collection ? await collections.get(options.collection) : undefined;
    const records = await subjects.recordsOf(db, subjectId, only?.id);
    const byId = new Map(
      (
        await collectionsById(
          db,
          records.map((record) => record.collection_id),
        )
      ).map((row) => [row.id, row]),
    );
    const dek = records.length > 0 ? await keys.dataKeyFor(db, subjectId) : Buffer.alloc(0);
    const views = records.map((record) =>
      present(record, byId.get(record.collection_id) as CollectionRow, dek, options.reveal),
    );
    await audit.record(context, {
      action: 'vault.record.read',
      outcome: 'success',
      target: target('subject', subjectId),
      purpose: options.purpose,
      details: {
        revealed: options.reveal,
        records: views.length,
        fields: [
          ...new Set(
            views.flatMap((view) => Object.keys(view.fields).map((name) => `${view.collection}.${name}`)),
          ),
        ],
      },
    });
    return views;
  }

  async function readRecord(
    context: AuditContext,
    recordId: string,
    options: ReadOptions,
  ): Promise<RecordView> {
    assertPurpose(options.purpose);
    const record = (await subjects.findRecord(db, recordId)) ?? (await missingRecord(db, recordId));
    assertReadableFor(await liveSubject(db, record.subject_id), options.purpose);
    const [collection] = await collectionsById(db, [record.collection_id]);
    const view = present(
      record,
      collection as CollectionRow,
      await keys.dataKeyFor(db, record.subject_id),
      options.reveal,
    );
    await audit.record(context, {
      action: 'vault.record.read',
      outcome: 'success',
      target: target('record', recordId),
      purpose: options.purpose,
      details: {
        subject: record.subject_id,
        revealed: options.reveal,
        fields: Object.keys(view.fields).map((name) => `${view.collection}.${name}`),
      },
    });
    return view;
  }

  /**
   * Erasure by crypto-shredding: deletes the subject's data key, records, blind indexes and tokens in one
   * transaction and keeps a pseudonymous tombstone (id, status erased, time).
   */
  async function shredSubject(
    context: AuditContext,
    subjectId: string,
  ): Promise<{ records: number; indexes: number; tokens: number }> {
    return db.transaction().execute(async (tx) => {
      const removed = await shredWithin(tx, subjectId);
      await audit.append(tx, context, {
        action: 'vault.subject.shredded',
        outcome: 'success',
        target: target('subject', subjectId),
        details: removed,
      });
      return removed;
    });
  }

  /** Crypto-shredding inside the caller's transaction (an erasure request's), which audits it. */
  async function shredWithin(
    tx: Tx,
    subjectId: string,
  ): Promise<{ records: number; indexes: number; tokens: number }> {
    await liveSubject(tx, subjectId, true);
    const removed = await subjects.purgeSubjectData(tx, subjectId);
    await personalData?.eraseWithin(tx, subjectId);
    await keys.shredDataKey(tx, subjectId);
    await subjects.setStatus(tx, subjectId, 'erased', clock.now());
    return removed;
  }

  return {
    createSubject,
    getSubject,
    searchSubjects,
    createRecord,
    updateRecord,
    updateRecordWithin,
    checkChanges,
    deleteRecord,
    readRecords,
    readOwnRecordsDecrypted,
    readRecord,
    shredSubject,
    shredWithin,
  };
}

export type RecordService = ReturnType<typeof recordService>;
