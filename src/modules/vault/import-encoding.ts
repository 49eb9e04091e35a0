import { aead } from '../../lib/aead.js';
import { isCanonicalUuid, timeOrderedId } from '../../lib/ids.js';
import { unstorableStringPaths, unstorableTextMessage } from '../../lib/storable-text.js';
import type { FieldDefinition } from './collection-schema.js';
import { validateRecordValues } from './collection-schema.js';
import { encodeRecord } from './record-encoding.js';

/** One line of an import file: reserved columns, then the collection's fields. */
export type ImportLine = { line: number; values: Record<string, unknown> };

export type ImportError = { line: number; field: string; reason: string };

/** What encoding needs for a whole import: the collection as it was when the import began, and keys. */
export type EncoderSetup = {
  collection: { name: string; multiple: boolean; fields: FieldDefinition[] };
  blindIndexKey: Buffer;
  phoneRegion?: string | undefined;
};

/** What the writer looked up in the database for one batch, before its lines are encoded. */
export type BatchPlan = {
  /** Time of the batch (ms since the epoch): new record ids carry it. */
  at: number;
  /** Per line, the subject its external id names (found or new); none where the external id is unusable. */
  subjectIds: (string | undefined)[];
  /** Data keys of those subjects; a subject without one has been erased. */
  dataKeys: Map<string, Uint8Array>;
  /** For a one-record collection, the record each found subject has already. */
  currentRecords: Map<string, string>;
};

/** A batch ready to write, and what went wrong per line. */
export type EncodedBatch = {
  /** Lines that failed validation (every error of each, in line order; never a value). */
  failed: number;
  errors: ImportError[];
  /** Valid lines whose subject has been erased: the batch must not be written. */
  erasedLines: number[];
  /** Subjects that written lines belong to, with the region of the first line naming each. */
  subjects: { ids: string[]; regions: (string | null)[] };
  records: {
    /**
     * `[{id, subject_id, plain, sealed, indexes: [{kind, digest (hex), field}]}]`, one JSON document in
     * UTF-8. Its memory moves from the worker to the writer without a copy, and never enters either
     * thread's JavaScript heap: a million lines would otherwise leave a gigabyte of strings to collect.
     */
    document: Uint8Array;
    created: number;
    updated: number;
    /** Records that existed before this batch, with their subjects: their blind indexes are replaced. */
    replaced: { ids: string[]; subjectIds: string[] };
  };
};

/** The external id a line names, trimmed; undefined when it is not a usable one (the line then fails). */
export function externalIdOf(values: Record<string, unknown>): string | undefined {
  const { externalId } = values;
  if (values.__malformed || typeof externalId !== 'string' || externalId.length > 200) return undefined;
  const trimmed = externalId.trim();
  return trimmed === '' ? undefined : trimmed;
}

type EncodedRecord = {
  id: string;
  subject_id: string;
  plain: Record<string, unknown>;
  sealed: Record<string, string>;
  indexes: { kind: string; digest: string; field: string | null }[];
};

/** Checks one line; pushes its errors (line, field, reason) and returns undefined when it fails. */
function check(setup: EncoderSetup, line: ImportLine, errors: ImportError[]) {
  if (line.values.__malformed) {
    errors.push({ line: line.line, field: '(line)', reason: 'is not a JSON object' });
    return undefined;
  }
  const { externalId: _externalId, region, recordId, ...fields } = line.values;
  const before = errors.length;
  // The same rule as every HTTP input: no NUL or unpaired surrogate reaches a column, sealed or not.
  for (const path of unstorableStringPaths(line.values)) {
    errors.push({ line: line.line, field: path, reason: unstorableTextMessage });
  }
  if (errors.length > before) return undefined;
  if (externalIdOf(line.values) === undefined) {
    errors.push({
      line: line.line,
      field: 'externalId',
      reason: 'is required (a non-empty string of at most 200 characters)',
    });
  }
  if (recordId !== undefined && (typeof recordId !== 'string' || !isCanonicalUuid(recordId.toLowerCase()))) {
    errors.push({ line: line.line, field: 'recordId', reason: 'must be a UUID' });
  }
  const checked = validateRecordValues(setup.collection, fields, {
    partial: false,
    phoneRegion: setup.phoneRegion,
  });
  for (const error of checked.errors)
    errors.push({ line: line.line, field: error.path.replace(/^fields\./, ''), reason: error.message });
  if (errors.length > before) return undefined;
  return {
    values: checked.values,
    // Cut by code points, so a cut never leaves half a surrogate pair.
    region: typeof region === 'string' && region !== '' ? Array.from(region).slice(0, 32).join('') : null,
    recordId: (recordId as string | undefined)?.toLowerCase(),
  };
}

/**
 * Validates and encodes one batch: every value of an encrypted field sealed under its subject's data key,
 * a blind index for each indexed value, a record id for each line (a one-record collection replaces the
 * subject's record; a line naming a `recordId` replaces that one; any other line adds a record). Pure
 * computation, so it runs on the import's worker thread while the writer waits on the database.
 */
export function encodeBatch(setup: EncoderSetup, lines: ImportLine[], plan: BatchPlan): EncodedBatch {
  const { collection } = setup;
  const errors: ImportError[] = [];
  const erasedLines: number[] = [];
  const subjectRegions = new Map<string, string | null>();
  const currentRecords = new Map(plan.currentRecords);
  const existed = new Set(plan.currentRecords.values());
  const records = new Map<string, EncodedRecord>();
  let failed = 0;
  for (const [position, line] of lines.entries()) {
    const checked = check(setup, line, errors);
    if (!checked) {
      failed += 1;
      continue;
    }
    const subjectId = plan.subjectIds[position] as string;
    const dataKey = plan.dataKeys.get(subjectId);
    if (!dataKey) {
      erasedLines.push(line.line);
      continue;
    }
    if (!subjectRegions.has(subjectId)) subjectRegions.set(subjectId, checked.region);
    const recordId = checked.recordId ?? currentRecords.get(subjectId) ?? timeOrderedId(plan.at);
    if (checked.recordId) existed.add(recordId);
    // A subject's later line replaces the same record only where a subject has one record.
    if (!collection.multiple) currentRecords.set(subjectId, recordId);
    const encoded = encodeRecord(
      { collection, subjectId, values: checked.values },
      {
        aead,
        dataKey: Buffer.from(dataKey.buffer, dataKey.byteOffset, dataKey.byteLength),
        blindIndexKey: setup.blindIndexKey,
      },
    );
    records.set(recordId, {
      id: recordId,
      subject_id: subjectId,
      plain: encoded.plain,
      sealed: encoded.sealed,
      indexes: encoded.indexes.map((index) => ({
        kind: index.kind,
        digest: index.digest.toString('hex'),
        field: index.field,
      })),
    });
  }
  const replaced = { ids: [] as string[], subjectIds: [] as string[] };
  for (const record of records.values()) {
    if (!existed.has(record.id)) continue;
    replaced.ids.push(record.id);
    replaced.subjectIds.push(record.subject_id);
  }
  return {
    failed,
    errors,
    erasedLines,
    subjects: { ids: [...subjectRegions.keys()], regions: [...subjectRegions.values()] },
    records: {
      // TextEncoder gives the bytes a buffer of their own, which postMessage can transfer.
      document: new TextEncoder().encode(JSON.stringify([...records.values()])),
      created: records.size - replaced.ids.length,
      updated: replaced.ids.length,
      replaced,
    },
  };
}
