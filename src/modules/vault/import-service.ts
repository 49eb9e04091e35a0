import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { blindIndexFor, externalIdKind } from './blind-index.js';
import { type FieldValue, validateRecordValues } from './collection-schema.js';
import type { CollectionService } from './collection-service.js';
import { encodeRecord } from './record-encoding.js';
import type { Aead, VaultKeys } from './vault-crypto.js';
import type { BlindIndexRow, CollectionRow, ImportStore } from './vault-store.js';

/** One line of an import file: reserved columns, then the collection's fields. */
export type ImportLine = { line: number; values: Record<string, unknown> };

export type ImportError = { line: number; field: string; reason: string };

export type ImportReport = {
  lines: number;
  subjectsCreated: number;
  recordsCreated: number;
  recordsUpdated: number;
  failed: number;
  /** The first errors (line, field, reason — never a value); `failed` counts them all. */
  errors: ImportError[];
};

const maxReportedErrors = 1000;
export const importBatchSize = 500;
/** Batches written at once; PGlite has one connection, so there it is one. */
const writersFor = (kind: 'postgres' | 'pglite') => (kind === 'postgres' ? 4 : 1);

type Deps = {
  db: Kysely<DB>;
  store: ImportStore;
  collections: CollectionService;
  keys: VaultKeys;
  aead: Aead;
  audit: AuditWriter;
  clock: Clock;
  settings: { phoneRegion?: string | undefined };
  databaseKind: 'postgres' | 'pglite';
};

type Prepared = {
  line: number;
  externalId: string;
  region: string | null;
  recordId: string | undefined;
  values: Record<string, FieldValue>;
};

/**
 * Bulk import: lines are validated, grouped in batches, and each batch is written in one transaction
 * with a handful of set-based statements. Subjects are matched by external id (blind index) and records
 * upserted, so re-running a file after a crash continues without duplicates. Memory stays bounded by
 * the batch size, whatever the file size.
 */
export function importService({
  db,
  store,
  collections,
  keys,
  aead,
  audit,
  clock,
  settings,
  databaseKind,
}: Deps) {
  const concurrency = writersFor(databaseKind);
  function prepare(collection: CollectionRow, line: ImportLine, errors: ImportError[]): Prepared | undefined {
    if (line.values.__malformed) {
      errors.push({ line: line.line, field: '(line)', reason: 'is not a JSON object' });
      return undefined;
    }
    const { externalId, region, recordId, ...fields } = line.values;
    const problems: ImportError[] = [];
    if (typeof externalId !== 'string' || externalId.trim() === '' || externalId.length > 200) {
      problems.push({
        line: line.line,
        field: 'externalId',
        reason: 'is required (a non-empty string of at most 200 characters)',
      });
    }
    if (recordId !== undefined && (typeof recordId !== 'string' || !/^[0-9a-f-]{36}$/.test(recordId))) {
      problems.push({ line: line.line, field: 'recordId', reason: 'must be a UUID' });
    }
    const checked = validateRecordValues(collection, fields, {
      partial: false,
      phoneRegion: settings.phoneRegion,
    });
    for (const error of checked.errors)
      problems.push({ line: line.line, field: error.path.replace(/^fields\./, ''), reason: error.message });
    if (problems.length > 0) {
      errors.push(...problems);
      return undefined;
    }
    return {
      line: line.line,
      externalId: (externalId as string).trim(),
      region: typeof region === 'string' && region !== '' ? region.slice(0, 32) : null,
      recordId: recordId as string | undefined,
      values: checked.values,
    };
  }

  async function writeBatch(context: AuditContext, collection: CollectionRow, batch: Prepared[]) {
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const indexKey = keys.blindIndexKey();
      const digestOf = new Map(
        batch.map((item) => [item.externalId, blindIndexFor(indexKey, externalIdKind, item.externalId)]),
      );
      const existing = await store.subjectsByExternalIndex(tx, [...digestOf.values()]);
      const subjectByDigest = new Map(existing.map((row) => [row.digest.toString('hex'), row]));
      const erased = batch.filter(
        (item) =>
          subjectByDigest.get((digestOf.get(item.externalId) as Buffer).toString('hex'))?.status === 'erased',
      );
      if (erased.length > 0)
        throw new AppError('conflict', 'A line names an erased subject.', {
          extensions: { lines: erased.map((item) => item.line) },
        });

      const newSubjects = new Map<string, { id: string; region: string | null; digest: Buffer }>();
      for (const item of batch) {
        const digest = digestOf.get(item.externalId) as Buffer;
        if (subjectByDigest.has(digest.toString('hex')) || newSubjects.has(item.externalId)) continue;
        newSubjects.set(item.externalId, { id: timeOrderedId(now.getTime()), region: item.region, digest });
      }
      await store.insertSubjects(
        tx,
        now,
        [...newSubjects.values()].map((subject) => ({
          id: subject.id,
          external_id_index: subject.digest,
          region: subject.region,
        })),
      );
      const created = await keys.createDataKeys(
        tx,
        [...newSubjects.values()].map((subject) => subject.id),
      );
      const subjectIdOf = (item: Prepared) =>
        newSubjects.get(item.externalId)?.id ??
        (subjectByDigest.get((digestOf.get(item.externalId) as Buffer).toString('hex'))?.id as string);
      const existingIds = existing.map((row) => row.id);
      const dataKeys = new Map([...created, ...(await keys.dataKeysFor(tx, existingIds))]);

      // Single-record collections: a subject's existing record is replaced. Many-record ones: a line
      // with a recordId replaces that record, a line without one appends.
      const currentRecords = collection.multiple
        ? new Map<string, string>()
        : await store.recordIdsBySubject(tx, collection.id, existingIds);
      const records: {
        id: string;
        subject_id: string;
        plain: Record<string, unknown>;
        sealed: Record<string, string>;
      }[] = [];
      const indexes: BlindIndexRow[] = [];
      let updated = 0;
      const replaced = new Set<string>();
      for (const item of batch) {
        const subjectId = subjectIdOf(item);
        const dek = dataKeys.get(subjectId) as Buffer;
        const recordId = item.recordId ?? currentRecords.get(subjectId) ?? timeOrderedId(now.getTime());
        if (item.recordId || currentRecords.has(subjectId)) {
          updated += 1;
          replaced.add(recordId);
        }
        // A subject's later line replaces the same record only where a subject has one record.
        if (!collection.multiple) currentRecords.set(subjectId, recordId);
        const {
          plain,
          sealed,
          indexes: recordIndexes,
        } = encodeRecord(
          { collection, subjectId, values: item.values },
          { aead, dataKey: dek, blindIndexKey: indexKey },
        );
        for (const index of recordIndexes) indexes.push({ ...index, record_id: recordId });
        records.push({ id: recordId, subject_id: subjectId, plain, sealed });
      }
      const unique = [...new Map(records.map((record) => [record.id, record])).values()];
      await store.upsertRecords(
        tx,
        { collectionId: collection.id, at: now, sole: !collection.multiple },
        unique,
      );
      // Only records that existed before can have blind indexes to replace.
      await store.replaceIndexes(tx, [...replaced], indexes);
      const counts = {
        lines: batch.length,
        subjectsCreated: newSubjects.size,
        recordsCreated: unique.length - Math.min(updated, unique.length),
        recordsUpdated: Math.min(updated, unique.length),
      };
      await audit.append(tx, context, {
        action: 'vault.import.batch',
        outcome: 'success',
        target: { type: 'collection', id: collection.id },
        details: { collection: collection.name, ...counts },
      });
      return counts;
    });
  }

  /** Imports lines into a collection; `onProgress` hears after every batch. */
  async function importLines(
    context: AuditContext,
    collectionName: string,
    lines: AsyncIterable<ImportLine>,
    onProgress?: (report: ImportReport) => void,
  ): Promise<ImportReport> {
    const collection = await collections.get(collectionName);
    const report: ImportReport = {
      lines: 0,
      subjectsCreated: 0,
      recordsCreated: 0,
      recordsUpdated: 0,
      failed: 0,
      errors: [],
    };
    // Lines are spread over a few writers by external id, so all lines of one subject go to one writer
    // (no two transactions ever race to create the same subject) while the writers' transactions overlap
    // with each other and with parsing. Each writer has at most one batch in flight and one filling.
    const writers = Array.from({ length: concurrency }, () => ({
      batch: [] as Prepared[],
      inFlight: Promise.resolve(),
    }));
    const flush = async (writer: (typeof writers)[number]) => {
      const batch = writer.batch;
      writer.batch = [];
      await writer.inFlight;
      writer.inFlight = writeBatch(context, collection, batch).then((counts) => {
        report.subjectsCreated += counts.subjectsCreated;
        report.recordsCreated += counts.recordsCreated;
        report.recordsUpdated += counts.recordsUpdated;
        onProgress?.(report);
      });
    };
    let failure: unknown;
    try {
      for await (const line of lines) {
        report.lines += 1;
        const errors: ImportError[] = [];
        const prepared = prepare(collection, line, errors);
        if (!prepared) {
          report.failed += 1;
          report.errors.push(...errors.slice(0, Math.max(0, maxReportedErrors - report.errors.length)));
          continue;
        }
        const writer = writers[writerFor(prepared.externalId)] as (typeof writers)[number];
        writer.batch.push(prepared);
        if (writer.batch.length >= importBatchSize) await flush(writer);
      }
      for (const writer of writers) if (writer.batch.length > 0) await flush(writer);
    } catch (error) {
      failure = error;
    }
    // Wait for every started batch, so a failure never leaves a transaction running behind the caller.
    const rejected = (await Promise.allSettled(writers.map((writer) => writer.inFlight))).find(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    if (failure !== undefined) throw failure;
    if (rejected) throw rejected.reason;
    return report;
  }

  /** A stable writer for an external id (FNV-1a), so one subject's lines always share a writer. */
  function writerFor(externalId: string): number {
    let hash = 0x811c9dc5;
    for (let index = 0; index < externalId.length; index += 1) {
      hash ^= externalId.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % concurrency;
  }

  return { importLines };
}

export type ImportService = ReturnType<typeof importService>;
