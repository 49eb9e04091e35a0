import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { blindIndexFor, externalIdKind } from './blind-index.js';
import type { CollectionService } from './collection-service.js';
import { type ImportEncoder, startImportEncoder } from './import-encoder.js';
import { externalIdOf, type ImportError, type ImportLine } from './import-encoding.js';
import type { SubjectStorage } from './storage-guard.js';
import type { VaultKeys } from './vault-crypto.js';
import {
  type CollectionRow,
  type ImportStore,
  isForeignRecordReference,
  isSoleRecordConflict,
} from './vault-store.js';

export type { ImportError, ImportLine } from './import-encoding.js';

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
  audit: AuditWriter;
  clock: Clock;
  settings: { phoneRegion?: string | undefined };
  databaseKind: 'postgres' | 'pglite';
  /** Whether subjects of a region may be stored on this instance (residency policies); throws to refuse. */
  storage?: Pick<SubjectStorage, 'check'> | undefined;
};

type Counts = { subjectsCreated: number; recordsCreated: number; recordsUpdated: number };

/**
 * Bulk import. Lines are grouped in batches; each batch is written in one transaction with a handful of
 * set-based statements. Subjects are matched by external id (blind index) and records upserted, so
 * re-running a file after a crash continues without duplicates. Validation and encryption run on a
 * worker thread (see import-encoder.ts) while this thread reads the file and waits on the database.
 * Memory stays bounded by the batch size, whatever the file size.
 */
export function importService({
  db,
  store,
  collections,
  keys,
  audit,
  clock,
  settings,
  databaseKind,
  storage,
}: Deps) {
  const concurrency = writersFor(databaseKind);

  /** Writes one batch: subjects looked up, lines encoded on the worker, then everything in one transaction. */
  async function writeBatch(
    context: AuditContext,
    collection: CollectionRow,
    encoder: ImportEncoder,
    lines: ImportLine[],
    report: ImportReport,
  ): Promise<Counts> {
    // A residency policy may keep subjects of a region off this instance: a batch with a line stating
    // such a region writes nothing (checked before the transaction, which holds PGlite's one connection).
    await storage?.check(
      lines.map((line) => (typeof line.values.region === 'string' ? line.values.region : null)),
    );
    return db.transaction().execute(async (tx) => {
      const at = clock.now();
      const indexKey = keys.blindIndexKey();
      const externalIds = lines.map((line) => externalIdOf(line.values));
      const digests = new Map<string, Buffer>();
      for (const externalId of externalIds)
        if (externalId !== undefined && !digests.has(externalId))
          digests.set(externalId, blindIndexFor(indexKey, externalIdKind, externalId));
      const found = new Map(
        (await store.subjectsByExternalIndex(tx, [...digests.values()])).map((row) => [
          row.digest.toString('hex'),
          row,
        ]),
      );
      // Each external id names a found subject or a new one, made here with its data key; a new subject
      // is stored only if one of its lines turns out valid.
      const subjectOf = new Map<string, string>();
      const fresh = new Map<string, { digest: Buffer; dataKey: Buffer }>();
      const live: string[] = [];
      for (const [externalId, digest] of digests) {
        const subject = found.get(digest.toString('hex'));
        if (subject) {
          subjectOf.set(externalId, subject.id);
          if (subject.status !== 'erased') live.push(subject.id);
        } else {
          const id = timeOrderedId(at.getTime());
          subjectOf.set(externalId, id);
          fresh.set(id, { digest, dataKey: keys.newDataKey() });
        }
      }
      const dataKeys = new Map<string, Uint8Array>(await keys.dataKeysFor(tx, live));
      for (const [id, subject] of fresh) dataKeys.set(id, subject.dataKey);
      const count = lines.length;
      // The lines go to the encoder (copied as they are posted); nothing here holds on to them.
      const encoded = await encoder.encode(lines.splice(0), {
        at: at.getTime(),
        subjectIds: externalIds.map((externalId) =>
          externalId === undefined ? undefined : subjectOf.get(externalId),
        ),
        dataKeys,
        // A one-record collection: a found subject's record is replaced, not joined by a second.
        currentRecords: collection.multiple
          ? new Map()
          : await store.recordIdsBySubject(tx, collection.id, live),
      });
      noteErrors(report, encoded.failed, encoded.errors);
      if (encoded.erasedLines.length > 0)
        throw new AppError('conflict', 'A line names an erased subject.', {
          extensions: { lines: encoded.erasedLines },
        });

      const created = encoded.subjects.ids.flatMap((id, index) => {
        const subject = fresh.get(id);
        return subject
          ? [{ id, external_id_index: subject.digest, region: encoded.subjects.regions[index] ?? null }]
          : [];
      });
      await store.insertSubjects(tx, at, created);
      await keys.storeDataKeys(
        tx,
        new Map(created.map((subject) => [subject.id, fresh.get(subject.id)?.dataKey as Buffer])),
      );
      const { records } = encoded;
      // Only records that existed before can have blind indexes to replace.
      await store.deleteIndexesOf(tx, records.replaced);
      const written = await store
        .upsertRecords(tx, { collectionId: collection.id, at, sole: !collection.multiple }, records.document)
        .catch((error: unknown) => {
          if (isSoleRecordConflict(error))
            throw new AppError(
              'conflict',
              'A line names a recordId, but its subject has another record in this one-record collection.',
            );
          throw isForeignRecordReference(error) ? foreignRecord() : error;
        });
      if (written !== records.created + records.updated) throw foreignRecord();
      const counts = {
        subjectsCreated: created.length,
        recordsCreated: records.created,
        recordsUpdated: records.updated,
      };
      await audit.append(tx, context, {
        action: 'vault.import.batch',
        outcome: 'success',
        target: { type: 'collection', id: collection.id },
        details: { collection: collection.name, lines: count, failed: encoded.failed, ...counts },
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
    const encoder = startImportEncoder({
      collection: { name: collection.name, multiple: collection.multiple, fields: collection.fields },
      blindIndexKey: keys.blindIndexKey(),
      phoneRegion: settings.phoneRegion,
    });
    // Lines are spread over a few writers by external id, so all lines of one subject go to one writer
    // (no two transactions ever race to create the same subject) while the writers' transactions overlap
    // with each other, with the encoder and with reading. Each writer has at most one batch in flight
    // and one filling.
    const writers = Array.from({ length: concurrency }, () => ({
      batch: [] as ImportLine[],
      inFlight: Promise.resolve(),
    }));
    const flush = async (writer: (typeof writers)[number]) => {
      const batch = writer.batch;
      writer.batch = [];
      await writer.inFlight;
      writer.inFlight = writeBatch(context, collection, encoder, batch, report).then((counts) => {
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
        const writer = writers[writerFor(externalIdOf(line.values) ?? '')] as (typeof writers)[number];
        writer.batch.push(line);
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
    await encoder.close();
    if (failure !== undefined) throw failure;
    if (rejected) throw rejected.reason;
    report.errors.sort((a, b) => a.line - b.line);
    report.errors.length = Math.min(report.errors.length, maxReportedErrors);
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

/** A line's `recordId` names a record of another subject or collection: never overwritten. */
const foreignRecord = () =>
  new AppError('conflict', 'A line names the recordId of another subject or collection.');

/**
 * Counts a batch's failed lines and keeps their errors, the first `maxReportedErrors` by line number:
 * batches of different writers finish in any order, so the list is trimmed by line, not by arrival.
 */
function noteErrors(report: ImportReport, failed: number, errors: ImportError[]): void {
  report.failed += failed;
  report.errors.push(...errors);
  if (report.errors.length > 2 * maxReportedErrors) {
    report.errors.sort((a, b) => a.line - b.line);
    report.errors.length = maxReportedErrors;
  }
}

export type ImportService = ReturnType<typeof importService>;
