import type { Executor, Tx } from '../../db/database.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { FieldValue } from './collection-schema.js';
import type { ErasureStore, RecordFacts as StoredFacts } from './erasure-store.js';
import { applyMasking, type Masking } from './masking.js';
import type { PersonalDataEraser } from './personal-data.js';
import { type Aead, decryptFieldValue, sealFieldValue, type VaultKeys } from './vault-crypto.js';
import type { CollectionRow, CollectionStore, RecordRow, SubjectRow, SubjectStore } from './vault-store.js';

/** What the vault holds of a subject, per collection, without reading a value. */
export type Holding = { collection: CollectionRow; records: number };

export type RecordFacts = { id: string; collection: string; createdAt: Date };

/**
 * A record kept after erasure: the fields its obligation needs stay as they are, the fields named in
 * `anonymize` are replaced by the operator's output, and every other value is deleted.
 */
export type RetainedRecord = {
  id: string;
  keep: readonly string[];
  anonymize: Readonly<Record<string, Masking>>;
};

export type MinimisedCounts = { records: number; retained: number; indexes: number; tokens: number };

type Deps = {
  subjects: SubjectStore;
  store: ErasureStore;
  collectionRows: CollectionStore;
  keys: VaultKeys;
  aead: Aead;
  clock: Clock;
  /** Where else the subject's personal data lives (the same registry crypto-shredding erases). */
  personalData?: PersonalDataEraser | undefined;
  settings: { maskKey: Buffer };
};

/**
 * Erasure of a subject whose data is partly under a retention obligation, and the status changes of
 * restriction. Everything runs inside the caller's transaction (the erasure request's or the retention
 * sweep's), which writes the audit entry: the subject's data key survives, because what is kept is still
 * sealed under it, but every other record, every token and every blind index not needed for what is kept
 * goes, kept records lose the values their obligation does not need, and the subject is restricted.
 */
export function subjectErasure({
  subjects,
  store,
  collectionRows,
  keys,
  aead,
  clock,
  personalData,
  settings,
}: Deps) {
  async function lockLive(tx: Executor, subjectId: string): Promise<SubjectRow> {
    const subject = await subjects.lockById(tx, subjectId);
    if (!subject) throw new AppError('not_found', 'Subject not found.');
    if (subject.status === 'erased') {
      throw new AppError('subject_erased', 'This subject was erased; their personal data no longer exists.');
    }
    return subject;
  }

  /** Per collection, how many records the subject has (no values are read). */
  async function holdings(executor: Executor, subjectId: string): Promise<Holding[]> {
    const counts = await store.recordCounts(executor, subjectId);
    const collections = await collectionRows.byIds(executor, [...counts.keys()]);
    return collections
      .map((collection) => ({ collection, records: counts.get(collection.id) ?? 0 }))
      .sort((a, b) => a.collection.name.localeCompare(b.collection.name));
  }

  /** Ids and storage times of the subject's records in the given collections, for retention decisions. */
  async function recordFacts(
    executor: Executor,
    subjectId: string,
    collections: readonly CollectionRow[],
  ): Promise<RecordFacts[]> {
    const names = new Map(collections.map((collection) => [collection.id, collection.name]));
    const rows: StoredFacts[] = await store.recordFacts(executor, subjectId, [...names.keys()]);
    return rows.map((row) => ({
      id: row.id,
      collection: names.get(row.collectionId) as string,
      createdAt: row.createdAt,
    }));
  }

  /** The stored form of a kept record: kept values untouched, anonymized ones re-sealed, the rest gone. */
  function minimised(
    record: RecordRow,
    collection: CollectionRow,
    plan: RetainedRecord,
    dek: Buffer | undefined,
  ) {
    const plain: Record<string, unknown> = {};
    const sealed: Record<string, string> = {};
    for (const field of collection.fields) {
      const { name } = field;
      if (plan.keep.includes(name)) {
        if (name in record.plain) plain[name] = record.plain[name];
        if (name in record.sealed) sealed[name] = record.sealed[name] as string;
        continue;
      }
      const operator = plan.anonymize[name];
      if (!operator || operator.op === 'null' || !dek) continue;
      let value: unknown = record.plain[name];
      if (name in record.sealed) {
        try {
          value = decryptFieldValue(
            aead,
            dek,
            record.subject_id,
            collection.name,
            name,
            record.sealed[name] as string,
          );
        } catch {
          continue; // a value that no longer authenticates is not carried over
        }
      }
      if (value === undefined) continue;
      const replaced = applyMasking(value as FieldValue, operator, { hashKey: settings.maskKey });
      if (replaced === null) continue;
      if (name in record.plain) plain[name] = replaced;
      else sealed[name] = sealFieldValue(aead, dek, record.subject_id, collection.name, name, replaced);
    }
    return { id: record.id, plain, sealed };
  }

  /**
   * Erases a subject except the records their retention obligations keep, minimised; restricts the
   * subject and forgets their external id. Returns what was deleted and how many records were kept.
   */
  async function minimiseWithin(
    tx: Tx,
    subjectId: string,
    retained: readonly RetainedRecord[],
  ): Promise<MinimisedCounts> {
    await lockLive(tx, subjectId);
    const plans = new Map(retained.map((plan) => [plan.id, plan]));
    const rows = await store.recordsByIds(tx, subjectId, [...plans.keys()]);
    const collections = new Map(
      (await collectionRows.byIds(tx, [...new Set(rows.map((row) => row.collection_id))])).map((row) => [
        row.id,
        row,
      ]),
    );
    const anonymizing = retained.some((plan) => Object.values(plan.anonymize).some((op) => op.op !== 'null'));
    const dek = anonymizing && rows.length > 0 ? await keys.dataKeyFor(tx, subjectId) : undefined;
    const rewritten = rows.map((row) =>
      minimised(
        row,
        collections.get(row.collection_id) as CollectionRow,
        plans.get(row.id) as RetainedRecord,
        dek,
      ),
    );
    const keptIndexes = rows.flatMap((row) =>
      (plans.get(row.id)?.keep ?? []).map((field) => ({
        recordId: row.id,
        field: `${collections.get(row.collection_id)?.name}.${field}`,
      })),
    );
    const keptIds = rows.map((row) => row.id);
    const tokens = await store.deleteTokens(tx, subjectId);
    const indexes = await store.deleteIndexesExcept(tx, subjectId, keptIndexes);
    const records = await store.deleteRecordsExcept(tx, subjectId, keptIds);
    const now = clock.now();
    await store.rewriteRecords(tx, rewritten, now);
    await store.restrictMinimised(tx, subjectId, now);
    await personalData?.eraseWithin(tx, subjectId);
    return { records, retained: rows.length, indexes, tokens };
  }

  /** Deletes a retained subject's records whose retention has ended (the retention sweep). */
  async function deleteRecordsWithin(tx: Tx, subjectId: string, keptIds: readonly string[]): Promise<number> {
    await lockLive(tx, subjectId);
    return store.deleteRecordsExcept(tx, subjectId, [...keptIds]);
  }

  /** Restricts processing of a subject (GDPR Art. 18), or lifts it; the caller audits. */
  async function setRestricted(tx: Tx, subjectId: string, restricted: boolean): Promise<SubjectRow> {
    const subject = await lockLive(tx, subjectId);
    const status = restricted ? 'restricted' : 'active';
    if (subject.status !== status) await subjects.setStatus(tx, subjectId, status, clock.now());
    return { ...subject, status };
  }

  return { holdings, recordFacts, minimiseWithin, deleteRecordsWithin, setRestricted, lockLive };
}

export type SubjectErasure = ReturnType<typeof subjectErasure>;
