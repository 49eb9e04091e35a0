import type { KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { canonicalJson } from '../../lib/canonical-json.js';
import { csvLine } from '../../lib/csv.js';
import { type AuditCut, cutSignatureValid, ZCut } from './audit-cut.js';
import type { AuditCheckpoint, AuditEntryRecord } from './audit-entry.js';
import { type AuditLogItem, type AuditVerifyReport, verifyAuditLog } from './audit-verify.js';

/**
 * Export formats. NDJSON is the verifiable one: a header line, then every entry with every field its hash
 * covers, and after each checkpointed entry its signed checkpoint. CSV is for spreadsheets: entries only,
 * one row each, cells that a spreadsheet would run as a formula neutralized.
 */
export const exportFormat = 'custos-audit-log';

export type ExportHeader = {
  kind: 'header';
  format: typeof exportFormat;
  version: 2;
  exportedAt: string;
  /** False when filters were applied: such an export has gaps by design and cannot be verified. */
  complete: boolean;
  filters: Record<string, string>;
  lastSeq: number;
  /**
   * When the log was pruned: the signed cut the database's chains start from (every chain continues
   * from its heads); absent for a log never pruned.
   */
  start?: AuditCut;
};

export function ndjsonHeader(header: Omit<ExportHeader, 'kind' | 'format' | 'version'>): string {
  return `${JSON.stringify({ kind: 'header', format: exportFormat, version: 2, ...header })}\n`;
}

/** One NDJSON line for an entry or a checkpoint, `kind` first. */
export function ndjsonLine(
  item: ({ kind: 'entry' } & AuditEntryRecord) | ({ kind: 'checkpoint' } & AuditCheckpoint),
): string {
  return `${JSON.stringify(item)}\n`;
}

export const csvColumns = [
  'seq',
  'chain',
  'chain_seq',
  'at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'purpose',
  'outcome',
  'request_id',
  'ip_hash',
  'details',
  'prev_hash',
  'hash',
] as const;

export function csvHeader(): string {
  return `${csvColumns.join(',')}\r\n`;
}

export function csvRow(entry: AuditEntryRecord): string {
  return csvLine([
    entry.seq,
    entry.chain,
    entry.chainSeq,
    entry.at,
    entry.actor.type,
    entry.actor.id,
    entry.action,
    entry.target?.type ?? null,
    entry.target?.id ?? null,
    entry.purpose,
    entry.outcome,
    entry.requestId,
    entry.ipHash,
    canonicalJson(entry.details),
    entry.prevHash,
    entry.hash,
  ]);
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const seq = z.number().int().positive();

export const ZEntryLine = z.object({
  kind: z.literal('entry'),
  seq,
  chain: z.number().int().min(0),
  chainSeq: seq,
  at: z.string(),
  actor: z.object({
    type: z.enum(['operator', 'api_key', 'subject', 'system', 'agent', 'anonymous']),
    id: z.string().nullable(),
  }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }).nullable(),
  purpose: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  requestId: z.string().nullable(),
  ipHash: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: hex64,
  hash: hex64,
});

/** A checkpoint as exported (and as a witness keeps it): the old format, or a chained one. */
export const ZCheckpointFields = z.object({
  seq,
  hash: hex64,
  at: z.string(),
  keyId: z.string(),
  signature: z.string(),
  checkpointSeq: seq.optional(),
  prevHash: hex64.optional(),
  heads: z.array(z.object({ chain: z.number().int().min(0), chainSeq: seq, seq, hash: hex64 })).optional(),
  every: seq.optional(),
  intervalMs: seq.optional(),
});

const ZCheckpointLine = ZCheckpointFields.extend({ kind: z.literal('checkpoint') });

const ZHeaderLine = z.object({
  kind: z.literal('header'),
  format: z.literal(exportFormat),
  version: z.literal(2),
  exportedAt: z.string(),
  complete: z.boolean(),
  filters: z.record(z.string(), z.string()),
  lastSeq: z.number().int().min(0),
  start: ZCut.optional(),
});

const ZLine = z.discriminatedUnion('kind', [ZEntryLine, ZCheckpointLine, ZHeaderLine]);

export type ParsedLine = AuditLogItem | ExportHeader;

export function parseExportLine(text: string, line: number): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', line, reason: 'not JSON' };
  }
  const parsed = ZLine.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'malformed',
      line,
      reason: `${issue?.path.join('.') || 'line'} ${issue?.message ?? ''}`.trim(),
    };
  }
  return parsed.data as ParsedLine;
}

/**
 * Reads an NDJSON export in batches, for verification; the header (first line) goes to `onHeader`.
 * Only one batch is in memory at a time.
 */
export async function* readExport(
  input: Readable,
  options: { onHeader?: (header: ExportHeader) => void; batchSize?: number } = {},
): AsyncGenerator<AuditLogItem[]> {
  const batchSize = options.batchSize ?? 1000;
  let batch: AuditLogItem[] = [];
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    line += 1;
    if (text.trim() === '') continue;
    const item = parseExportLine(text, line);
    if (item.kind === 'header') {
      options.onHeader?.(item);
      continue;
    }
    batch.push(item);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Verifies an NDJSON export offline against trusted public keys. A filtered export has gaps by design, so
 * it is refused rather than reported as tampered.
 */
export async function verifyExport(
  input: Readable,
  publicKeys: ReadonlyMap<string, KeyObject>,
  options: { onHeader?: (header: ExportHeader) => void; onProgress?: (entries: number) => void } = {},
): Promise<AuditVerifyReport> {
  let start: AuditCut | undefined;
  const batches = readExport(input, {
    onHeader: (header) => {
      if (!header.complete) {
        throw new Error(
          `This export was filtered (${Object.keys(header.filters).join(', ')}); only a complete export can be verified`,
        );
      }
      start = header.start;
      options.onHeader?.(header);
    },
  });
  // The header comes first: read up to the first batch to learn where the chains start.
  const first = await batches.next();
  const counts = { entries: 0, checkpoints: 0, lastSeq: 0, lastCheckpointSeq: null };
  if (start && !cutSignatureValid(start, publicKeys)) {
    return {
      ok: false,
      problem: 'cut_signature_invalid',
      seq: 0,
      message: `The export starts at cut ${start.cutSeq}, whose signature is invalid or made with a key that is not trusted.`,
      ...counts,
    };
  }
  const items = (async function* () {
    if (!first.done) yield first.value;
    yield* batches;
  })();
  const report = await verifyAuditLog(items, {
    publicKeys,
    ...(start ? { start } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return report.ok && start ? { ...report, fromCut: { cutSeq: start.cutSeq, hash: start.hash } } : report;
}
